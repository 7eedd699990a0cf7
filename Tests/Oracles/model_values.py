#!/usr/bin/env python3
"""Seeded random values that satisfy every constraint of the vpc-lattice model.

Used as a module by Tests/Oracles/cases.py (which the Swift differential tests run) and
runnable on its own:

  python3 Tests/Oracles/model_values.py --self-test
      Generates 50 inputs and 50 outputs for each operation, checks every value with an
      independent checker that walks the raw model in Codegen/Model/service-2.json (types,
      required members, string lengths in code points, anchored patterns, enums, integer
      ranges, list/map counts, unions with exactly one member, timestamp format), checks
      that the same seed gives the same value, that botocore's loaded model equals
      Codegen/Model (documentation aside) and that botocore's own ParamValidator accepts
      every input. Prints a summary; exits 1 on any violation.
  python3 Tests/Oracles/model_values.py input OPERATION SEED
  python3 Tests/Oracles/model_values.py output OPERATION SEED
      Prints one generated value as JSON.

API:
  input_for(operation_name, seed) -> dict
      botocore-style params for the operation's input shape: member names (not
      locationNames), uri/querystring/header members included, nested structures by
      member name. Required members always; each optional member with probability 0.6,
      or every optional member of a structure (probability 0.15 per structure).
  output_for(operation_name, seed) -> dict
      The operation's output as the service's JSON body: body members only, keyed by
      their JSON names; required members always, each other member with probability 0.7.

Values: strings meet min/max (Unicode code points) and `pattern` as an anchored full
match (generated from the re._parser AST, retried a bounded number of times, verified
with re.fullmatch; failure raises ValueError naming the shape and pattern); enums come
from the model's list; integers/longs meet min/max (and int32/int64 when unbounded);
lists and maps meet their counts (map keys distinct); unions have exactly one member;
timestamps are ISO 8601 UTC strings with 3 fractional digits, "2026-11-21T12:34:56.789Z".
Strings are mostly realistic ASCII; where the model allows it they also carry
punctuation that needs escaping (space, %, +, /, ?, #, ", \\), non-ASCII characters
(including an astral-plane emoji and a combining mark), and, in unpatterned strings,
an occasional tab or newline.

Determinism: all randomness comes from one random.Random per call, seeded with a string
made of the direction, the operation name and the seed (string seeds are hashed with
SHA-512 by the random module, so PYTHONHASHSEED does not matter). The same botocore
(pinned in Tests/requirements.txt) and the same seed give the same value.

Standard library and botocore only; no network.
"""
import datetime
import functools
import json
import os
import re
import random
import sys
from re import _constants as C
from re import _parser as sre_parse

import botocore
import botocore.session

SERVICE_NAME = "vpc-lattice"
HERE = os.path.dirname(os.path.abspath(__file__))
CODEGEN_MODEL = os.path.join(HERE, "..", "..", "Codegen", "Model", "service-2.json")

INPUT_OPTIONAL_P = 0.6
INPUT_ALL_OPTIONAL_P = 0.15
OUTPUT_OPTIONAL_P = 0.7

MAX_PATTERN_ATTEMPTS = 4000
REPEAT_CAP = 12           # extra repetitions for an unbounded `*`/`+` (64 one time in 20; grows when too short)
UNBOUNDED_LIST_MAX = 3    # elements in a list/map without a max
UNBOUNDED_STRING_MAX = 40
INT32 = (-(2 ** 31), 2 ** 31 - 1)
INT64 = (-(2 ** 63), 2 ** 63 - 1)

PRINTABLE_ASCII = [chr(c) for c in range(0x20, 0x7F)]
# Non-ASCII characters mixed into `.`, negated classes and free text. None is a line
# terminator in any regex dialect (no \r, \x85, \u2028, \u2029). U+0301 is a combining
# mark (one code point, no grapheme of its own); U+1F600 is outside the BMP.
NON_ASCII = ["é", "ü", "ß", "ñ", "ø", "λ", "Ж", "中", "文", "日", "€", "✓", "\u00a0",
             "\u0301", "😀", "🚀"]
REALISTIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
PUNCTUATION = " /:+%&=?#@*!$'\"\\,;()[]{}<>|^`~"


class _Retry(Exception):
    """A partial pattern expansion cannot match; start over."""


@functools.lru_cache(maxsize=None)
def service_model():
    """botocore's model for vpc-lattice (the pinned botocore's bundled data)."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def operation_names():
    """All operation names, sorted."""
    return sorted(service_model().operation_names)


# --------------------------------------------------------------------------------------
# Pattern generation on the re._parser AST
# --------------------------------------------------------------------------------------

_CATEGORY_INTERVALS = {
    C.CATEGORY_DIGIT: [(0x30, 0x39)],
    C.CATEGORY_WORD: [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    C.CATEGORY_SPACE: [(0x20, 0x20), (0x09, 0x09)],
}
_CATEGORY_TEST = {
    C.CATEGORY_DIGIT: re.compile(r"\d").fullmatch,
    C.CATEGORY_NOT_DIGIT: re.compile(r"\D").fullmatch,
    C.CATEGORY_WORD: re.compile(r"\w").fullmatch,
    C.CATEGORY_NOT_WORD: re.compile(r"\W").fullmatch,
    C.CATEGORY_SPACE: re.compile(r"\s").fullmatch,
    C.CATEGORY_NOT_SPACE: re.compile(r"\S").fullmatch,
}
_BEGIN = (C.AT_BEGINNING, C.AT_BEGINNING_STRING)
_END = (C.AT_END, C.AT_END_STRING)


def _in_class(ch, items):
    """Whether `ch` is in a parsed character class (the av of an IN node)."""
    negate = False
    hit = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit = hit or ord(ch) == av
        elif op is C.NOT_LITERAL:
            hit = hit or ord(ch) != av
        elif op is C.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is C.CATEGORY:
            hit = hit or bool(_CATEGORY_TEST[av](ch))
        else:
            raise ValueError(f"unsupported character class item {op} {av}")
    return hit != negate


def _starts_anchored(item):
    """Whether a single AST item can only match at the start of the string."""
    op, av = item
    if op is C.AT:
        return av in _BEGIN
    if op is C.SUBPATTERN:
        return _seq_starts_anchored(av[3])
    if op is C.BRANCH:
        return all(_seq_starts_anchored(alt) for alt in av[1])
    return False


def _seq_starts_anchored(seq):
    for item in seq:
        if item[0] in (C.ASSERT, C.ASSERT_NOT):
            continue
        return _starts_anchored(item)
    return False


def _ends_anchored(item):
    """Whether nothing may follow a single AST item (it ends with `$`)."""
    op, av = item
    if op is C.AT:
        return av in _END
    if op is C.SUBPATTERN:
        return _seq_ends_anchored(av[3])
    if op is C.BRANCH:
        return all(_seq_ends_anchored(alt) for alt in av[1])
    return False


def _seq_ends_anchored(seq):
    for item in reversed(list(seq)):
        if item[0] in (C.ASSERT, C.ASSERT_NOT):
            continue
        return _ends_anchored(item)
    return False


class PatternGenerator:
    """Random strings from one regular expression (Python syntax, matched with fullmatch).

    Lookarounds are not expanded (they emit nothing); `^`/`$` force the repetitions
    before/after them to zero and abort an expansion that cannot satisfy them. The caller
    checks every candidate with re.fullmatch, so a lookahead that fails just means a retry.
    """

    def __init__(self, pattern):
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.tree = sre_parse.parse(pattern)
        self._class_cache = {}

    def generate(self, rng, cap=REPEAT_CAP):
        """One candidate (may not match; raises _Retry when it certainly cannot)."""
        self.rng = rng
        self.cap = cap
        self.out = []
        self.ended = False
        self._seq(list(self.tree), False)
        return "".join(self.out)

    # -- emission --------------------------------------------------------------------

    def _emit(self, ch):
        if self.ended:
            raise _Retry()
        self.out.append(ch)

    def _pool_char(self, accept):
        """A printable ASCII character (usually) or a non-ASCII one accepted by `accept`."""
        key = accept
        cached = self._class_cache.get(key)
        if cached is None:
            cached = ([c for c in PRINTABLE_ASCII if accept(c)],
                      [c for c in NON_ASCII if accept(c)])
            self._class_cache[key] = cached
        ascii_ok, other_ok = cached
        if other_ok and (not ascii_ok or self.rng.random() < 0.06):
            return self.rng.choice(other_ok)
        if not ascii_ok:
            raise ValueError(f"pattern {self.pattern!r}: empty character class")
        return self.rng.choice(ascii_ok)

    # -- AST walk --------------------------------------------------------------------

    def _seq(self, seq, force_empty):
        n = len(seq)
        anchored_later = [False] * n
        later = False
        for i in range(n - 1, -1, -1):
            anchored_later[i] = later
            later = later or _starts_anchored(seq[i])
        end_seen = False
        for i, item in enumerate(seq):
            self._item(item, force_empty or anchored_later[i] or end_seen)
            end_seen = end_seen or _ends_anchored(item)

    def _item(self, item, force_empty):
        op, av = item
        rng = self.rng
        if op is C.LITERAL:
            self._emit(chr(av))
        elif op is C.NOT_LITERAL:
            self._emit(self._pool_char(_NotLiteral(av)))
        elif op is C.ANY:
            self._emit(self._pool_char(_ANY))
        elif op is C.IN:
            self._emit(self._class_char(av))
        elif op is C.BRANCH:
            self._seq(list(rng.choice(av[1])), force_empty)
        elif op is C.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise ValueError(f"pattern {self.pattern!r}: inline flags are not supported")
            self._seq(list(sub), force_empty)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            count = lo if force_empty else self._repeat_count(lo, hi)
            for _ in range(count):
                self._seq(list(sub), force_empty)
        elif op is C.AT:
            if av in _BEGIN:
                if self.out:
                    raise _Retry()
            elif av in _END:
                self.ended = True
            else:
                raise ValueError(f"pattern {self.pattern!r}: anchor {av} is not supported")
        elif op in (C.ASSERT, C.ASSERT_NOT):
            pass  # checked by the final fullmatch
        else:
            raise ValueError(f"pattern {self.pattern!r}: regex construct {op} is not supported")

    def _repeat_count(self, lo, hi):
        rng = self.rng
        if hi is C.MAXREPEAT or hi == C.MAXREPEAT:
            if rng.random() < 0.3:
                return lo
            return lo + rng.randint(1, self.cap)
        if hi - lo <= 20:
            return rng.randint(lo, hi)
        r = rng.random()
        if r < 0.80:
            return rng.randint(lo, lo + 16)
        if r < 0.97:
            return rng.randint(lo, hi)
        return hi

    def _class_char(self, items):
        key = id(items)
        spec = self._class_cache.get(key)
        if spec is None:
            simple = all(op in (C.LITERAL, C.RANGE) or
                         (op is C.CATEGORY and av in _CATEGORY_INTERVALS)
                         for op, av in items)
            if simple:
                intervals = []
                for op, av in items:
                    if op is C.LITERAL:
                        intervals.append((av, av))
                    elif op is C.RANGE:
                        intervals.append(av)
                    else:
                        intervals.extend(_CATEGORY_INTERVALS[av])
                weights = [hi - lo + 1 for lo, hi in intervals]
                spec = ("intervals", intervals, weights)
            else:
                spec = ("filter", _InClass(items))
            self._class_cache[key] = spec
        if spec[0] == "intervals":
            lo, hi = self.rng.choices(spec[1], weights=spec[2])[0]
            return chr(self.rng.randint(lo, hi))
        return self._pool_char(spec[1])


class _NotLiteral:
    def __init__(self, code):
        self.code = code

    def __call__(self, ch):
        return ord(ch) != self.code and ch != "\n"

    def __hash__(self):
        return hash(("not", self.code))

    def __eq__(self, other):
        return isinstance(other, _NotLiteral) and other.code == self.code


def _ANY(ch):
    return ch != "\n"


class _InClass:
    def __init__(self, items):
        self.items = items

    def __call__(self, ch):
        return ch != "\n" and _in_class(ch, self.items)

    def __hash__(self):
        return id(self.items)

    def __eq__(self, other):
        return isinstance(other, _InClass) and other.items is self.items


@functools.lru_cache(maxsize=None)
def _pattern_generator(pattern):
    return PatternGenerator(pattern)


def string_for_pattern(rng, pattern, lo, hi, shape_name="?"):
    """A string matching `pattern` (anchored) with lo <= code points <= hi (hi may be None)."""
    gen = _pattern_generator(pattern)
    # Now and then allow long unbounded repeats so values near `max` also occur.
    cap = REPEAT_CAP if rng.random() < 0.95 else 64
    too_short = 0
    for _ in range(MAX_PATTERN_ATTEMPTS):
        try:
            s = gen.generate(rng, cap)
        except _Retry:
            continue
        if len(s) < lo:
            too_short += 1
            if too_short % 25 == 0 and cap < 4096:
                cap *= 2
            continue
        if hi is not None and len(s) > hi:
            continue
        if gen.regex.fullmatch(s) is None:
            continue
        return s
    raise ValueError(
        f"model_values: no value for shape {shape_name} matching pattern {pattern!r} "
        f"with length {lo}..{hi} after {MAX_PATTERN_ATTEMPTS} attempts")


# --------------------------------------------------------------------------------------
# Values for shapes
# --------------------------------------------------------------------------------------

def _ipv4(rng):
    return ".".join(str(rng.randint(0, 255)) for _ in range(4))


def _ipv6(rng):
    return ":".join(f"{rng.randint(0, 0xFFFF):x}" for _ in range(8))


def _domain(rng):
    label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(1, 12)))
    return f"{label}.{rng.choice(['example.com', 'example.org', 'internal.example.net'])}"


# Realistic values for a few unpatterned shapes, used half of the time; the rest of the
# time these shapes get arbitrary text within their length bounds (which the model allows).
_HINTS = {
    "IpAddress": lambda rng: _ipv4(rng) if rng.random() < 0.6 else _ipv6(rng),
    "DomainName": _domain,
    "ServiceCustomDomainName": _domain,
    "PrivateDnsSpecifiedDomain": _domain,
    "HttpMethod": lambda rng: rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
    "SubnetId": lambda rng: "subnet-" + "".join(rng.choice("0123456789abcdef") for _ in range(17)),
    "TargetIdString": lambda rng: rng.choice([
        _ipv4(rng), "i-" + "".join(rng.choice("0123456789abcdef") for _ in range(17)),
        "arn:aws:lambda:us-east-1:123456789012:function:my-fn"]),
}


def free_text(rng, lo, hi):
    """Text of lo..hi code points (hi None = unbounded) for a string with no pattern."""
    top = hi if hi is not None else max(lo, UNBOUNDED_STRING_MAX)
    r = rng.random()
    if r < 0.08:
        n = lo
    elif r < 0.12 and hi is not None:
        n = hi
    else:
        n = rng.randint(lo, min(top, lo + 24))
    flavour = rng.random()
    chars = []
    for _ in range(n):
        x = rng.random()
        if flavour < 0.5:            # realistic identifier-ish text
            chars.append(rng.choice(REALISTIC))
        elif flavour < 0.85:         # words with punctuation and spaces
            if x < 0.2:
                chars.append(rng.choice(PUNCTUATION))
            else:
                chars.append(rng.choice(REALISTIC))
        else:                        # anything printable, non-ASCII, rarely tab/newline
            if x < 0.25:
                chars.append(rng.choice(NON_ASCII))
            elif x < 0.28:
                chars.append(rng.choice("\t\n"))
            elif x < 0.45:
                chars.append(rng.choice(PUNCTUATION))
            else:
                chars.append(rng.choice(REALISTIC))
    return "".join(chars)


def _timestamp(rng):
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    t = start + datetime.timedelta(seconds=rng.randint(0, 100 * 365 * 86400),
                                   milliseconds=rng.randint(0, 999))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _bounded_int(rng, lo, hi):
    r = rng.random()
    if r < 0.1:
        return lo
    if r < 0.2:
        return hi
    if r < 0.7 and hi - lo > 1000:   # realistic small values near the lower bound
        return rng.randint(lo, lo + 1000)
    return rng.randint(lo, hi)


def _count(rng, lo, hi):
    """How many elements for a list or map with min `lo` and max `hi` (None = unbounded)."""
    if hi is None:
        hi = max(lo, UNBOUNDED_LIST_MAX)
        return rng.randint(lo, hi)
    r = rng.random()
    if r < 0.1:
        return lo
    if r < 0.13:
        return hi
    return rng.randint(lo, min(hi, lo + 3))


class ValueGenerator:
    """Walks botocore shapes and builds random values.

    json_names: key structure members by their serialized (JSON) name instead of their
    member name. optional_p / all_optional_p: chance that an optional member is present /
    that every optional member of one structure is.
    """

    def __init__(self, rng, optional_p, all_optional_p, json_names):
        self.rng = rng
        self.optional_p = optional_p
        self.all_optional_p = all_optional_p
        self.json_names = json_names

    def value(self, shape):
        kind = shape.type_name
        method = getattr(self, "_" + kind, None)
        if method is None:
            raise ValueError(f"model_values: shape {shape.name} has unsupported type {kind}")
        return method(shape)

    def _key(self, name, member):
        if self.json_names:
            return member.serialization.get("name", name)
        return name

    def structure(self, shape, only_body=False):
        rng = self.rng
        members = shape.members
        if only_body:
            members = {n: m for n, m in members.items() if "location" not in m.serialization}
        out = {}
        if shape.is_tagged_union:
            if not members:
                raise ValueError(f"model_values: union {shape.name} has no members")
            name = rng.choice(list(members))
            out[self._key(name, members[name])] = self.value(members[name])
            return out
        required = set(shape.required_members)
        everything = rng.random() < self.all_optional_p
        for name, member in members.items():
            if name in required or everything or rng.random() < self.optional_p:
                out[self._key(name, member)] = self.value(member)
        return out

    def _structure(self, shape):
        return self.structure(shape)

    def _string(self, shape):
        rng = self.rng
        meta = shape.metadata
        if shape.enum:
            return rng.choice(shape.enum)
        lo = meta.get("min", 0)
        hi = meta.get("max")
        if "pattern" in meta:
            return string_for_pattern(rng, meta["pattern"], lo, hi, shape.name)
        hint = _HINTS.get(shape.name)
        if hint is not None and rng.random() < 0.5:
            s = hint(rng)
            if lo <= len(s) and (hi is None or len(s) <= hi):
                return s
        return free_text(rng, lo, hi)

    def _int(self, shape, bounds):
        meta = shape.metadata
        lo = meta.get("min", bounds[0])
        hi = meta.get("max", bounds[1])
        if "min" not in meta and "max" not in meta:
            r = self.rng.random()
            if r < 0.7:
                return self.rng.randint(0, 1000)
            if r < 0.8:
                return self.rng.choice([lo, hi, 0, -1])
        return _bounded_int(self.rng, lo, hi)

    def _integer(self, shape):
        return self._int(shape, INT32)

    def _long(self, shape):
        return self._int(shape, INT64)

    def _boolean(self, shape):
        return self.rng.random() < 0.5

    def _timestamp(self, shape):
        return _timestamp(self.rng)

    def _list(self, shape):
        meta = shape.metadata
        n = _count(self.rng, meta.get("min", 0), meta.get("max"))
        return [self.value(shape.member) for _ in range(n)]

    def _map(self, shape):
        meta = shape.metadata
        n = _count(self.rng, meta.get("min", 0), meta.get("max"))
        out = {}
        for _ in range(n * 50):
            if len(out) == n:
                break
            key = self.value(shape.key)
            if key not in out:
                out[key] = self.value(shape.value)
        if len(out) < n:
            raise ValueError(f"model_values: could not find {n} distinct keys for map {shape.name}")
        return out


def input_for(operation_name, seed):
    """botocore-style params (member names, all locations) for the operation's input."""
    op = service_model().operation_model(operation_name)
    if op.input_shape is None:
        return {}
    rng = random.Random(f"input:{operation_name}:{seed}")
    gen = ValueGenerator(rng, INPUT_OPTIONAL_P, INPUT_ALL_OPTIONAL_P, json_names=False)
    return gen.structure(op.input_shape)


