#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// The two STS query-API calls credential providers need, sent through the request pipeline
/// (retries, clock-skew correction, the user agent, interceptors).
struct STSClient: Sendable {
    var transport: any Transport
    var environment: RuntimeEnvironment
    /// The region whose STS endpoint is used; nil: the global endpoint, signed for us-east-1.
    var region: String?
    var interceptors: [any Interceptor] = []

    static let apiVersion = "2011-06-15"
    static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// `AWS_ENDPOINT_URL_STS`, else `https://sts.{region}.amazonaws.com` (`.com.cn` in China),
    /// else `https://sts.amazonaws.com`.
    var endpoint: String {
        let variable = "AWS_ENDPOINT_URL_STS"
        guard let region = SettingText.nonEmpty(region) else {
            return SettingText.nonEmpty(environment.variables[variable]) ?? "https://sts.amazonaws.com"
        }
        return CredentialEndpoint.url(host: "sts", region: region, variable: variable, variables: environment.variables)
    }

    var url: String {
        let base = endpoint
        // A bare scheme://host gets the root path; a custom endpoint with a path keeps it.
        if let parsed = ParsedURL(base), parsed.path.isEmpty, parsed.query == nil { return base + "/" }
        return base
    }

    var signingRegion: String { SettingText.nonEmpty(region) ?? "us-east-1" }

    /// AssumeRole signed with `source`'s credentials, fetched for each attempt (a refreshable
    /// source is refreshed once if STS says they expired). The source's own errors pass through.
    func assumeRole(
        roleArn: String,
        sessionName: String,
        externalId: String?,
        durationSeconds: Int?,
        source: any CredentialsProvider
    ) async throws -> AWSCredentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        return try await call("AssumeRole", params, roleArn: roleArn, signWith: source)
    }

    /// AssumeRole signed with credentials already resolved.
    func assumeRole(
        roleArn: String,
        sessionName: String,
        externalId: String?,
        durationSeconds: Int?,
        source: AWSCredentials
    ) async throws(ConfigurationError) -> AWSCredentials {
        try await mapped("AssumeRole", roleArn) {
            try await assumeRole(
                roleArn: roleArn, sessionName: sessionName, externalId: externalId,
                durationSeconds: durationSeconds, source: StaticCredentialsProvider(source)
            )
        }
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws(ConfigurationError) -> AWSCredentials {
        let params = [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        return try await mapped("AssumeRoleWithWebIdentity", roleArn) {
            try await call("AssumeRoleWithWebIdentity", params, roleArn: roleArn, signWith: nil)
        }
    }

    /// `Action=...&Version=...&name=value...`, each value percent-encoded (RFC 3986).
    static func formBody(_ action: String, _ params: [(String, String)]) -> String {
        ([("Action", action), ("Version", apiVersion)] + params)
            .map { "\($0.0)=\(PercentEncoding.encode($0.1))" }
            .joined(separator: "&")
    }

    /// Unsigned when `source` is nil. Errors of STS, of the network and of signing become
    /// `ConfigurationError`s naming the role; others (the source's, cancellation) pass through.
    private func call(_ action: String, _ params: [(String, String)], roleArn: String, signWith source: (any CredentialsProvider)?) async throws -> AWSCredentials {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: Self.contentType)
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: Array(Self.formBody(action, params).utf8))
        let service = AWSService(
            name: "sts", endpoint: endpoint,
            signing: source == nil ? .none : .sigV4(name: "sts", region: signingRegion), errors: .query
        )
        let pipeline = RequestPipeline.forCredentials(service, credentials: source, transport: transport, environment: environment, interceptors: interceptors)
        let response: HTTPResponse
        do {
            response = try await pipeline.send(request, operation: action)
        } catch let error as AWSServiceError {
            let note = error.retryStopReason?.note(attempts: error.attempts).map { " [\($0)]" } ?? ""
            throw ConfigurationError(
                .credentialsFailed,
                "STS \(action) for role \(roleArn) failed: \(error.code): \(error.message ?? "no message")\(note). Check the role ARN, its trust policy, and that the source identity may assume it."
            )
        } catch let error as TransportError {
            throw ConfigurationError(.credentialsFailed, "STS \(action) for role \(roleArn) got no answer from \(endpoint): \(error.message). Check the network, or AWS_ENDPOINT_URL_STS.")
        } catch let error as SigV4Error {
            throw ConfigurationError(.invalidConfiguration, "STS \(action) for role \(roleArn) could not be signed: \(error.description).")
        }
        let text = response.bodyText
        let scope = XMLText.element("Credentials", in: text) ?? text
        guard let keyId = XMLText.element("AccessKeyId", in: scope),
            let secret = XMLText.element("SecretAccessKey", in: scope),
            let token = XMLText.element("SessionToken", in: scope),
            let expirationText = XMLText.element("Expiration", in: scope),
            let expiration = RFC3339.parse(expirationText)
        else {
            throw ConfigurationError(
                .credentialsFailed,
                "STS \(action) for role \(roleArn) answered HTTP \(response.status) without the expected Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration). Check AWS_ENDPOINT_URL_STS points at STS."
            )
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// `body`'s errors as `ConfigurationError`s, for callers that throw only those.
    private func mapped(_ action: String, _ roleArn: String, _ body: () async throws -> AWSCredentials) async throws(ConfigurationError) -> AWSCredentials {
        do {
            return try await body()
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(.credentialsFailed, "STS \(action) for role \(roleArn) got no answer from \(endpoint): \(error). Check the network, or AWS_ENDPOINT_URL_STS.")
        }
    }
}

/// Credentials for an IAM role, from STS AssumeRole signed with a source provider's
/// credentials.
public struct AssumeRoleCredentialsProvider: CredentialsProvider {
    /// The role to assume.
    public var roleArn: String
    /// Nil: `latticekit-` followed by the current Unix time.
    public var sessionName: String?
    /// The external ID the role's trust policy asks for, if any.
    public var externalId: String?
    /// Nil: the role's default (one hour).
    public var durationSeconds: Int?
    /// The credentials AssumeRole is signed with.
    public var source: any CredentialsProvider
    /// The region whose STS endpoint is called; nil: the global endpoint.
    public var region: String?
    /// The transport STS is called with.
    public var transport: any Transport
    /// The variables (`AWS_ENDPOINT_URL_STS`) and clock.
    public var environment: RuntimeEnvironment
    /// Run on each attempt of the STS call.
    public var interceptors: [any Interceptor] = []

    /// A provider assuming `roleArn` with `source`'s credentials.
    public init(
        roleArn: String,
        sessionName: String? = nil,
        externalId: String? = nil,
        durationSeconds: Int? = nil,
        source: any CredentialsProvider,
        region: String?,
        transport: any Transport,
        environment: RuntimeEnvironment = .live
    ) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.source = source
        self.region = region
        self.transport = transport
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        let sts = STSClient(transport: transport, environment: environment, region: region, interceptors: interceptors)
        return try await sts.assumeRole(
            roleArn: roleArn,
            sessionName: SettingText.nonEmpty(sessionName) ?? defaultSessionName(environment),
            externalId: SettingText.nonEmpty(externalId),
            durationSeconds: durationSeconds,
            source: source
        )
    }
}

