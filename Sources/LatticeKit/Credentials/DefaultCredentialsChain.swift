/// The credential sources the AWS SDKs try, in order: environment variables, the selected
/// profile of the shared files, web identity from the environment, the ECS container
/// endpoint, EC2 instance metadata. The first source that is configured answers (its errors
/// are not skipped); when none is, the error lists what each said.
///
/// The chain does not cache: wrap it in `CachingCredentialsProvider` (as
/// `LatticeConfiguration.makeCredentialsProvider` does).
public struct DefaultCredentialsChain: CredentialsProvider {
    /// Nil: `AWS_PROFILE`, then `default`.
    public var profile: String?
    /// The region for STS calls. Nil: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region.
    public var region: String?
    /// The transport STS, SSO, the container endpoint and IMDS are called with.
    public var transport: any Transport
    /// The variables, files' locations and clock the chain reads.
    public var environment: RuntimeEnvironment
    /// Seconds a profile's `credential_process` may run (see
    /// `ProcessCredentialsProvider.timeout`). Nil: `LATTICE_CREDENTIAL_PROCESS_TIMEOUT`, 60.
    public var credentialProcessTimeout: Double?
    /// Run on each attempt of the STS and IAM Identity Center calls the chain makes.
    public var interceptors: [any Interceptor] = []

    /// The chain the AWS SDKs use: environment, shared files, web identity, container, EC2 instance metadata.
    public init(profile: String? = nil, region: String? = nil, transport: any Transport, environment: RuntimeEnvironment = .live, credentialProcessTimeout: Double? = nil) {
        self.profile = profile
        self.region = region
        self.transport = transport
        self.environment = environment
        self.credentialProcessTimeout = credentialProcessTimeout
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        var looked: [String] = []
        func skip(_ error: ConfigurationError) throws(ConfigurationError) {
            guard error.kind == .noCredentials else { throw error }
            looked.append(error.message)
        }

        do throws(ConfigurationError) {
            return try EnvironmentCredentialsProvider(environment: environment).resolve()
        } catch { try skip(error) }

        let config = try SharedConfig.load(environment: environment)
        var profileProvider = ProfileCredentialsProvider(profile: profile, region: region, transport: transport, environment: environment, credentialProcessTimeout: credentialProcessTimeout)
        profileProvider.interceptors = interceptors
        do throws(ConfigurationError) {
            return try await profileProvider.resolve(config: config)
        } catch { try skip(error) }

        let stsRegion = SettingText.nonEmpty(region) ?? RegionResolver.region(
            explicit: nil, environment: environment,
            profile: ProfileSettings(name: "", region: (try? config.profile(explicit: profile, environment: environment))??["region"])
        )
        if var webIdentity = WebIdentityCredentialsProvider.fromEnvironment(region: stsRegion, transport: transport, environment: environment) {
            webIdentity.interceptors = interceptors
            return try await webIdentity.resolve()
        }
        looked.append("web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set")

        do throws(ConfigurationError) {
            return try await ContainerCredentialsProvider(transport: transport, environment: environment).resolve()
        } catch { try skip(error) }

        do throws(ConfigurationError) {
            // AWS_EC2_METADATA_V1_DISABLED (read by the provider) wins over the profile's setting.
            let v1Disabled = environment.variables["AWS_EC2_METADATA_V1_DISABLED"] != nil ? nil
                : (try? config.profile(explicit: profile, environment: environment))??["ec2_metadata_v1_disabled"].map { $0.lkTrimmed.lowercased() == "true" }
            return try await InstanceMetadataCredentialsProvider(transport: transport, environment: environment, v1Disabled: v1Disabled).resolve()
        } catch { try skip(error) }

        let profileName = SharedConfig.profileName(explicit: profile, environment: environment)
        let credentialsFile = config.credentialsFilePath ?? "~/.aws/credentials"
        throw ConfigurationError(
            .noCredentials,
            "No AWS credentials were found. Looked, in order, at:\n" + looked.map { "  - " + $0 }.joined(separator: "\n")
                + "\nTo fix: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys); or run `aws configure` (or `aws configure --profile \(profileName)`) to write \(credentialsFile); or choose a profile that has credentials with LatticeConfiguration.profile or AWS_PROFILE."
        )
    }
}
