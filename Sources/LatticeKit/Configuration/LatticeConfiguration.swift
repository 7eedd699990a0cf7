import Logging
public import SigV4

/// How a `LatticeClient` reaches the service. Every member has the default an AWS SDK user
/// expects; values left nil are resolved from the environment and the shared config files
/// when the client is created, in the order the AWS SDKs use (the Configuration and
/// credentials article lists it).
public struct LatticeConfiguration: Sendable {
    /// The AWS region, such as `us-east-1`. Nil: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// profile's `region`.
    public var region: String?
    /// A custom endpoint URL, such as `http://127.0.0.1:5000` for a local emulator. Nil:
    /// `AWS_ENDPOINT_URL_VPC_LATTICE`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, then
    /// the service's endpoint rules.
    public var endpoint: String?
    /// Static credentials, such as `AWSCredentials(accessKeyId:secretAccessKey:)`. Nil:
    /// `credentialsProvider`, else the default credential chain.
    public var credentials: AWSCredentials?
    /// Where credentials come from when `credentials` is nil. Nil: the default credential
    /// chain (`DefaultCredentialsChain`), cached.
    public var credentialsProvider: (any CredentialsProvider)?
    /// The named profile of the shared config files. Nil: `AWS_PROFILE`, then `default`.
    public var profile: String?
    /// Use the FIPS endpoint. Nil: `AWS_USE_FIPS_ENDPOINT`, then the profile.
    public var useFIPS: Bool?
    /// Use the dual-stack (IPv4 and IPv6) endpoint. Nil: `AWS_USE_DUALSTACK_ENDPOINT`, then the
    /// profile.
    public var useDualStack: Bool?
    /// How much of the model's constraints are checked before a request is sent.
    public var validation: ValidationMode
    /// The most attempts per call. Nil: `AWS_MAX_ATTEMPTS`, the profile's `max_attempts`, 3.
    public var maxAttempts: Int?
    /// Standard or adaptive retries. Nil: `AWS_RETRY_MODE`, the profile's `retry_mode`,
    /// standard.
    public var retryMode: RetryMode?
    /// The limits on each attempt, in seconds: connect 10, read 60, the whole attempt 120, and
    /// a minimum transfer rate of 1 KiB/s over 30 s once the response has begun (see
    /// `HTTPTimeouts` for why).
    public var timeouts: HTTPTimeouts
    /// Seconds for a whole call: every attempt and every wait between them. No attempt starts
    /// and no wait begins that would end after it, and the attempt in flight is cut at it.
    /// 300 by default: room for the 3 default attempts to each wait out a full read timeout,
    /// with the backoffs between them, while a server that keeps every attempt alive (a
    /// trickle fast enough to pass the rate check) still cannot hold a call longer.
    /// `.infinity` turns it off.
    public var callTimeout: Double
    /// Verify TLS certificates (turn off only for a local test endpoint).
    public var verifyTLS: Bool
    /// The logger for request-level diagnostics. Secrets are never logged.
    public var logger: Logger
    /// Seconds a profile's `credential_process` may run before it (and every process it
    /// started) is killed. Nil: `LATTICE_CREDENTIAL_PROCESS_TIMEOUT`, then 60.
    public var credentialProcessTimeout: Double?
    /// Hooks run on every attempt of every AWS call the client makes, in this order: its
    /// operations, and the STS and IAM Identity Center calls of the default credential chain.
    public var interceptors: [any Interceptor]

