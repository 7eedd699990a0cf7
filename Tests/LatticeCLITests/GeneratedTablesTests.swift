import Foundation
import Testing

/// The two tables in Sources/lattice that are generated, not written: each is what its script
/// (here, run with python3) prints today. To regenerate one, run its script the same way and
/// write the output over the file.
@Suite struct GeneratedTablesTests {
    /// OutputShapes.swift from botocore's model under Codegen/Model (the library's source).
    static let outputShapesScript = #"""
import json, sys
model = json.load(open(sys.argv[1]))
version = open(sys.argv[2]).read().strip() if len(sys.argv) > 2 else "?"
shapes = model["shapes"]
scalar = {"string": "s", "integer": "i", "long": "l", "boolean": "b", "timestamp": "t", "float": "d", "double": "d", "blob": "B"}
def ref(name):
    t = shapes[name]["type"]
    return scalar.get(t, name)
ops = sorted((op, o["output"]["shape"]) for op, o in model["operations"].items() if "output" in o)
needed, todo = set(), [out for _, out in ops]
while todo:
    n = todo.pop()
    if n in needed or shapes[n]["type"] in scalar: continue
    needed.add(n)
    s = shapes[n]
    if s["type"] == "structure": todo += [m["shape"] for m in s["members"].values()]
    elif s["type"] == "list": todo.append(s["member"]["shape"])
    elif s["type"] == "map": todo.append(s["value"]["shape"])
    else: raise SystemExit(f"unexpected shape type {s['type']} for {n}")
def definition(n):
    s = shapes[n]
    if s["type"] == "structure":
        kind = "U" if s.get("union") else "S"
        members = [f"{s['members'][m].get('locationName', m)}:{ref(s['members'][m]['shape'])}" for m in s["members"] if "location" not in s["members"][m]]
        return "|".join([kind] + members)
    if s["type"] == "list": return "L|" + ref(s["member"]["shape"])
    return "M|" + ref(s["value"]["shape"])
out = [
    f"// Generated from Codegen/Model/service-2.json (botocore {version}) by the script in",
    "// Tests/LatticeCLITests/GeneratedTablesTests.swift. Do not edit: run that test and copy its output.",
    "",
    "/// The operations' output shapes as the aws CLI parses them (what it prints, and in which",
    "/// order): the library's OperationDescriptor does not describe outputs.",
    "enum OutputShapes {",
    "    /// Each operation's output shape, sorted by operation name.",
    "    static let operations: [(String, String)] = [",
]
out += [f'        ("{op}", "{shape}"),' for op, shape in ops]
out += [
    "    ]",
    "",
    "    /// Structures (`S|member:type|...`), unions (`U|...`), lists (`L|type`) and maps",
    "    /// (`M|type`) reachable from the outputs, sorted by name. A type is a shape name, or s",
    "    /// (string), i (integer), l (long), b (boolean), t (timestamp), d (double), B (blob).",
    "    static let shapes: [(String, String)] = [",
]
out += [f'        ("{n}", "{definition(n)}"),' for n in sorted(needed)]
out += ["    ]", "}"]
print("\n".join(out))
"""#

    /// EastAsianWidth.swift from the unicodedata of the Python that runs the aws CLI.
    static let eastAsianWidthScript = #"""
import unicodedata
ranges=[]; start=None
for cp in range(0x110000):
    w = unicodedata.east_asian_width(chr(cp)) in 'WFA'
    if w and start is None: start=cp
    if not w and start is not None: ranges.append((start,cp-1)); start=None
if start is not None: ranges.append((start,0x10FFFF))
out=[]
out.append("// Generated from Python's unicodedata %s by the script in Tests/LatticeCLITests/TableWidthTests.swift. Do not edit." % unicodedata.unidata_version)
out.append("")
out.append("/// Code point ranges (first, last) whose East Asian Width is W, F or A: the aws CLI's table")
out.append("/// output counts them as two columns wide.")
out.append("enum EastAsianWidth {")
out.append("    static let doubleWidth: [(UInt32, UInt32)] = [")
line="       "
for a,b in ranges:
    item=" (0x%X, 0x%X)," % (a,b)
    if len(line)+len(item) > 100:
        out.append(line); line="       "
    line+=item
out.append(line)
out.append("    ]")
out.append("}")
print("\n".join(out))
"""#

    static func generate(_ script: String, _ arguments: [String] = []) throws -> String {
        let r = try CLI.run("/usr/bin/env", ["python3", "-c", script] + arguments, environment: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw Failure("generator failed: \(r.stderr)") }
        return r.stdout
    }

    static func source(_ name: String) throws -> String {
        try String(contentsOf: CLI.repoRoot.appendingPathComponent("Sources/lattice/\(name)"), encoding: .utf8)
    }

    @Test func outputShapesAreTheModels() throws {
        let model = CLI.repoRoot.appendingPathComponent("Codegen/Model")
        let generated = try Self.generate(Self.outputShapesScript, [model.appendingPathComponent("service-2.json").path, model.appendingPathComponent("botocore-version.txt").path])
        #expect(generated == (try Self.source("OutputShapes.swift")), "Sources/lattice/OutputShapes.swift is stale: regenerate it with the script in this test")
        #expect(generated.contains("(\"ListServices\", \"ListServicesResponse\")"))
    }

    @Test func eastAsianWidthsAreThePythons() throws {
        let generated = try Self.generate(Self.eastAsianWidthScript)
        #expect(generated == (try Self.source("EastAsianWidth.swift")), "Sources/lattice/EastAsianWidth.swift is stale: regenerate it with the script in this test")
    }
}
