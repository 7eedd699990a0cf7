#!/usr/bin/env python3
"""A second IAM policy evaluator, as an oracle for LatticeKitTesting's AuthPolicy.

Written from the IAM User Guide, apart from the Swift code and in another way (regular
expressions for wildcards, Python's ipaddress and datetime for addresses and dates):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

Reads one JSON object per line on stdin:
  {"policy": "<policy text>", "request": {"action", "resource",
   "caller": {"kind", "arn", "account", "roleArn", "userID"},
   "keys": {"<normalized key>": ["value", ...]}}}
and writes one JSON object per line on stdout:
  {"outcome": "allow" | "explicitDeny" | "implicitDeny",
   "moto": "allow" | "explicitDeny" | "implicitDeny" | null}
where "moto" is moto's IAMPolicy (moto/iam/access_control.py) on the cases it handles
faithfully (see moto_can_judge), and null otherwise.

The request's keys come normalized (lowercased names, the query parameter name kept), so this
oracle and the Swift code share the request context and compare only the evaluation.
Run by Tests/LatticeKitTestingTests/Policy/PolicyOracleTests.swift.
"""
import datetime
import ipaddress
import json
import re
import sys

NEGATED = {
    "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
    "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike",
}
VARIABLE = re.compile(r"\$\{([^}]*)\}")


def norm_key(key):
    head, slash, tail = key.partition("/")
    if slash and head.lower() == "vpc-lattice-svcs:requestquerystring":
        return head.lower() + "/" + tail
    return key.lower()


def glob_regex(text):
    """A policy glob as a regular expression body: * any run, ? one character."""
    return regex_of([(c, False) for c in text])


def regex_of(tokens):
    return "".join(".*" if c == "*" and not literal else "." if c == "?" and not literal else re.escape(c)
                   for c, literal in tokens)


def tokens_of(text, keys, variables):
    """The text as (character, literal) pairs with policy variables resolved: characters that
    come from a variable (or from ${*}, ${?}, ${$}) are never wildcards. None when a variable
    has no value in the request and no default."""
    if not variables:
        return [(c, False) for c in text]
    out, pos = [], 0
    for m in VARIABLE.finditer(text):
        inner = m.group(1)
        if inner in ("*", "?", "$"):
            value = inner
        else:
            name, _, default = inner.partition(",")
            name = name.strip()
            default = default.strip()
            if ":" not in name or " " in name or (default and not (len(default) >= 2 and default[0] == default[-1] == "'")):
                continue  # not a variable: left as text
            values = keys.get(norm_key(name))
            if values is not None and len(values) == 1:
                value = values[0]
            elif default:
                value = default[1:-1]
            else:
                return None
        out += [(c, False) for c in text[pos:m.start()]]
        out += [(c, True) for c in value]
        pos = m.end()
    out += [(c, False) for c in text[pos:]]
    return out


def full(regex, value, flags=0):
    return re.fullmatch(regex, value, flags | re.DOTALL) is not None


def arn_fields(text):
    parts = text.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def token_fields(tokens):
    """Tokens split at their first five colons."""
    fields, current = [], []
    for token in tokens:
        if token[0] == ":" and len(fields) < 5:
            fields.append(current)
            current = []
        else:
            current.append(token)
    return fields + [current]


def pattern_match(pattern_text, value, keys, variables, arn_only):
    """A Resource or ArnLike pattern against a value: "*" is everything; a full ARN pattern
    matches its first five fields one by one and the resource part as a whole; any other
    pattern (a Resource such as "*/rates") the whole value, unless arn_only. None when a
    policy variable has no value."""
    if pattern_text == "*":
        return True
    tokens = tokens_of(pattern_text, keys, variables)
    if tokens is None:
        return None
    fields = token_fields(tokens)
    if len(fields) == 6 and "".join(c for c, _ in fields[0]) == "arn":
        value_fields = arn_fields(value)
        return value_fields is not None and all(full(regex_of(p), v) for p, v in zip(fields, value_fields))
    return not arn_only and full(regex_of(tokens), value)


