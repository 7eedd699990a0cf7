#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// The two STS query-API calls credential providers need, sent through a `Transport`.
struct STSClient: Sendable {
    var transport: any Transport
    var environment: RuntimeEnvironment
    /// The region whose STS endpoint is used; nil: the global endpoint, signed for us-east-1.
    var region: String?

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
        if let schemeEnd = base.firstRange(of: "://"), !base[schemeEnd.upperBound...].contains("/") {
            return base + "/"
        }
        return base
    }

    var signingRegion: String { SettingText.nonEmpty(region) ?? "us-east-1" }

    func assumeRole(
        roleArn: String,
        sessionName: String,
        externalId: String?,
        durationSeconds: Int?,
        source: AWSCredentials
    ) async throws(ConfigurationError) -> AWSCredentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        return try await call("AssumeRole", params, roleArn: roleArn, signWith: source)
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws(ConfigurationError) -> AWSCredentials {
        let params = [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        return try await call("AssumeRoleWithWebIdentity", params, roleArn: roleArn, signWith: nil)
    }

    /// `Action=...&Version=...&name=value...`, each value percent-encoded (RFC 3986).
    static func formBody(_ action: String, _ params: [(String, String)]) -> String {
        ([("Action", action), ("Version", apiVersion)] + params)
            .map { "\($0.0)=\(PercentEncoding.encode($0.1))" }
            .joined(separator: "&")
    }

    private func call(_ action: String, _ params: [(String, String)], roleArn: String, signWith source: AWSCredentials?) async throws(ConfigurationError) -> AWSCredentials {
        let body = Array(Self.formBody(action, params).utf8)
        let url = self.url
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: Self.contentType)
        if let source {
            var signable = SigV4Request(method: "POST", url: url, headers: headers)
            let signer = SigV4Signer(credentials: source.signing, region: signingRegion, service: "sts")
            do {
                try signer.sign(&signable, payload: .bytes(body), date: environment.now())
            } catch {
                throw ConfigurationError(.invalidConfiguration, "STS \(action) for role \(roleArn) could not be signed: \(error.description).")
            }
            headers = signable.headers
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
        } catch let error as TransportError {
            throw ConfigurationError(.credentialsFailed, "STS \(action) for role \(roleArn) got no answer from \(endpoint): \(error.message). Check the network, or AWS_ENDPOINT_URL_STS.")
        } catch {
            throw ConfigurationError(.credentialsFailed, "STS \(action) for role \(roleArn) got no answer from \(endpoint): \(error). Check the network, or AWS_ENDPOINT_URL_STS.")
        }
        let text = response.bodyText
        guard (200..<300).contains(response.status) else {
            let code = XMLText.element("Code", in: text) ?? "HTTP \(response.status)"
            let message = XMLText.element("Message", in: text) ?? "no message"
            throw ConfigurationError(
                .credentialsFailed,
                "STS \(action) for role \(roleArn) failed: \(code): \(message). Check the role ARN, its trust policy, and that the source identity may assume it."
            )
        }
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
}

/// Just enough XML for STS answers: the text of the first element with a given name.
enum XMLText {
    /// The unescaped content of the first `<name>` or `<name attr=...>` element; nil if absent.
    static func element(_ name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml[searchStart...].firstRange(of: "<" + name) {
            guard open.upperBound < xml.endIndex else { return nil }
            let next = xml[open.upperBound]
            if next == ">" || next == " " || next == "\t" || next == "\n" || next == "\r" || next == "/" {
                guard let tagEnd = xml[open.upperBound...].firstIndex(of: ">") else { return nil }
                if xml[xml.index(before: tagEnd)] == "/" { return "" }
                let contentStart = xml.index(after: tagEnd)
                guard let close = xml[contentStart...].firstRange(of: "</" + name + ">") else { return nil }
                return unescape(String(xml[contentStart..<close.lowerBound])).lkTrimmed
            }
            searchStart = open.upperBound
        }
        return nil
    }

    /// Replaces the five predefined entities and numeric character references.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "&", let semi = text[i...].firstIndex(of: ";"), text.distance(from: i, to: semi) <= 10 {
                let entity = text[text.index(after: i)..<semi]
                var replacement: String? = nil
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    } else if entity.hasPrefix("#") {
                        replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    }
                }
                if let replacement {
                    out += replacement
                    i = text.index(after: semi)
                    continue
                }
            }
            out.append(c)
            i = text.index(after: i)
        }
        return out
    }
}

/// Credentials for an IAM role, from STS AssumeRole signed with a source provider's
/// credentials.
public struct AssumeRoleCredentialsProvider: CredentialsProvider {
    public var roleArn: String
    /// Nil: `latticekit-` followed by the current Unix time.
    public var sessionName: String?
    public var externalId: String?
    /// Nil: the role's default (one hour).
    public var durationSeconds: Int?
    public var source: any CredentialsProvider
    /// The region whose STS endpoint is called; nil: the global endpoint.
    public var region: String?
    public var transport: any Transport
    public var environment: RuntimeEnvironment

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
        let sourceCredentials = try await source.credentials()
        let sts = STSClient(transport: transport, environment: environment, region: region)
        return try await sts.assumeRole(
            roleArn: roleArn,
            sessionName: SettingText.nonEmpty(sessionName) ?? defaultSessionName(environment),
            externalId: SettingText.nonEmpty(externalId),
            durationSeconds: durationSeconds,
            source: sourceCredentials
        )
    }
}

/// Credentials for an IAM role, from STS AssumeRoleWithWebIdentity (unsigned) with the token
/// read from a file on every call (tokens there rotate).
public struct WebIdentityCredentialsProvider: CredentialsProvider {
    public var tokenFile: String
    public var roleArn: String
    /// Nil: `latticekit-` followed by the current Unix time.
    public var sessionName: String?
    public var region: String?
    public var transport: any Transport
    public var environment: RuntimeEnvironment

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
        let sts = STSClient(transport: transport, environment: environment, region: region)
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
