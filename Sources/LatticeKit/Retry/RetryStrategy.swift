#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// What the retry loop tells each attempt.
package struct AttemptContext: Sendable, Hashable {
    /// 1 for the first attempt, 2 for the first retry, and so on.
    package let attempt: Int
    /// Seconds to add to the local clock when signing, learnt from the service's `Date` header
    /// after a clock-skew error (0 until then).
    package let clockSkew: Double
    /// When the whole call must be over (nil: no limit). An attempt should end by then: give
    /// the transport `secondsLeft(now:)` as the request's `timeLimit`.
    package var deadline: Date? = nil

    /// Seconds until `deadline` (nil without one).
    package func secondsLeft(now: Date) -> Double? { deadline.map { $0.timeIntervalSince(now) } }

    /// The time to sign with: `now` corrected by the clock skew.
    package func signingDate(now: Date) -> Date { now.addingTimeInterval(clockSkew) }
}

/// Why the retry loop gave up on a call.
public enum RetryStopReason: String, Sendable, Hashable {
    /// The error is final: not throttling, not transient, or a clock skew that could not be
    /// corrected (or was corrected once already).
    case notRetryable
    /// The call made `maxAttempts` attempts.
    case maxAttemptsReached
    /// The client's retry quota ran out (many recent failures); it refills as calls succeed.
    case quotaExhausted
    /// The call's time limit would pass before the next attempt could start.
    case callTimeout

    /// The note an error's description gets, or nil when there is nothing to add.
    func note(attempts: Int) -> String? {
        let made = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        switch self {
        case .notRetryable:
            return attempts > 1 ? "after \(made)" : nil
        case .maxAttemptsReached:
            guard attempts > 1 else { return nil }
            return "gave up after \(made), the maximum; raise AWS_MAX_ATTEMPTS or max_attempts to retry more"
        case .quotaExhausted:
            return "retries stopped after \(made): the client's retry quota ran out after many failures; it refills as calls succeed"
        case .callTimeout:
            return "retries stopped after \(made): the next would start after the call's time limit (call timeout); allow more time with LatticeConfiguration.callTimeout (the lattice CLI's --cli-call-timeout)"
        }
    }
}

