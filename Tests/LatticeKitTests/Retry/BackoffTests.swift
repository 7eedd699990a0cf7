import Testing
@testable import LatticeKit

@Suite("Backoff")
struct BackoffTests {
    @Test("Full jitter: random * 2^r, r = 0 before the first retry", arguments: [
        (0, 0.5, 0.5), (1, 0.5, 1.0), (2, 0.5, 2.0), (3, 0.5, 4.0), (4, 0.25, 4.0), (0, 0.0, 0.0),
    ])
    func exponential(_ retryIndex: Int, _ random: Double, _ expected: Double) {
        #expect(RetryStrategy.delay(retryIndex: retryIndex, random: random, retryAfter: nil) == expected)
    }

    @Test("Delays are capped at 20 s", arguments: [(5, 0.9), (5, 0.99), (10, 0.5), (2000, 1.0)])
    func cap(_ retryIndex: Int, _ random: Double) {
        #expect(RetryStrategy.delay(retryIndex: retryIndex, random: random, retryAfter: nil) == 20)
    }

    @Test("Just under the cap is not rounded up")
    func underCap() {
        #expect(RetryStrategy.delay(retryIndex: 5, random: 0.5, retryAfter: nil) == 16)
    }

    @Test("A Retry-After wins over the computed delay, bounded to 0...20 s", arguments: [
        (3, 3.0), (0, 0.0), (20, 20.0), (21, 20.0), (3600, 20.0), (Int.max, 20.0), (-4, 0.0),
    ])
    func retryAfter(_ value: Int, _ expected: Double) {
        #expect(RetryStrategy.delay(retryIndex: 4, random: 0.9, retryAfter: value) == expected)
    }

    @Test("An out-of-range random source cannot exceed the curve")
    func badRandom() {
        #expect(RetryStrategy.delay(retryIndex: 1, random: 7, retryAfter: nil) == 2)
        #expect(RetryStrategy.delay(retryIndex: 1, random: -1, retryAfter: nil) == 0)
        #expect(RetryStrategy.delay(retryIndex: 1, random: .nan, retryAfter: nil) == 0)
    }
}
