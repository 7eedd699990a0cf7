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
        }
    }
}
