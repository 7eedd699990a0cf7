#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON coders the service's documents use: timestamps as ISO 8601 in UTC with
/// milliseconds (epoch seconds are accepted too), explicit nulls read as absent.
package enum LatticeJSON {
    /// Shared coders for the library's own use (JSONEncoder and JSONDecoder are Sendable and
    /// keep no state between calls), so a request does not configure new ones each time.
    package static let sharedEncoder = encoder()
    package static let sharedDecoder = decoder()

    /// A new encoder configured as the service expects; yours to adjust.
    package static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(RFC3339.formatMilliseconds(date))
        }
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// A new decoder configured as the service answers; yours to adjust.
    package static func decoder() -> JSONDecoder {
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
