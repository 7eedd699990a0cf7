/// Why a request could not be signed. Each case says what to fix; none carries a secret.
public enum SigV4Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL has no `scheme://host` part, or the host is empty.
    case invalidURL(String)
    /// Presigned URL lifetimes must be between 1 second and 7 days (604800 seconds).
    case invalidExpiry(seconds: Int)
    /// The region or the service name is empty.
    case missingScope(String)
    /// The signing time is outside years 1970 through 9999.
    case invalidDate
    /// SigV4a: the region set is empty, or an entry is empty or holds a comma or white space.
    case invalidRegionSet([String])
    /// SigV4a: no P-256 key could be derived for this access key id (all 254 counter values
    /// gave a candidate out of range; with genuine credentials this does not happen).
    case keyDerivationFailed(accessKeyId: String)
    /// SigV4a: a libcrypto call failed; `operation` names it, `detail` is OpenSSL's reason.
    case cryptoFailure(operation: String, detail: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "SigV4: cannot sign '\(url)': the URL needs a scheme and a host, such as https://vpc-lattice.us-east-1.amazonaws.com/services"
        case .invalidExpiry(let seconds):
            return "SigV4: a presigned URL cannot expire after \(seconds) seconds: choose a value from 1 to 604800 (7 days)"
        case .missingScope(let what):
            return "SigV4: the \(what) is empty: pass the AWS region (such as us-east-1) and the signing name of the service (such as vpc-lattice)"
        case .invalidDate:
            return "SigV4: the signing time must lie between 1970-01-01 and 9999-12-31 UTC"
        case .invalidRegionSet(let set):
            return "SigV4a: the region set \(set) is not valid: pass one or more regions or wildcard patterns, such as [\"us-east-1\", \"us-west-2\"] or [\"*\"], none empty and none with commas or white space"
        case .keyDerivationFailed(let accessKeyId):
            return "SigV4a: no P-256 signing key could be derived for access key id \(accessKeyId) after 254 attempts: check that the credentials are genuine AWS credentials"
        case .cryptoFailure(let operation, let detail):
            return "SigV4a: libcrypto failed to \(operation)\(detail.isEmpty ? "" : " (\(detail))"): check that OpenSSL 3 (libcrypto) is installed and supports the P-256 curve"
        }
    }
}
