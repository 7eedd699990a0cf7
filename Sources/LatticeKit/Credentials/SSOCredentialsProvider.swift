#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// Credentials for a role in an account, from IAM Identity Center (SSO): the access token that
/// `aws sso login` cached (refreshed first when a session's token is about to expire) is
/// exchanged at the portal's GetRoleCredentials for temporary keys. The keys carry their
/// expiration, so `CachingCredentialsProvider` fetches new ones before they lapse; the token
/// file is read again on every fetch.
public struct SSOCredentialsProvider: CredentialsProvider {
    /// `sso_start_url`.
    public var startURL: String
    /// `sso_region`: where the portal and the OIDC service of IAM Identity Center are.
    public var ssoRegion: String
    /// `sso_account_id`.
    public var accountId: String
    /// `sso_role_name`.
    public var roleName: String
    /// The `[sso-session]` whose token is used and refreshed. Nil: the legacy form, whose token
    /// is cached under the start URL and never refreshed (as in the AWS CLI).
    public var sessionName: String?
    /// The profile the settings come from; the advice to sign in again names it.
    public var profileName: String?
    /// The transport the SSO portal is called with.
    public var transport: any Transport
    /// Where the token cache is found, and the clock.
    public var environment: RuntimeEnvironment
    /// Run on each attempt of the GetRoleCredentials and CreateToken calls.
    public var interceptors: [any Interceptor] = []

    /// A provider of role credentials from IAM Identity Center, with the token `aws sso login` cached.
    public init(
        startURL: String,
        ssoRegion: String,
        accountId: String,
        roleName: String,
        sessionName: String? = nil,
        profileName: String? = nil,
        transport: any Transport,
        environment: RuntimeEnvironment = .live
    ) {
        self.startURL = startURL
        self.ssoRegion = ssoRegion
        self.accountId = accountId
        self.roleName = roleName
        self.sessionName = sessionName
        self.profileName = profileName
        self.transport = transport
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        let token = try await tokenSource.accessToken()
        return try await roleCredentials(token: token)
    }

    var tokenSource: SSOTokenSource {
        SSOTokenSource(
            startURL: startURL, ssoRegion: ssoRegion, sessionName: sessionName, loginCommand: loginCommand,
            transport: transport, environment: environment, interceptors: interceptors
        )
    }

    /// The command that signs in again.
    var loginCommand: String {
        if let profileName { return "aws sso login --profile \(profileName)" }
        if let sessionName { return "aws sso login --sso-session \(sessionName)" }
        return "aws sso login"
    }

    /// `https://portal.sso.{sso_region}.amazonaws.com`, or `AWS_ENDPOINT_URL_SSO`.
    var portalEndpoint: String {
        CredentialEndpoint.url(host: "portal.sso", region: ssoRegion, variable: "AWS_ENDPOINT_URL_SSO", variables: environment.variables)
    }

    private struct GetRoleCredentialsResponse: Decodable {
        struct RoleCredentials: Decodable {
            var accessKeyId: String?
            var secretAccessKey: String?
            var sessionToken: String?
            /// Milliseconds since 1970.
            var expiration: Int64?
        }
        var roleCredentials: RoleCredentials?
    }