def output_for(operation_name, seed):
    """The operation's output as the service's JSON body (body members, JSON names)."""
    op = service_model().operation_model(operation_name)
    shape = op.output_shape
    if shape is None:
        return {}
    if shape.serialization.get("payload"):
        raise ValueError(f"model_values: output {shape.name} has a payload member; not supported")
    rng = random.Random(f"output:{operation_name}:{seed}")
    gen = ValueGenerator(rng, OUTPUT_OPTIONAL_P, 0.0, json_names=True)
    return gen.structure(shape, only_body=True)


# --------------------------------------------------------------------------------------
# Independent checker (walks the raw JSON model in Codegen/Model, not botocore's objects)
# --------------------------------------------------------------------------------------

_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class ModelChecker:
    """Validates values against the raw model dict; collects violations as strings."""

    def __init__(self, model):
        self.shapes = model["shapes"]
        self.operations = model["operations"]
        self.errors = []
        self.stats = {"strings": 0, "non_ascii": 0, "patterned": 0}

    def fail(self, path, msg):
        self.errors.append(f"{path}: {msg}")

    def check(self, shape_name, value, path, json_names, only_body=False):
        s = self.shapes[shape_name]
        t = s["type"]
        if t == "structure":
            self._structure(shape_name, s, value, path, json_names, only_body)
        elif t == "string":
            self._string(shape_name, s, value, path)
        elif t in ("integer", "long"):
            if type(value) is not int:
                return self.fail(path, f"{shape_name}: expected {t}, got {value!r}")
            lo, hi = INT32 if t == "integer" else INT64
            if not lo <= value <= hi:
                self.fail(path, f"{shape_name}: {value} outside the {t} range")
            if "min" in s and value < s["min"]:
                self.fail(path, f"{shape_name}: {value} < min {s['min']}")
            if "max" in s and value > s["max"]:
                self.fail(path, f"{shape_name}: {value} > max {s['max']}")
        elif t == "boolean":
            if type(value) is not bool:
                self.fail(path, f"{shape_name}: expected boolean, got {value!r}")
        elif t == "timestamp":
            if not isinstance(value, str) or not _TIMESTAMP_RE.fullmatch(value):
                return self.fail(path, f"{shape_name}: bad timestamp {value!r}")
            try:
                datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
            except ValueError:
                self.fail(path, f"{shape_name}: invalid date {value!r}")
        elif t == "list":
            if not isinstance(value, list):
                return self.fail(path, f"{shape_name}: expected list, got {type(value).__name__}")
            self._count(shape_name, s, len(value), path)
            for i, v in enumerate(value):
                self.check(s["member"]["shape"], v, f"{path}[{i}]", json_names)
        elif t == "map":
            if not isinstance(value, dict):
                return self.fail(path, f"{shape_name}: expected map, got {type(value).__name__}")
            self._count(shape_name, s, len(value), path)
            for k, v in value.items():
                self.check(s["key"]["shape"], k, f"{path}<key {k!r}>", json_names)
                self.check(s["value"]["shape"], v, f"{path}[{k!r}]", json_names)
        else:
            self.fail(path, f"{shape_name}: checker does not know type {t}")

    def _count(self, shape_name, s, n, path):
        if n < s.get("min", 0):
            self.fail(path, f"{shape_name}: {n} elements < min {s['min']}")
        if "max" in s and n > s["max"]:
            self.fail(path, f"{shape_name}: {n} elements > max {s['max']}")

    def _structure(self, shape_name, s, value, path, json_names, only_body):
        if not isinstance(value, dict):
            return self.fail(path, f"{shape_name}: expected object, got {type(value).__name__}")
        members = s.get("members", {})
        if only_body:
            members = {n: m for n, m in members.items() if "location" not in m}
        by_key = {}
        for name, m in members.items():
            key = m.get("locationName", name) if json_names else name
            by_key[key] = (name, m)
        for key in value:
            if key not in by_key:
                self.fail(path, f"{shape_name}: unknown member {key!r}")
        if s.get("union"):
            set_keys = [k for k, v in value.items() if v is not None]
            if len(set_keys) != 1:
                self.fail(path, f"union {shape_name}: {len(set_keys)} members set, need exactly 1")
        for req in s.get("required", []):
            if req not in members:
                continue  # located elsewhere (only_body)
            key = members[req].get("locationName", req) if json_names else req
            if value.get(key) is None:
                self.fail(path, f"{shape_name}: required member {req} missing")
        for key, v in value.items():
            if key in by_key:
                if v is None:
                    self.fail(path, f"{shape_name}.{key} is null")
                    continue
                self.check(by_key[key][1]["shape"], v, f"{path}.{key}", json_names)

    def _string(self, shape_name, s, value, path):
        if not isinstance(value, str):
            return self.fail(path, f"{shape_name}: expected string, got {value!r}")
        self.stats["strings"] += 1
        if any(ord(c) > 0x7F for c in value):
            self.stats["non_ascii"] += 1
        n = len(value)  # code points
        if n < s.get("min", 0):
            self.fail(path, f"{shape_name}: length {n} < min {s['min']}: {value!r}")
        if "max" in s and n > s["max"]:
            self.fail(path, f"{shape_name}: length {n} > max {s['max']}")
        if "enum" in s and value not in s["enum"]:
            self.fail(path, f"{shape_name}: {value!r} is not one of {s['enum']}")
        if "pattern" in s:
            self.stats["patterned"] += 1
            if re.fullmatch(s["pattern"], value) is None:
                self.fail(path, f"{shape_name}: {value!r} does not match {s['pattern']!r}")


