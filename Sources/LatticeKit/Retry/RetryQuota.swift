/// The retry quota of the standard mode: a token bucket shared by every call of a client, so
/// that when the service is failing broadly the client stops multiplying the load by
/// retrying. A retry takes tokens; successes put some back; an empty bucket means no retry.
struct RetryQuota: Sendable, Hashable {
    /// Tokens in a new bucket, and the most it ever holds.
    static let capacity = 500
    /// Tokens a retry takes.
    static let retryCost = 5
    /// Tokens a retry after a connect or read timeout takes: timeouts hint at an overloaded or
    /// unreachable service, so they drain the quota twice as fast.
    static let timeoutRetryCost = 10
    /// Tokens a call that succeeded on its first attempt puts back.
    static let successRefill = 1

    private(set) var available = RetryQuota.capacity

    /// Takes the cost of one retry; returns it, or nil (taking nothing) when too few are left.
    mutating func acquire(timeout: Bool) -> Int? {
        let cost = timeout ? Self.timeoutRetryCost : Self.retryCost
        guard available >= cost else { return nil }
        available -= cost
        return cost
    }

    /// Refills after a successful call. As botocore and the other AWS SDKs do: a first-attempt
    /// success puts back 1; a success after retries puts back what its last retry took (the
    /// earlier retries' tokens stay spent).
    mutating func recordSuccess(lastRetryCost: Int?) {
        available = min(Self.capacity, available + (lastRetryCost ?? Self.successRefill))
    }
}
