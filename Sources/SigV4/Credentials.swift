/// AWS credentials used to sign requests.
///
/// The secret access key and session token never appear in `description`, `debugDescription`,
/// `dump` or string interpolation: only the access key id, which AWS treats as an identifier.
public struct SigV4Credentials: Sendable, Hashable {
    /// The access key ID (`AKIA...` for long-term keys, `ASIA...` for temporary ones); not secret.
    public var accessKeyId: String
    /// The secret access key. Never logged or printed; `description` hides it.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`; nil for long-term keys.
    public var sessionToken: String?

    /// Credentials from their parts.
    ///
    /// - Parameters:
    ///   - accessKeyId: The access key ID.
    ///   - secretAccessKey: The secret access key.
    ///   - sessionToken: The session token, for temporary credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension SigV4Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SigV4Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ],
            displayStyle: .struct
        )
    }
}
