#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import SigV4

/// One HTTP request as it goes on the wire: the URL is complete and already percent-encoded.
public struct HTTPRequest: Sendable, Hashable {
    /// The HTTP method, such as `GET`.
    public var method: String
    /// The full URL, query included.
    public var url: String
    /// The headers, signature included.
    public var headers: HTTPHeaders
    /// The body; empty for none.
    public var body: [UInt8]
    /// A body read while it is sent (a file, a stream), instead of `body`, which is then
    /// ignored. It is not signed: only for services signed with `UNSIGNED-PAYLOAD`.
    public var bodySource: HTTPBodySource?
    /// Per-request timeouts; nil means the transport's defaults.
    public var timeouts: HTTPTimeouts?
    /// Seconds left for this request whatever `timeouts` allow: what remains of the caller's
    /// own deadline (a `LatticeClient` call's `callTimeout`, retries included). When this is
    /// the limit that ends the request, the error is `.callTimeout`. Nil: no such limit.
    public var timeLimit: Double?

    /// A request.
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The full URL.
    ///   - headers: The headers.
    ///   - body: The body.
    ///   - timeouts: This request's timeouts; nil: the transport's.
    ///   - timeLimit: Seconds left for the whole call; nil: no limit.
    ///   - bodySource: A body read while it is sent, instead of `body`.
    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeouts: HTTPTimeouts? = nil, timeLimit: Double? = nil, bodySource: HTTPBodySource? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodySource = bodySource
        self.timeouts = timeouts
        self.timeLimit = timeLimit
    }
}

/// One HTTP response: status, header fields in the order received, and the whole body.
public struct HTTPResponse: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The headers.
    public var headers: HTTPHeaders
    /// The body; empty for none.
    public var body: [UInt8]

    /// A response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The headers.
    ///   - body: The body.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (invalid sequences repaired), for messages and logs.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The limits on one HTTP request (one attempt of a call), in seconds: each ends a different
/// way of hanging.
///
/// The defaults end a stalled transfer by themselves. AWS control-plane calls answer in
/// seconds with small bodies, so: a connection within 10 s; no silence longer than 60 s (the
/// aws CLI's read timeout); once the response has begun, at least 1 KiB in every 30 s (a body
/// trickled a byte at a time would otherwise reset the read timeout forever); and the whole
/// attempt within 120 s, enough for a connect and a full read timeout, and a bound on any
/// trickle fast enough to pass the rate check. (The whole call, retries included, has its
/// own limit: `LatticeConfiguration.callTimeout`.)
public struct HTTPTimeouts: Sendable, Hashable {
    /// Time allowed to open the TCP connection (and finish TLS).
    public var connect: Double
    /// Time allowed without receiving any byte once the request is sent.
    public var read: Double
    /// Time allowed for the whole request: connect, send, and every byte of the response.
    public var attempt: Double
    /// The slowest response accepted once it has begun, in bytes per second averaged over
    /// `minimumRateWindow`; 0 turns the check off.
    public var minimumRate: Int
    /// The seconds over which `minimumRate` is measured; the first window starts with the
    /// response's first byte (before it, the read timeout applies).
    public var minimumRateWindow: Double

    /// Timeouts; the defaults are the AWS CLI's.
    public init(connect: Double = 10, read: Double = 60, attempt: Double = 120, minimumRate: Int = 1024, minimumRateWindow: Double = 30) {
        self.connect = connect
        self.read = read
        self.attempt = attempt
        self.minimumRate = minimumRate
        self.minimumRateWindow = minimumRateWindow
    }

    /// Seconds for messages: `60 s`, `0.5 s`.
    static func describe(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

/// Sends one HTTP request and returns its response. This is the seam below signing, retries
/// and decoding: `CurlTransport` in production; recorded cassettes and the local Lattice in
/// tests. A transport does not retry and does not interpret status codes; it throws
/// `TransportError` only when no complete response arrived.
///
/// `send` is the one requirement to write. `stream` (streamed bodies, used by
/// `LatticeServiceClient.stream` and for requests with a `bodySource`) has a default that
/// reads the request's body source into `body`, calls `send`, and hands back the whole
/// response as a stream: a transport written for `send` alone keeps working, buffering.
/// `CurlTransport` streams both ways.
public protocol Transport: Sendable {
    /// Sends the request and returns the complete response, whatever its status; throws `TransportError` when none arrived.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Sends the request (its body read from `bodySource` when set) and returns as soon as the
    /// status and headers have arrived, with the body to read as it comes.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The status, headers and body stream.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamedResponse
}

extension Transport {
    /// The buffering default: the body source read whole into `body`, `send`, and the whole
    /// response as a stream.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamedResponse {
        var whole = request
        if let source = request.bodySource {
            whole.body = try await source.collect()
            whole.bodySource = nil
        }
        return HTTPStreamedResponse(try await send(whole))
    }
}

/// Why no complete HTTP response arrived. Each case says what to check.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it is; the retry strategy retries the transient ones.
    public enum Kind: String, Sendable, Hashable {
        /// The host name did not resolve.
        case dnsFailure
        /// The TCP connection was refused or could not be opened.
        case connectFailed
        /// No connection within the connect timeout.
        case connectTimeout
        /// No data within the read timeout.
        case readTimeout
        /// The response came slower than the minimum transfer rate.
        case tooSlow
        /// The request took longer than the attempt timeout.
        case attemptTimeout
        /// The caller's time limit for the whole call (`HTTPRequest.timeLimit`) ran out.
        case callTimeout
        /// The connection closed or reset before the whole response arrived.
        case connectionLost
        /// TLS failed (for example the certificate did not verify).
        case tls
        /// The response body was larger than the configured limit.
        case responseTooLarge
        /// The calling task was cancelled, for a transport that reports it as a
        /// `TransportError` (`CurlTransport` throws `CancellationError`). Final, like
        /// `CancellationError`: the retry loop passes it on at once.
        case cancelled
        /// The request could not be made (bad URL, bad proxy setting).
        case invalidRequest
        /// Anything else the HTTP library reported.
        case other
    }

    /// What kind of failure it is.
    public var kind: Kind
    /// What happened and what to do, without secrets.
    public var message: String

    /// A transport error.
    ///
    /// - Parameters:
    ///   - kind: What kind of failure it is.
    ///   - message: What went wrong and what to check.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
