#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every request of a plan or an apply passes here (retries included): at most `limit` in
/// flight, and a rate that follows the service's own signal.
///
/// VPC Lattice publishes no request-rate quota, so there is no number to stay under ahead of
/// time. The gate does what the AWS SDKs' adaptive retry mode does, for the whole apply at
/// once: no rate limit until the service throttles a request (429, `ThrottlingException` or
/// any code the retry classification calls throttling); from then on a token bucket whose
/// rate follows CUBIC (`ClientRateLimiter`: cut to 0.7 times the measured send rate at each
/// throttle, grown back along a cubic curve as requests succeed). A throttle that says how
/// long to wait (`Retry-After`, `retryAfterSeconds`) holds every request of the apply back
/// that long (at most `RetryStrategy.maxDelay`), not just the one that was throttled. A user
/// cap (`TopologyOptions.requestsPerSecond`) adds a fixed token bucket in front. Times come
/// from the client's environment, so tests run on their own clock.
actor CallGate {
    private let limit: Int
    private let cap: Double?
    private let burst: Double
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) async throws -> Void
    private var inFlight = 0
    /// Requests waiting for a place, each with its priority and arrival number: the
    /// highest priority goes first, then the one that came first.
    private var queue: [(priority: Int, number: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var arrivals = 0

    /// The priority of the current task's requests when they wait for a place: apply sets
    /// it to the length of the longest chain of steps that still follows the step (so the
    /// calls that hold up the most work go first), and lists, which every wait on their
    /// resource type shares, go before all (`urgent`).
    @TaskLocal static var priority = 0
    /// The priority of the lists waits share.
    static let urgent = Int.max
    private var tokens: Double
    private var refilled: Date?
    private var limiter: ClientRateLimiter
    /// No request starts before this time (seconds since 1970): a throttle's `Retry-After`.
    private var heldUntil = 0.0
    /// Requests sent, retries included.
    private(set) var requests = 0
    /// Requests the service answered with throttling.
    private(set) var throttled = 0
    /// Requests that waited for the rate limiter, the cap or a `Retry-After`.
    private(set) var delayed = 0

    init(options: TopologyOptions, environment: RuntimeEnvironment) {
        limit = max(1, options.maxConcurrentCalls)
        cap = options.requestsPerSecond.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        burst = Double(max(1, options.burstRequests))
        tokens = Double(max(1, options.burstRequests))
        now = environment.now
        sleep = environment.sleep
        limiter = ClientRateLimiter(now: environment.now().timeIntervalSince1970)
    }

    /// Whether the adaptive limiter has engaged (the service throttled a request).
    var limiting: Bool { limiter.enabled }

    /// The adaptive limiter's rate in requests a second (0 while it is off).
    var limiterRate: Double { limiter.enabled ? limiter.fillRate : 0 }

    /// Takes a token of each limit in force when all have one; otherwise how long to wait
    /// before asking again (nothing taken), and whether the wait is a `Retry-After` (which
    /// only grows, so it is slept whole).
    private func take() -> (wait: Double, held: Bool) {
        let time = now()
        let seconds = time.timeIntervalSince1970
        let held = heldUntil - seconds
        if held > 0 { return (held, true) }
        if let cap {
            if let refilled { tokens = min(burst, tokens + max(0, time.timeIntervalSince(refilled)) * cap) }
            refilled = time
            guard tokens >= 1 else { return ((1 - tokens) / cap, false) }
        }
        let wait = limiter.take(now: seconds)
        guard wait == 0 else { return (wait, false) }
        if cap != nil { tokens -= 1 }
        return (0, false)
    }

    /// The longest a request sleeps before asking for a token again: the rate may have grown
    /// meanwhile (a rate cut at the first throttle of hundreds of requests would otherwise
    /// keep every one of them waiting its turn at the low rate).
    static let recheck = 0.5

    /// Waits until a token of each limit in force is free, and counts the request. A request
    /// asks again at most as many times as its first wait has `recheck`s (plus one), then
    /// takes its token on credit (the bucket goes negative, slowing the next ones), so the
    /// loop ends whatever the clock does.
    private func admit() async throws {
        requests += 1
        var rounds: Int?
        while true {
            let (wait, held) = take()
            if wait <= 0 { return }
            if held {
                try await sleep(wait)
                continue
            }
            if rounds == nil {
                delayed += 1
                rounds = Int((wait / Self.recheck).rounded(.up)) + 1
            }
            if rounds! <= 0 {
                _ = limiter.reserve(now: now().timeIntervalSince1970)
                if cap != nil { tokens -= 1 }
                return
            }
            rounds! -= 1
            try await sleep(min(wait, Self.recheck))
        }
    }

    /// Feeds one answer back: a throttle slows every later request down (and holds them back
    /// for its `Retry-After`); any other answer lets the rate grow back.
    /// Returns whether the answer was a throttle.
    private func record(_ response: HTTPResponse?, sentAt: Double) -> Bool {
        let seconds = now().timeIntervalSince1970
        let burst = ClientRateLimiter.Burst(sentAt: sentAt, recentRate: recentRate(at: seconds))
        guard let response, response.status >= 400 else {
            limiter.record(throttled: false, now: seconds, burst: burst)
            return false
        }
        let error = AWSServiceError(response: response, now: now())
        guard RetryClassification(error) == .throttling else {
            limiter.record(throttled: false, now: seconds, burst: burst)
            return false
        }
        throttled += 1
        limiter.record(throttled: true, now: seconds, burst: burst)
        if let wait = error.retryAfterSeconds, wait > 0 {
            heldUntil = max(heldUntil, seconds + min(Double(wait), RetryStrategy.maxDelay))
        }
        return true
    }

    /// When the requests of the last `window` seconds were sent, oldest first.
    private var sent: [Double] = []
    private var firstSent: Double?
    /// The span over which the recent send rate is measured, in seconds.
    static let window = 1.0

    private func noteSent(at seconds: Double) {
        if firstSent == nil { firstSent = seconds }
        sent.append(seconds)
        forget(before: seconds - Self.window)
    }

    private func forget(before time: Double) {
        let stale = sent.prefix { $0 <= time }.count
        if stale > 0 { sent.removeFirst(stale) }
    }

    /// Requests sent over the last second, a second; over at least half a second while the
    /// gate is younger than one (a first wave of a hundred in a tenth of a second is a rate
    /// of two hundred a second, not a thousand).
    private func recentRate(at seconds: Double) -> Double {
        forget(before: seconds - Self.window)
        let span = max(Self.window / 2, min(Self.window, seconds - (firstSent ?? seconds)))
        return Double(sent.count) / span
    }

    /// Requests waiting for a place.
    var waiting: Int { queue.count }

    private func acquire() async {
        if inFlight < limit {
            inFlight += 1
            return
        }
        let priority = Self.priority
        arrivals += 1
        let number = arrivals
        await withCheckedContinuation { queue.append((priority, number, $0)) }
    }

    private func release() {
        guard var next = queue.indices.first else {
            inFlight -= 1
            return
        }
        for index in queue.indices.dropFirst() {
            let (candidate, best) = (queue[index], queue[next])
            if candidate.priority > best.priority || (candidate.priority == best.priority && candidate.number < best.number) { next = index }
        }
        queue.remove(at: next).continuation.resume()
    }

    /// How many times a throttled request is sent again by the gate itself, each time after
    /// a token of the (now engaged) limiter, before its throttle goes up to the client's
    /// retry loop. An apply sends hundreds of requests at once: the throttle says "slower",
    /// not "this step failed", and the client's few attempts (3 by default) would otherwise
    /// end steps that only had to wait their turn.
    static let throttleResends = 8

    /// Sends `request` through `transport` once a token and a place are free, and learns
    /// from the answer; a throttled answer is sent again (see `throttleResends`).
    func send(_ request: HTTPRequest, through transport: any Transport) async throws -> HTTPResponse {
        var resends = 0
        while true {
            try await admit()
            await acquire()
            let sentAt = now().timeIntervalSince1970
            noteSent(at: sentAt)
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch {
                release()
                if !(error is CancellationError), (error as? TransportError)?.kind != .cancelled { _ = record(nil, sentAt: sentAt) }
                throw error
            }
            release()
            guard record(response, sentAt: sentAt), resends < Self.throttleResends else { return response }
            resends += 1
            try Task.checkCancellation()
        }
    }
}

/// A transport that sends through a `CallGate`.
final class GatedTransport: Transport, Sendable {
    let inner: any Transport
    let gate: CallGate

    init(_ inner: any Transport, gate: CallGate) {
        self.inner = inner
        self.gate = gate
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await gate.send(request, through: inner)
    }
}

extension LatticeClient {
    /// A client like this one whose requests pass through `gate`.
    func gated(by gate: CallGate) throws -> LatticeClient {
        try LatticeClient(configuration, transport: GatedTransport(transport, gate: gate), environment: environment)
    }
}
