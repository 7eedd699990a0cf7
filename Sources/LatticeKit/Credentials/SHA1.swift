import CCrypto
import SigV4

/// SHA-1 through libcrypto: only to name SSO token cache files as the AWS CLI does.
enum SHA1 {
    /// The lowercase hex digest of `bytes`; nil if libcrypto refuses.
    static func hex(_ bytes: [UInt8]) -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha1(), nil)
        }
        guard ok == 1, length == 20 else { return nil }
        return Hex.encode(digest.prefix(Int(length)))
    }
}
