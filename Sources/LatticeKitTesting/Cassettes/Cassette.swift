#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import SigV4

/// A recorded conversation with the service: the requests a test made and the answers it got,
/// in the order they completed. Stored as pretty JSON with sorted keys, one entry per
/// interaction, with credentials redacted (`Redaction`) before anything is written.
///
/// `RecordingTransport` writes one, `ReplayTransport` answers from one, and
/// `Cassette.transport(named:directory:mode:)` picks between them.
public struct Cassette: Sendable, Hashable, Codable {
    /// The version of the file format this code reads and writes.
    public static let formatVersion = 1

    /// The cassette's name (its file is `<name>.json`).
    public var name: String
    /// What recorded it (a command to run again), for whoever re-records it.
    public var recordedBy: String?
    /// The interactions in the order their responses arrived.
    public var interactions: [Interaction]

    /// A cassette.
    ///
    /// - Parameters:
    ///   - name: The cassette's name (its file name without `.json`).
    ///   - recordedBy: What recorded it, for the reader of the file.
    ///   - interactions: The requests and answers, in order.
    public init(name: String, recordedBy: String? = nil, interactions: [Interaction] = []) {
        self.name = name
        self.recordedBy = recordedBy
        self.interactions = interactions
    }

    /// One request and what came back.
    public struct Interaction: Sendable, Hashable, Codable {
        /// 1, 2, 3, ... in the order the responses arrived while recording.
        public var sequence: Int
        /// The request as it was sent (signature and secrets left out).
        public var request: Request
        /// The response, or nil when no complete response arrived (`transportError`).
        public var response: Response?
        /// The transport's failure, replayed as a `TransportError`.
        public var transportError: RecordedTransportError?

        /// One recorded exchange.
        ///
        /// - Parameters:
        ///   - sequence: Its place in the cassette, from 0.
        ///   - request: The request.
        ///   - response: The response, or nil when the transport failed.
        ///   - transportError: The transport's failure, when there was no response.
        public init(sequence: Int, request: Request, response: Response?, transportError: RecordedTransportError? = nil) {
            self.sequence = sequence
            self.request = request
            self.response = response
            self.transportError = transportError
        }
    }

    /// A request as recorded: the URL's path as sent (percent-encoded), the query decoded into
    /// name/value pairs in the order sent (left out of the file when empty), header names in
    /// lowercase. The scheme and host are not kept: replay answers whatever endpoint the client
    /// uses.
    public struct Request: Sendable, Hashable, Codable {
        /// The HTTP method.
        public var method: String
        /// The path, percent-encoded as sent.
        public var path: String
        /// The query parameters, decoded, in the order sent.
        public var query: [QueryItem]
        /// Header fields by lowercase name; repeated fields joined with ", ".
        public var headers: [String: String]
        /// The body.
        public var body: Body

        /// A recorded request.
        ///
        /// - Parameters:
        ///   - method: The HTTP method.
        ///   - path: The percent-encoded path.
        ///   - query: The query parameters.
        ///   - headers: The headers kept (signing headers are left out).
        ///   - body: The body.
        public init(method: String, path: String, query: [QueryItem] = [], headers: [String: String] = [:], body: Body = .empty) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }

        /// The request as it came to a transport (nothing redacted).
        public init(_ request: HTTPRequest) {
            let (path, query) = Cassette.splitURL(request.url)
            self.init(method: request.method, path: path, query: query, headers: Cassette.headerDictionary(request.headers), body: Body(request.body))
        }

