/// Why the client could not be configured: no credentials, no region, a missing profile, an
/// invalid setting, or a credential source that failed. The message says where LatticeKit
/// looked and what to do; it never contains a secret.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No credential source is configured (the chain moves on to the next source).
        case noCredentials
        /// No region is configured.
        case noRegion
        /// A profile was asked for by name and is in none of the files.
        case profileNotFound
        /// A file or a setting cannot be understood.
        case invalidConfiguration
        /// A configured credential source failed (STS refused, a process failed, an
        /// endpoint answered with an error).
        case credentialsFailed
    }

    public var kind: Kind
    /// What went wrong and what to do.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