def _strip_docs(obj):
    if isinstance(obj, dict):
        return {k: _strip_docs(v) for k, v in obj.items() if k != "documentation"}
    if isinstance(obj, list):
        return [_strip_docs(v) for v in obj]
    return obj


def _checker_rejects_known_bad(raw):
    """The checker must flag each of these hand-made violations (else it checks nothing)."""
    good_rule = {"serviceIdentifier": "svc-0123456789abcdefg", "listenerIdentifier": "listener-0123456789abcdefg",
                 "name": "my-rule", "priority": 1,
                 "match": {"httpMatch": {"method": "GET"}},
                 "action": {"fixedResponse": {"statusCode": 404}}}
    bad = [
        ("CreateRule", "input", {k: v for k, v in good_rule.items() if k != "name"}),     # required missing
        ("CreateRule", "input", {**good_rule, "name": "ab"}),                              # too short
        ("CreateRule", "input", {**good_rule, "name": "-ab-"}),                            # lookahead
        ("CreateRule", "input", {**good_rule, "name": "rule-abc"}),                        # (?!rule-)
        ("CreateRule", "input", {**good_rule, "serviceIdentifier": "svc-0123456789abcdefgX"}),  # anchored
        ("CreateRule", "input", {**good_rule, "priority": 2001}),                          # int max
        ("CreateRule", "input", {**good_rule, "priority": True}),                          # bool is no int
        ("CreateRule", "input", {**good_rule, "action": {"fixedResponse": {"statusCode": 404},
                                                         "forward": {"targetGroups": []}}}),  # union x2
        ("CreateRule", "input", {**good_rule, "action": {}}),                              # union x0
        ("CreateRule", "input", {**good_rule, "bogus": 1}),                                # unknown member
        ("CreateRule", "input", {**good_rule, "match": {"httpMatch": {"headerMatches": []}}}),  # list min 1
        ("CreateServiceNetwork", "input", {"name": "abc", "authType": "SOMETIMES"}),       # enum
        ("TagResource", "input", {"resourceArn": "arn:aws:vpc-lattice:us-east-1:123456789012:x",
                                  "tags": {"": "v"}}),                                     # map key min 1
        ("GetService", "output", {"createdAt": "2026-11-21T12:34:56Z"}),                   # 3 digits
        ("GetService", "output", {"createdAt": "2026-13-21T12:34:56.789Z"}),               # bad month
        ("ListServices", "output", {"items": [], "nextToken": "x" * 2049}),                # max length
    ]
    missed = []
    for op, direction, value in bad:
        checker = ModelChecker(raw)
        shape = raw["operations"][op][direction]["shape"]
        checker.check(shape, value, op, direction == "output", direction == "output")
        if not checker.errors:
            missed.append(f"checker accepted a known-bad {op} {direction}: {json.dumps(value)[:120]}")
    return missed, len(bad)


