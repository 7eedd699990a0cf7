#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Cassette {
    /// A JSON document as a value: how cassettes keep JSON bodies, so that a recorded body
    /// reads as JSON in the file and compares by meaning, not by bytes.
    ///
    /// Integers and fractions are kept apart so they print as they came; `==` compares numbers
    /// by value (`1 == 1.0`).
    public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        /// Parses a JSON object or array; nil for anything else (a bare scalar, text, invalid
        /// JSON). Bodies that are scalars are kept as text.
        public static func parseDocument(_ bytes: [UInt8]) -> JSONValue? {
            guard let first = bytes.first(where: { !Self.isJSONSpace($0) }),
                  first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            else { return nil }
            return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        }

        /// Compact JSON with sorted keys and unescaped slashes: what a replayed body carries.
        public func compactBytes() -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Encoding a JSONValue cannot fail: it holds no non-finite numbers (JSON has none).
            return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
        }

        /// Compact JSON text, for messages.
        public var description: String { String(decoding: compactBytes(), as: UTF8.self) }

        public init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
                self = .array(items)
                return
            }
            if let object = try? decoder.container(keyedBy: Key.self) {
                var members: [String: JSONValue] = [:]
                for key in object.allKeys { members[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
                self = .object(members)
                return
            }
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if let b = try? value.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? value.decode(Int64.self) {
                self = .int(i)
            } else if let d = try? value.decode(Double.self) {
                self = .double(d)
            } else {
                self = .string(try value.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .null:
                var c = encoder.singleValueContainer()
                try c.encodeNil()
            case .bool(let b):
                var c = encoder.singleValueContainer()
                try c.encode(b)
            case .int(let i):
                var c = encoder.singleValueContainer()
                try c.encode(i)
            case .double(let d):
                var c = encoder.singleValueContainer()
                try c.encode(d)
            case .string(let s):
                var c = encoder.singleValueContainer()
                try c.encode(s)
            case .array(let items):
                var c = encoder.unkeyedContainer()
                for item in items { try c.encode(item) }
            case .object(let members):
                var c = encoder.container(keyedBy: Key.self)
                for (name, value) in members { try c.encode(value, forKey: Key(name)) }
            }
        }

        public static func == (a: JSONValue, b: JSONValue) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.array(x), .array(y)): return x == y
            case let (.object(x), .object(y)): return x == y
            case let (.int(x), .int(y)): return x == y
            case let (.double(x), .double(y)): return x == y
            case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .null: hasher.combine(0)
            case .bool(let b): hasher.combine(b)
            case .int(let i): hasher.combine(Double(i))
            case .double(let d): hasher.combine(d)
            case .string(let s): hasher.combine(s)
            case .array(let items): hasher.combine(items)
            case .object(let members): hasher.combine(members)
            }
        }

        /// The same value with every member named `name` (at any depth) removed.
        func removingMembers(named name: String) -> JSONValue {
            switch self {
            case .array(let items): return .array(items.map { $0.removingMembers(named: name) })
            case .object(let members):
                var out: [String: JSONValue] = [:]
                for (key, value) in members where key != name { out[key] = value.removingMembers(named: name) }
                return .object(out)
            default: return self
            }
        }

        private static func isJSONSpace(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}
