/// A hook into every AWS call a client makes: its vpc-lattice operations, and the STS and IAM
/// Identity Center calls that fetch its credentials. Each attempt of a call runs:
///
/// `beforeSigning` (may change the request: a header added here is signed) → sign →
/// `afterSigning` (observe the request as it is sent) → transport → `attemptFinished` (the
/// response, whatever its status, or the error; the attempt number; the latency).
///
/// Interceptors run in the order of `LatticeConfiguration.interceptors`, on the calling task,
/// inside the retry loop. Logging stays with swift-log (`LatticeConfiguration.logger`); an
/// interceptor is for what a log line cannot do: change the request, or count and time
/// attempts. A signed request carries secrets (the session token, the signature): redact
/// before printing it.
///
/// Metrics, for example (attempts, latency and status of each call):
///
/// ```swift
/// final class Metrics: Interceptor {
///     let rows = Mutex<[(operation: String, attempt: Int, status: Int?, seconds: Double)]>([])
///     func attemptFinished(_ attempt: AttemptResult) {
///         rows.withLock {
///             $0.append((attempt.context.operation, attempt.context.attempt, attempt.status, attempt.latency))
///         }
///     }
/// }
/// let metrics = Metrics()
/// let client = try LatticeClient(LatticeConfiguration(region: "us-west-2", interceptors: [metrics]))
/// ```
///
/// A header for the service to see and verify goes in `beforeSigning`:
/// `request.headers.add(name: "x-trace-id", value: id)` is then signed with the rest.
public protocol Interceptor: Sendable {
    /// Before signing. Throwing ends the call with that error, without retries.
    func beforeSigning(_ request: inout HTTPRequest, context: InterceptorContext) async throws
    /// After signing, just before the transport sends `request`.
    func afterSigning(_ request: HTTPRequest, context: InterceptorContext)
    /// When the transport has answered or failed (not when signing or an interceptor failed:
    /// then nothing was sent).
    func attemptFinished(_ attempt: AttemptResult)
}

extension Interceptor {
    public func beforeSigning(_ request: inout HTTPRequest, context: InterceptorContext) async throws {}
    public func afterSigning(_ request: HTTPRequest, context: InterceptorContext) {}
    public func attemptFinished(_ attempt: AttemptResult) {}
}

/// Which call and which attempt an interceptor is looking at.
public struct InterceptorContext: Sendable, Hashable {
    /// The signing name of the service: `vpc-lattice`, `sts`, `sso`, `sso-oidc`.
    public var service: String
    /// The operation: `ListServices`, `AssumeRole`, `GetRoleCredentials`, `CreateToken`...
    public var operation: String
    /// 1 for the first attempt, 2 for the first retry, and so on.
    public var attempt: Int

    /// A context.
    ///
    /// - Parameters:
    ///   - service: The signing name of the service called.
    ///   - operation: The operation's model name.
    ///   - attempt: The attempt, from 1.
    public init(service: String, operation: String, attempt: Int) {
        self.service = service
        self.operation = operation
        self.attempt = attempt
    }
}

/// How one attempt ended.
public struct AttemptResult: Sendable {
    /// The call and attempt the result belongs to.
    public var context: InterceptorContext
    /// The request as it was sent (signed).
    public var request: HTTPRequest
    /// The response, whatever its status (the retry loop decides what it means), or the
    /// error when no complete response arrived. For a streamed call
    /// (`LatticeServiceClient.stream`) it is the head, with an empty body: the body has not
    /// arrived yet.
    public var result: Result<HTTPResponse, any Error>
    /// Seconds the transport took to answer or fail (for a streamed call, to the head), by the client's clock
    /// (`RuntimeEnvironment.now`).
    public var latency: Double

    /// The HTTP status, when a response arrived.
    public var status: Int? { try? result.get().status }
}
