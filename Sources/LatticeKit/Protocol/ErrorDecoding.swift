#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AWSServiceError {
    /// The longest message taken from a body that is not JSON (an HTML page from a proxy, say);
    /// the whole body stays in `body`.
    static let maxPlainMessageLength = 1024

    /// Decodes an error response of the rest-json protocol.
    ///
    /// Code: the `x-amzn-ErrorType` header, else the body's `code`, `__type`, then `Code`, each
    /// sanitised (`ns#Name:suffix` becomes `Name`); `HTTP <status>` when none is present.
    /// Message: the body's `message`, `Message`, then `errorMessage`. The body is read as JSON
    /// whatever its Content-Type; a body that is not a JSON object becomes the message, trimmed.
    /// `now` turns a `Retry-After` HTTP date into seconds.
    public init(response: HTTPResponse, now: Date) {
        let text = response.bodyText
        let fields = ErrorBodyFields.decode(response.body)
        let code = [
            response.headers["x-amzn-ErrorType"], fields?.code, fields?.type, fields?.upperCode,
        ].lazy.compactMap { $0.flatMap(Self.sanitizedCode) }.first
        let message = fields.map {
            [$0.message, $0.upperMessage, $0.errorMessage].lazy.compactMap { $0 }.first { !$0.isEmpty }
        } ?? Self.plainMessage(text)
        self.init(
            response, text: text, code: code, message: message,
            requestId: [response.headers["x-amzn-RequestId"], response.headers["x-amz-request-id"]], now: now
        )
    }

    /// Decodes an error response of the query protocol (STS):
    /// `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error><RequestId>…`.
    ///
    /// Code: the first `Code` element, sanitised; `HTTP <status>` when there is none. Message:
    /// the first `Message` element; a body that is not XML becomes the message, trimmed. The
    /// request id: the `RequestId` element, else the `x-amzn-RequestId` header.
    init(queryResponse response: HTTPResponse, now: Date) {
        let text = response.bodyText
        let isXML = text.lkTrimmed.hasPrefix("<")
        let message = isXML ? XMLText.element("Message", in: text).flatMap { $0.isEmpty ? nil : $0 } : Self.plainMessage(text)
        self.init(
            response, text: text, code: isXML ? XMLText.element("Code", in: text).flatMap(Self.sanitizedCode) : nil, message: message,
            requestId: [isXML ? XMLText.element("RequestId", in: text) : nil, response.headers["x-amzn-RequestId"]], now: now
        )
    }

    /// What both protocols share: `HTTP <status>` without a code, the first non-blank request
    /// id of `requestId`'s candidates, `Retry-After`, the body and the headers.
    private init(_ response: HTTPResponse, text: String, code: String?, message: String?, requestId: [String?], now: Date) {
        self.init(
            code: code ?? "HTTP \(response.status)",
            message: message,
            httpStatus: response.status,
            requestId: requestId.lazy.compactMap { $0?.lkTrimmed }.first { !$0.isEmpty },
            retryAfterSeconds: Self.retryAfterSeconds(response.headers["Retry-After"], now: now),
            body: text,
            headers: response.headers
        )
    }

    /// A body that is not the protocol's format, as a message: trimmed, truncated; nil if blank.
    static func plainMessage(_ text: String) -> String? {
        let trimmed = text.lkTrimmed
        return trimmed.isEmpty ? nil : truncated(trimmed)
    }

    /// The bare error name: whatever follows the first `#` and precedes the first `:` is kept,
    /// whitespace trimmed; nil when nothing is left.
    static func sanitizedCode(_ raw: String) -> String? {
        var name = Substring(raw)
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        if let hash = name.firstIndex(of: "#") { name = name[name.index(after: hash)...] }
        let result = name.lkTrimmed
        return result.isEmpty ? nil : result
    }

    /// A `Retry-After` value in whole seconds: delay-seconds as given, or an HTTP date as the
    /// seconds from `now`, rounded up and never negative. Nil when absent or unreadable.
    static func retryAfterSeconds(_ value: String?, now: Date) -> Int? {
        guard let value else { return nil }
        let text = value.lkTrimmed
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Int(text) ?? Int.max
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        let seconds = date.timeIntervalSince(now).rounded(.up)
        if seconds <= 0 { return 0 }
        return seconds < Double(Int32.max) ? Int(seconds) : Int(Int32.max)
    }

    static func truncated(_ text: String) -> String {
        guard text.count > maxPlainMessageLength else { return text }
        return String(text.prefix(maxPlainMessageLength)) + "…"
    }
}

/// The members of a rest-json error body that name and explain the error. Each is read on its
/// own, so a member of an unexpected type does not hide the others.
struct ErrorBodyFields: Decodable {
    var code: String?
    var type: String?
    var upperCode: String?
    var message: String?
    var upperMessage: String?
    var errorMessage: String?

    enum CodingKeys: String, CodingKey {
        case code
        case type = "__type"
        case upperCode = "Code"
        case message
        case upperMessage = "Message"
        case errorMessage
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try? c.decodeIfPresent(String.self, forKey: .code)
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        upperCode = try? c.decodeIfPresent(String.self, forKey: .upperCode)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        upperMessage = try? c.decodeIfPresent(String.self, forKey: .upperMessage)
        errorMessage = try? c.decodeIfPresent(String.self, forKey: .errorMessage)
    }

    /// The fields of a JSON object body; nil when the body is empty or not a JSON object.
    static func decode(_ body: [UInt8]) -> ErrorBodyFields? {
        guard body.contains(where: { $0 == UInt8(ascii: "{") }) else { return nil }
        return try? JSONDecoder().decode(ErrorBodyFields.self, from: Data(body))
    }
}
