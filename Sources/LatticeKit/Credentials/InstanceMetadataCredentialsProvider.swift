import SigV4

/// Credentials of the IAM role attached to an EC2 instance, through IMDSv2: a session token
/// from `PUT /latest/api/token`, then the role name and its credentials under
/// `/latest/meta-data/iam/security-credentials/`. `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// changes the endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` picks the IPv6 one);
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off. When the service cannot be
/// reached (not on EC2), the error's kind is `.noCredentials`.
public struct InstanceMetadataCredentialsProvider: CredentialsProvider {
    public var transport: any Transport
    public var environment: RuntimeEnvironment

    static let tokenTTLSeconds = "21600"
    static let timeouts = HTTPTimeouts(connect: 1, read: 2)
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    public init(transport: any Transport, environment: RuntimeEnvironment = .live) {
        self.transport = transport
        self.environment = environment
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

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        if isDisabled {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        }
        let base = endpoint
        var tokenHeaders = HTTPHeaders()
        tokenHeaders.add(name: "x-aws-ec2-metadata-token-ttl-seconds", value: Self.tokenTTLSeconds)
        let tokenResponse = try await send(HTTPRequest(method: "PUT", url: base + "/latest/api/token", headers: tokenHeaders, timeouts: Self.timeouts), unreachableIsAbsent: true)
        guard tokenResponse.status == 200 else {
            if tokenResponse.status == 403 || tokenResponse.status == 404 {
                throw ConfigurationError(.noCredentials, "EC2 instance metadata: \(base) refused a session token (HTTP \(tokenResponse.status)); IMDS may be disabled on this instance")
            }
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(tokenResponse.status) to the token request. Check the instance's metadata options (IMDSv2, hop limit).")
        }
        let token = tokenResponse.bodyText.lkTrimmed
        var headers = HTTPHeaders()
        headers.add(name: "x-aws-ec2-metadata-token", value: token)

        let roleResponse = try await send(HTTPRequest(method: "GET", url: base + Self.credentialsPath, headers: headers, timeouts: Self.timeouts), unreachableIsAbsent: false)
        if roleResponse.status == 404 {
            throw ConfigurationError(.noCredentials, "EC2 instance metadata: no IAM role is attached to this instance (attach an instance profile)")
        }
        guard roleResponse.status == 200,
            let role = roleResponse.bodyText.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map({ $0.lkTrimmed }),
            !role.isEmpty
        else {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(roleResponse.status) without a role name. Check the instance profile.")
        }

        let credentialsURL = base + Self.credentialsPath + PercentEncoding.encode(role)
        let response = try await send(HTTPRequest(method: "GET", url: credentialsURL, headers: headers, timeouts: Self.timeouts), unreachableIsAbsent: false)
        guard response.status == 200 else {
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(base) answered HTTP \(response.status) for the credentials of role \(role). Check the instance profile.")
        }
        return try MetadataCredentials.decode(response.body, source: "EC2 instance metadata (role \(role))")
    }

    private func send(_ request: HTTPRequest, unreachableIsAbsent: Bool) async throws(ConfigurationError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            let reason = ContainerCredentialsProvider.describe(error)
            if unreachableIsAbsent {
                throw ConfigurationError(.noCredentials, "EC2 instance metadata: \(endpoint) is not reachable (\(reason)); not running on EC2?")
            }
            throw ConfigurationError(.credentialsFailed, "EC2 instance metadata at \(endpoint) stopped answering: \(reason). Try again.")
        }
    }
}
