import Logging
public import SigV4

/// How a `LatticeClient` reaches the service. Every member has the default an AWS SDK user
/// expects; values left nil are resolved from the environment and the shared config files
/// (GUIDE.md section 5) when the client is created.
public struct LatticeConfiguration: Sendable {
    /// The AWS region, such as `us-east-1`. Nil: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// profile's `region`.
    public var region: String?
    /// A custom endpoint URL, such as `http://127.0.0.1:5000` for a local emulator. Nil:
    /// `AWS_ENDPOINT_URL_VPC_LATTICE`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, then
    /// the service's endpoint rules.
    public var endpoint: String?
    /// Static credentials. Nil: the default credential chain.
    public var credentials: SigV4Credentials?
    /// The named profile of the shared config files. Nil: `AWS_PROFILE`, then `default`.
    public var profile: String?
    /// Use the FIPS endpoint. Nil: `AWS_USE_FIPS_ENDPOINT`, then the profile.
    public var useFIPS: Bool?
    /// Use the dual-stack (IPv4 and IPv6) endpoint. Nil: `AWS_USE_DUALSTACK_ENDPOINT`, then the
    /// profile.
    public var useDualStack: Bool?
    /// How much of the model's constraints are checked before a request is sent.
    public var validation: ValidationMode
    /// The logger for request-level diagnostics. Secrets are never logged.
    public var logger: Logger

    public init(
        region: String? = nil,
        endpoint: String? = nil,
        credentials: SigV4Credentials? = nil,
        profile: String? = nil,
        useFIPS: Bool? = nil,
        useDualStack: Bool? = nil,
        validation: ValidationMode = .strict,
        logger: Logger = Logger(label: "LatticeKit", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.profile = profile
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
        self.validation = validation
        self.logger = logger
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
