import Testing
@testable import LatticeKit

@Suite("Adaptive rate limiter")
struct ClientRateLimiterTests {
    /// Sends (and successful responses) at 10 per second from `from` for `seconds`.
    static func sendSteadily(_ limiter: inout ClientRateLimiter, from start: Double, seconds: Int) -> [Double] {
        var waits: [Double] = []
        for i in 1...(seconds * 10) {
            let t = start + Double(i) / 10
            waits.append(limiter.reserve(now: t))
            limiter.record(throttled: false, now: t)
        }
        return waits
    }

    @Test("Off until the first throttle: no send waits")
    func offUntilThrottled() {
        var limiter = ClientRateLimiter(now: 0)
        let waits = Self.sendSteadily(&limiter, from: 0, seconds: 5)
        #expect(waits.allSatisfy { $0 == 0 })
        #expect(!limiter.enabled)
        #expect(abs(limiter.measuredRate - 10) < 0.01)
    }

    @Test("A throttle cuts the rate to 0.7 times the measured rate, and another cuts it again")
    func throttleLowersRate() {
        var limiter = ClientRateLimiter(now: 0)
        _ = Self.sendSteadily(&limiter, from: 0, seconds: 5)
        limiter.record(throttled: true, now: 5.05)
        #expect(limiter.enabled)
        #expect(abs(limiter.lastMaxRate - 10) < 0.01)
        #expect(abs(limiter.fillRate - 7) < 0.01)
        limiter.record(throttled: true, now: 5.06)
        #expect(abs(limiter.fillRate - 4.9) < 0.01)
    }

    @Test("The rate never falls below 0.5 sends per second")
    func minimumRate() {
        var limiter = ClientRateLimiter(now: 0)
        for i in 0..<50 { limiter.record(throttled: true, now: Double(i) * 0.01) }
        #expect(limiter.fillRate == ClientRateLimiter.minFillRate)
    }

    @Test("Once throttled, back-to-back sends wait 1/rate apart")
    func sendsWait() {
        var limiter = ClientRateLimiter(now: 0)
        _ = Self.sendSteadily(&limiter, from: 0, seconds: 5)
        limiter.record(throttled: true, now: 5.05)
        let rate = limiter.fillRate
        // Drain whatever the bucket holds, then measure the queue.
        var waits: [Double] = []
        for _ in 0..<20 { waits.append(limiter.reserve(now: 5.05)) }
        let positive = waits.filter { $0 > 0 }
        #expect(positive.count >= 12)
        for (earlier, later) in zip(positive, positive.dropFirst()) {
            #expect(abs(later - earlier - 1 / rate) < 1e-9)
        }
    }

    @Test("After a throttle the rate grows back along the cubic curve and then beyond")
    func recovers() {
        var limiter = ClientRateLimiter(now: 0)
        _ = Self.sendSteadily(&limiter, from: 0, seconds: 5)
        limiter.record(throttled: true, now: 5.0)
        let throttled = limiter.fillRate
        // Keep sending at 10 per second and watch the rate. The curve is back at the throttled
        // rate after cbrt(10 * 0.3 / 0.4) = 1.957 s.
        var rates: [Double] = []
        for i in 1...50 {
            limiter.record(throttled: false, now: 5.0 + Double(i) / 10)
            rates.append(limiter.fillRate)
        }
        #expect(rates[0] > throttled && rates[0] < 10)
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 <= $1 + 1e-4 })  // up to rounding at the 2x cap
        #expect(abs(rates[19] - 10) < 0.05)  // 2.0 s after the throttle
        #expect(rates[49] > 12)
        #expect(rates[49] <= 2 * limiter.measuredRate + 1e-9)
    }

    @Test("A throttle before any measurement: the SDKs' floor, or for a bursty sender the rate seen so far")
    func coldStart() {
        // 100 answers in the first 0.2 s (a topology apply's first wave), then a throttle.
        func limiter(bursty: Bool) -> ClientRateLimiter {
            var limiter = ClientRateLimiter(now: 10.1)
            for i in 1...100 { limiter.record(throttled: false, now: 10.1 + Double(i) * 0.002, bursty: bursty) }
            limiter.record(throttled: true, now: 10.31, bursty: bursty)
            return limiter
        }
        #expect(limiter(bursty: false).fillRate == ClientRateLimiter.minFillRate)
        // 101 answers over max(0.31 s since measuring began, one 0.5 s interval): 202 a second, cut to 0.7 of it.
        #expect(abs(limiter(bursty: true).fillRate - 0.7 * 202) < 0.01)
    }

    @Test("take: a token when one is there, otherwise the wait until one, nothing reserved")
    func takeReservesNothing() {
        var limiter = ClientRateLimiter(now: 0)
        #expect(limiter.take(now: 0) == 0, "off: no wait")
        _ = Self.sendSteadily(&limiter, from: 0, seconds: 5)
        limiter.record(throttled: true, now: 5.05)
        var taken = 0
        while limiter.take(now: 5.05) == 0, taken < 1000 { taken += 1 }
        #expect(taken >= 1 && taken < 1000)
        // Asking again and again at the same instant gives the same wait: nothing piles up.
        let first = limiter.take(now: 5.05)
        #expect(first > 0 && first <= 1 / limiter.fillRate + 1e-9)
        #expect((0..<10).map { _ in limiter.take(now: 5.05) }.allSatisfy { abs($0 - first) < 1e-12 })
        // Once that wait has passed, the token is there.
        #expect(limiter.take(now: 5.05 + first + 1e-9) == 0)
    }

    @Test("After a lull, a steady sender's rate is held to twice what it measured; a bursty one's grows back along the curve")
    func growthAfterALull() {
        func limiter(bursty: Bool) -> ClientRateLimiter {
            var limiter = ClientRateLimiter(now: 0)
            // 100 a second for 5 s, a throttle, then one answer a second for 10 s (a lull).
            for i in 1...500 { limiter.record(throttled: false, now: Double(i) / 100, bursty: bursty) }
            limiter.record(throttled: true, now: 5.001, bursty: bursty)
            for t in 6...15 { limiter.record(throttled: false, now: Double(t), bursty: bursty) }
            return limiter
        }
        let steady = limiter(bursty: false), bursty = limiter(bursty: true)
        #expect(steady.fillRate <= 2 * steady.measuredRate + 1e-9, "steady: \(steady.fillRate) vs measured \(steady.measuredRate)")
        // 10 s after the throttle the curve is past its plateau (about 4.7 s) and above the throttled rate.
        #expect(bursty.fillRate > bursty.lastMaxRate, "bursty: \(bursty.fillRate) vs throttled at \(bursty.lastMaxRate)")
        #expect(bursty.fillRate > 10 * steady.fillRate)
    }
}