    /// A configuration; everything left nil is resolved as the AWS SDKs resolve it (environment, then the shared files).
    public init(
        region: String? = nil,
        endpoint: String? = nil,
        credentials: AWSCredentials? = nil,
        credentialsProvider: (any CredentialsProvider)? = nil,
        profile: String? = nil,
        useFIPS: Bool? = nil,
        useDualStack: Bool? = nil,
        validation: ValidationMode = .strict,
        maxAttempts: Int? = nil,
        retryMode: RetryMode? = nil,
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        callTimeout: Double = LatticeConfiguration.defaultCallTimeout,
        verifyTLS: Bool = true,
        logger: Logger = Logger(label: "LatticeKit", factory: { _ in SwiftLogNoOpLogHandler() }),
        credentialProcessTimeout: Double? = nil,
        interceptors: [any Interceptor] = []
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.credentialsProvider = credentialsProvider
        self.profile = profile
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
        self.validation = validation
        self.maxAttempts = maxAttempts
        self.retryMode = retryMode
        self.timeouts = timeouts
        self.callTimeout = callTimeout
        self.verifyTLS = verifyTLS
        self.logger = logger
        self.credentialProcessTimeout = credentialProcessTimeout
        self.interceptors = interceptors
    }

    /// A configuration with SigV4's credentials type, as before LatticeKit took its own.
    @available(*, deprecated, message: "pass AWSCredentials(accessKeyId:secretAccessKey:sessionToken:) as credentials; LatticeKit's own type, no SigV4 import needed")
    public init(
        region: String? = nil, endpoint: String? = nil, credentials: SigV4Credentials, credentialsProvider: (any CredentialsProvider)? = nil,
        profile: String? = nil, useFIPS: Bool? = nil, useDualStack: Bool? = nil, validation: ValidationMode = .strict, maxAttempts: Int? = nil,
        retryMode: RetryMode? = nil, timeouts: HTTPTimeouts = HTTPTimeouts(), callTimeout: Double = LatticeConfiguration.defaultCallTimeout,
        verifyTLS: Bool = true, logger: Logger = Logger(label: "LatticeKit", factory: { _ in SwiftLogNoOpLogHandler() }),
        credentialProcessTimeout: Double? = nil, interceptors: [any Interceptor] = []
    ) {
        self.init(
            region: region, endpoint: endpoint, credentials: AWSCredentials(credentials), credentialsProvider: credentialsProvider,
            profile: profile, useFIPS: useFIPS, useDualStack: useDualStack, validation: validation, maxAttempts: maxAttempts,
            retryMode: retryMode, timeouts: timeouts, callTimeout: callTimeout, verifyTLS: verifyTLS, logger: logger,
            credentialProcessTimeout: credentialProcessTimeout, interceptors: interceptors
        )
    }
}

extension LatticeConfiguration {
    /// See `callTimeout`.
    public static let defaultCallTimeout = 300.0

    /// The credentials provider a client uses: `credentials` if set, else
    /// `credentialsProvider`, else the default chain for `profile` and `region`, wrapped in a
    /// `CachingCredentialsProvider`.
    package func makeCredentialsProvider(transport: any Transport, environment: RuntimeEnvironment = .live) -> any CredentialsProvider {
        if let credentials { return StaticCredentialsProvider(credentials) }
        if let credentialsProvider { return credentialsProvider }
        var chain = DefaultCredentialsChain(profile: profile, region: region, transport: transport, environment: environment, credentialProcessTimeout: credentialProcessTimeout)
        chain.interceptors = interceptors
        return CachingCredentialsProvider(chain, environment: environment)
    }

    /// The selected profile's settings (`profile`, `AWS_PROFILE`, then `default`).
    package func loadProfileSettings(environment: RuntimeEnvironment = .live) throws(ConfigurationError) -> ProfileSettings {
        try ProfileSettings.load(profile: profile, environment: environment)
    }

    /// The region: `region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`;
    /// none is an error saying where LatticeKit looked and how to set one.
    package func resolveRegion(profileSettings: ProfileSettings?, environment: RuntimeEnvironment = .live) throws(ConfigurationError) -> String {
        try RegionResolver.requireRegion(explicit: region, environment: environment, profile: profileSettings)
    }
}

/// Client-side checking of requests against the service model's constraints.
public enum ValidationMode: String, Sendable, Hashable, CaseIterable {
    /// Every constraint: required members, lengths, ranges and patterns.
    case strict
    /// Everything but patterns, for emulators whose identifiers do not follow the service's
    /// formats.
    case relaxed
    /// No client-side checks.
    case off
}
