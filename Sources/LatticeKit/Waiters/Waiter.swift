#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a waiter polls: the delay between polls, how long it waits in all, and whom it tells.
///
/// The delay is fixed unless `maxDelay` is larger than `delay`: then it doubles after each
/// poll up to `maxDelay`. The last sleep is cut short so the last poll happens at the timeout.
public struct WaiterOptions: Sendable {
    /// Seconds between polls (the first one when the delay grows). Default 2.
    public var delay: Double
    /// When larger than `delay`, the delay doubles after each poll up to this many seconds.
    public var maxDelay: Double?
    /// Seconds to wait in all, from the first poll, before giving up. Default 300 (5 minutes).
    public var timeout: Double
    /// Called after every poll, on the waiting task.
    public var progress: (@Sendable (WaiterProgress) -> Void)?

    /// Waiter options.
    ///
    /// - Parameters:
    ///   - delay: Seconds between polls at first.
    ///   - maxDelay: The longest delay between polls; nil: `delay`.
    ///   - timeout: Seconds before giving up.
    ///   - progress: Called after each poll.
    public init(delay: Double = 2, maxDelay: Double? = nil, timeout: Double = 300, progress: (@Sendable (WaiterProgress) -> Void)? = nil) {
        self.delay = delay
        self.maxDelay = maxDelay
        self.timeout = timeout
        self.progress = progress
    }

    /// Seconds to sleep after poll number `attempt` (1-based). Negative or NaN settings read as 0.
    public func delay(afterAttempt attempt: Int) -> Double {
        let base = Self.nonNegative(delay)
        guard let maxDelay, Self.nonNegative(maxDelay) > base else { return base }
        let doublings = min(max(attempt - 1, 0), 62)
        return min(base * Double(sign: .plus, exponent: doublings, significand: 1), maxDelay)
    }

    static func nonNegative(_ value: Double) -> Double { value.isNaN ? 0 : max(0, value) }
}

/// What a waiter saw at one poll.
public struct WaiterProgress: Sendable, Hashable, CustomStringConvertible {
    /// What is being waited for.
    public var subject: WaiterSubject
    /// The poll's number, from 1.
    public var attempt: Int
    /// Seconds since the first poll began.
    public var elapsed: Double
    /// The state observed: the status member's raw value (such as `CREATE_IN_PROGRESS`).
    public var state: String

    /// A progress report.
    ///
    /// - Parameters:
    ///   - subject: What is waited for.
    ///   - attempt: The poll, from 1.
    ///   - elapsed: Seconds since the first poll.
    ///   - state: The state observed.
    public init(subject: WaiterSubject, attempt: Int, elapsed: Double, state: String) {
        self.subject = subject
        self.attempt = attempt
        self.elapsed = elapsed
        self.state = state
    }

    public var description: String {
        "\(subject.resourceType) \(subject.resourceId): \(state) (poll \(attempt), \(WaiterError.seconds(elapsed)))"
    }
}

/// What a waiter waits for, for progress and error messages.
public struct WaiterSubject: Sendable, Hashable {
    /// Such as `service` or `target group`.
    public var resourceType: String
    /// The identifier the waiter was given (an id or an ARN).
    public var resourceId: String
    /// The state wanted, such as `ACTIVE` or `deleted`.
    public var goal: String
    /// The operation polled, such as `GetService`, to name in advice.
    public var operation: String

    /// A subject.
    ///
    /// - Parameters:
    ///   - resourceType: The kind of resource, such as `service`.
    ///   - resourceId: Its ID or ARN.
    ///   - goal: The state waited for, such as `ACTIVE`.
    ///   - operation: The operation polled.
    public init(resourceType: String, resourceId: String, goal: String, operation: String) {
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.goal = goal
        self.operation = operation
    }
}

/// What one poll means for the wait.
public enum WaiterObservation<Output> {
    /// The goal is reached; the waiter returns the output.
    case done(Output, state: String)
    /// Not yet; `hint` is advice for the timeout error (such as why a state can last).
    case waiting(state: String, hint: String? = nil)
    /// A state from which the goal cannot be reached: the waiter throws at once.
    case failed(state: String, reason: String? = nil)
}

extension WaiterObservation: Sendable where Output: Sendable {}

