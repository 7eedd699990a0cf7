#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import SigV4

/// Credentials with the time they stop working (nil: they do not expire).
///
/// Like `SigV4Credentials`, the secret key and the session token never appear in
/// `description`, `debugDescription`, `dump` or string interpolation.
public struct AWSCredentials: Sendable, Hashable {
    /// The keys and session token, as SigV4 signs with them.
    public var signing: SigV4Credentials
    /// When they stop working; nil for credentials that do not expire.
    public var expiration: Date?

    /// Credentials from SigV4's type.
    ///
    /// - Parameters:
    ///   - signing: The keys and session token.
    ///   - expiration: When they stop working.
    public init(_ signing: SigV4Credentials, expiration: Date? = nil) {
        self.signing = signing
        self.expiration = expiration
    }

    /// Credentials from their parts.
    ///
    /// - Parameters:
    ///   - accessKeyId: The access key ID.
    ///   - secretAccessKey: The secret access key.
    ///   - sessionToken: The session token, for temporary credentials.
    ///   - expiration: When they stop working; nil for never.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.init(SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken), expiration: expiration)
    }

    /// The access key ID; not secret.
    public var accessKeyId: String { signing.accessKeyId }
    /// The secret access key; never printed.
    public var secretAccessKey: String { signing.secretAccessKey }
    /// The session token of temporary credentials; never printed.
    public var sessionToken: String? { signing.sessionToken }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let expiry = expiration.map { RFC3339.format($0) } ?? "nil"
        return "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"), expiration: \(expiry))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
                "expiration": expiration.map { RFC3339.format($0) } ?? "nil",
            ],
            displayStyle: .struct
        )
    }
}

/// A source of credentials. Called before each signature (usually through
/// `CachingCredentialsProvider`), so an implementation may do I/O.
public protocol CredentialsProvider: Sendable {
    /// The current credentials; a provider may fetch, refresh or cache them. Throws `ConfigurationError` when it has none.
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials.
public struct StaticCredentialsProvider: CredentialsProvider {
    /// The credentials it always returns.
    public var value: AWSCredentials

    /// A provider of fixed credentials.
    ///
    /// - Parameter credentials: The credentials.
    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    /// A provider of fixed credentials that do not expire.
    ///
    /// - Parameter credentials: The credentials.
    public init(_ credentials: SigV4Credentials) {
        value = AWSCredentials(credentials)
    }

    public func credentials() async throws -> AWSCredentials { value }
}
