#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import SigV4

/// What the model says about one operation: its HTTP binding and its input members. The
/// generated operations are this data handed to one shared executor.
package struct OperationSpec: Sendable, Hashable {
    /// The model's name, such as `CreateService`.
    package let name: String
    package let method: String
    /// The URI template, such as `/services/{serviceIdentifier}`.
    package let path: String
    /// The status the service answers with on success. Any other 2xx is read as a success
    /// too (as the AWS SDKs read it), with a warning in the client's log; the local Lattice
    /// answers with this status.
    package let successCode: Int
    /// The input's top-level members, in model order.
    package let members: [MemberSpec]

    package init(name: String, method: String, path: String, successCode: Int, members: [MemberSpec]) {
        self.name = name
        self.method = method
        self.path = path
        self.successCode = successCode
        self.members = members
    }
}

/// One top-level input member, for tools that build inputs from text (the CLI).
package struct MemberSpec: Sendable, Hashable {
    package enum Location: String, Sendable, Hashable { case body, uri, querystring, header }
    /// The JSON type: string, integer, long, boolean, timestamp, list, map, structure, union.
    package let name: String
    package let type: String
    /// For lists, the element's JSON type.
    package let elementType: String?
    package let required: Bool
    package let location: Location

    package init(_ name: String, _ type: String, element: String? = nil, required: Bool = false, location: Location = .body) {
        self.name = name
        self.type = type
        elementType = element
        self.required = required
        self.location = location
    }
}

/// An operation's input: validation, HTTP binding and the JSON body.
package protocol OperationInput: Codable, Sendable, Validatable {
    /// Whether the input has members that go in the JSON body (then the body is always a JSON
    /// object, `{}` when none is set).
    static var hasBody: Bool { get }
    /// Path labels, query parameters and headers.
    func bind(_ b: inout RequestBinder)
    /// The body members only (the default: every member is a body member).
    func encodeBody(to encoder: any Encoder) throws
    /// Sets a missing idempotency token to a fresh UUID (only inputs that have one).
    mutating func fillIdempotencyToken()
}

extension OperationInput {
    package func encodeBody(to encoder: any Encoder) throws { try encode(to: encoder) }
    package mutating func fillIdempotencyToken() {}
}

/// The body-members-only view of an input, for the JSON encoder.
struct InputBody<I: OperationInput>: Encodable {
    let input: I
    func encode(to encoder: any Encoder) throws { try input.encodeBody(to: encoder) }
}

/// Fills a URI template's labels and collects query parameters and headers.
package struct RequestBinder {
    package private(set) var path: String
    package private(set) var query: [(name: String, value: String)] = []
    package private(set) var headers = HTTPHeaders()
    private(set) var problems: [String] = []

    package init(template: String) { path = template }

    /// Replaces `{name}` with the value percent-encoded (`/` too), or `{name+}` (greedy) with
    /// `/` kept. See `encodeLabel` for `.` and `..`.
    package mutating func label(_ name: String, _ value: String) {
        if value.isEmpty { problems.append("the path label \(name) is empty") }
        if let r = Self.range(of: "{\(name)}", in: path) {
            path.replaceSubrange(r, with: Self.encodeLabel(value, greedy: false))
        } else if let r = Self.range(of: "{\(name)+}", in: path) {
            path.replaceSubrange(r, with: Self.encodeLabel(value, greedy: true))
        }
    }

    /// Where `needle` (which starts with `{`) first occurs in `text`, compared as UTF-8 bytes:
    /// a generic substring search walks characters and cost more than the rest of binding.
    static func range(of needle: String, in text: String) -> Range<String.Index>? {
        let needle = Array(needle.utf8)
        guard let first = needle.first else { return nil }
        let utf8 = text.utf8
        var start = utf8.startIndex
        while let found = utf8[start...].firstIndex(of: first) {
            guard let end = utf8.index(found, offsetBy: needle.count, limitedBy: utf8.endIndex) else { return nil }
            if utf8[found..<end].elementsEqual(needle) { return found..<end }
            start = utf8.index(after: found)
        }
        return nil
    }

    /// A label's value as path text: RFC 3986 percent-encoding, and a segment that is exactly
    /// `.` or `..` (the whole value, or a segment of a greedy one) with its dots encoded as
    /// `%2E`. Unencoded, such a segment is a dot segment that URL libraries and servers
    /// resolve away: `..` as a rule identifier would name the rule's listener, and a delete
    /// would delete that instead. `%2E%2E` is a literal segment to every layer (RFC 3986
    /// section 5.2.4 removes only unencoded dot segments; SigV4 signs it as it is).
    static func encodeLabel(_ value: String, greedy: Bool) -> String {
        guard greedy else { return encodeSegment(Substring(value)) }
        return value.split(separator: "/", omittingEmptySubsequences: false).map(encodeSegment).joined(separator: "/")
    }

    private static func encodeSegment(_ segment: Substring) -> String {
        switch segment {
        case ".": return "%2E"
        case "..": return "%2E%2E"
        default: return PercentEncoding.encode(String(segment))
        }
    }

    package mutating func query(_ name: String, _ value: String?) {
        if let value { query.append((name, value)) }
    }

    package mutating func query<I: BinaryInteger>(_ name: String, _ value: I?) {
        if let value { query.append((name, String(value))) }
    }

    package mutating func query(_ name: String, _ value: Bool?) {
        if let value { query.append((name, value ? "true" : "false")) }
    }

    package mutating func query<E: LatticeEnum>(_ name: String, _ value: E?) {
        if let value { query.append((name, value.rawValue)) }
    }

    /// A list is one parameter per element, all with the same name.
    package mutating func query(_ name: String, _ values: [String]?) {
        for v in values ?? [] { query.append((name, v)) }
    }

    package mutating func header(_ name: String, _ value: String?) {
        if let value { headers.add(name: name, value: value) }
    }
}

/// A modeled error of the service (ValidationException, ResourceNotFoundException, ...), with
/// the model's fields and the response it came from.
public protocol LatticeModeledError: LatticeError, Codable {
    /// The error code, such as `ResourceNotFoundException`.
    static var code: String { get }
    /// The message the service sent with the error, if any.
    var message: String? { get }
    /// The HTTP response: status, request id, headers, raw body.
    var serviceError: AWSServiceError? { get set }
}

extension LatticeModeledError {
    public var description: String {
        var text = "\(Self.code): \(message ?? "(no message)")"
        if let e = serviceError {
            text += " (HTTP \(e.httpStatus)"
            if let id = e.requestId { text += ", request id \(id)" }
            text += ")"
        }
        return text
    }

    /// Decodes the error's fields from the response body (empty or not JSON: no fields).
    static func from(_ error: AWSServiceError) -> Self? {
        let body = error.body.utf8.isEmpty ? Data("{}".utf8) : Data(error.body.utf8)
        guard var decoded = (try? LatticeJSON.sharedDecoder.decode(Self.self, from: body)) ?? (try? LatticeJSON.sharedDecoder.decode(Self.self, from: Data("{}".utf8))) else {
            return nil
        }
        decoded.serviceError = error
        return decoded
    }
}

/// A 2xx answer whose body is not the operation's output.
public struct LatticeDecodingError: Error, Sendable, CustomStringConvertible {
    /// The operation called, such as `GetService`.
    public var operation: String
    /// The HTTP status of the answer (a 2xx).
    public var status: Int
    /// What could not be decoded, and where in the body.
    public var detail: String
    /// The start of the body, as text, for a bug report.
    public var body: String

    public var description: String {
        "the \(operation) answer (HTTP \(status)) could not be read: \(detail); body: \(body.prefix(300))"
    }
}