def arn_match(pattern_text, value, keys, variables):
    matched = pattern_match(pattern_text, value, keys, variables, arn_only=True)
    if matched is None:
        raise LookupError
    return matched


def resource_match(pattern_text, resource, keys, variables):
    return pattern_match(pattern_text, resource, keys, variables, arn_only=False) is True


def number(text):
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        return None
    return float(text)


def date(text):
    if re.fullmatch(r"\d+", text):
        return float(text)
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?", text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        tz = datetime.timezone.utc
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            tz = datetime.timezone(sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        when = datetime.datetime(int(y), int(mo), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=tz)
    except ValueError:
        return None
    return when.timestamp() + (float(frac) if frac else 0.0)


def ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def compare(base, value, policy_value, keys, variables):
    """Whether one request value matches one policy value under the positive operator;
    None when the request value has the wrong type."""
    if base.startswith("String"):
        tokens = tokens_of(policy_value, keys, variables)
        if tokens is None:
            raise LookupError
        plain = "".join(c for c, _ in tokens)
        if "Like" in base:
            return full(regex_of(tokens), value)
        if "IgnoreCase" in base:
            return plain.lower() == value.lower()
        return plain == value
    if base.startswith("Arn"):
        if not value.startswith("arn:"):
            return None
        return arn_match(policy_value, value, keys, variables)
    if base.startswith("Numeric") or base.startswith("Date"):
        parse = number if base.startswith("Numeric") else date
        v, p = parse(value), parse(policy_value)
        if v is None:
            return None
        op = base[7:] if base.startswith("Numeric") else base[4:]
        return {"Equals": v == p, "NotEquals": v == p, "LessThan": v < p, "LessThanEquals": v <= p,
                "GreaterThan": v > p, "GreaterThanEquals": v >= p}[op]
    if base == "Bool":
        if value.lower() not in ("true", "false"):
            return None
        return value.lower() == policy_value.lower()
    if base in ("IpAddress", "NotIpAddress"):
        address = ip(value)
        if address is None:
            return None
        network = ipaddress.ip_network(policy_value, strict=False)
        return address.version == network.version and address in network
    if base == "BinaryEquals":
        return value == policy_value
    raise ValueError(base)


def condition_holds(op, key, policy_values, keys, variables):
    present = keys.get(norm_key(key)) or None
    if op == "Null":
        want_absent = any(v.lower() == "true" for v in policy_values)
        want_present = any(v.lower() == "false" for v in policy_values)
        return want_absent if present is None else want_present
    qualifier = None
    for q in ("ForAllValues:", "ForAnyValue:"):
        if op.startswith(q):
            qualifier, op = q[:-1], op[len(q):]
    if_exists = op.endswith("IfExists")
    base = op[: -len("IfExists")] if if_exists else op
    negated = base in NEGATED
    if present is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated
    positive = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
                "StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals",
                "NotIpAddress": "IpAddress", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}.get(base, base)
    try:
        def ok(value):
            results = [compare(positive, value, p, keys, variables) for p in policy_values]
            if None in results:
                return False
            return any(results) != negated
        if qualifier == "ForAllValues":
            return all(ok(v) for v in present)
        if qualifier == "ForAnyValue":
            return any(ok(v) for v in present)
        return all(ok(v) for v in present) if negated else any(ok(v) for v in present)
    except LookupError:
        return False  # a policy variable without a value: the condition does not hold


def identities(caller):
    kind = caller["kind"]
    if kind == "Anonymous":
        return [("anonymous", None)]
    out = []
    if kind != "Account" and caller.get("arn"):
        out.append(("arn", caller["arn"]))
    if kind == "AssumedRole" and caller.get("roleArn"):
        out.append(("arn", caller["roleArn"]))
    if caller.get("account"):
        out.append(("account", caller["account"]))
    return out


