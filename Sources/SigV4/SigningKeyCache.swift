#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Derived SigV4 signing keys, cached per (secret, date, region, service) so that the four
/// HMACs of the key derivation run once a day per scope instead of once per request.
///
/// The cache is bounded: when it holds `capacity` keys, it is emptied before the next one is
/// added (keys are cheap to derive again; a day rolls all of them anyway).
public final class SigningKeyCache: Sendable {
    struct Key: Hashable {
        let secret: String
        let date: Int
        let region: String
        let service: String
    }

    /// The process-wide cache that signers use unless given another one.
    public static let shared = SigningKeyCache()

    private let cache: BoundedCache<Key, HMACKey>

    /// A cache of signing keys.
    ///
    /// - Parameter capacity: How many keys are kept; the least recently used goes first.
    public init(capacity: Int = 64) {
        cache = BoundedCache(capacity: capacity)
    }

    /// The number of keys held now.
    public var count: Int { cache.count }

    /// Empties the cache.
    public func removeAll() { cache.removeAll() }

    func signingKey(secret: String, date: AmzDate, region: String, service: String) -> HMACKey {
        cache.value(for: Key(secret: secret, date: date.dateStamp, region: region, service: service)) {
            HMACKey(key: Self.derive(secret: secret, date: date, region: region, service: service))
        }
    }

    /// The raw 32-byte signing key for a secret, day, region and service (uncached), for
    /// debugging and for tools that sign by other means.
    public static func deriveKey(secret: String, date: Date, region: String, service: String) throws(SigV4Error) -> [UInt8] {
        derive(secret: secret, date: try AmzDate(date), region: region, service: service)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    static func derive(secret: String, date: AmzDate, region: String, service: String) -> [UInt8] {
        var stamp: [UInt8] = []
        stamp.reserveCapacity(8)
        date.appendDate(to: &stamp)
        var key = Array("AWS4".utf8) + Array(secret.utf8)
        var mac = HMACKey(key: key).authenticate(stamp)
        for i in key.indices { key[i] = 0 }
        mac = HMACKey(key: mac).authenticate(region.utf8)
        mac = HMACKey(key: mac).authenticate(service.utf8)
        return HMACKey(key: mac).authenticate("aws4_request".utf8)
    }
}