        enum CodingKeys: String, CodingKey { case method, path, query, headers, body, bodyText, bodyBase64 }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            method = try c.decode(String.self, forKey: .method)
            path = try c.decode(String.self, forKey: .path)
            query = try c.decodeIfPresent([QueryItem].self, forKey: .query) ?? []
            headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
            body = try Body.decode(from: c, json: .body, text: .bodyText, base64: .bodyBase64)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(method, forKey: .method)
            try c.encode(path, forKey: .path)
            if !query.isEmpty { try c.encode(query, forKey: .query) }
            try c.encode(headers, forKey: .headers)
            try body.encode(to: &c, json: .body, text: .bodyText, base64: .bodyBase64)
        }
    }

    /// A response as recorded.
    public struct Response: Sendable, Hashable, Codable {
        /// The HTTP status.
        public var status: Int
        /// Header fields by lowercase name; repeated fields joined with ", ".
        public var headers: [String: String]
        /// The body.
        public var body: Body

        /// A recorded response.
        ///
        /// - Parameters:
        ///   - status: The HTTP status.
        ///   - headers: The headers.
        ///   - body: The body.
        public init(status: Int, headers: [String: String] = [:], body: Body = .empty) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The response as it came from a transport (nothing redacted).
        public init(_ response: HTTPResponse) {
            self.init(status: response.status, headers: Cassette.headerDictionary(response.headers), body: Body(response.body))
        }

        /// The response to hand back on replay. A JSON body is sent compact with sorted keys,
        /// so a recorded `content-length` is set to the length actually sent.
        public func httpResponse() -> HTTPResponse {
            let bytes = body.bytes
            var fields = HTTPHeaders()
            for name in headers.keys.sorted() {
                guard let value = headers[name] else { continue }
                fields.add(name: name, value: name == "content-length" ? String(bytes.count) : value)
            }
            return HTTPResponse(status: status, headers: fields, body: bytes)
        }

        enum CodingKeys: String, CodingKey { case status, headers, body, bodyText, bodyBase64 }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decode(Int.self, forKey: .status)
            headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
            body = try Body.decode(from: c, json: .body, text: .bodyText, base64: .bodyBase64)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(headers, forKey: .headers)
            try body.encode(to: &c, json: .body, text: .bodyText, base64: .bodyBase64)
        }
    }

    /// A `TransportError` that was recorded instead of a response.
    public struct RecordedTransportError: Sendable, Hashable, Codable {
        /// `TransportError.Kind`'s raw value.
        public var kind: String
        /// The error's message.
        public var message: String

        /// A recorded transport error.
        ///
        /// - Parameters:
        ///   - kind: `TransportError.Kind`'s raw value.
        ///   - message: The message.
        public init(kind: String, message: String) {
            self.kind = kind
            self.message = message
        }

        /// The record of a transport error.
        ///
        /// - Parameter error: The error the transport threw.
        public init(_ error: TransportError) {
            self.init(kind: error.kind.rawValue, message: error.message)
        }

        /// The error to throw on replay (an unknown kind reads as `.other`).
        public var transportError: TransportError {
            TransportError(TransportError.Kind(rawValue: kind) ?? .other, message)
        }
    }

    /// One query parameter, stored as a two-element array `[name, value]`.
    public struct QueryItem: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
        /// The parameter's name, decoded.
        public var name: String
        /// The parameter's value, decoded.
        public var value: String

        /// A query parameter.
        ///
        /// - Parameters:
        ///   - name: The decoded name.
        ///   - value: The decoded value.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        public init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            name = try c.decode(String.self)
            value = try c.decode(String.self)
            guard c.isAtEnd else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a query item is [name, value]; this one has more than two elements"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(name)
            try c.encode(value)
        }

        public static func < (a: QueryItem, b: QueryItem) -> Bool {
            (a.name, a.value) < (b.name, b.value)
        }

        public var description: String { "\(name)=\(value)" }
    }

    /// A body: JSON documents (objects and arrays) are kept as JSON, UTF-8 text as text, and
    /// anything else as base64. In the file: `body` (JSON), `bodyText` or `bodyBase64`; none
    /// for an empty body.
    public enum Body: Sendable, Hashable {
        /// No body.
        case empty
        /// A JSON object or array.
        case json(JSONValue)
        /// UTF-8 text that is not JSON.
        case text(String)
        /// Anything else, stored as base64.
        case binary([UInt8])

        /// Classifies raw bytes.
        public init(_ bytes: [UInt8]) {
            if bytes.isEmpty {
                self = .empty
            } else if let json = JSONValue.parseDocument(bytes) {
                self = .json(json)
            } else if let text = String(validating: bytes, as: UTF8.self) {
                self = .text(text)
            } else {
                self = .binary(bytes)
            }
        }

        /// The bytes to send (JSON compact, sorted keys).
        public var bytes: [UInt8] {
            switch self {
            case .empty: return []
            case .json(let value): return value.compactBytes()
            case .text(let text): return Array(text.utf8)
            case .binary(let bytes): return bytes
            }
        }

        static func decode<K: CodingKey>(from c: KeyedDecodingContainer<K>, json: K, text: K, base64: K) throws -> Body {
            if let value = try c.decodeIfPresent(JSONValue.self, forKey: json) { return .json(value) }
            if let value = try c.decodeIfPresent(String.self, forKey: text) { return .text(value) }
            if let value = try c.decodeIfPresent(String.self, forKey: base64) {
                guard let data = Data(base64Encoded: value) else {
                    throw DecodingError.dataCorruptedError(forKey: base64, in: c, debugDescription: "bodyBase64 is not valid base64")
                }
                return .binary(Array(data))
            }
            return .empty
        }

        func encode<K: CodingKey>(to c: inout KeyedEncodingContainer<K>, json: K, text: K, base64: K) throws {
            switch self {
            case .empty: break
            case .json(let value): try c.encode(value, forKey: json)
            case .text(let value): try c.encode(value, forKey: text)
            case .binary(let bytes): try c.encode(Data(bytes).base64EncodedString(), forKey: base64)
            }
        }
    }
}

