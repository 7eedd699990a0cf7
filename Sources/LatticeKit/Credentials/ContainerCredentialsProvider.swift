#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// Credentials from the ECS (or EKS Pod Identity) container credentials endpoint:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on http://169.254.170.2, or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the `Authorization` header taken from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`. A full URI over plain http must name a loopback
/// address or one of the container agents' link-local addresses.
public struct ContainerCredentialsProvider: CredentialsProvider {
    /// The transport the container endpoint is called with.
    public var transport: any Transport
    /// Where the `AWS_CONTAINER_*` variables are read, and the clock.
    public var environment: RuntimeEnvironment

    static let ecsHost = "http://169.254.170.2"
    static let allowedHTTPHosts: Set<String> = ["localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1"]
    static let timeouts = HTTPTimeouts(connect: 2, read: 5, attempt: 10)

    /// A provider reading the container credentials endpoint the environment names.
    ///
    /// - Parameters:
    ///   - transport: The transport to call it with.
    ///   - environment: The variables and clock.
    public init(transport: any Transport, environment: RuntimeEnvironment = .live) {
        self.transport = transport
        self.environment = environment
    }

    /// True when either URI variable is set.
    static func isConfigured(_ variables: [String: String]) -> Bool {
        SettingText.nonEmpty(variables["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) != nil || SettingText.nonEmpty(variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) != nil
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        let vars = environment.variables
        let url: String
        if let relative = SettingText.nonEmpty(vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = Self.ecsHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = SettingText.nonEmpty(vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            try Self.checkFullURI(full)
            url = full
        } else {
            throw ConfigurationError(.noCredentials, "ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }

        var headers = HTTPHeaders()
        headers.add(name: "accept", value: "application/json")
        if let token = try authorizationToken(vars) {
            headers.add(name: "authorization", value: token)
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers, timeouts: Self.timeouts))
        } catch {
            throw ConfigurationError(.credentialsFailed, "The container credentials endpoint \(url) did not answer: \(Self.describe(error)). Check that the task or pod has a role and the agent is reachable.")
        }
        guard (200..<300).contains(response.status) else {
            throw ConfigurationError(.credentialsFailed, "The container credentials endpoint \(url) answered HTTP \(response.status): \(ProcessCredentialsProvider.excerpt(Array(response.body.prefix(300)))). Check the task role and the authorization token.")
        }
        return try MetadataCredentials.decode(response.body, source: "The container credentials endpoint \(url)")
    }

    private func authorizationToken(_ vars: [String: String]) throws(ConfigurationError) -> String? {
        var token: String? = nil
        if let file = SettingText.nonEmpty(vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            let path = FileAccess.expandHome(file, variables: vars)
            switch FileAccess.readFile(path) {
            case .contents(let bytes):
                token = String(decoding: bytes, as: UTF8.self).lkTrimmed
            case .missing:
                throw ConfigurationError(.credentialsFailed, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names \(path), which does not exist. Check the variable or the mounted token.")
            case .failed(let reason):
                throw ConfigurationError(.credentialsFailed, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names \(path), which cannot be read: \(reason).")
            }
        } else {
            token = SettingText.nonEmpty(vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        }
        if let token, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw ConfigurationError(.invalidConfiguration, "The container authorization token contains a line break, which cannot go in an HTTP header. Check AWS_CONTAINER_AUTHORIZATION_TOKEN or its file.")
        }
        return SettingText.nonEmpty(token)
    }

    /// https anywhere; http only to loopback and the container agents' addresses.
    static func checkFullURI(_ uri: String) throws(ConfigurationError) {
        let lower = uri.lowercased()
        if lower.hasPrefix("https://") { return }
        guard lower.hasPrefix("http://"), let host = host(of: lower) else {
            throw ConfigurationError(.invalidConfiguration, "AWS_CONTAINER_CREDENTIALS_FULL_URI (\(uri)) is not an http or https URL.")
        }
        if allowedHTTPHosts.contains(host) || host.hasPrefix("127.") { return }
        throw ConfigurationError(
            .invalidConfiguration,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI (\(uri)) uses plain http to \(host): only https, loopback addresses, 169.254.170.2, 169.254.170.23 and fd00:ec2::23 are allowed."
        )
    }

    /// The host of `scheme://[user@]host[:port]/...`, without brackets around IPv6.
    static func host(of url: String) -> String? {
        guard let host = ParsedURL(url)?.host else { return nil }
        guard host.hasPrefix("[") else { return String(host) }
        guard host.hasSuffix("]"), host.count > 2 else { return nil }
        return String(host.dropFirst().dropLast())
    }

    static func describe(_ error: any Error) -> String {
        (error as? TransportError)?.message ?? String(describing: error)
    }
}

/// The JSON credential documents of the container endpoint and EC2 instance metadata.
enum MetadataCredentials {
    private struct Payload: Decodable {
        var Code: String?
        var Message: String?
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var Expiration: String?
    }

    /// Decodes `{AccessKeyId, SecretAccessKey, Token, Expiration}`; messages never quote the body.
    static func decode(_ body: [UInt8], source: String) throws(ConfigurationError) -> AWSCredentials {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(body))
        } catch {
            throw ConfigurationError(.credentialsFailed, "\(source) did not answer with a JSON credentials document.")
        }
        if let code = payload.Code, code != "Success" {
            throw ConfigurationError(.credentialsFailed, "\(source) answered with code \(code): \(payload.Message ?? "no message").")
        }
        guard let keyId = SettingText.nonEmpty(payload.AccessKeyId), let secret = SettingText.nonEmpty(payload.SecretAccessKey) else {
            throw ConfigurationError(.credentialsFailed, "\(source) answered without AccessKeyId and SecretAccessKey.")
        }
        var expiration: Date? = nil
        if let text = SettingText.nonEmpty(payload.Expiration) {
            guard let date = RFC3339.parse(text) else {
                throw ConfigurationError(.credentialsFailed, "\(source) answered with an Expiration that is not an ISO 8601 time.")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: SettingText.nonEmpty(payload.Token), expiration: expiration)
    }
}
