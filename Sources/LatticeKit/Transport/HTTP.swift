#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import SigV4

/// One HTTP request as it goes on the wire: the URL is complete and already percent-encoded.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Per-request timeouts; nil means the transport's defaults.
    public var timeouts: HTTPTimeouts?

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeouts: HTTPTimeouts? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// One HTTP response: status, header fields in the order received, and the whole body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (invalid sequences repaired), for messages and logs.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Connect and read timeouts, in seconds.
public struct HTTPTimeouts: Sendable, Hashable {
    /// Time allowed to open the TCP connection (and finish TLS).
    public var connect: Double
    /// Time allowed without receiving any byte once the request is sent.
    public var read: Double

    public init(connect: Double = 10, read: Double = 60) {
        self.connect = connect
        self.read = read
    }
}

/// Sends one HTTP request and returns its response. This is the seam below signing, retries
/// and decoding: `CurlTransport` in production; recorded cassettes and the local Lattice in
/// tests. A transport does not retry and does not interpret status codes; it throws
/// `TransportError` only when no complete response arrived.
public protocol Transport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why no complete HTTP response arrived. Each case says what to check.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The host name did not resolve.
        case dnsFailure
        /// The TCP connection was refused or could not be opened.
        case connectFailed
        /// No connection within the connect timeout.
        case connectTimeout
        /// No data within the read timeout.
        case readTimeout
        /// The connection closed or reset before the whole response arrived.
        case connectionLost
        /// TLS failed (for example the certificate did not verify).
        case tls
        /// The response body was larger than the configured limit.
        case responseTooLarge
        /// The calling task was cancelled.
        case cancelled
        /// The request could not be made (bad URL, bad proxy setting).
        case invalidRequest
        /// Anything else the HTTP library reported.
        case other
    }

    public var kind: Kind
    /// What happened and what to do, without secrets.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
