#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calls services published through VPC Lattice (the data plane), signing each request for
/// `vpc-lattice-svcs` as a service or service network with auth type `AWS_IAM` requires.
///
/// Lattice accepts SigV4 for one region or SigV4a for a set of regions, always with
/// `x-amz-content-sha256: UNSIGNED-PAYLOAD` (it does not support payload signing), and then
/// evaluates the network's and the service's auth policies. This client does both through the
/// same pipeline as ``LatticeClient``: the same credentials chain, retries, clock-skew
/// correction, interceptors and time limits, and the libcurl transport. It needs no
/// control-plane client.
///
/// ```swift
/// let calls = try LatticeServiceClient(LatticeConfiguration(region: "us-west-2"))
/// let answer = try await calls.send(HTTPRequest(
///     method: "GET", url: "https://provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/health"))
/// print(answer.status, String(decoding: answer.body, as: UTF8.self))
/// ```
///
/// Every complete answer is returned, whatever its status: a service's own 404 and Lattice's
/// 403 `AccessDeniedException` alike (read ``LatticeServiceClient/accessDenied(_:)``).
/// Requests with an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried on
/// throttling, 500, 502, 503 and 504 and on connection failures, as the standard retry mode
/// does; POST and PATCH are sent once, since a retry could act twice.
///
/// Bodies stream both ways. A request body read while it is sent is an
/// ``HTTPRequest/bodySource``: a file (``HTTPBodySource/file(_:)``, sent with its size as
/// `Content-Length`) or an async sequence of chunks (sent chunked when its length is not
/// known); it is opened again from its start for each retry, and one that cannot be
/// (``HTTPBodySource/once(length:_:)``) makes the request a single attempt. ``stream(_:)``
/// returns as soon as the status and headers arrive, with the body as an async sequence of
/// chunks, of any size. ``send(_:)`` reads the answer whole (up to the transport's response
/// cap, 32 MiB by default).
///
/// ```swift
/// var upload = HTTPRequest(method: "PUT", url: "https://files-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/objects/a")
/// upload.bodySource = try HTTPBodySource.file("/tmp/a.bin")
/// _ = try await calls.send(upload)
///
/// let download = try await calls.stream(HTTPRequest(method: "GET", url: "https://files-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/objects/a"))
/// for try await chunk in download.body { consume(chunk) }
/// ```
public final class LatticeServiceClient: Sendable {
    /// The signing name of Lattice services' data plane.
    public static let signingName = "vpc-lattice-svcs"

    /// How requests are signed.
    public enum Signing: Sendable, Hashable {
        /// SigV4 for the configuration's region (or this one).
        case sigV4(region: String? = nil)
        /// SigV4a for a set of regions: `["*"]` for any, or names with wildcards (`us-*`).
        case sigV4a(regionSet: [String])
    }

    /// The settings the client resolved (region, retries, transport).
    public let settings: ResolvedSettings
    /// How requests are signed, with the region resolved.
    public let signing: Signing
    let pipeline: RequestPipeline

    /// A client for Lattice services.
    ///
    /// - Parameters:
    ///   - configuration: region, credentials or profile, retries, time limits, logger and
    ///     interceptors, resolved as for ``LatticeClient`` (the endpoint is not used: each
    ///     request names its service's URL).
    ///   - signing: SigV4 for a region (the default, the configuration's) or SigV4a for a
    ///     region set.
    ///   - caBundlePath: a PEM file of certificate authorities to trust instead of the
    ///     system's (a service with a custom domain and a private certificate); otherwise
    ///     `AWS_CA_BUNDLE` or the profile's `ca_bundle` as for every call.
    ///   - transport: another transport (tests); `CurlTransport` by default.
    ///   - environment: the process's environment, files and clock; tests inject one.
    /// - Throws: ``ConfigurationError`` when the region cannot be resolved (SigV4) or a
    ///   setting is invalid; a region set that is empty or has an empty name.
    public init(
        _ configuration: LatticeConfiguration = LatticeConfiguration(),
        signing: Signing = .sigV4(),
        caBundlePath: String? = nil,
        transport: (any Transport)? = nil,
        environment: RuntimeEnvironment = .live
    ) throws {
        var configuration = configuration
        if case let .sigV4(region?) = signing { configuration.region = region }
        let settings = try Self.resolve(&configuration, signing: signing, environment: environment)
        var transportSettings = settings.transport
        if let caBundlePath { transportSettings.caBundlePath = caBundlePath }
        let transport = try transport ?? CurlTransport(configuration: transportSettings)
        let resolved: Signing
        let pipelineSigning: AWSService.Signing
        switch signing {
        case .sigV4:
            resolved = .sigV4(region: settings.region)
            pipelineSigning = .sigV4(name: Self.signingName, region: settings.region, unsignedPayload: true)
        case let .sigV4a(regionSet):
            guard !regionSet.isEmpty, !regionSet.contains(where: { $0.isEmpty }) else {
                throw ConfigurationError(.invalidConfiguration, "LatticeServiceClient.Signing.sigV4a needs a region set of non-empty names, such as [\"*\"] or [\"us-west-2\", \"us-east-1\"].")
            }
            resolved = signing
            pipelineSigning = .sigV4a(name: Self.signingName, regionSet: regionSet, unsignedPayload: true)
        }
        self.settings = settings
        self.signing = resolved
        pipeline = RequestPipeline(
            service: AWSService(name: Self.signingName, endpoint: "", signing: pipelineSigning, errors: .answers),
            configuration: configuration, settings: settings, transport: transport, environment: environment
        )
        callTimeout = configuration.callTimeout
    }

