import Testing
@testable import LatticeKit

@Suite("Retry quota")
struct RetryQuotaTests {
    @Test("Starts with 500 tokens; a retry takes 5, a timeout retry 10")
    func costs() {
        var quota = RetryQuota()
        #expect(quota.available == 500)
        #expect(quota.acquire(timeout: false) == 5)
        #expect(quota.available == 495)
        #expect(quota.acquire(timeout: true) == 10)
        #expect(quota.available == 485)
    }

    @Test("An empty quota refuses retries and takes nothing")
    func exhaustion() {
        var quota = RetryQuota()
        for _ in 0..<100 { #expect(quota.acquire(timeout: false) != nil) }
        #expect(quota.available == 0)
        #expect(quota.acquire(timeout: false) == nil)
        #expect(quota.available == 0)
    }

    @Test("A timeout retry needs 10 tokens even when 5 would do for another retry")
    func timeoutNeedsMore() {
        var quota = RetryQuota()
        for _ in 0..<99 { _ = quota.acquire(timeout: false) }
        #expect(quota.available == 5)
        #expect(quota.acquire(timeout: true) == nil)
        #expect(quota.acquire(timeout: false) == 5)
    }

    @Test("Success refills 1 after a first attempt, the last retry's cost after retries, never past 500")
    func refill() {
        var quota = RetryQuota()
        _ = quota.acquire(timeout: true)
        _ = quota.acquire(timeout: false)
        #expect(quota.available == 485)
        quota.recordSuccess(lastRetryCost: 5)
        #expect(quota.available == 490)
        quota.recordSuccess(lastRetryCost: nil)
        #expect(quota.available == 491)
        for _ in 0..<20 { quota.recordSuccess(lastRetryCost: nil) }
        #expect(quota.available == 500)
    }
}
