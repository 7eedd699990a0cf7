import CCrypto

/// SHA-256 and HMAC-SHA256 on OpenSSL's EVP interface (never its deprecated low-level calls).
///
/// The SHA-256 implementation is fetched once per process. HMAC keys that are used many times
/// (the daily signing key) are prepared once: the digest states after absorbing `key ^ ipad`
/// and `key ^ opad` are kept, so each MAC afterwards costs only the message blocks.
enum Digest {
    /// The fetched SHA-256 implementation; nil only if libcrypto has no SHA-256 at all.
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    static let blockSize = 64
    static let length = 32

    /// SHA-256 of `bytes` into `out` (32 bytes).
    static func sha256(_ bytes: UnsafeRawBufferPointer, ctx: OpaquePointer, into out: UnsafeMutableRawPointer) {
        EVP_DigestInit_ex2(ctx, sha256, nil)
        EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count)
        EVP_DigestFinal_ex(ctx, out.assumingMemoryBound(to: UInt8.self), nil)
    }

    /// SHA-256 of `bytes` as 32 raw bytes.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let ctx = Context()
        return [UInt8](unsafeUninitializedCapacity: length) { buf, n in
            sha256(bytes, ctx: ctx.pointer, into: UnsafeMutableRawPointer(buf.baseAddress!))
            n = length
        }
    }

    /// An owned `EVP_MD_CTX`.
    final class Context {
        let pointer: OpaquePointer
        init() {
            // EVP_MD_CTX_new fails only when malloc fails; there is nothing better to do then.
            guard let p = EVP_MD_CTX_new() else { fatalError("SigV4: out of memory allocating a digest context") }
            pointer = p
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }
}

/// An HMAC-SHA256 key with its inner and outer digest states precomputed.
final class HMACKey: @unchecked Sendable {
    // Both contexts are written only in init; afterwards they are only read (copied from),
    // which OpenSSL allows from several threads at once.
    private let inner: Digest.Context
    private let outer: Digest.Context

    init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: Digest.blockSize)
        if key.count > Digest.blockSize {
            let hashed = Digest.sha256(key)
            block.replaceSubrange(0..<hashed.count, with: hashed)
        } else if key.count > 0 {
            block.withUnsafeMutableBytes { $0.copyMemory(from: key) }
        }
        inner = Digest.Context()
        outer = Digest.Context()
        var pad = block.map { $0 ^ 0x36 }
        EVP_DigestInit_ex2(inner.pointer, Digest.sha256, nil)
        EVP_DigestUpdate(inner.pointer, pad, pad.count)
        pad = block.map { $0 ^ 0x5c }
        EVP_DigestInit_ex2(outer.pointer, Digest.sha256, nil)
        EVP_DigestUpdate(outer.pointer, pad, pad.count)
        for i in block.indices { block[i] = 0 }
    }

    convenience init(key: [UInt8]) {
        self.init(key: key.withUnsafeBytes { UnsafeRawBufferPointer($0) })
    }

    /// HMAC-SHA256 of `message` into `out` (32 bytes), using `scratch` as the working context.
    func authenticate(_ message: UnsafeRawBufferPointer, scratch: OpaquePointer, into out: UnsafeMutableRawPointer) {
        let bytes = out.assumingMemoryBound(to: UInt8.self)
        EVP_MD_CTX_copy_ex(scratch, inner.pointer)
        EVP_DigestUpdate(scratch, message.baseAddress, message.count)
        EVP_DigestFinal_ex(scratch, bytes, nil)
        EVP_MD_CTX_copy_ex(scratch, outer.pointer)
        EVP_DigestUpdate(scratch, bytes, Digest.length)
        EVP_DigestFinal_ex(scratch, bytes, nil)
    }

    /// HMAC-SHA256 of `message` as 32 raw bytes.
    func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        let scratch = Digest.Context()
        let msg = Array(message)
        return [UInt8](unsafeUninitializedCapacity: Digest.length) { buf, n in
            msg.withUnsafeBytes { authenticate($0, scratch: scratch.pointer, into: UnsafeMutableRawPointer(buf.baseAddress!)) }
            n = Digest.length
        }
    }
}