/// The retry loop of a client: the AWS SDKs' standard mode (and adaptive mode on request),
/// with its retry quota, rate limiter and clock-skew offset shared by every call made through
/// the same instance. Make one per client.
///
/// Delays: a `Retry-After` from the service, bounded to `maxDelay`; else
/// `min(random(0..<1) * 2^r, maxDelay)` where r is 0 before the first retry, 1 before the second.
/// A clock-skew retry happens at once and takes no quota.
package final class RetryStrategy: Sendable {
    /// The longest wait between two attempts, in seconds, whether computed or asked for by the
    /// service's `Retry-After`: a longer ask is cut to this (if the service is still not ready,
    /// it says so again, and that retry costs quota).
    package static let maxDelay = 20.0
    /// A clock-skew error is retried only if the service's `Date` is at least this many seconds
    /// away from the time the request was signed with: SigV4 accepts 5 minutes of skew, so a
    /// smaller difference cannot be the cause (a wrong secret key, say) and retrying would not help.
    static let minCorrectableSkew = 240.0

    package let configuration: RetryConfiguration
    let environment: RuntimeEnvironment
    private let state: Mutex<State>

    struct State: Sendable {
        var quota = RetryQuota()
        var limiter: ClientRateLimiter
        var clockSkew = 0.0
    }

    package init(configuration: RetryConfiguration = RetryConfiguration(), environment: RuntimeEnvironment = .live) {
        self.configuration = configuration
        self.environment = environment
        let start = environment.now().timeIntervalSince1970
        state = Mutex(State(limiter: ClientRateLimiter(now: start)))
    }

    /// The current clock-skew offset in seconds (see `AttemptContext.clockSkew`).
    package var clockSkew: Double { state.withLock { $0.clockSkew } }

    /// Tokens left in the retry quota.
    var quotaAvailable: Int { state.withLock { $0.quota.available } }

    var limiter: ClientRateLimiter { state.withLock { $0.limiter } }

    /// Runs one call: `attempt` sends one signed request (sign inside it, afresh each time)
    /// and returns the response. Returns the first 2xx response. Throws the last failure once
    /// it is final: an `AWSServiceError` for a non-2xx response (with `attempts` and
    /// `retryStopReason` set), a `TransportError` (its message saying how many attempts were
    /// made when more than one), or whatever else `attempt` threw. Cancellation is final: a
    /// cancelled task gets `CancellationError` (or the transport's `.cancelled` error).
    ///
    /// With a `timeLimit` (seconds, by the environment's clock), no attempt starts and no
    /// wait begins that would end after it: the loop stops with the last failure instead
    /// (`retryStopReason` `.callTimeout`), and each attempt is told the deadline.
    package func run(timeLimit: Double? = nil, _ attempt: @Sendable (AttemptContext) async throws -> HTTPResponse) async throws -> HTTPResponse {
        try await run(timeLimit: timeLimit, maxAttempts: nil, errors: .restJSON, refreshCredentials: nil, attempt)
    }

    /// `run` for the request pipeline: `maxAttempts` below the configuration's (nil: the
    /// configuration's), non-2xx responses decoded as `errors` says, and, when the service
    /// rejects the credentials as expired, one retry after `refreshCredentials` (nil: the
    /// credentials cannot be refreshed, and the error is final). That retry is made at once and
    /// takes no quota, like the clock-skew retry: the fault was the client's stale cache, not
    /// the service's load. It counts as an attempt.
    func run(
        timeLimit: Double?,
        maxAttempts: Int?,
        errors: AWSService.Errors,
        refreshCredentials: (@Sendable () async -> Bool)?,
        _ attempt: @Sendable (AttemptContext) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        let maxAttempts = max(1, min(maxAttempts ?? configuration.maxAttempts, configuration.maxAttempts))
        let adaptive = configuration.mode == .adaptive
        let deadline = timeLimit.map { environment.now().addingTimeInterval($0) }
        var number = 1
        var lastRetryCost: Int?
        var skewRetried = false
        var credentialsRefreshed = false
        var lastFailure: (any Error)?
        /// With `.answers`, the latest complete response: returned instead of an error when the
        /// loop stops.
        var lastAnswer: HTTPResponse?
        /// Throws when `seconds` from now would pass the deadline.
        func checkDeadline(after seconds: Double) throws {
            guard let deadline, environment.now().addingTimeInterval(seconds) >= deadline else { return }
            if let lastFailure { throw finish(lastFailure, attempts: number - 1, .callTimeout) }
            throw TransportError(.callTimeout, "the call's time limit of \(HTTPTimeouts.describe(timeLimit ?? 0)) would pass before its first attempt could start (call timeout); allow more time with LatticeConfiguration.callTimeout (the lattice CLI's --cli-call-timeout)")
        }
        while true {
            try Task.checkCancellation()
            try checkDeadline(after: 0)
            if adaptive {
                let now = seconds()
                let wait = state.withLock { $0.limiter.reserve(now: now) }
                if wait > 0 {
                    try checkDeadline(after: wait)
                    try await environment.sleep(wait)
                }
            }
            var context = AttemptContext(attempt: number, clockSkew: clockSkew)
            context.deadline = deadline
            let failure: any Error
            do {
                let response = try await attempt(context)
                if (200..<300).contains(response.status) {
                    let now = seconds()
                    state.withLock {
                        if adaptive { $0.limiter.record(throttled: false, now: now) }
                        $0.quota.recordSuccess(lastRetryCost: lastRetryCost)
                    }
                    return response
                }
                if errors == .answers {
                    guard Self.answerIsRetryable(response.status) else { return response }
                    lastAnswer = response
                }
                failure = errors.decode(response, now: environment.now())
            } catch let error as TransportError where error.kind == .cancelled {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                failure = error
            }
            try Task.checkCancellation()

            let kind = RetryClassification(failure)
            if adaptive, failure is AWSServiceError || failure is TransportError {
                let now = seconds()
                state.withLock { $0.limiter.record(throttled: kind == .throttling, now: now) }
            }
            var skewCorrected = false
            if kind == .clockSkew, let error = failure as? AWSServiceError {
                skewCorrected = correctSkew(from: error)
            }
            if kind == .notRetryable || (kind == .expiredCredentials && (refreshCredentials == nil || credentialsRefreshed)) {
                if let lastAnswer, failure is AWSServiceError { return lastAnswer }
                throw finish(failure, attempts: number, .notRetryable)
            }
            if number >= maxAttempts {
                if let lastAnswer, failure is AWSServiceError { return lastAnswer }
                throw finish(failure, attempts: number, .maxAttemptsReached)
            }

            lastFailure = failure
            if kind == .expiredCredentials, let refreshCredentials {
                guard await refreshCredentials() else { throw finish(failure, attempts: number, .notRetryable) }
                credentialsRefreshed = true
                number += 1
                continue
            }
            if kind == .clockSkew {
                guard skewCorrected, !skewRetried else { throw finish(failure, attempts: number, .notRetryable) }
                skewRetried = true
                number += 1
                continue
            }
            let delay = Self.delay(
                retryIndex: number - 1,
                random: environment.random(),
                retryAfter: (failure as? AWSServiceError)?.retryAfterSeconds
            )
            number += 1
            // Before taking quota: a retry that cannot happen in time costs nothing.
            try checkDeadline(after: delay)
            let cost = state.withLock { $0.quota.acquire(timeout: kind == .timeout) }
            guard let cost else {
                if let lastAnswer, failure is AWSServiceError { return lastAnswer }
                throw finish(failure, attempts: number - 1, .quotaExhausted)
            }
            lastRetryCost = cost
            try await environment.sleep(delay)
        }
    }

    /// The statuses `.answers` retries: throttling and the transient server errors.
    static func answerIsRetryable(_ status: Int) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// Seconds to wait before retry number `retryIndex + 1`: the service's `Retry-After` when
    /// given (bounded to 0...maxDelay), else `min(random * 2^retryIndex, maxDelay)`.
    static func delay(retryIndex: Int, random: Double, retryAfter: Int?) -> Double {
        if let retryAfter { return min(Double(max(0, retryAfter)), maxDelay) }
        let r = random.isNaN ? 0 : min(max(random, 0), 1)
        let scale = Double(sign: .plus, exponent: min(max(retryIndex, 0), 1000), significand: 1)
        return min(r * scale, maxDelay)
    }

    /// Learns the offset from the error's `Date` header; true when it changed enough to be worth
    /// a retry.
    private func correctSkew(from error: AWSServiceError) -> Bool {
        guard let header = error.headers["Date"], let serverDate = HTTPDate.parse(header) else { return false }
        let measured = serverDate.timeIntervalSince(environment.now())
        return state.withLock {
            guard abs(measured - $0.clockSkew) >= Self.minCorrectableSkew else { return false }
            $0.clockSkew = measured
            return true
        }
    }

    private func seconds() -> Double { environment.now().timeIntervalSince1970 }

    /// The error to throw, with what the loop did attached.
    private func finish(_ error: any Error, attempts: Int, _ reason: RetryStopReason) -> any Error {
        switch error {
        case var error as AWSServiceError:
            error.attempts = attempts
            error.retryStopReason = reason
            return error
        case var error as TransportError:
            if let note = reason.note(attempts: attempts) { error.message += " [\(note)]" }
            return error
        default:
            return error
        }
    }
}
