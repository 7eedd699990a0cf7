// The in-process half of Benchmarks/json-objects.sh: compiled by that script together with the
// CLI's JSON reader, output shaper and printers (Sources/lattice/JSON.swift, Output.swift and
// Generated/), it times one stage on a ListTagsForResource answer whose `tags` object has N keys.
//
//   json-objects-driver N parse|shape|json|text|table
//
// prints {"name": "in-process.<stage>", "keys", "seconds"}; each stage's time excludes the
// stages before it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let n = Int(arguments[1]), ["parse", "shape", "json", "text", "table"].contains(arguments[2]) else {
    print("usage: json-objects-driver N parse|shape|json|text|table")
    exit(2)
}
let stage = arguments[2]
var body = Array("{\"tags\":{".utf8)
for i in 0..<n {
    if i > 0 { body.append(UInt8(ascii: ",")) }
    body += Array("\"k\(i)\":\"v\(i)\"".utf8)
}
body += Array("}}".utf8)

var started = now()
guard let parsed = try? JSONParser.parse(body) else { print("the body did not parse"); exit(1) }
var seconds = now() - started
if stage != "parse" {
    started = now()
    let shaped = OutputShaper(timestamps: .none).shape(parsed, as: "ListTagsForResourceResponse") ?? .null
    seconds = now() - started
    started = now()
    var printed = 0
    switch stage {
    case "json": printed = shaped.pythonIndented.utf8.count
    case "text": printed = TextFormatter.format(shaped).utf8.count
    case "table":
        var table = TableFormatter(terminalWidth: 80, color: false)
        printed = table.format(title: "ListTagsForResource", shaped).utf8.count
    default: break
    }
    if stage != "shape" { seconds = now() - started }
    if printed < 0 { exit(1) }
}
print("{\"name\": \"in-process.\(stage)\", \"keys\": \(n), \"seconds\": \(Double(Int(seconds * 1000)) / 1000)}")
