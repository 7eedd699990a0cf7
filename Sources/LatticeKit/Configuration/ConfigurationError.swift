/// Why the client could not be configured: no credentials, no region, a missing profile, an
/// invalid setting, or a credential source that failed. The message says where LatticeKit
/// looked and what to do; it never contains a secret.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is, for code that handles one kind (the CLI maps them to exit codes).
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

    /// What kind of problem it is.
    public var kind: Kind
    /// What went wrong and what to do.
    public var message: String

    /// A configuration error.
    ///
    /// - Parameters:
    ///   - kind: What kind of problem it is.
    ///   - message: What went wrong and what to do, naming the property, variable or file to change.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