def entry_covers(entry, identity, caller):
    if entry == "*":
        return True
    kind, value = identity
    if kind == "anonymous":
        return False
    if re.fullmatch(r"\d{12}", entry):
        return kind == "account" and value == entry
    m = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", entry)
    if m:
        return kind == "account" and value == m.group(1)
    if entry.startswith("arn:"):
        return kind == "arn" and value == entry
    user_id = caller.get("userID")
    return user_id is not None and (user_id == entry or user_id.split(":")[0] == entry)


def principal_applies(statement, caller):
    is_not = "NotPrincipal" in statement
    element = statement.get("NotPrincipal" if is_not else "Principal")
    if element is None:
        return True
    if element == "*":
        entries = ["*"]
    else:
        entries = []
        for kind, values in element.items():
            values = values if isinstance(values, list) else [values]
            entries += values if kind == "AWS" else ["service:" + v for v in values]
    ids = identities(caller)
    named = [any(entry_covers(e, i, caller) for e in entries) for i in ids]
    return not all(named) if is_not else any(named)


def as_list(value):
    return value if isinstance(value, list) else [value]


def scalar_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def statement_applies(statement, request, variables):
    keys = request["keys"]
    if not principal_applies(statement, request["caller"]):
        return False
    action_key = "NotAction" if "NotAction" in statement else "Action"
    named = any(full(glob_regex(a), request["action"], re.IGNORECASE) for a in as_list(statement[action_key]))
    if named == (action_key == "NotAction"):
        return False
    resource_key = "NotResource" if "NotResource" in statement else "Resource"
    named = any(resource_match(r, request["resource"], keys, variables) for r in as_list(statement[resource_key]))
    if named == (resource_key == "NotResource"):
        return False
    for op, block in statement.get("Condition", {}).items():
        for key, values in block.items():
            if not condition_holds(op, key, [scalar_text(v) for v in as_list(values)], keys, variables):
                return False
    return True


def evaluate(policy, request):
    variables = policy.get("Version") == "2012-10-17"
    statements = as_list(policy["Statement"])
    applying = [s["Effect"] for s in statements if statement_applies(s, request, variables)]
    if "Deny" in applying:
        return "explicitDeny"
    return "allow" if "Allow" in applying else "implicitDeny"


def moto_can_judge(policy, request):
    """moto's evaluator is faithful only for: Principal "*" (or none), Action and Resource (no
    NotResource: moto then allows whatever else), no Condition (moto treats a false condition as
    an explicit deny), case-exact actions (moto compares with case), no "?" wildcard and no "."
    in patterns (moto makes a regular expression without escaping), no wildcard before the
    fifth colon of a full ARN (moto lets it cross colons), and no policy variables."""
    for s in as_list(policy["Statement"]):
        if "Condition" in s or "NotResource" in s or "NotPrincipal" in s or s.get("Principal", "*") != "*":
            return False
        patterns = as_list(s.get("Action", s.get("NotAction"))) + as_list(s["Resource"])
        if any("?" in p or "." in p or "$" in p or "[" in p for p in patterns):
            return False
        for a in as_list(s.get("Action", s.get("NotAction"))):
            if full(glob_regex(a), request["action"], re.IGNORECASE) != full(glob_regex(a), request["action"]):
                return False
        for r in as_list(s["Resource"]):
            fields = arn_fields(r)
            if fields is not None and any("*" in f for f in fields[:5]):
                return False
    return True


def moto_outcome(policy_text, request):
    from moto.iam.access_control import IAMPolicy, PermissionResult
    result = IAMPolicy(policy_text).is_action_permitted(request["action"], request["resource"])
    return {PermissionResult.PERMITTED: "allow", PermissionResult.DENIED: "explicitDeny",
            PermissionResult.NEUTRAL: "implicitDeny"}[result]


def main():
    if sys.argv[1:] == ["--moto-version"]:
        import moto
        print(moto.__version__)
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        policy = json.loads(case["policy"])
        request = case["request"]
        moto = moto_outcome(case["policy"], request) if moto_can_judge(policy, request) else None
        sys.stdout.write(json.dumps({"outcome": evaluate(policy, request), "moto": moto}) + "\n")


if __name__ == "__main__":
    main()
