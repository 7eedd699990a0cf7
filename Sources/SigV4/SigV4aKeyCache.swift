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

    private let cache: BoundedCache<Key, SigV4aPrivateKey>

    /// A cache of derived key pairs.
    ///
    /// - Parameter capacity: How many access keys' pairs are kept; the least recently used goes first.
    public init(capacity: Int = 16) {
        cache = BoundedCache(capacity: capacity)
    }

    /// The number of keys held now.
    public var count: Int { cache.count }

    /// Empties the cache.
    public func removeAll() { cache.removeAll() }

    public var description: String { "SigV4aKeyCache(count: \(count), capacity: \(cache.capacity))" }

    /// Shows the counts only: `dump` must not walk into the entries, whose keys hold secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["count": count, "capacity": cache.capacity], displayStyle: .class)
    }

    /// The public key AWS associates with these credentials under SigV4a (the session token
    /// plays no part).
    public func publicKey(for credentials: SigV4Credentials) throws(SigV4Error) -> SigV4aPublicKey {
        try privateKey(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey).publicKey
    }

    func privateKey(accessKeyId: String, secret: String) throws(SigV4Error) -> SigV4aPrivateKey {
        try cache.value(for: Key(accessKeyId: accessKeyId, secret: secret)) { () throws(SigV4Error) -> SigV4aPrivateKey in
            var scalar = try SigV4aKeyDerivation.privateScalar(accessKeyId: accessKeyId, secretAccessKey: secret)
            defer { SigV4aKeyDerivation.wipe(&scalar) }
            return try SigV4aPrivateKey(scalar: scalar)
        }
    }
}
