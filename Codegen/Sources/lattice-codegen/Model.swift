import Foundation

/// The parts of a botocore service model the generator reads.
struct Model {
    struct Member {
        let name: String
        let shape: String
        let location: String?      // uri, querystring, header, or nil for the body
        let locationName: String?
        let idempotencyToken: Bool
        /// The model's HTML documentation, if any.
        let documentation: String?
    }

    struct Shape {
        let name: String
        let type: String           // structure, string, integer, long, boolean, timestamp, list, map
        let members: [Member]      // in model order
        let required: Set<String>
        let isUnion: Bool
        let isError: Bool
        let enumValues: [String]?
        let min: Int64?
        let max: Int64?
        let pattern: String?
        let listMember: String?
        let mapKey: String?
        let mapValue: String?
        let httpStatus: Int?
        let documentation: String?
    }

    struct Operation {
        let name: String
        let method: String
        let uri: String
        let successCode: Int
        let input: String?
        let output: String?
        let errors: [String]
        let documentation: String?
    }

    struct Paginator {
        let operation: String
        let inputToken: String
        let outputToken: String
        let limitKey: String?
        let resultKey: String
    }

    let shapes: [String: Shape]
    let operations: [Operation]
    let paginators: [Paginator]
    let apiVersion: String
    let botocoreVersion: String
    /// The service's own documentation.
    let documentation: String?

    init(directory: URL) throws {
        let service = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("service-2.json"))) as! [String: Any]
        let pages = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("paginators-1.json"))) as! [String: Any]
        botocoreVersion = try String(contentsOf: directory.appendingPathComponent("botocore-version.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        apiVersion = (service["metadata"] as! [String: Any])["apiVersion"] as! String
        documentation = service["documentation"] as? String

        var shapes: [String: Shape] = [:]
        for (name, raw) in service["shapes"] as! [String: [String: Any]] {
            // JSONSerialization loses key order; the model's member order comes from a second,
            // order-keeping pass (see memberOrder).
            let members = (raw["members"] as? [String: [String: Any]]) ?? [:]
            let order = try Model.memberOrder(directory: directory, shape: name) ?? members.keys.sorted()
            shapes[name] = Shape(
                name: name,
                type: raw["type"] as! String,
                members: order.map { key in
                    let m = members[key]!
                    return Member(name: key, shape: m["shape"] as! String, location: m["location"] as? String,
                                  locationName: m["locationName"] as? String, idempotencyToken: (m["idempotencyToken"] as? Bool) ?? false,
                                  documentation: m["documentation"] as? String)
                },
                required: Set((raw["required"] as? [String]) ?? []),
                isUnion: (raw["union"] as? Bool) ?? false,
                isError: (raw["exception"] as? Bool) ?? false,
                enumValues: raw["enum"] as? [String],
                min: (raw["min"] as? NSNumber)?.int64Value,
                max: (raw["max"] as? NSNumber)?.int64Value,
                pattern: raw["pattern"] as? String,
                listMember: (raw["member"] as? [String: Any])?["shape"] as? String,
                mapKey: (raw["key"] as? [String: Any])?["shape"] as? String,
                mapValue: (raw["value"] as? [String: Any])?["shape"] as? String,
                httpStatus: ((raw["error"] as? [String: Any])?["httpStatusCode"] as? NSNumber)?.intValue,
                documentation: raw["documentation"] as? String
            )
        }
        self.shapes = shapes
        operations = (service["operations"] as! [String: [String: Any]]).values.map { op in
            let http = op["http"] as! [String: Any]
            return Operation(
                name: op["name"] as! String,
                method: http["method"] as! String,
                uri: http["requestUri"] as! String,
                successCode: (http["responseCode"] as? Int) ?? 200,
                input: (op["input"] as? [String: Any])?["shape"] as? String,
                output: (op["output"] as? [String: Any])?["shape"] as? String,
                errors: ((op["errors"] as? [[String: Any]]) ?? []).map { $0["shape"] as! String },
                documentation: op["documentation"] as? String
            )
        }.sorted { $0.name < $1.name }
        paginators = ((pages["pagination"] as! [String: [String: Any]])).map { name, p in
            Paginator(operation: name, inputToken: p["input_token"] as! String, outputToken: p["output_token"] as! String,
                      limitKey: p["limit_key"] as? String, resultKey: p["result_key"] as! String)
        }.sorted { $0.operation < $1.operation }
    }

    private nonisolated(unsafe) static var orderCache: [String: [String]]? = nil

    /// Member names of every structure in the order the model file lists them (botocore's
    /// order, which the trim script keeps), for initializer parameter order.
    static func memberOrder(directory: URL, shape: String) throws -> [String]? {
        if orderCache == nil {
            let text = try String(contentsOf: directory.appendingPathComponent("service-2.json"), encoding: .utf8)
            var result: [String: [String]] = [:]
            // Walk "shapes" -> each shape -> "members" with a tiny ordered scanner.
            let object = try OrderedJSON.parse(text)
            if case .object(let top) = object, let shapes = top.first(where: { $0.0 == "shapes" })?.1, case .object(let list) = shapes {
                for (name, value) in list {
                    if case .object(let fields) = value, let members = fields.first(where: { $0.0 == "members" })?.1, case .object(let m) = members {
                        result[name] = m.map(\.0)
                    }
                }
            }
            orderCache = result
        }
        return orderCache?[shape]
    }
}

/// A JSON reader that keeps object key order (JSONSerialization does not).
enum OrderedJSON {
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case scalar
    }

    static func parse(_ text: String) throws -> Value {
        var p = Parser(bytes: Array(text.utf8))
        return try p.value()
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skip() { while i < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[i]) { i += 1 } }

        mutating func value() throws -> Value {
            skip()
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var fields: [(String, Value)] = []
                skip()
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                while true {
                    skip()
                    let key = try string()
                    skip()
                    i += 1 // :
                    fields.append((key, try value()))
                    skip()
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    i += 1 // }
                    return .object(fields)
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [Value] = []
                skip()
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skip()
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    i += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                _ = try string()
                return .scalar
            default:
                while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[i]) { i += 1 }
                return .scalar
            }
        }

        mutating func string() throws -> String {
            i += 1
            let start = i
            while bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                i += 1
            }
            let s = String(decoding: bytes[start..<i], as: UTF8.self)
            i += 1
            return s
        }
    }
}