// MARK: Files

extension Cassette {
    /// Reads a cassette file. Throws `CassetteError` saying whether the file is missing or
    /// what is wrong with it.
    public static func load(from file: URL) throws(CassetteError) -> Cassette {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw CassetteError(.cassetteNotFound, "no cassette could be read at \(file.path) (\(error)). Record it first: run the test with LATTICE_CASSETTE_MODE=record against a live endpoint, or check the directory and name.")
        }
        do {
            let header = try JSONDecoder().decode(FormatHeader.self, from: data)
            guard header.formatVersion == formatVersion else {
                throw CassetteError(.invalidCassette, "\(file.path) has cassette format \(header.formatVersion); this LatticeKitTesting reads format \(formatVersion). Re-record it with LATTICE_CASSETTE_MODE=record.")
            }
            return try JSONDecoder().decode(Cassette.self, from: data)
        } catch let error as CassetteError {
            throw error
        } catch {
            throw CassetteError(.invalidCassette, "\(file.path) is not a valid cassette: \(error). Fix the JSON by hand or re-record it with LATTICE_CASSETTE_MODE=record.")
        }
    }

    /// The file's text: pretty-printed JSON with sorted keys and a final newline, so that a
    /// re-recording shows as a small diff.
    public func encoded() throws(CassetteError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw CassetteError(.writeFailed, "cassette \(name) could not be encoded: \(error)")
        }
    }

    /// Writes the cassette to `file` (atomically), creating its directory if needed.
    public func write(to file: URL) throws(CassetteError) {
        let bytes = try encoded()
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: file, options: .atomic)
        } catch {
            throw CassetteError(.writeFailed, "cassette \(name) could not be written to \(file.path): \(error). Check that the directory exists and is writable.")
        }
    }

    enum CodingKeys: String, CodingKey { case formatVersion, name, recordedBy, interactions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        recordedBy = try c.decodeIfPresent(String.self, forKey: .recordedBy)
        interactions = try c.decode([Interaction].self, forKey: .interactions)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(recordedBy, forKey: .recordedBy)
        try c.encode(interactions, forKey: .interactions)
    }

    private struct FormatHeader: Decodable {
        var formatVersion: Int
    }
}

// MARK: URL and header helpers

extension Cassette {
    /// The path (as sent, percent-encoded) and the decoded query pairs of a full URL.
    static func splitURL(_ url: String) -> (path: String, query: [QueryItem]) {
        let (path, queryText) = ParsedURL.pathAndQuery(url)
        var query: [QueryItem] = []
        for pair in (queryText ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            if let eq = pair.firstIndex(of: "=") {
                query.append(QueryItem(PercentEncoding.decode(String(pair[..<eq])), PercentEncoding.decode(String(pair[pair.index(after: eq)...]))))
            } else {
                query.append(QueryItem(PercentEncoding.decode(String(pair)), ""))
            }
        }
        return (path.isEmpty ? "/" : String(path), query)
    }

    /// Header fields by lowercase name, repeated fields joined with ", " in order.
    static func headerDictionary(_ headers: HTTPHeaders) -> [String: String] {
        var out: [String: String] = [:]
        for field in headers {
            let name = field.name.lowercased()
            if let existing = out[name] {
                out[name] = existing + ", " + field.value
            } else {
                out[name] = field.value
            }
        }
        return out
    }
}
