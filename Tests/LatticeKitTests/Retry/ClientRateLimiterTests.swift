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

    @Test("A throttle before any measurement: the SDKs' floor, or for a bursty sender its rate of the last second")
    func coldStart() {
        // 100 answers in the first 0.2 s (a topology apply's first wave), then a throttle.
        func limiter(bursty: Bool) -> ClientRateLimiter {
            var limiter = ClientRateLimiter(now: 10.1)
            let burst = bursty ? ClientRateLimiter.Burst(sentAt: 10.3, recentRate: 202) : nil
            for i in 1...100 { limiter.record(throttled: false, now: 10.1 + Double(i) * 0.002, burst: burst) }
            limiter.record(throttled: true, now: 10.31, burst: burst)
            return limiter
        }
        #expect(limiter(bursty: false).fillRate == ClientRateLimiter.minFillRate)
        #expect(abs(limiter(bursty: true).fillRate - 0.7 * 202) < 0.01)
    }

    @Test("A bursty sender's throttle after a lull cuts from the last second's rate, once for the requests in flight together")
    func burstAfterALull() {
        var limiter = ClientRateLimiter(now: 0)
        // One answer a second for 10 s (waits for statuses), then a wave of 100 sent at
        // 10.0, throttled at 10.05: the smoothed measured rate is the lull's (about 1).
        for t in 1...10 { limiter.record(throttled: false, now: Double(t), burst: .init(sentAt: Double(t) - 0.03, recentRate: 1)) }
        limiter.record(throttled: true, now: 10.05, burst: .init(sentAt: 10.0, recentRate: 100))
        #expect(abs(limiter.fillRate - 70) < 0.01, "cut from the wave's 100 a second, not the lull's: \(limiter.fillRate)")
        // Forty more throttles of requests of the same wave: no further cut.
        for i in 1...40 { limiter.record(throttled: true, now: 10.05 + Double(i) * 0.001, burst: .init(sentAt: 10.0, recentRate: 100)) }
        #expect(limiter.fillRate >= 70, "\(limiter.fillRate)")
        // A request sent after the cut and throttled again cuts again.
        limiter.record(throttled: true, now: 10.2, burst: .init(sentAt: 10.1, recentRate: 100))
        #expect(limiter.fillRate < 70 && limiter.fillRate > 40, "\(limiter.fillRate)")
        // The steady sender's rule compounds: forty cuts end at the floor.
        var steady = ClientRateLimiter(now: 0)
        for t in 1...10 { steady.record(throttled: false, now: Double(t)) }
        for i in 0...40 { steady.record(throttled: true, now: 10.05 + Double(i) * 0.001) }
        #expect(steady.fillRate == ClientRateLimiter.minFillRate)
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
            func burst(_ now: Double, _ rate: Double) -> ClientRateLimiter.Burst? { bursty ? .init(sentAt: now - 0.03, recentRate: rate) : nil }
            // 100 a second for 5 s, a throttle, then one answer a second for 10 s (a lull).
            for i in 1...500 { limiter.record(throttled: false, now: Double(i) / 100, burst: burst(Double(i) / 100, 100)) }
            limiter.record(throttled: true, now: 5.001, burst: burst(5.001, 100))
            for t in 6...15 { limiter.record(throttled: false, now: Double(t), burst: burst(Double(t), 1)) }
            return limiter
        }
        let steady = limiter(bursty: false), bursty = limiter(bursty: true)
        #expect(steady.fillRate <= 2 * steady.measuredRate + 1e-9, "steady: \(steady.fillRate) vs measured \(steady.measuredRate)")
        // 10 s after the throttle the curve is past its plateau (about 4.7 s) and above the throttled rate.
        #expect(bursty.fillRate > bursty.lastMaxRate, "bursty: \(bursty.fillRate) vs throttled at \(bursty.lastMaxRate)")
        #expect(bursty.fillRate > 10 * steady.fillRate)
    }
}
