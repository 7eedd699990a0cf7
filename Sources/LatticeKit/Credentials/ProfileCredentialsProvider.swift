/// Credentials from a profile of the shared files. In the profile, in botocore's order:
/// `role_arn` with `web_identity_token_file` (and no source) → AssumeRoleWithWebIdentity;
/// `role_arn` with `source_profile` (followed through chains of roles, loops rejected; the
/// source may be any kind of profile below) or `credential_source` (`Environment`,
/// `Ec2InstanceMetadata`, `EcsContainer`) → AssumeRole;
/// `sso_account_id` + `sso_role_name` with `sso_session` (or the legacy `sso_start_url` +
/// `sso_region`) → IAM Identity Center with the token `aws sso login` cached
/// (`SSOCredentialsProvider`);
/// `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`);
/// `credential_process`. The files are read again on every call.
public struct ProfileCredentialsProvider: CredentialsProvider {
    /// Nil: `AWS_PROFILE`, then `default`.
    public var profile: String?
    /// The region whose STS endpoint assumes roles. Nil: `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// the profile's `region`, else the global endpoint.
    public var region: String?
    /// The transport STS and SSO are called with.
    public var transport: any Transport
    /// The variables, files' locations and clock.
    public var environment: RuntimeEnvironment
    /// Seconds a `credential_process` may run (see `ProcessCredentialsProvider.timeout`).
    /// Nil: `LATTICE_CREDENTIAL_PROCESS_TIMEOUT`, 60.
    public var credentialProcessTimeout: Double?
    /// Run on each attempt of the STS and IAM Identity Center calls the profile needs.
    public var interceptors: [any Interceptor] = []

    /// A provider for one profile of the shared files: static keys, `credential_process`, a role, or SSO.
    public init(profile: String? = nil, region: String? = nil, transport: any Transport, environment: RuntimeEnvironment = .live, credentialProcessTimeout: Double? = nil) {
        self.profile = profile
        self.region = region
        self.transport = transport
        self.environment = environment
        self.credentialProcessTimeout = credentialProcessTimeout
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve(config: SharedConfig.load(environment: environment))
    }

    func resolve(config: SharedConfig) async throws(ConfigurationError) -> AWSCredentials {
        let name = SharedConfig.profileName(explicit: profile, environment: environment)
        guard let section = try config.profile(explicit: profile, environment: environment) else {
            throw ConfigurationError(.noCredentials, "shared files: there is no profile 'default'. \(config.filesDescription)")
        }
        let stsRegion = RegionResolver.region(explicit: region, environment: environment, profile: ProfileSettings(name: name, region: section["region"]))
        let resolver = Resolver(config: config, region: stsRegion, transport: transport, environment: environment, credentialProcessTimeout: credentialProcessTimeout, interceptors: interceptors)
        return try await resolver.credentials(name, section, chain: [])
    }

    /// Walks one profile and, for roles, its sources.
    struct Resolver {
        var config: SharedConfig
        var region: String?
        var transport: any Transport
        var environment: RuntimeEnvironment
        var credentialProcessTimeout: Double?
        var interceptors: [any Interceptor]

        func credentials(_ name: String, _ section: ConfigSection, chain: [String]) async throws(ConfigurationError) -> AWSCredentials {
            if let roleArn = section["role_arn"] {
                return try await assumeRole(roleArn, name, section, chain: chain)
            }
            if section["web_identity_token_file"] != nil {
                throw invalid(name, "sets web_identity_token_file without role_arn: add the role_arn to assume")
            }
            // SSO before keys and credential_process, as botocore's profile providers go.
            if var sso = try SSOCredentialsProvider.profile(name, section, config: config, transport: transport, environment: environment) {
                sso.interceptors = interceptors
                return try await sso.resolve()
            }
            if let keys = try staticKeys(name, section) { return keys }
            if let command = section["credential_process"] {
                return try await ProcessCredentialsProvider(command: command, profileName: name, environment: environment, timeout: credentialProcessTimeout).resolve()
            }
            if section["sso_session"] != nil || section["sso_start_url"] != nil {
                throw invalid(name, "uses IAM Identity Center (SSO) but is missing sso_account_id, sso_role_name, so it names no role to sign in to. Run `aws configure sso --profile \(name)` to set them")
            }
            throw ConfigurationError(
                .noCredentials,
                "shared files: profile '\(name)' has no aws_access_key_id, credential_process, role_arn, web_identity_token_file or sso_account_id. \(config.filesDescription)"
            )
        }

