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
    public var signing: SigV4Credentials
    public var expiration: Date?

    public init(_ signing: SigV4Credentials, expiration: Date? = nil) {
        self.signing = signing
        self.expiration = expiration
    }

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.init(SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken), expiration: expiration)
    }

    public var accessKeyId: String { signing.accessKeyId }
    public var secretAccessKey: String { signing.secretAccessKey }
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
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials.
public struct StaticCredentialsProvider: CredentialsProvider {
    public var value: AWSCredentials

    public init(_ credentials: AWSCredentials) {
        value = credentials
    }

    public init(_ credentials: SigV4Credentials) {
        value = AWSCredentials(credentials)
    }

    public func credentials() async throws -> AWSCredentials { value }
}
