#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import SigV4
import Synchronization

/// The pipeline every AWS call LatticeKit makes goes through, for one service (`AWSService`):
///
/// the bound request (method, full URL, headers, body; bound once, so an idempotency token
/// stays the same) → retry loop { interceptors before signing → credentials (cached) → sign
/// with a fresh timestamp, corrected for clock skew → interceptors after signing → transport →
/// interceptors on the attempt's result } → the 2xx response, or the service's error decoded
/// by its protocol (`AWSServiceError`).
///
/// The retry loop is the client's `RetryStrategy`: the standard (or adaptive) mode's
/// attempts, backoff and quota, clock-skew correction, and one retry with fresh credentials
/// when the service rejects them as expired and they come from a refreshable source
/// (`CachingCredentialsProvider`). Decoding a success is the caller's.
package final class RequestPipeline: Sendable {
    /// What every request says it is sent by.
    package static let userAgent = "LatticeKit/0.1 (Swift)"

    package let service: AWSService
    package let transport: any Transport
    package let retry: RetryStrategy
    let credentials: (any CredentialsProvider)?
    let interceptors: [any Interceptor]
    let environment: RuntimeEnvironment
    let logger: Logger

    /// `credentials` sign the requests of a signed service; nil for a service that is not
    /// signed (`.none`).
    package init(
        service: AWSService,
        transport: any Transport,
        credentials: (any CredentialsProvider)?,
        retry: RetryStrategy,
        interceptors: [any Interceptor] = [],
        environment: RuntimeEnvironment,
        logger: Logger = Logger(label: "LatticeKit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.service = service
        self.transport = transport
        self.credentials = credentials
        self.retry = retry
        self.interceptors = interceptors
        self.environment = environment
        self.logger = logger
    }

    /// The pipeline a client's configuration describes for `service`: its credentials (the
    /// configured ones or the default chain, for the resolved region), retry settings,
    /// interceptors and logger. `LatticeClient` and `LatticeServiceClient` are built this way.
    package convenience init(
        service: AWSService,
        configuration: LatticeConfiguration,
        settings: ResolvedSettings,
        transport: any Transport,
        environment: RuntimeEnvironment
    ) {
        var forCredentials = configuration
        forCredentials.region = settings.region
        self.init(
            service: service,
            transport: transport,
            credentials: forCredentials.makeCredentialsProvider(transport: transport, environment: environment),
            retry: RetryStrategy(configuration: settings.retry, environment: environment),
            interceptors: configuration.interceptors,
            environment: environment,
            logger: configuration.logger
        )
    }

    /// Sends `request` through the retry loop and returns the 2xx response. Throws
    /// `AWSServiceError` (non-2xx, decoded as the service's protocol says), `TransportError`
    /// (no complete response), the credentials provider's error, `SigV4Error`, an
    /// interceptor's error, or `CancellationError`. `timeLimit`: seconds for the whole call;
    /// `maxAttempts`: fewer attempts than the retry configuration's.
    package func send(_ request: HTTPRequest, operation: String, timeLimit: Double? = nil, maxAttempts: Int? = nil) async throws -> HTTPResponse {
        let base = withUserAgent(request)
        return try await retry.run(
            timeLimit: timeLimit, maxAttempts: maxAttempts, errors: service.errors, refreshCredentials: refreshCredentials
        ) { context in
            try await self.attempt(base, operation: operation, context: context)
        }
    }

    /// `send` for a streamed answer (`Transport.stream`): returns when the status and headers
    /// of the final attempt arrive, with its body to read. Retries happen only before any of
    /// a body reaches the caller: an answer the loop may retry on (a non-2xx status the
    /// service's errors decode, or with `.answers` a retryable status) is read whole first, up
    /// to `errorBodyLimit` bytes (a longer one ends the retries: it is the answer). A body that
    /// fails midway throws from its iterator, never retried. Interceptors see each attempt's
    /// head with an empty body.
    package func stream(_ request: HTTPRequest, operation: String, timeLimit: Double? = nil, maxAttempts: Int? = nil, errorBodyLimit: Int = 1 << 20) async throws -> HTTPStreamedResponse {
        let base = withUserAgent(request)
        let latest = Mutex<HTTPStreamedResponse?>(nil)
        let mayRetry = max(1, min(maxAttempts ?? retry.configuration.maxAttempts, retry.configuration.maxAttempts)) > 1
        let errors = service.errors
        let head = try await retry.run(
            timeLimit: timeLimit, maxAttempts: maxAttempts, errors: errors, refreshCredentials: refreshCredentials
        ) { context in
            let streamed = try await self.attempt(base, operation: operation, context: context) { request in
                let streamed = try await self.transport.stream(request)
                return (streamed, HTTPResponse(status: streamed.status, headers: streamed.headers))
            }
            let decoded = errors == .answers ? RetryStrategy.answerIsRetryable(streamed.status) : !(200..<300).contains(streamed.status)
            guard mayRetry, decoded else {
                latest.withLock { $0 = streamed }
                return HTTPResponse(status: streamed.status, headers: streamed.headers)
            }
            // The loop reads this body (an error code, a throttling message) and may retry.
            var whole: [UInt8] = []
            for try await chunk in streamed.body {
                whole += chunk
                if whole.count > errorBodyLimit {
                    // Too long to be an error message: this is the answer, read on from here.
                    // A 2xx head ends the loop; the stored response keeps the real status.
                    latest.withLock { $0 = HTTPStreamedResponse(status: streamed.status, headers: streamed.headers, body: streamed.body.prefixed(by: whole)) }
                    return HTTPResponse(status: 200, headers: streamed.headers)
                }
            }
            latest.withLock { $0 = HTTPStreamedResponse(status: streamed.status, headers: streamed.headers, body: HTTPResponseBody(whole)) }
            return HTTPResponse(status: streamed.status, headers: streamed.headers, body: whole)
        }
        guard let streamed = latest.withLock({ $0 }) else {
            // The loop returns only responses an attempt stored.
            return HTTPStreamedResponse(head)
        }
        return streamed
    }

    /// The request as it would go on the wire at `date` (interceptors before signing run;
    /// nothing is sent): the CLI's `--dry-run`, and tests.
    package func signedRequest(_ request: HTTPRequest, operation: String, date: Date) async throws -> HTTPRequest {
        var request = withUserAgent(request)
        let context = InterceptorContext(service: service.name, operation: operation, attempt: 1)
        for interceptor in interceptors { try await interceptor.beforeSigning(&request, context: context) }
        return try await sign(request, date: date)
    }

    private func attempt(_ base: HTTPRequest, operation: String, context: AttemptContext) async throws -> HTTPResponse {
        try await attempt(base, operation: operation, context: context) { request in
            let response = try await self.transport.send(request)
            return (response, response)
        }
    }

    /// One attempt: interceptors, signing, `exchange` (the transport), interceptors on its
    /// result (`exchange` gives the result and the response they see).
    private func attempt<R: Sendable>(_ base: HTTPRequest, operation: String, context: AttemptContext, exchange: @Sendable (HTTPRequest) async throws -> (R, HTTPResponse)) async throws -> R {
        var request = base
        let hooks = InterceptorContext(service: service.name, operation: operation, attempt: context.attempt)
        for interceptor in interceptors { try await interceptor.beforeSigning(&request, context: hooks) }
        request = try await sign(request, date: context.signingDate(now: environment.now()))
        request.timeLimit = context.secondsLeft(now: environment.now())
        for interceptor in interceptors { interceptor.afterSigning(request, context: hooks) }
        logger.debug("\(service.name) request", metadata: ["operation": "\(operation)", "method": "\(request.method)", "url": "\(request.url)", "attempt": "\(context.attempt)"])
        let start = interceptors.isEmpty ? nil : environment.now()
        let result: Result<(R, HTTPResponse), any Error>
        do {
            result = .success(try await exchange(request))
        } catch {
            result = .failure(error)
        }
        if let start {
            let finished = AttemptResult(context: hooks, request: request, result: result.map(\.1), latency: environment.now().timeIntervalSince(start))
            for interceptor in interceptors { interceptor.attemptFinished(finished) }
        }
        let (answer, response) = try result.get()
        logger.debug("\(service.name) response", metadata: ["status": "\(response.status)", "requestId": "\(response.headers["x-amzn-requestid"] ?? "-")"])
        return answer
    }

    /// Signs with the current credentials (cached by the provider), as the service says.
    func sign(_ request: HTTPRequest, date: Date) async throws -> HTTPRequest {
        let payload: SigV4Payload
        switch service.signing {
        case .none:
            return request
        case .sigV4(_, _, let unsigned), .sigV4a(_, _, let unsigned):
            if request.bodySource != nil, !unsigned {
                throw ConfigurationError(.invalidConfiguration, "\(service.name) signs the payload, so its requests cannot stream a body (HTTPRequest.bodySource); give the body as HTTPRequest.body")
            }
            payload = unsigned ? .unsigned : request.body.isEmpty ? .empty : .bytes(request.body)
        }
        guard let credentials else {
            throw ConfigurationError(.noCredentials, "\(service.name) requests are signed, but no credentials provider was given")
        }
        let signing = try await credentials.credentials().signing
        var signable = SigV4Request(method: request.method, url: request.url, headers: request.headers)
        switch service.signing {
        case .none:
            break
        case let .sigV4(name, region, _):
            try SigV4Signer(credentials: signing, region: region, service: name).sign(&signable, payload: payload, date: date)
        case let .sigV4a(name, regionSet, _):
            try SigV4aSigner(credentials: signing, service: name, regionSet: regionSet).sign(&signable, payload: payload, date: date)
        }
        var signed = request
        signed.headers = signable.headers
        return signed
    }

    /// Drops cached credentials the service rejected as expired, so the retry fetches new
    /// ones. Nil when the source cannot be refreshed (not a `CachingCredentialsProvider`),
    /// and false when the cached credentials never expire (static keys: a retry would send
    /// the same ones).
    private var refreshCredentials: (@Sendable () async -> Bool)? {
        guard let cache = credentials as? CachingCredentialsProvider else { return nil }
        return {
            guard await cache.holdsTemporaryCredentials else { return false }
            await cache.invalidate()
            return true
        }
    }

    private func withUserAgent(_ request: HTTPRequest) -> HTTPRequest {
        guard service.sendsUserAgent, !request.headers.contains("user-agent") else { return request }
        var request = request
        request.headers.add(name: "user-agent", value: Self.userAgent)
        return request
    }
}
