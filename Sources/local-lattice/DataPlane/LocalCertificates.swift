#if canImport(Glibc)
import Glibc
#endif
import CLocalTLS
import NIOSSL
import Synchronization

/// The certificates of the data plane's TLS port: a certificate authority made at start (its
/// certificate written where the user asks, to be trusted by clients) and, for each server
/// name a client asks for (SNI), a certificate for that name signed by it, made on first use.
/// Keys are P-256; nothing is written but the CA's certificate (never a key).
final class LocalCertificates: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The CA's certificate, PEM.
    let caPEM: String
    private let ca: Issued
    private let issued = Mutex<[String: NIOSSLContextConfigurationOverride]>([:])
    /// Server names kept at once; beyond it the cache starts over (a client cannot make it grow).
    private static let capacity = 512

    /// A key and certificate made here, as PEM, for NIOSSL.
    struct Issued: @unchecked Sendable {
        let keyPEM: String
        let certificatePEM: String
    }

    init() throws(Failure) {
        let made = try Self.make(commonName: "local-lattice CA", names: [], issuer: nil)
        ca = made
        caPEM = made.certificatePEM
    }

    /// The certificate chain and key for `serverName` (nil: no SNI; the certificate then names
    /// `localhost` and 127.0.0.1).
    func override(for serverName: String?) throws -> NIOSSLContextConfigurationOverride {
        let name = serverName.map { $0.lowercased() }.flatMap { Self.isHostName($0) ? $0 : nil } ?? "localhost"
        if let found = issued.withLock({ $0[name] }) { return found }
        // A common name has at most 64 characters (service DNS names are longer): the
        // subject alternative names carry the name that clients check.
        let made = try Self.make(commonName: name.utf8.count <= 64 ? name : "local-lattice service", names: name == "localhost" ? ["localhost"] : [name, "localhost"],
                                 issuer: ca)
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(made.certificatePEM.utf8), format: .pem))]
        override.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(made.keyPEM.utf8), format: .pem))
        issued.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[name] = override
        }
        return override
    }

    /// The default chain and key (for `localhost`), loaded into the server's TLS configuration.
    func defaultIdentity() throws -> (chain: [NIOSSLCertificateSource], key: NIOSSLPrivateKeySource) {
        let o = try override(for: nil)
        guard let chain = o.certificateChain, let key = o.privateKey else { throw Failure(description: "the local certificate has no chain") }
        return (chain, key)
    }

    static func isHostName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 253
            && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            }
    }

    // MARK: libcrypto

    private static func failure(_ what: String) -> Failure {
        let code = ERR_get_error()
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Failure(description: "cannot \(what) for the data plane's TLS port: \(reason)")
    }

    /// A new P-256 key and a certificate for it: a CA's (self-signed) when `issuer` is nil,
    /// else a server's for `names`, signed by `issuer`. Valid from an hour ago for 825 days.
    private static func make(commonName: String, names: [String], issuer: Issued?) throws(Failure) -> Issued {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw failure("make a key context") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_group_name(ctx, "prime256v1") == 1,
              EVP_PKEY_generate(ctx, &key) == 1, let key else { throw failure("make a P-256 key") }
        defer { EVP_PKEY_free(key) }

        var issuerKey: OpaquePointer?
        var issuerCert: OpaquePointer?
        defer {
            if let issuerKey { EVP_PKEY_free(issuerKey) }
            if let issuerCert { X509_free(issuerCert) }
        }
        if let issuer {
            issuerKey = try readKey(issuer.keyPEM)
            issuerCert = try readCertificate(issuer.certificatePEM)
        }

        guard let x = X509_new() else { throw failure("make a certificate") }
        defer { X509_free(x) }
        var serial = UInt64.random(in: 1...UInt64(Int64.max))
        serial &= 0x7FFF_FFFF_FFFF_FFFF
        guard X509_set_version(x, 2) == 1,
              ASN1_INTEGER_set(X509_get_serialNumber(x), Int(serial)) == 1,
              X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(x), 825 * 86_400) != nil,
              X509_set_pubkey(x, key) == 1,
              let subject = X509_get_subject_name(x),
              X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, "local-lattice", -1, -1, 0) == 1,
              X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
        else { throw failure("fill in a certificate") }
        let signer = issuerCert ?? x
        guard X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1 else { throw failure("name the issuer") }

        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, signer, x, nil, nil, 0)
        var extensions: [(Int32, String)]
        if issuer == nil {
            extensions = [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                          (NID_subject_key_identifier, "hash")]
        } else {
            let alt = (names.map { "DNS:\($0)" } + ["IP:127.0.0.1"]).joined(separator: ",")
            extensions = [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                          (NID_ext_key_usage, "serverAuth"), (NID_subject_alt_name, alt), (NID_authority_key_identifier, "keyid")]
        }
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else { throw failure("make the extension \(nid) (\(value))") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x, ext, -1) == 1 else { throw failure("add an extension") }
        }
        guard X509_sign(x, issuerKey ?? key, EVP_sha256()) > 0 else { throw failure("sign a certificate") }
        return Issued(keyPEM: try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) },
                      certificatePEM: try pem { PEM_write_bio_X509($0, x) })
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws(Failure) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("make a memory BIO") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure("write PEM") }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { throw failure("read PEM") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    private static func readKey(_ pem: String) throws(Failure) -> OpaquePointer {
        let key: OpaquePointer? = Array(pem.utf8).withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw failure("read a key") }
        return key
    }

    private static func readCertificate(_ pem: String) throws(Failure) -> OpaquePointer {
        let certificate: OpaquePointer? = Array(pem.utf8).withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let certificate else { throw failure("read a certificate") }
        return certificate
    }
}
