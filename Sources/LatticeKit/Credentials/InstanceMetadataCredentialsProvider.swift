import SigV4

/// Credentials of the IAM role attached to an EC2 instance, through IMDSv2: a session token
/// from `PUT /latest/api/token`, then the role name and its credentials under
/// `/latest/meta-data/iam/security-credentials/`. `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// changes the endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` picks the IPv6 one);
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off. When the service cannot be
/// reached (not on EC2), the error's kind is `.noCredentials`.
///
/// As botocore does, when the token request is answered 403, 404 or 405, or times out after
/// connecting (a container behind a hop limit of 1 gets no answer to the PUT), the role and
/// its credentials are read without a token (IMDSv1), unless `AWS_EC2_METADATA_V1_DISABLED`
/// or the profile's `ec2_metadata_v1_disabled` is true.
public struct InstanceMetadataCredentialsProvider: CredentialsProvider {
    /// The transport IMDS is called with.
    public var transport: any Transport
    /// Where `AWS_EC2_METADATA_*` are read, and the clock.
    public var environment: RuntimeEnvironment
    /// Whether reading without a token (IMDSv1) is refused. Nil: `AWS_EC2_METADATA_V1_DISABLED`.
    public var v1Disabled: Bool?

    static let tokenTTLSeconds = "21600"
    static let timeouts = HTTPTimeouts(connect: 1, read: 2, attempt: 5)
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    /// A provider reading the EC2 instance metadata service (IMDSv2).
    public init(transport: any Transport, environment: RuntimeEnvironment = .live, v1Disabled: Bool? = nil) {
        self.transport = transport
        self.environment = environment
        self.v1Disabled = v1Disabled
    }

    /// The endpoint without a trailing slash.
    var endpoint: String {
        let vars = environment.variables
        var base = SettingText.nonEmpty(vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"])
            ?? (vars["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    var isDisabled: Bool {
        environment.variables["AWS_EC2_METADATA_DISABLED"]?.lkTrimmed.lowercased() == "true"
    }

    var isV1Disabled: Bool {
        v1Disabled ?? (environment.variables["AWS_EC2_METADATA_V1_DISABLED"]?.lkTrimmed.lowercased() == "true")
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        if isDisabled {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        }
        let base = endpoint
        var headers = HTTPHeaders()
        if let token = try await sessionToken(base) {
            headers.add(name: "x-aws-ec2-metadata-token", value: token)
        }

        let roleResponse = try await send(HTTPRequest(method: "GET", url: base + Self.credentialsPath, headers: headers, timeouts: Self.timeouts))
        if roleResponse.status == 404 {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: no IAM role is attached to this instance (attach an instance profile)")
        }
        if roleResponse.status == 403 {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: \(base) refused the request (HTTP 403); the instance metadata service may be turned off on this instance")
        }
        if roleResponse.status == 401, !headers.contains("x-aws-ec2-metadata-token") {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) requires IMDSv2, but the session token request got no token. Check the instance's metadata options (a hop limit of 1 blocks containers; raise it to 2).")
        }
        guard roleResponse.status == 200,
            let role = roleResponse.bodyText.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map({ $0.lkTrimmed }),
            !role.isEmpty
        else {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(roleResponse.status) without a role name. Check the instance profile.")
        }

        let credentialsURL = base + Self.credentialsPath + PercentEncoding.encode(role)
        let response = try await send(HTTPRequest(method: "GET", url: credentialsURL, headers: headers, timeouts: Self.timeouts))
        guard response.status == 200 else {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(response.status) for the credentials of role \(role). Check the instance profile.")
        }
        return try MetadataCredentials.decode(response.body, source: "EC2 instance metadata (role \(role))")
    }

    /// The IMDSv2 session token, or nil to go on without one (IMDSv1) where botocore does.
    private func sessionToken(_ base: String) async throws(ConfigurationError) -> String? {
        var tokenHeaders = HTTPHeaders()
        tokenHeaders.add(name: "x-aws-ec2-metadata-token-ttl-seconds", value: Self.tokenTTLSeconds)
        let request = HTTPRequest(method: "PUT", url: base + "/latest/api/token", headers: tokenHeaders, timeouts: Self.timeouts)
        let response: HTTPResponse?
        do {
            response = try await transport.send(request)
        } catch let error as TransportError where error.kind == .readTimeout {
            response = nil  // connected, but no answer: botocore then reads without a token
        } catch {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: \(endpoint) is not reachable (\(ContainerCredentialsProvider.describe(error))); not running on EC2?")
        }
        let why: String
        switch response?.status {
        case 200?:
            return response?.bodyText.lkTrimmed
        case nil:
            why = "did not answer the session token request in time"
        case let status? where [403, 404, 405].contains(status):
            why = "refused a session token (HTTP \(status))"
        case 400?:
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP 400 to the token request: the request was malformed. Check AWS_EC2_METADATA_SERVICE_ENDPOINT.")
        case let status?:
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(status) to the token request. Check the instance's metadata options (IMDSv2, hop limit).")
        }
        if isV1Disabled {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) \(why), and reading without a token (IMDSv1) is disabled by AWS_EC2_METADATA_V1_DISABLED or ec2_metadata_v1_disabled. Check the instance's metadata options (IMDSv2 enabled, hop limit 2 for containers).")
        }
        return nil
    }

    private func send(_ request: HTTPRequest) async throws(ConfigurationError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(endpoint) stopped answering: \(ContainerCredentialsProvider.describe(error)). Try again.")
        }
    }
}
