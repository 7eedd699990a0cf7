#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
public import SigV4

/// The entry point of LatticeKit: a configured connection to the VPC Lattice API.
///
/// Creating a client resolves the region, endpoint, retry settings and credential source once
/// (`settings`). Each call then runs: bind the request once (so an idempotency token stays the
/// same) → retry loop { credentials (cached) → sign with a fresh timestamp, corrected for
/// clock skew → transport } → the response, or a typed error.
public final class LatticeClient: Sendable {
    /// The name requests are signed for.
    public static let signingName = "vpc-lattice"
    public static let userAgent = "LatticeKit/0.1 (Swift)"

    public let configuration: LatticeConfiguration
    public let settings: ResolvedSettings
    public let transport: any Transport
    let credentialsProvider: any CredentialsProvider
    let retryStrategy: RetryStrategy
    let environment: RuntimeEnvironment
    let logger: Logger

    /// Resolves the configuration (throwing `ConfigurationError` for a missing region, an
    /// unknown profile, an invalid setting or endpoint) and prepares the transport:
    /// `CurlTransport` unless another is given (a recording, a replay, the local Lattice).
    public init(
        _ configuration: LatticeConfiguration = LatticeConfiguration(),
        transport: (any Transport)? = nil,
        environment: RuntimeEnvironment = .live
    ) throws {
        let settings = try ResolvedSettings.resolve(configuration, environment: environment)
        let transport = try transport ?? CurlTransport(configuration: settings.transport)
        self.configuration = configuration
        self.settings = settings
        self.transport = transport
        self.environment = environment
        self.logger = configuration.logger
        var forCredentials = configuration
        forCredentials.region = settings.region
        credentialsProvider = forCredentials.makeCredentialsProvider(transport: transport, environment: environment)
        retryStrategy = RetryStrategy(configuration: settings.retry, environment: environment)
    }

    /// Sends one operation's request through the pipeline and returns the 2xx response.
    /// Throws `AWSServiceError` (non-2xx), `TransportError` (no complete response),
    /// `ConfigurationError` (credentials could not be found or refreshed), `SigV4Error`,
    /// or `CancellationError`.
    public func send(_ request: OperationRequest) async throws -> HTTPResponse {
        let base = unsignedRequest(request)
        let transport = self.transport
        let logger = self.logger
        let limit = configuration.callTimeout
        return try await retryStrategy.run(timeLimit: limit.isFinite ? limit : nil) { context in
            var attempt = try await self.sign(base, date: context.signingDate(now: self.environment.now()))
            attempt.timeLimit = context.secondsLeft(now: self.environment.now())
            logger.debug("vpc-lattice request", metadata: ["method": "\(base.method)", "url": "\(base.url)", "attempt": "\(context.attempt)"])
            let response = try await transport.send(attempt)
            logger.debug("vpc-lattice response", metadata: ["status": "\(response.status)", "requestId": "\(response.headers["x-amzn-requestid"] ?? "-")"])
            return response
        }
    }

    /// The request as it would go on the wire at `date`, signed, without sending it (the
    /// CLI's `--dry-run`, and tests).
    public func signedRequest(_ request: OperationRequest, date: Date) async throws -> HTTPRequest {
        try await sign(unsignedRequest(request), date: date)
    }

    /// The full URL, the user agent and any endpoint headers; no signature yet.
    func unsignedRequest(_ request: OperationRequest) -> HTTPRequest {
        var headers = request.headers
        headers.reserveCapacity(adding: 6)
        headers.add(name: "user-agent", value: Self.userAgent)
        for (name, values) in settings.endpoint.headers {
            for value in values { headers.add(name: name, value: value) }
        }
        return HTTPRequest(method: request.method, url: request.url(endpoint: settings.endpoint.url), headers: headers, body: request.body)
    }

    /// Signs with the current credentials (cached by the provider).
    func sign(_ base: HTTPRequest, date: Date) async throws -> HTTPRequest {
        let credentials = try await credentialsProvider.credentials()
        let signer = SigV4Signer(credentials: credentials.signing, region: settings.region, service: Self.signingName)
        var signable = SigV4Request(method: base.method, url: base.url, headers: base.headers)
        try signer.sign(&signable, payload: base.body.isEmpty ? .empty : .bytes(base.body), date: date)
        var signed = base
        signed.headers = signable.headers
        return signed
    }
}

/// One operation's HTTP request before signing: the path already percent-encoded (labels
/// encoded once), query parameters raw (encoded here), headers and body.
public struct OperationRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The full URL on `endpoint` (which may carry a base path).
    public func url(endpoint: String) -> String {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + (path.hasPrefix("/") ? path : "/" + path)
        for (i, pair) in query.enumerated() {
            url += i == 0 ? "?" : "&"
            url += PercentEncoding.encode(pair.name) + "=" + PercentEncoding.encode(pair.value)
        }
        return url
    }

    public static func == (a: OperationRequest, b: OperationRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.headers == b.headers && a.body == b.body
            && a.query.map(\.name) == b.query.map(\.name) && a.query.map(\.value) == b.query.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        for pair in query {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
        hasher.combine(headers)
        hasher.combine(body)
    }
}