def self_test(per_op=50):
    with open(CODEGEN_MODEL, encoding="utf-8") as f:
        raw = json.load(f)
    problems, n_bad = _checker_rejects_known_bad(raw)
    n_caught = n_bad - len(problems)
    botocore_raw = _strip_docs(service_model()._service_description)
    if botocore_raw != raw:
        problems.append("botocore's loaded vpc-lattice model differs from Codegen/Model/service-2.json")
    import botocore.validate
    validator = botocore.validate.ParamValidator()
    checker = ModelChecker(raw)
    ops = operation_names()
    if sorted(raw["operations"]) != ops:
        problems.append("operation names differ between botocore and Codegen/Model")
    present = {}   # (op, path) -> count of optional input members present
    n_values = 0
    for op in ops:
        o = raw["operations"][op]
        in_shape = o.get("input", {}).get("shape")
        out_shape = o.get("output", {}).get("shape")
        members = raw["shapes"][in_shape].get("members", {}) if in_shape else {}
        for seed in range(per_op):
            for direction, fn, shape, json_names, only_body in (
                    ("input", input_for, in_shape, False, False),
                    ("output", output_for, out_shape, True, True)):
                try:
                    value = fn(op, seed)
                    again = fn(op, seed)
                except ValueError as e:
                    problems.append(f"{op} {direction} seed {seed}: {e}")
                    continue
                n_values += 1
                if json.dumps(value, sort_keys=True) != json.dumps(again, sort_keys=True):
                    problems.append(f"{op} {direction} seed {seed}: not deterministic")
                if json.loads(json.dumps(value)) != value:
                    problems.append(f"{op} {direction} seed {seed}: does not round-trip JSON")
                if shape is not None:
                    checker.check(shape, value, f"{op}.{direction}[seed {seed}]", json_names, only_body)
                if direction == "input":
                    report = validator.validate(value, service_model().operation_model(op).input_shape)
                    if report.has_errors():
                        problems.append(f"{op} seed {seed}: botocore ParamValidator: {report.generate_report()}")
                    for name in members:
                        present[(op, name)] = present.get((op, name), 0) + (name in value)
    problems.extend(checker.errors)
    never = sorted(f"{op}.{m}" for (op, m), c in present.items() if c == 0)
    always = sorted(f"{op}.{m}" for (op, m), c in present.items()
                    if c == per_op and m not in raw["shapes"][raw["operations"][op]["input"]["shape"]].get("required", []))
    st = checker.stats
    print(f"model_values self-test (botocore {botocore.__version__}): {len(ops)} operations, "
          f"{per_op} inputs + {per_op} outputs each, {n_values} values, {st['strings']} strings "
          f"({st['patterned']} patterned, {st['non_ascii']} with non-ASCII); "
          f"checker rejected {n_caught} of {n_bad} known-bad values")
    if never:
        print(f"  top-level input members never generated: {', '.join(never)}")
    if always:
        print(f"  optional top-level input members never omitted: {', '.join(always)}")
    if problems:
        print(f"FAILED: {len(problems)} violation(s)")
        for p in problems[:50]:
            print("  " + p)
        return 1
    print("OK: every value satisfies the model")
    return 0


def main(argv):
    if argv[:1] == ["--self-test"]:
        return self_test()
    if len(argv) == 3 and argv[0] in ("input", "output"):
        fn = input_for if argv[0] == "input" else output_for
        print(json.dumps(fn(argv[1], int(argv[2])), ensure_ascii=False))
        return 0
    print("usage: model_values.py --self-test | input OPERATION SEED | output OPERATION SEED",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
