#!/usr/bin/env python3
"""Lists the public declarations of a module that have no doc comment, from its symbol graph.

    python3 scripts/undocumented.py MODULE [--path PREFIX] [--symbol-graph DIR] [--build DIR] [--count]

Prints each offender as `file:line name` (paths relative to the repository, lines 1-based),
then a count line; exits 1 when there is any. The symbol graph is made with
`swift-symbolgraph-extract -minimum-access-level public` from the modules of a debug build
(.build/debug/Modules, so run `swift build` first), or read from --symbol-graph DIR (for one
made with `swift build -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc DIR`).
A declaration that implements a protocol requirement counts as documented when the requirement
is (DocC shows the requirement's comment); with --symbol-graph from the compiler it does not.
Synthesized symbols (Equatable's `!=`, Codable's init) have no source and are not counted.

    --path PREFIX   only declarations in files under PREFIX (e.g. Sources/LatticeKit/Generated/)
    --count         print only the counts: documented, undocumented, total
"""
import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def extract(module, build, out_dir):
    """Runs swift-symbolgraph-extract on the debug build's module, into out_dir."""
    modules = os.path.join(build, "Modules")
    if not os.path.isdir(modules):
        sys.exit(f"undocumented.py: {modules} does not exist: build first (`swift build`), or pass --build")
    tool = subprocess.run(["swift", "-print-target-info"], capture_output=True, text=True)
    target = json.loads(tool.stdout)["target"]["triple"] if tool.returncode == 0 else None
    command = ["swift-symbolgraph-extract", "-module-name", module, "-I", modules,
               "-minimum-access-level", "public", "-output-dir", out_dir]
    if target:
        command += ["-target", target]
    # The C modules (CCurl, CCrypto) are found by their module maps under Sources/.
    for modulemap in sorted(glob.glob(os.path.join(ROOT, "Sources", "*", "module.modulemap"))):
        command += ["-I", os.path.dirname(modulemap)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"undocumented.py: swift-symbolgraph-extract failed for {module}:\n{result.stderr}")


def symbols(module, graph_dir):
    """The module's own symbols (not extensions of other modules' types: those files are
    MODULE@Other.symbols.json and are read too, since their declarations are the module's)."""
    files = [os.path.join(graph_dir, f"{module}.symbols.json")]
    files += sorted(glob.glob(os.path.join(graph_dir, f"{module}@*.symbols.json")))
    found = []
    for path in files:
        if os.path.exists(path):
            with open(path) as f:
                found += json.load(f)["symbols"]
    if not found:
        sys.exit(f"undocumented.py: no symbols for {module} in {graph_dir}")
    return found


def relative(uri):
    path = uri[len("file://"):] if uri.startswith("file://") else uri
    return os.path.relpath(path, ROOT)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module")
    parser.add_argument("--path", default="")
    parser.add_argument("--symbol-graph")
    parser.add_argument("--build", default=os.path.join(ROOT, ".build", "debug"))
    parser.add_argument("--count", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        graph_dir = args.symbol_graph
        if not graph_dir:
            extract(args.module, args.build, scratch)
            graph_dir = scratch
        all_symbols = symbols(args.module, graph_dir)

    documented, offenders, seen = 0, [], set()
    for s in all_symbols:
        if s.get("accessLevel") not in ("public", "open") or "location" not in s:
            continue
        file = relative(s["location"]["uri"])
        if not file.startswith(args.path):
            continue
        key = s["identifier"]["precise"]
        if key in seen:
            continue
        seen.add(key)
        if s.get("docComment", {}).get("lines"):
            documented += 1
        else:
            line = s["location"]["position"]["line"] + 1
            offenders.append((file, line, ".".join(s["pathComponents"])))
    offenders.sort()
    where = f" under {args.path}" if args.path else ""
    if not args.count:
        for file, line, name in offenders:
            print(f"{file}:{line} {name}")
    print(f"{args.module}{where}: {len(offenders)} of {documented + len(offenders)} public declarations without a doc comment")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
