import CCrypto

/// A P-256 public key, as SigV4a derives it from an access key pair: the affine coordinates
/// x and y, 32 bytes each, big-endian.
public struct SigV4aPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The x coordinate, 32 bytes big-endian.
    public let x: [UInt8]
    /// The y coordinate, 32 bytes big-endian.
    public let y: [UInt8]

    /// A public key from its coordinates.
    ///
    /// - Parameters:
    ///   - x: The x coordinate, 32 bytes big-endian.
    ///   - y: The y coordinate, 32 bytes big-endian.
    public init(x: [UInt8], y: [UInt8]) {
        self.x = x
        self.y = y
    }

    /// The key from hexadecimal coordinates; nil unless each is 64 hex digits.
    public init?(hexX: String, hexY: String) {
        guard let x = Self.bytes(hex: hexX), let y = Self.bytes(hex: hexY), x.count == 32, y.count == 32 else { return nil }
        self.init(x: x, y: y)
    }

    /// The uncompressed SEC 1 point: 0x04, x, y.
    public var uncompressed: [UInt8] { [0x04] + x + y }

    public var description: String { "SigV4aPublicKey(x: \(Hex.encode(x)), y: \(Hex.encode(y)))" }

    /// Whether `signature` (ASN.1 DER) is a valid ECDSA P-256 signature of SHA-256(`message`)
    /// under this key: `message` is the string to sign. Throws when the coordinates are not
    /// a point of P-256, or libcrypto fails.
    public func isValidSignature(_ signature: [UInt8], for message: some Collection<UInt8>) throws(SigV4Error) -> Bool {
        let key = try P256.publicKey(uncompressed)
        defer { EVP_PKEY_free(key) }
        let bytes = Array(message)
        ERR_clear_error()
        guard let ctx = EVP_MD_CTX_new() else { throw P256.failure("allocate a digest context for verification") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, key) == 1 else {
            throw P256.failure("start an ECDSA P-256 SHA-256 verification")
        }
        // 1: valid; 0: not valid; below 0: malformed DER, which is not valid either.
        let result = EVP_DigestVerify(ctx, signature, signature.count, bytes, bytes.count)
        ERR_clear_error()
        return result == 1
    }

    /// `isValidSignature` for a hex signature, as in an Authorization header or a presigned
    /// URL; a string that is not hex is not a valid signature.
    public func isValidSignature(hex: String, for stringToSign: String) throws(SigV4Error) -> Bool {
        guard let der = Self.bytes(hex: hex) else { return false }
        return try isValidSignature(der, for: stringToSign.utf8)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = Hex.value(digits[i]), let lo = Hex.value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// A SigV4a private key in libcrypto (an `EVP_PKEY`), made once per access key pair.
///
/// Unchecked Sendable: the key is never changed after `init`, and OpenSSL 3 allows one
/// `EVP_PKEY` to sign on several threads at once (each signature has its own context).
final class SigV4aPrivateKey: @unchecked Sendable, CustomStringConvertible {
    private let pkey: OpaquePointer
    let publicKey: SigV4aPublicKey

    /// The key for a 32-byte big-endian scalar in [1, n - 1].
    init(scalar: [UInt8]) throws(SigV4Error) {
        let point = try P256.publicPoint(scalar: scalar)
        pkey = try P256.keyPair(scalar: scalar, point: point)
        publicKey = SigV4aPublicKey(x: Array(point[1..<33]), y: Array(point[33..<65]))
    }

    deinit { EVP_PKEY_free(pkey) }

    var description: String { "SigV4aPrivateKey(publicKey: \(publicKey), privateKey: <redacted>)" }

    /// The largest DER signature this key makes (72 bytes for P-256).
    var maxSignatureLength: Int { Int(EVP_PKEY_get_size(pkey)) }

    /// ECDSA P-256 over SHA-256 of `message`, as ASN.1 DER. Each call draws a fresh nonce, so
    /// the same message gives a different signature each time.
    func sign(_ message: UnsafeRawBufferPointer) throws(SigV4Error) -> [UInt8] {
        ERR_clear_error()
        guard let ctx = EVP_MD_CTX_new() else { throw P256.failure("allocate a digest context for signing") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1 else {
            throw P256.failure("start an ECDSA P-256 SHA-256 signature")
        }
        let capacity = max(maxSignatureLength, 72)
        var length = capacity
        var der = [UInt8](repeating: 0, count: capacity)
        let tbs = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard EVP_DigestSign(ctx, &der, &length, tbs, message.count) == 1, length <= capacity else {
            throw P256.failure("compute the ECDSA P-256 signature")
        }
        der.removeSubrange(length...)
        return der
    }
}

/// The libcrypto calls for P-256: the public point of a scalar, and keys built from parts.
enum P256 {
    /// OSSL_PARAM keys and values are kept by pointer until the parameters are freed, so they
    /// must be static strings (the names of OSSL_PKEY_PARAM_GROUP_NAME, _PRIV_KEY, _PUB_KEY).
    static let groupKey: StaticString = "group"
    static let privateKeyKey: StaticString = "priv"
    static let publicKeyKey: StaticString = "pub"
    static let curveName: StaticString = "prime256v1"

    // EVP_PKEY_PUBLIC_KEY and EVP_PKEY_KEYPAIR are macros of macros that Swift does not import;
    // these are their definitions in <openssl/evp.h>.
    static let selectParameters = Int32(OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS)
    static let selectPublicKey = selectParameters | Int32(OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
    static let selectKeyPair = selectPublicKey | Int32(OSSL_KEYMGMT_SELECT_PRIVATE_KEY)

    /// The error for a failed libcrypto call, with OpenSSL's first queued reason.
    static func failure(_ operation: String) -> SigV4Error {
        let code = ERR_get_error()
        var detail = ""
        if code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            detail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        ERR_clear_error()
        return .cryptoFailure(operation: operation, detail: detail)
    }

    @inline(__always)
    static func cString(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// The uncompressed point scalar × G (65 bytes: 0x04, x, y).
    static func publicPoint(scalar: [UInt8]) throws(SigV4Error) -> [UInt8] {
        ERR_clear_error()
        guard let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1) else { throw failure("load the P-256 curve") }
        defer { EC_GROUP_free(group) }
        guard let bn = secretNumber(scalar) else { throw failure("load the private scalar") }
        defer { BN_clear_free(bn) }
        guard let point = EC_POINT_new(group) else { throw failure("allocate a P-256 point") }
        defer { EC_POINT_free(point) }
        guard EC_POINT_mul(group, point, bn, nil, nil, nil) == 1 else { throw failure("compute the public key from the private scalar") }
        var out = [UInt8](repeating: 0, count: 65)
        let written = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, &out, out.count, nil)
        guard written == 65 else { throw failure("encode the public key") }
        return out
    }

    /// An `EVP_PKEY` holding the private scalar and its public point.
    static func keyPair(scalar: [UInt8], point: [UInt8]) throws(SigV4Error) -> OpaquePointer {
        ERR_clear_error()
        guard let bn = secretNumber(scalar) else { throw failure("load the private scalar") }
        defer { BN_clear_free(bn) }
        return try point.withUnsafeBufferPointer { (p: UnsafeBufferPointer<UInt8>) throws(SigV4Error) -> OpaquePointer in
            try fromData(selection: selectKeyPair, what: "build the P-256 private key") { bld in
                OSSL_PARAM_BLD_push_BN(bld, cString(privateKeyKey), bn) == 1
                    && OSSL_PARAM_BLD_push_octet_string(bld, cString(publicKeyKey), p.baseAddress, p.count) == 1
            }
        }
    }

    /// An `EVP_PKEY` holding only a public point (65 bytes, uncompressed); libcrypto checks
    /// that the point is on the curve.
    static func publicKey(_ point: [UInt8]) throws(SigV4Error) -> OpaquePointer {
        ERR_clear_error()
        return try point.withUnsafeBufferPointer { (p: UnsafeBufferPointer<UInt8>) throws(SigV4Error) -> OpaquePointer in
            try fromData(selection: selectPublicKey, what: "load the P-256 public key (is the point on the curve?)") { bld in
                OSSL_PARAM_BLD_push_octet_string(bld, cString(publicKeyKey), p.baseAddress, p.count) == 1
            }
        }
    }

    /// Builds an EC key of the P-256 group from parameters that `push` adds; the pointers it
    /// pushes must stay valid until this returns.
    private static func fromData(
        selection: Int32,
        what: String,
        push: (OpaquePointer) -> Bool
    ) throws(SigV4Error) -> OpaquePointer {
        guard let bld = OSSL_PARAM_BLD_new() else { throw failure("allocate key parameters") }
        defer { OSSL_PARAM_BLD_free(bld) }
        guard OSSL_PARAM_BLD_push_utf8_string(bld, cString(groupKey), cString(curveName), 0) == 1, push(bld) else {
            throw failure("set the key parameters to \(what)")
        }
        guard let params = OSSL_PARAM_BLD_to_param(bld) else { throw failure("collect the key parameters to \(what)") }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw failure("create an EC key context") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(ctx) == 1, EVP_PKEY_fromdata(ctx, &key, selection, params) == 1, let key else {
            throw failure(what)
        }
        return key
    }

    /// A BIGNUM in secure memory for a big-endian secret, flagged for constant-time use.
    private static func secretNumber(_ bytes: [UInt8]) -> OpaquePointer? {
        guard let bn = BN_secure_new() else { return nil }
        BN_set_flags(bn, BN_FLG_CONSTTIME)
        guard BN_bin2bn(bytes, Int32(bytes.count), bn) != nil else {
            BN_clear_free(bn)
            return nil
        }
        return bn
    }
}