    let callTimeout: Double

    /// Signs and sends `request` (an absolute `http` or `https` URL of the service, its path
    /// and query percent-encoded), and returns the service's answer, whatever its status.
    ///
    /// - Throws: ``TransportError`` when no complete answer came (after the retries an
    ///   idempotent method gets), ``ConfigurationError`` when credentials cannot be found,
    ///   or an interceptor's error.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.bodySource != nil {
            let answer = try await stream(request)
            return HTTPResponse(status: answer.status, headers: answer.headers, body: try await answer.body.collect(upTo: settings.transport.maxResponseBytes))
        }
        let prepared = try Self.prepare(request)
        return try await pipeline.send(
            prepared, operation: "Invoke", timeLimit: callTimeout.isFinite ? callTimeout : nil,
            maxAttempts: Self.retryable(prepared) ? nil : 1)
    }

    /// Signs and sends `request` as ``send(_:)`` does, and returns as soon as the service's
    /// status and headers arrive, with the body to read as it comes: no size limit, and the
    /// transport stops reading while the consumer is behind (a bounded buffer, 1 MiB by
    /// default). Retries happen only before any of the body is handed over; a transfer that
    /// fails midway throws from the body's iterator. Cancelling the task that reads the body,
    /// or dropping the body unread, aborts the transfer.
    ///
    /// The read timeout and the minimum transfer rate apply to the body while it arrives; the
    /// attempt timeout and ``LatticeConfiguration/callTimeout`` bound the wait for the head
    /// (not the time spent streaming a body either way).
    ///
    /// - Throws: as ``send(_:)``, before the head arrives.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamedResponse {
        let prepared = try Self.prepare(request)
        return try await pipeline.stream(
            prepared, operation: "Invoke", timeLimit: callTimeout.isFinite ? callTimeout : nil,
            maxAttempts: Self.retryable(prepared) ? nil : 1)
    }

    /// Whether a failed attempt may be made again: an idempotent method, and a body that can
    /// be read again.
    static func retryable(_ request: HTTPRequest) -> Bool {
        idempotentMethods.contains(request.method.uppercased()) && request.bodySource?.isReplayable != false
    }

    /// `request` signed at `date` as ``send(_:)`` would sign it, for sending with another HTTP
    /// client; nothing is sent. The result carries the signature and, for temporary
    /// credentials, the session token: treat it as a secret.
    public func signed(_ request: HTTPRequest, date: Date) async throws -> HTTPRequest {
        try await pipeline.signedRequest(try Self.prepare(request), operation: "Invoke", date: date)
    }

    /// The reason Lattice gave when `response` is its refusal (403 with
    /// `AccessDeniedException`); nil for any other answer, including a service's own 403.
    public static func accessDenied(_ response: HTTPResponse) -> String? {
        guard response.status == 403 else { return nil }
        let error = AWSServiceError(response: response, now: Date(timeIntervalSince1970: 0))
        guard error.code == "AccessDeniedException" else { return nil }
        return error.message ?? "access denied"
    }

    /// The settings; for SigV4a, which signs for a region set, a missing region is no error:
    /// us-east-1 resolves the rest (STS for a role, the retry settings).
    static func resolve(_ configuration: inout LatticeConfiguration, signing: Signing, environment: RuntimeEnvironment) throws -> ResolvedSettings {
        let first = Result { () throws(ConfigurationError) in try ResolvedSettings.resolve(configuration, environment: environment) }
        if case let .failure(error) = first, error.kind == .noRegion, case .sigV4a = signing {
            configuration.region = "us-east-1"
            return try ResolvedSettings.resolve(configuration, environment: environment)
        }
        return try first.get()
    }

    static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]

    /// The request with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (signed with the rest), after
    /// checking its URL.
    static func prepare(_ request: HTTPRequest) throws -> HTTPRequest {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw ConfigurationError(.invalidConfiguration, "LatticeServiceClient needs an absolute http or https URL of the service, such as https://NAME.ID.vpc-lattice-svcs.REGION.on.aws/path; got \(String(request.url.prefix(200)).debugDescription).")
        }
        var prepared = request
        prepared.headers.remove(name: "x-amz-content-sha256")
        prepared.headers.add(name: "x-amz-content-sha256", value: "UNSIGNED-PAYLOAD")
        return prepared
    }
}
