#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CCrypto

/// The client tokens apply sends with each create: derived from the topology's name, the
/// resource's address, the request itself (its JSON, parents' IDs included, without the
/// token) and an attempt number. A create retried by the client, or sent again by an apply
/// resumed after an interruption, carries the same token, so the service creates the
/// resource at most once; a changed request gets a new token, so it never collides with an
/// old one. The attempt number moves on only when the service answers a token with a
/// resource that no longer exists (it remembers tokens for a while after a delete): then the
/// create is sent again with the next token; after `attempts` of them, with one the client
/// draws (see `StepRunner.create`).
enum ClientToken {
    /// How many tokens one create tries before it gives up.
    static let attempts = 5

    /// `lk` and 32 base-32 characters (160 bits of SHA-256): within the API's 64 characters.
    static func make(topology: String, address: String, request: some Encodable, attempt: Int) -> String {
        let body = (try? LatticeJSON.sharedEncoder.encode(request)).map { Array($0) } ?? []
        var input = Array("latticekit-topology\u{0}\(topology)\u{0}\(address)\u{0}\(attempt)\u{0}".utf8)
        input += body
        return "lk" + base32(sha256(input).prefix(20))
    }

    /// SHA-256 through libcrypto; should libcrypto refuse, FNV-1a (still deterministic).
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil) }
        if ok == 1, length == 32 { return Array(digest.prefix(32)) }
        var out: [UInt8] = []
        for seed in UInt64(0)..<4 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: hash >> UInt64(shift))) }
        }
        return out
    }

    /// RFC 4648 base 32 in lowercase, without padding.
    static func base32(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
