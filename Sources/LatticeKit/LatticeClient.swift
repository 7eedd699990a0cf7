#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
package import SigV4

/// The entry point of LatticeKit: a configured connection to the VPC Lattice API.
///
/// Creating a client resolves the region, endpoint, retry settings and credential source once
/// (`settings`). Each call then goes through the request pipeline (`RequestPipeline`): bind
/// the request once (so an idempotency token stays the same) → retry loop { interceptors →
/// credentials (cached) → sign with a fresh timestamp, corrected for clock skew →
/// interceptors → transport → interceptors } → the response, or a typed error.
public final class LatticeClient: Sendable {
    /// The name requests are signed for.
    public static let signingName = "vpc-lattice"
    /// The `User-Agent` every request carries (LatticeKit's name and version).
    public static let userAgent = RequestPipeline.userAgent

    /// The configuration the client was made with, as given.
    public let configuration: LatticeConfiguration
    /// What the configuration resolved to: region, endpoint, retries, transport settings.
    public let settings: ResolvedSettings
    package let transport: any Transport
    let pipeline: RequestPipeline
    var environment: RuntimeEnvironment { pipeline.environment }
    var logger: Logger { configuration.logger }

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
        pipeline = RequestPipeline(
            service: AWSService(
                name: Self.signingName, endpoint: settings.endpoint.url,
                signing: .sigV4(name: Self.signingName, region: settings.region), errors: .restJSON
            ),
            configuration: configuration, settings: settings, transport: transport, environment: environment
        )
    }

    /// Sends one operation's request through the pipeline and returns the 2xx response.
    /// Throws `AWSServiceError` (non-2xx), `TransportError` (no complete response),
    /// `ConfigurationError` (credentials could not be found or refreshed), `SigV4Error`,
    /// an interceptor's error, or `CancellationError`.
    package func send(_ request: OperationRequest) async throws -> HTTPResponse {
        let limit = configuration.callTimeout
        return try await pipeline.send(unsignedRequest(request), operation: request.operation, timeLimit: limit.isFinite ? limit : nil)
    }

    /// The request as it would go on the wire at `date`, signed, without sending it (the
    /// CLI's `--dry-run`, and tests). Interceptors see it before signing, not after.
    package func signedRequest(_ request: OperationRequest, date: Date) async throws -> HTTPRequest {
        try await pipeline.signedRequest(unsignedRequest(request), operation: request.operation, date: date)
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
}

/// One operation's HTTP request before signing: the path already percent-encoded (labels
/// encoded once), query parameters raw (encoded here), headers and body.
package struct OperationRequest: Sendable, Hashable {
    /// The model's operation name (`ListServices`), for interceptors and logs; not part of
    /// the request on the wire, nor of `==`.
    package var operation: String
    package var method: String
    package var path: String
    package var query: [(name: String, value: String)]
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package init(method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], operation: String = "") {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The full URL on `endpoint` (which may carry a base path).
    package func url(endpoint: String) -> String {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + (path.hasPrefix("/") ? path : "/" + path)
        for (i, pair) in query.enumerated() {
            url += i == 0 ? "?" : "&"
            url += PercentEncoding.encode(pair.name) + "=" + PercentEncoding.encode(pair.value)
        }
        return url
    }

    package static func == (a: OperationRequest, b: OperationRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.headers == b.headers && a.body == b.body
            && a.query.map(\.name) == b.query.map(\.name) && a.query.map(\.value) == b.query.map(\.value)
    }

    package func hash(into hasher: inout Hasher) {
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
