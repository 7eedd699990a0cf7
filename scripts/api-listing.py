#!/usr/bin/env python3
"""The public API of the library products, one declaration per line, from the symbol graph.

    python3 scripts/api-listing.py [--check] [--build DIR]

Writes docs/api/MODULE.txt for SigV4, LatticeKit and LatticeKitTesting: every public or open
declaration (`path: declaration`, sorted), so that a change to the public API is a visible diff
in review. --check compares instead of writing and exits 1, naming the added and removed lines,
when the committed listing is not the build's (run without --check and commit the result when
the change is intended). Needs a debug build (`swift build`); uses undocumented.py's extraction.
"""
import argparse
import importlib.util
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = ["SigV4", "LatticeKit", "LatticeKitTesting"]

spec = importlib.util.spec_from_file_location("undocumented", os.path.join(ROOT, "scripts", "undocumented.py"))
undocumented = importlib.util.module_from_spec(spec)
spec.loader.exec_module(undocumented)


def listing(module, build):
    with tempfile.TemporaryDirectory() as scratch:
        undocumented.extract(module, build, scratch)
        found = undocumented.symbols(module, scratch)
    lines = set()
    for s in found:
        if s.get("accessLevel") not in ("public", "open"):
            continue
        declaration = "".join(f["spelling"] for f in s.get("declarationFragments", []))
        declaration = " ".join(declaration.split())
        if not declaration:
            continue
        lines.add(f"{'.'.join(s['pathComponents'])}: {declaration}")
    return sorted(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--build", default=os.path.join(ROOT, ".build", "debug"))
    args = parser.parse_args()
    os.makedirs(os.path.join(ROOT, "docs", "api"), exist_ok=True)
    failed = False
    for module in MODULES:
        path = os.path.join(ROOT, "docs", "api", f"{module}.txt")
        text = "\n".join(listing(module, args.build)) + "\n"
        count = text.count("\n")
        if not args.check:
            with open(path, "w") as f:
                f.write(text)
            print(f"docs/api/{module}.txt: {count} public declarations")
            continue
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            failed = True
            before, after = set(old.splitlines()), set(text.splitlines())
            print(f"docs/api/{module}.txt is not the public API of this build:", file=sys.stderr)
            for line in sorted(after - before)[:40]:
                print(f"  + {line}", file=sys.stderr)
            for line in sorted(before - after)[:40]:
                print(f"  - {line}", file=sys.stderr)
        else:
            print(f"docs/api/{module}.txt: {count} public declarations, as committed")
    if failed:
        print("If the change is intended, run `python3 scripts/api-listing.py` and commit docs/api.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