/// Credentials for an IAM role, from STS AssumeRoleWithWebIdentity (unsigned) with the token
/// read from a file on every call (tokens there rotate).
public struct WebIdentityCredentialsProvider: CredentialsProvider {
    /// The file holding the web identity token (`AWS_WEB_IDENTITY_TOKEN_FILE`).
    public var tokenFile: String
    /// The role to assume (`AWS_ROLE_ARN`).
    public var roleArn: String
    /// Nil: `latticekit-` followed by the current Unix time.
    public var sessionName: String?
    /// The region whose STS endpoint is called; nil: the global endpoint.
    public var region: String?
    /// The transport STS is called with.
    public var transport: any Transport
    /// The variables (`AWS_ENDPOINT_URL_STS`) and clock.
    public var environment: RuntimeEnvironment
    /// Run on each attempt of the STS call.
    public var interceptors: [any Interceptor] = []

    /// A provider assuming `roleArn` with the token in `tokenFile`.
    public init(
        tokenFile: String,
        roleArn: String,
        sessionName: String? = nil,
        region: String?,
        transport: any Transport,
        environment: RuntimeEnvironment = .live
    ) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.region = region
        self.transport = transport
        self.environment = environment
    }

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`; nil
    /// when the first two are not both set.
    public static func fromEnvironment(region: String?, transport: any Transport, environment: RuntimeEnvironment = .live) -> WebIdentityCredentialsProvider? {
        let vars = environment.variables
        guard let file = SettingText.nonEmpty(vars["AWS_WEB_IDENTITY_TOKEN_FILE"]), let arn = SettingText.nonEmpty(vars["AWS_ROLE_ARN"]) else { return nil }
        return WebIdentityCredentialsProvider(
            tokenFile: file,
            roleArn: arn,
            sessionName: SettingText.nonEmpty(vars["AWS_ROLE_SESSION_NAME"]),
            region: region,
            transport: transport,
            environment: environment
        )
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        let path = FileAccess.expandHome(tokenFile, variables: environment.variables)
        let token: String
        switch FileAccess.readFile(path) {
        case .contents(let bytes):
            token = String(decoding: bytes, as: UTF8.self).lkTrimmed
        case .missing:
            throw ConfigurationError(.credentialsFailed, "The web identity token file \(path) (for role \(roleArn)) does not exist. Check AWS_WEB_IDENTITY_TOKEN_FILE or the profile's web_identity_token_file.")
        case .failed(let reason):
            throw ConfigurationError(.credentialsFailed, "The web identity token file \(path) (for role \(roleArn)) cannot be read: \(reason). Check its permissions.")
        }
        if token.isEmpty {
            throw ConfigurationError(.credentialsFailed, "The web identity token file \(path) (for role \(roleArn)) is empty. Check that whatever writes the token is running.")
        }
        let sts = STSClient(transport: transport, environment: environment, region: region, interceptors: interceptors)
        return try await sts.assumeRoleWithWebIdentity(
            roleArn: roleArn,
            sessionName: SettingText.nonEmpty(sessionName) ?? defaultSessionName(environment),
            token: token
        )
    }
}

func defaultSessionName(_ environment: RuntimeEnvironment) -> String {
    "latticekit-\(Int(environment.now().timeIntervalSince1970))"
}
