#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// A JSON document as a Swift value (FoundationEssentials has no JSONSerialization): the one
/// JSON value type of LatticeKit and LatticeKitTesting. The endpoint rules are read as one, the
/// SSO token cache is rewritten through one (so members LatticeKit does not know survive),
/// cassettes keep their JSON bodies as one (`Cassette.JSONValue`), and the local Lattice reads
/// requests with it. (The lattice CLI has its own, which keeps object members in order, as
/// the aws CLI prints them.)
///
/// Integers and fractions are kept apart so they print as they came; `==` compares numbers by
/// value (`1 == 1.0`).
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits 64 bits.
    case int(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; keys are unordered, encoding sorts them.
    case object([String: JSONValue])

    /// Parses a JSON object or array; nil for anything else (a bare scalar, text, invalid
    /// JSON).
    public static func parseDocument(_ bytes: [UInt8]) -> JSONValue? {
        guard let first = bytes.first(where: { !ASCII.isSpace($0) }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Compact JSON with sorted keys and unescaped slashes.
    public func compactBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: it holds no non-finite numbers (JSON has none).
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }

    /// Compact JSON text, for messages.
    public var description: String { String(decoding: compactBytes(), as: UTF8.self) }

    public init(from decoder: any Decoder) throws {
        // Tried in order of frequency in rule sets and bodies, since each failed attempt throws.
        if let object = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(members)
            return
        }
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else {
            self = .double(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let members):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for (name, value) in members { try container.encode(value, forKey: AnyCodingKey(name)) }
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
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

    /// "a string", "an object"...: for messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The string, when this is one.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The member `key`, when this is an object that has it.
    package subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    /// The same value with every member named `name` (at any depth) removed.
    package func removingMembers(named name: String) -> JSONValue {
        switch self {
        case .array(let items): return .array(items.map { $0.removingMembers(named: name) })
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (key, value) in members where key != name { out[key] = value.removingMembers(named: name) }
            return .object(out)
        default: return self
        }
    }
}