        private func staticKeys(_ name: String, _ section: ConfigSection) throws(ConfigurationError) -> AWSCredentials? {
            let keyId = section["aws_access_key_id"]
            let secret = section["aws_secret_access_key"]
            switch (keyId, secret) {
            case let (keyId?, secret?):
                return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: section["aws_session_token"])
            case (nil, nil):
                return nil
            case (_?, nil):
                throw invalid(name, "sets aws_access_key_id without aws_secret_access_key: add the secret key (`aws configure --profile \(name)`)")
            case (nil, _?):
                throw invalid(name, "sets aws_secret_access_key without aws_access_key_id: add the access key id (`aws configure --profile \(name)`)")
            }
        }

        private func assumeRole(_ roleArn: String, _ name: String, _ section: ConfigSection, chain: [String]) async throws(ConfigurationError) -> AWSCredentials {
            let sourceProfile = section["source_profile"]
            let credentialSource = section["credential_source"]
            let sessionName = section["role_session_name"]
            if sourceProfile == nil, credentialSource == nil, let tokenFile = section["web_identity_token_file"] {
                var webIdentity = WebIdentityCredentialsProvider(
                    tokenFile: tokenFile, roleArn: roleArn, sessionName: sessionName,
                    region: region, transport: transport, environment: environment
                )
                webIdentity.interceptors = interceptors
                return try await webIdentity.resolve()
            }
            if sourceProfile != nil, credentialSource != nil {
                throw invalid(name, "sets both source_profile and credential_source: keep one")
            }
            if section["mfa_serial"] != nil {
                throw invalid(name, "sets mfa_serial, and LatticeKit cannot ask for an MFA code: use a credential_process that prompts for it, or remove mfa_serial")
            }
            var duration: Int? = nil
            if let text = section["duration_seconds"] {
                guard let value = Int(text), (900...43_200).contains(value) else {
                    throw invalid(name, "sets duration_seconds = \(text): use a whole number from 900 to 43200")
                }
                duration = value
            }

            let source: AWSCredentials
            if let sourceName = sourceProfile {
                let path = chain + [name]
                if sourceName == name, let keys = try staticKeys(name, section) {
                    // A profile may name itself as the source of its own static keys.
                    source = keys
                } else if path.contains(sourceName) {
                    throw invalid(name, "is part of a source_profile loop (\((path + [sourceName]).joined(separator: " -> "))): make one profile in the chain hold keys or a credential_source")
                } else if let sourceSection = config.profiles[sourceName] {
                    source = try await credentials(sourceName, sourceSection, chain: path)
                } else {
                    throw invalid(name, "names source_profile = \(sourceName), which is not a profile in the files. \(config.filesDescription)")
                }
            } else if let kind = credentialSource {
                source = try await credentialSourceCredentials(kind, name)
            } else {
                throw invalid(name, "sets role_arn without source_profile, credential_source or web_identity_token_file: add one to say whose credentials assume the role")
            }

            let sts = STSClient(transport: transport, environment: environment, region: region, interceptors: interceptors)
            return try await sts.assumeRole(
                roleArn: roleArn,
                sessionName: sessionName ?? defaultSessionName(environment),
                externalId: section["external_id"],
                durationSeconds: duration,
                source: source
            )
        }

        private func credentialSourceCredentials(_ kind: String, _ name: String) async throws(ConfigurationError) -> AWSCredentials {
            do throws(ConfigurationError) {
                switch kind {
                case "Environment":
                    return try EnvironmentCredentialsProvider(environment: environment).resolve()
                case "Ec2InstanceMetadata":
                    return try await InstanceMetadataCredentialsProvider(transport: transport, environment: environment).resolve()
                case "EcsContainer":
                    return try await ContainerCredentialsProvider(transport: transport, environment: environment).resolve()
                default:
                    throw invalid(name, "sets credential_source = \(kind): use Environment, Ec2InstanceMetadata or EcsContainer")
                }
            } catch where error.kind == .noCredentials {
                // The named source must work: "not configured" is a failure here.
                throw ConfigurationError(.credentialsFailed, "Profile '\(name)' takes its source credentials from \(kind), which has none: \(error.message).")
            }
        }

        private func invalid(_ name: String, _ what: String) -> ConfigurationError {
            ConfigurationError(.invalidConfiguration, "Profile '\(name)' \(what).")
        }
    }
}
