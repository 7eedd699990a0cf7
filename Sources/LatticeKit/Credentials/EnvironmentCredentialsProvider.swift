/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optionally)
/// `AWS_SESSION_TOKEN`. Only one of the first two set is an error; neither set is
/// `ConfigurationError.Kind.noCredentials`.
public struct EnvironmentCredentialsProvider: CredentialsProvider {
    /// Where `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` are read.
    public var environment: RuntimeEnvironment

    /// A provider reading the environment.
    ///
    /// - Parameter environment: Where the variables are read.
    public init(environment: RuntimeEnvironment = .live) {
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    func resolve() throws(ConfigurationError) -> AWSCredentials {
        let vars = environment.variables
        let keyId = SettingText.nonEmpty(vars["AWS_ACCESS_KEY_ID"])
        let secret = SettingText.nonEmpty(vars["AWS_SECRET_ACCESS_KEY"])
        switch (keyId, secret) {
        case let (keyId?, secret?):
            return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: SettingText.nonEmpty(vars["AWS_SESSION_TOKEN"]))
        case (nil, nil):
            throw ConfigurationError(.noCredentials, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (_?, nil):
            throw ConfigurationError(.invalidConfiguration, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset AWS_ACCESS_KEY_ID.")
        case (nil, _?):
            throw ConfigurationError(.invalidConfiguration, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or unset AWS_SECRET_ACCESS_KEY.")
        }
    }
}
