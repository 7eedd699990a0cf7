#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An open enumeration of the model: a string that has well-known values as static members,
/// but keeps any other value the service sends, so a value added to the service later decodes
/// and round-trips instead of failing.
public protocol LatticeEnum: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
    /// The values the model knows.
    static var knownValues: [Self] { get }
}

extension LatticeEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Whether the model knows this value.
    public var isKnown: Bool { Self.knownValues.contains(self) }
}

/// A coding key made from any string: unions decode whichever single key they find.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Decoding and encoding of the model's unions: a JSON object with exactly one member set.
enum UnionCoding {
    /// The one member present (explicit nulls are ignored) and the container to decode it
    /// from. No member at all is a decoding error naming the union.
    static func member(_ decoder: any Decoder, union: String) throws -> (String, KeyedDecodingContainer<AnyCodingKey>) {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in c.allKeys where !((try? c.decodeNil(forKey: key)) ?? false) {
            return (key.stringValue, c)
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(union) needs exactly one member set; found none"))
    }

    static func encode<T: Encodable>(_ value: T, as key: String, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(value, forKey: AnyCodingKey(key))
    }
}

/// The JSON coders the service's documents use: timestamps as ISO 8601 in UTC with
/// milliseconds (epoch seconds are accepted too), explicit nulls read as absent.
public enum LatticeJSON {
    /// Shared coders for the library's own use (JSONEncoder and JSONDecoder are Sendable and
    /// keep no state between calls), so a request does not configure new ones each time.
    static let sharedEncoder = encoder()
    static let sharedDecoder = decoder()

    /// A new encoder configured as the service expects; yours to adjust.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(RFC3339.formatMilliseconds(date))
        }
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// A new decoder configured as the service answers; yours to adjust.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            if let seconds = try? c.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try c.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not an ISO 8601 timestamp")
            }
            return date
        }
        return d
    }
}
