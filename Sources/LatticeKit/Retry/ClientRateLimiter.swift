#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The adaptive mode's client-side rate limiter, as the AWS SDKs define it: a token bucket
/// whose fill rate follows CUBIC congestion control. The limiter stays off until the first
/// throttling response; then each throttle cuts the rate to `beta` times the measured send
/// rate, and each other response lets it grow back along a cubic curve that flattens near the
/// rate that was throttled and then probes beyond it.
///
/// Times are seconds (any epoch, from the injected clock). A send reserves its token at once,
/// letting the bucket go negative, and is told how long to wait: sends queue fairly without a
/// lock held across a sleep.
struct ClientRateLimiter: Sendable {
    /// Multiplicative decrease: a throttle leaves this share of the rate.
    static let beta = 0.7
    /// CUBIC's scale constant C: how fast the rate grows back.
    static let scaleConstant = 0.4
    /// Weight of the newest interval in the smoothed measured send rate.
    static let smoothing = 0.8
    /// Length of the intervals over which the send rate is measured, in seconds.
    static let measurementInterval = 0.5
    /// Lowest fill rate, in sends per second.
    static let minFillRate = 0.5
    /// Lowest bucket size, in tokens.
    static let minCapacity = 1.0
    /// The rate never rises above this multiple of the measured send rate.
    static let maxRateGrowth = 2.0

    private(set) var enabled = false
    private(set) var fillRate = 0.0
    private(set) var maxCapacity = 0.0
    private(set) var capacity = 0.0
    private var lastRefill: Double?
    private(set) var measuredRate = 0.0
    private var measurementStart: Double
    private var requestCount = 0.0
    private(set) var lastMaxRate = 0.0
    private var lastThrottle: Double
    private var timeWindow = 0.0

    init(now: Double) {
        measurementStart = now.rounded(.down)
        lastThrottle = now
    }

    /// Takes a token for one send; returns the seconds to wait before sending (0 while the
    /// limiter is off or a token is there).
    mutating func reserve(now: Double) -> Double {
        guard enabled else { return 0 }
        refill(now: now)
        capacity -= 1
        return capacity >= 0 ? 0 : -capacity / fillRate
    }

    /// Takes a token only if one is there: 0 when it was taken (or the limiter is off),
    /// otherwise the seconds until one would be at the current rate, nothing reserved. For a
    /// caller that waits and asks again, so that a rate which grows meanwhile shortens the
    /// wait (with `reserve`, a send queued behind hundreds at a low rate keeps its long wait).
    mutating func take(now: Double) -> Double {
        guard enabled else { return 0 }
        refill(now: now)
        if capacity >= 1 {
            capacity -= 1
            return 0
        }
        return (1 - capacity) / fillRate
    }

    /// What a sender that works in waves (a topology apply: hundreds of requests at once,
    /// then waits for statuses, then the next wave) tells the limiter with each answer.
    struct Burst: Sendable {
        /// When the answered request was sent.
        var sentAt: Double
        /// The sender's rate over the last second, in requests a second.
        var recentRate: Double
    }

    /// Feeds back one response (or transport failure): `throttled` when it was throttling.
    ///
    /// `burst`: for a sender that works in waves, three rules meant for a steady sender are
    /// changed. A throttle cuts from the rate of the last second (`recentRate`), not the
    /// smoothed rate of past half-second intervals: after a lull (waits for statuses) that
    /// one is the lull's, and a cut from it drops a wave that the service throttled at a
    /// hundred a second to two or three a second. A throttle of a request sent before the
    /// last cut does not cut again: a wave has its requests in flight together, so one
    /// overload answers dozens of them with throttles at once, and each cut would compound
    /// (0.7 to the power of their number) where the first already answered the overload;
    /// congestion control keeps the same rule for losses (one reduction per round trip).
    /// And the rate is not held to twice the measured rate (a lull would hold the next
    /// wave to twice the lull's rate); the bucket's size, one second of the rate, still
    /// bounds a burst.
    mutating func record(throttled: Bool, now: Double, burst: Burst? = nil) {
        measure(now: now)
        if throttled, enabled, let burst, burst.sentAt < lastThrottle { return }
        let observed = burst?.recentRate ?? measuredRate
        let target: Double
        if throttled {
            let rate = enabled ? min(observed, fillRate) : observed
            lastMaxRate = rate
            updateTimeWindow()
            lastThrottle = now
            target = rate * Self.beta
            enabled = true
        } else {
            updateTimeWindow()
            let t = now - lastThrottle - timeWindow
            target = Self.scaleConstant * t * t * t + lastMaxRate
        }
        setRate(burst != nil ? target : min(target, Self.maxRateGrowth * observed), now: now)
    }

    /// Seconds after a throttle at which the cubic curve is back at the throttled rate.
    private mutating func updateTimeWindow() {
        timeWindow = cbrt(lastMaxRate * (1 - Self.beta) / Self.scaleConstant)
    }

    private mutating func measure(now: Double) {
        let bucket = (now / Self.measurementInterval).rounded(.down) * Self.measurementInterval
        requestCount += 1
        if bucket > measurementStart {
            let current = requestCount / (bucket - measurementStart)
            measuredRate = current * Self.smoothing + measuredRate * (1 - Self.smoothing)
            requestCount = 0
            measurementStart = bucket
        }
    }

    private mutating func refill(now: Double) {
        guard let last = lastRefill else {
            lastRefill = now
            return
        }
        let elapsed = max(0, now - last)
        capacity = min(maxCapacity, capacity + elapsed * fillRate)
        lastRefill = max(last, now)
    }

    private mutating func setRate(_ rate: Double, now: Double) {
        refill(now: now)
        fillRate = max(rate, Self.minFillRate)
        maxCapacity = max(rate, Self.minCapacity)
        capacity = min(capacity, maxCapacity)
    }
}
