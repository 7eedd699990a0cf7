import Synchronization

/// The bounded cache behind `SigningKeyCache` and `SigV4aKeyCache`: values that are costly to
/// derive and cheap to derive again, under a lock.
///
/// When it holds `capacity` values it is emptied before the next one is added (no eviction
/// bookkeeping: a day rolls every SigV4 key anyway, and credentials rotate). The value used
/// last is kept aside: most processes sign with one key, and comparing its lookup key (usually
/// the very same string objects) is cheaper than hashing.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var entries: [Key: Value] = [:]
        var last: (key: Key, value: Value)?
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { state.withLock { $0.entries.count } }

    func removeAll() {
        state.withLock {
            $0.entries.removeAll()
            $0.last = nil
        }
    }

    /// The value for `key`, derived (outside the lock) and kept when it is not there. Two
    /// threads may both derive the same value; the values are equal, either is kept.
    @inline(__always)
    func value<E: Error>(for key: Key, derive: () throws(E) -> Value) throws(E) -> Value {
        let hit: Value? = state.withLock { s in
            if let last = s.last, last.key == key { return last.value }
            guard let found = s.entries[key] else { return nil }
            s.last = (key, found)
            return found
        }
        if let hit { return hit }
        let derived = try derive()
        state.withLock { s in
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = derived
            s.last = (key, derived)
        }
        return derived
    }
}
