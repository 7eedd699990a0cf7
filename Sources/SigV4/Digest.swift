import CCrypto

/// SHA-256 and HMAC-SHA256 on OpenSSL's libcrypto (see Sources/CCrypto/shim.h for why the
/// SHA256_CTX interface). Nothing here allocates.
enum Digest {
    static let blockSize = 64
    static let length = 32

    /// SHA-256 of `bytes` into `out` (32 bytes).
    @inline(__always)
    static func sha256(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        SHA256_Update(&ctx, bytes.baseAddress, bytes.count)
        SHA256_Final(out, &ctx)
    }

    /// SHA-256 of `bytes` as 32 raw bytes.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { buf, n in
            sha256(bytes, into: buf.baseAddress!)
            n = length
        }
    }
}

/// An HMAC-SHA256 key with its inner and outer digest states precomputed, so each MAC costs
/// only the message's blocks plus one block for the outer hash.
final class HMACKey: Sendable {
    // Written once in init, then only copied by value.
    private let inner: SHA256_CTX
    private let outer: SHA256_CTX

    init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: Digest.blockSize)
        if key.count > Digest.blockSize {
            let hashed = Digest.sha256(key)
            block.replaceSubrange(0..<hashed.count, with: hashed)
        } else if key.count > 0 {
            block.withUnsafeMutableBytes { $0.copyMemory(from: key) }
        }
        var i = SHA256_CTX()
        var o = SHA256_CTX()
        SHA256_Init(&i)
        SHA256_Init(&o)
        var pad = block.map { $0 ^ 0x36 }
        SHA256_Update(&i, pad, pad.count)
        pad = block.map { $0 ^ 0x5c }
        SHA256_Update(&o, pad, pad.count)
        for n in block.indices { block[n] = 0 }
        for n in pad.indices { pad[n] = 0 }
        inner = i
        outer = o
    }

    convenience init(key: [UInt8]) {
        self.init(key: key.withUnsafeBytes { UnsafeRawBufferPointer($0) })
    }

    /// HMAC-SHA256 of `message` into `out` (32 bytes).
    @inline(__always)
    func authenticate(_ message: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var ctx = inner
        SHA256_Update(&ctx, message.baseAddress, message.count)
        SHA256_Final(out, &ctx)
        ctx = outer
        SHA256_Update(&ctx, out, Digest.length)
        SHA256_Final(out, &ctx)
    }

    /// HMAC-SHA256 of `message` as 32 raw bytes.
    func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        let msg = Array(message)
        return [UInt8](unsafeUninitializedCapacity: Digest.length) { buf, n in
            msg.withUnsafeBytes { authenticate($0, into: buf.baseAddress!) }
            n = Digest.length
        }
    }
}