/// A wait that ended without reaching its goal.
public struct WaiterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the wait ended.
    public enum Kind: String, Sendable, Hashable {
        /// The resource reached a state from which the goal cannot be reached.
        case failureState
        /// The timeout passed before the goal was reached.
        case timedOut
    }

    /// How the wait ended.
    public var kind: Kind
    /// What was waited for.
    public var subject: WaiterSubject
    /// The last state observed (the status member's raw value); nil if no poll completed.
    public var state: String?
    /// Why, as the service said (`failureCode: failureMessage` or `failureReason`), or why the
    /// state cannot lead to the goal.
    public var reason: String?
    /// Advice that goes with the last state (timeouts).
    public var hint: String?
    /// Seconds since the first poll began.
    public var elapsed: Double
    /// Polls made.
    public var attempts: Int

    /// A waiter error; waiters make these, tests may too.
    public init(kind: Kind, subject: WaiterSubject, state: String?, reason: String? = nil, hint: String? = nil, elapsed: Double, attempts: Int) {
        self.kind = kind
        self.subject = subject
        self.state = state
        self.reason = reason
        self.hint = hint
        self.elapsed = elapsed
        self.attempts = attempts
    }

    public var description: String {
        let what = "\(subject.resourceType) \(subject.resourceId)"
        let polls = attempts == 1 ? "1 poll" : "\(attempts) polls"
        switch kind {
        case .failureState:
            var text = "\(what) reached \(state ?? "an unexpected state") while waiting for it to be \(subject.goal) (\(polls), \(Self.seconds(elapsed)))"
            if let reason, !reason.isEmpty { text += ": \(reason)" }
            text += ". It will not get there by itself: see \(subject.operation) for details, fix the cause and try again."
            return text
        case .timedOut:
            var text = "gave up waiting for \(what) to be \(subject.goal) after \(Self.seconds(elapsed)) (\(polls))"
            text += state.map { "; it was last \($0)" } ?? "; no poll completed"
            if let hint, !hint.isEmpty { text += " (\(hint))" }
            text += ". It may still get there: wait again with a longer WaiterOptions.timeout, or check it with \(subject.operation)."
            return text
        }
    }

    /// `12 s`, `2.5 s`.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return "\(value) s" }
        let tenths = (value * 10).rounded()
        if tenths.truncatingRemainder(dividingBy: 10) == 0, abs(tenths) < 1e15 { return "\(Int64(tenths / 10)) s" }
        return "\(tenths / 10) s"
    }
}

extension LatticeClient {
    /// Polls until `poll` says the goal is reached (returning its output), a failure state is
    /// reached (`WaiterError.failureState`), or `options.timeout` passes (`WaiterError.timedOut`).
    ///
    /// Uses the client's clock and sleeper, so an injected environment makes waits instant.
    /// Errors `poll` throws end the wait, except throttling that outlasted the client's retries,
    /// which counts as one more poll still waiting. Cancelling the task ends the wait with
    /// `CancellationError`.
    public func waitUntil<Output>(
        _ subject: WaiterSubject,
        options: WaiterOptions = WaiterOptions(),
        poll: () async throws -> WaiterObservation<Output>
    ) async throws -> Output {
        let start = environment.now()
        let timeout = WaiterOptions.nonNegative(options.timeout)
        var attempt = 0
        var lastState: String?
        var lastHint: String?
        while true {
            try Task.checkCancellation()
            attempt += 1
            let observation: WaiterObservation<Output>
            do {
                observation = try await poll()
            } catch where Self.isThrottling(error) {
                observation = .waiting(state: Self.errorCode(error), hint: "the service kept throttling the polls")
            }
            let elapsed = environment.now().timeIntervalSince(start)
            let state: String
            switch observation {
            case let .done(_, s), let .waiting(s, _), let .failed(s, _): state = s
            }
            logger.debug("waiter poll", metadata: [
                "resource": "\(subject.resourceType) \(subject.resourceId)", "goal": "\(subject.goal)",
                "attempt": "\(attempt)", "state": "\(state)",
            ])
            options.progress?(WaiterProgress(subject: subject, attempt: attempt, elapsed: elapsed, state: state))
            switch observation {
            case let .done(output, _):
                return output
            case let .failed(state, reason):
                throw WaiterError(kind: .failureState, subject: subject, state: state, reason: reason, elapsed: elapsed, attempts: attempt)
            case let .waiting(state, hint):
                lastState = state
                lastHint = hint
            }
            let remaining = timeout - elapsed
            guard remaining > 0 else {
                throw WaiterError(kind: .timedOut, subject: subject, state: lastState, hint: lastHint, elapsed: elapsed, attempts: attempt)
            }
            try await environment.sleep(min(options.delay(afterAttempt: attempt), remaining))
            try Task.checkCancellation()
        }
    }

    /// Polls `get` until the resource is gone (`ResourceNotFoundException`). `get` describes
    /// the resource while it still exists: `.waiting` with its status, or `.failed` (for
    /// example on `DELETE_FAILED`).
    public func waitUntilDeleted(
        _ subject: WaiterSubject,
        options: WaiterOptions = WaiterOptions(),
        get: () async throws -> WaiterObservation<Void>
    ) async throws {
        try await waitUntil(subject, options: options) {
            do {
                return try await get()
            } catch where Self.isNotFound(error) {
                return .done((), state: Self.deletedState)
            }
        }
    }

    /// The state text of a resource that is gone.
    static let deletedState = "deleted"

    static func isNotFound(_ error: any Error) -> Bool {
        if error is ResourceNotFoundException { return true }
        return (error as? AWSServiceError)?.code == ResourceNotFoundException.code
    }

    static func isThrottling(_ error: any Error) -> Bool {
        if error is ThrottlingException { return true }
        if let error = error as? AWSServiceError { return RetryClassification.classify(error) == .throttling }
        return false
    }

    static func errorCode(_ error: any Error) -> String {
        switch error {
        case let error as any LatticeModeledError: return type(of: error).code
        case let error as AWSServiceError: return error.code
        default: return "\(type(of: error))"
        }
    }
}