    /// GetRoleCredentials: an unsigned GET with the token in `x-amz-sso_bearer_token`, through
    /// the request pipeline (retried on throttling and server errors).
    func roleCredentials(token: String) async throws(ConfigurationError) -> AWSCredentials {
        let query = "account_id=\(PercentEncoding.encode(accountId))&role_name=\(PercentEncoding.encode(roleName))"
        let url = CredentialEndpoint.joining(portalEndpoint, "/federation/credentials?" + query)
        var headers = HTTPHeaders()
        headers.add(name: "x-amz-sso_bearer_token", value: token)
        let what = "IAM Identity Center GetRoleCredentials (account \(accountId), role \(roleName))"
        let pipeline = RequestPipeline.forCredentials(
            AWSService(name: "sso", endpoint: portalEndpoint, signing: .none, errors: .restJSON, sendsUserAgent: false),
            credentials: nil, transport: transport, environment: environment, interceptors: interceptors
        )

        let response: HTTPResponse
        do {
            response = try await pipeline.send(HTTPRequest(method: "GET", url: url, headers: headers), operation: "GetRoleCredentials")
        } catch let error as AWSServiceError {
            let status = error.code.hasPrefix("HTTP ") ? "HTTP \(error.httpStatus)" : "HTTP \(error.httpStatus) \(error.code)"
            if error.httpStatus == 401 || error.httpStatus == 403 {
                throw ConfigurationError(.credentialsFailed, "\(what) refused the SSO token (\(status)): the sign-in has expired or was revoked. Run `\(loginCommand)` to sign in again.")
            }
            let fix = error.httpStatus == 404 || error.code == "ResourceNotFoundException"
                ? "Check sso_account_id and sso_role_name: the role must be assigned to you in that account"
                : "Check sso_account_id, sso_role_name and sso_region, or try again later"
            let note = error.retryStopReason?.note(attempts: error.attempts).map { " [\($0)]" } ?? ""
            throw ConfigurationError(.credentialsFailed, "\(what) failed with \(status): \(SSOTokenCache.excerpt(Array(error.body.utf8), hiding: [token]))\(note). \(fix).")
        } catch {
            let reason = SSOTokenCache.redact(ContainerCredentialsProvider.describe(error), [token])
            throw ConfigurationError(.credentialsFailed, "\(what) got no answer from \(portalEndpoint): \(reason). Check the network, or AWS_ENDPOINT_URL_SSO.")
        }
        let payload = try? JSONDecoder().decode(GetRoleCredentialsResponse.self, from: Data(response.body))
        guard let role = payload?.roleCredentials,
            let keyId = SettingText.nonEmpty(role.accessKeyId),
            let secret = SettingText.nonEmpty(role.secretAccessKey),
            let sessionToken = SettingText.nonEmpty(role.sessionToken),
            let milliseconds = role.expiration
        else {
            throw ConfigurationError(
                .credentialsFailed,
                "\(what) answered HTTP \(response.status) without roleCredentials (accessKeyId, secretAccessKey, sessionToken, expiration). Check AWS_ENDPOINT_URL_SSO points at IAM Identity Center."
            )
        }
        return AWSCredentials(
            accessKeyId: keyId,
            secretAccessKey: secret,
            sessionToken: sessionToken,
            expiration: Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        )
    }
}

extension SSOCredentialsProvider {
    /// The SSO settings of a profile, as botocore's SSOProvider reads them: nil unless the
    /// profile sets `sso_account_id` or `sso_role_name`. With `sso_session`, the named
    /// `[sso-session]` section supplies `sso_start_url` and `sso_region` (a value the profile
    /// sets too must agree); without it (the legacy form) the profile holds them.
    static func profile(
        _ name: String,
        _ section: ConfigSection,
        config: SharedConfig,
        transport: any Transport,
        environment: RuntimeEnvironment
    ) throws(ConfigurationError) -> SSOCredentialsProvider? {
        guard section["sso_account_id"] != nil || section["sso_role_name"] != nil else { return nil }
        var settings = section.values.compactMapValues(SettingText.nonEmpty)
        let sessionName = section["sso_session"]
        if let sessionName {
            guard let session = config.ssoSessions[sessionName] else {
                let found = config.ssoSessions.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
                throw ConfigurationError(
                    .invalidConfiguration,
                    "Profile '\(name)' names sso_session = \(sessionName), but the config file has no [sso-session \(sessionName)] section (sessions found: \(found.isEmpty ? "none" : found)). Run `aws configure sso --profile \(name)` or add the section. \(config.filesDescription)"
                )
            }
            for (key, value) in session.values.sorted(by: { $0.key < $1.key }) {
                guard let value = SettingText.nonEmpty(value) else { continue }
                if let own = settings[key], own != value {
                    throw ConfigurationError(
                        .invalidConfiguration,
                        "Profile '\(name)' sets \(key) = \(own), but its [sso-session \(sessionName)] section sets \(key) = \(value): remove the profile's \(key) or make the two agree."
                    )
                }
                settings[key] = value
            }
        }
        let required = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
        let missing = required.filter { settings[$0] == nil }
        guard missing.isEmpty, let startURL = settings["sso_start_url"], let region = settings["sso_region"],
            let accountId = settings["sso_account_id"], let roleName = settings["sso_role_name"]
        else {
            let place = sessionName.map { " (in the profile or its [sso-session \($0)] section)" } ?? ""
            throw ConfigurationError(
                .invalidConfiguration,
                "Profile '\(name)' uses IAM Identity Center (SSO) but is missing \(missing.joined(separator: ", "))\(place). Run `aws configure sso --profile \(name)` to set them."
            )
        }
        return SSOCredentialsProvider(
            startURL: startURL, ssoRegion: region, accountId: accountId, roleName: roleName,
            sessionName: sessionName, profileName: name, transport: transport, environment: environment
        )
    }
}
