import Synchronization

/// SigV4a private keys, cached per access key pair: deriving one (an HMAC and a P-256 point
/// multiplication) costs far more than a signature, and a key lasts as long as its credentials.
///
/// The cache is bounded: when it holds `capacity` keys, it is emptied before the next one is
/// added. It holds secrets in memory only inside libcrypto key objects and its own lookup keys;
/// nothing about it prints them.
public final class SigV4aKeyCache: Sendable, CustomStringConvertible, CustomReflectable {
    struct Key: Hashable {
        let accessKeyId: String
        let secret: String
    }

    /// The process-wide cache that SigV4a signers use unless given another one.
    public static let shared = SigV4aKeyCache()

    private struct State {
        var entries: [Key: SigV4aPrivateKey] = [:]
        var last: (key: Key, value: SigV4aPrivateKey)?
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    /// The number of keys held now.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Empties the cache.
    public func removeAll() {
        state.withLock {
            $0.entries.removeAll()
            $0.last = nil
        }
    }

    public var description: String { "SigV4aKeyCache(count: \(count), capacity: \(capacity))" }

    /// Shows the counts only: `dump` must not walk into the entries, whose keys hold secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["count": count, "capacity": capacity], displayStyle: .class)
    }

    /// The public key AWS associates with these credentials under SigV4a (the session token
    /// plays no part).
    public func publicKey(for credentials: SigV4Credentials) throws(SigV4Error) -> SigV4aPublicKey {
        try privateKey(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey).publicKey
    }

    func privateKey(accessKeyId: String, secret: String) throws(SigV4Error) -> SigV4aPrivateKey {
        let key = Key(accessKeyId: accessKeyId, secret: secret)
        let hit: SigV4aPrivateKey? = state.withLock { s in
            if let last = s.last, last.key == key { return last.value }
            guard let found = s.entries[key] else { return nil }
            s.last = (key, found)
            return found
        }
        if let hit { return hit }
        // Derived outside the lock: two threads may both derive the same key, and both results
        // are equal.
        var scalar = try SigV4aKeyDerivation.privateScalar(accessKeyId: accessKeyId, secretAccessKey: secret)
        defer { SigV4aKeyDerivation.wipe(&scalar) }
        let derived = try SigV4aPrivateKey(scalar: scalar)
        state.withLock { s in
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = derived
            s.last = (key, derived)
        }
        return derived
    }
}
