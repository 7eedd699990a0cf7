import Synchronization
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

    private struct State {
        var entries: [Key: HMACKey] = [:]
        // The key used last: most processes sign for one scope, and comparing four strings
        // (usually the very same string objects) is cheaper than hashing them.
        var last: (key: Key, value: HMACKey)?
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 64) {
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

    func signingKey(secret: String, date: AmzDate, region: String, service: String) -> HMACKey {
        let key = Key(secret: secret, date: date.dateStamp, region: region, service: service)
        let hit: HMACKey? = state.withLock { s in
            if let last = s.last, last.key == key { return last.value }
            guard let found = s.entries[key] else { return nil }
            s.last = (key, found)
            return found
        }
        if let hit { return hit }
        let derived = Self.derive(secret: secret, date: date, region: region, service: service)
        state.withLock { s in
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = derived
            s.last = (key, derived)
        }
        return derived
    }

    /// The raw 32-byte signing key for a secret, day, region and service (uncached), for
    /// debugging and for tools that sign by other means.
    public static func deriveKey(secret: String, date: Date, region: String, service: String) throws(SigV4Error) -> [UInt8] {
        let amz = try AmzDate(date)
        var stamp: [UInt8] = []
        amz.appendDate(to: &stamp)
        var mac = HMACKey(key: Array("AWS4".utf8) + Array(secret.utf8)).authenticate(stamp)
        mac = HMACKey(key: mac).authenticate(region.utf8)
        mac = HMACKey(key: mac).authenticate(service.utf8)
        return HMACKey(key: mac).authenticate("aws4_request".utf8)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    static func derive(secret: String, date: AmzDate, region: String, service: String) -> HMACKey {
        var stamp: [UInt8] = []
        stamp.reserveCapacity(8)
        date.appendDate(to: &stamp)
        var key = Array("AWS4".utf8) + Array(secret.utf8)
        var mac = HMACKey(key: key).authenticate(stamp)
        for i in key.indices { key[i] = 0 }
        mac = HMACKey(key: mac).authenticate(region.utf8)
        mac = HMACKey(key: mac).authenticate(service.utf8)
        mac = HMACKey(key: mac).authenticate("aws4_request".utf8)
        return HMACKey(key: mac)
    }
}
