public import SigV4

/// An error response of the service (any status outside 2xx), decoded for the rest-json
/// protocol. It carries what a user needs to act or to ask AWS support: the code, the message,
/// the status, the request id and, on throttling, how long the service asked to wait.
///
/// The retry loop throws this type itself (not a wrapper), so `catch let e as AWSServiceError`
/// works whether or not retries happened; `attempts` and `retryStopReason` say what the loop did.
public struct AWSServiceError: Error, Sendable, CustomStringConvertible {
    /// The error code without namespace or suffix, such as `ValidationException`; `HTTP 503`
    /// when the response names no code.
    public var code: String
    /// The service's message, or the trimmed body when the body is not JSON; nil when empty.
    public var message: String?
    /// The HTTP status code.
    public var httpStatus: Int
    /// The `x-amzn-RequestId` (else `x-amz-request-id`) header: quote it to AWS support.
    public var requestId: String?
    /// Seconds the service asked to wait before retrying (the `Retry-After` header).
    public var retryAfterSeconds: Int?
    /// The whole response body as text, for decoding modeled fields (`fieldList`, quota codes).
    public var body: String
    /// The response header fields.
    public var headers: HTTPHeaders
    /// How many attempts the call made before this error became final (1: no retry).
    public var attempts: Int
    /// Why the retry loop stopped; nil when the error did not come out of a retry loop.
    public var retryStopReason: RetryStopReason?

    /// A service error from its parts; the client decodes these from the service's answers, tests make their own.
    public init(
        code: String,
        message: String? = nil,
        httpStatus: Int,
        requestId: String? = nil,
        retryAfterSeconds: Int? = nil,
        body: String = "",
        headers: HTTPHeaders = HTTPHeaders(),
        attempts: Int = 1,
        retryStopReason: RetryStopReason? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.retryAfterSeconds = retryAfterSeconds
        self.body = body
        self.headers = headers
        self.attempts = attempts
        self.retryStopReason = retryStopReason
    }

    /// `CODE (HTTP status, request id X): message`, then what the retry loop did when it retried
    /// or ran out of quota. Headers and body are left out: they are not for logs.
    public var description: String {
        var text = "\(code) (HTTP \(httpStatus)"
        if let requestId, !requestId.isEmpty { text += ", request id \(requestId)" }
        text += ")"
        if let message, !message.isEmpty { text += ": \(message)" }
        if let note = retryStopReason?.note(attempts: attempts) { text += " [\(note)]" }
        return text
    }
}
