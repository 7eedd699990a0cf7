#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CCrypto
import SigV4

/// The access token of an IAM Identity Center sign-in, as `aws sso login` caches it in
/// `~/.aws/sso/cache/<sha1 of key>.json`: the key is the `[sso-session]` name, or the start URL
/// for a profile of the legacy form (`sso_start_url` in the profile).
///
/// A session's token that expires within 15 minutes is refreshed with sso-oidc CreateToken
/// (with the refresh token and client registration `aws sso login` cached beside it) and the
/// file is rewritten; a legacy token is never refreshed. These are botocore's rules
/// (`SSOTokenProvider`, `SSOCredentialFetcher`).
struct SSOTokenSource: Sendable {
    var startURL: String
    var ssoRegion: String
    /// Nil: the legacy form.
    var sessionName: String?
    /// The command that signs in again, for messages (`aws sso login --profile dev`).
    var loginCommand: String
    var transport: any Transport
    var environment: RuntimeEnvironment

    /// botocore's window: a session token with less left than this is refreshed.
    static let refreshWindow: Double = 15 * 60

    /// "The SSO session 'corp'" or "The SSO sign-in for https://...", for messages.
    var subject: String {
        if let sessionName { return "The SSO session '\(sessionName)'" }
        return "The SSO sign-in for \(startURL)"
    }

    /// An access token that is valid now, refreshed first when it is about to expire.
    func accessToken() async throws(ConfigurationError) -> String {
        let cache = try SSOTokenCache(key: sessionName ?? startURL, variables: environment.variables)
        var document = try cache.load(subject: subject, loginCommand: loginCommand)
        let (token, expiresAt) = try validFields(of: document, path: cache.path)
        let now = environment.now()
        guard sessionName != nil else {
            if now >= expiresAt { throw expired(expiresAt, because: nil) }
            return token
        }
        if expiresAt.timeIntervalSince(now) >= Self.refreshWindow { return token }

        switch await refresh(document, now: now) {
        case .refreshed(let response):
            document["accessToken"] = .string(response.accessToken)
            document["expiresAt"] = .string(RFC3339.format(now.addingTimeInterval(Double(response.expiresIn))))
            if let rotated = SettingText.nonEmpty(response.refreshToken) { document["refreshToken"] = .string(rotated) }
            try cache.save(document, subject: subject, loginCommand: loginCommand)
            return response.accessToken
        case .unavailable(let reason):
            // Refreshing early is a courtesy: a token that still works is used as it is.
            if now < expiresAt { return token }
            throw expired(expiresAt, because: reason)
        }
    }

    /// The access token and its expiry; errors say the file needs a new sign-in.
    private func validFields(of document: [String: JSONValue], path: String) throws(ConfigurationError) -> (String, Date) {
        guard let token = SettingText.nonEmpty(document["accessToken"]?.stringValue) else {
            throw ConfigurationError(.credentialsFailed, "\(subject) has no token: \(path) has no accessToken. Run `\(loginCommand)` to sign in.")
        }
        if token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw ConfigurationError(.credentialsFailed, "\(subject) has a token with a line break in \(path), which cannot go in an HTTP header. Run `\(loginCommand)` to sign in again.")
        }
        guard let text = document["expiresAt"]?.stringValue, let expiresAt = SSOTokenCache.parseTime(text) else {
            throw ConfigurationError(.credentialsFailed, "\(subject) has a token without a readable expiresAt in \(path). Run `\(loginCommand)` to sign in again.")
        }
        return (token, expiresAt)
    }

    private func expired(_ expiresAt: Date, because reason: String?) -> ConfigurationError {
        let why = reason.map { " and could not be refreshed (\($0))" } ?? ""
        return ConfigurationError(.credentialsFailed, "\(subject) has no valid token: it expired at \(RFC3339.format(expiresAt))\(why). Run `\(loginCommand)` to sign in again.")
    }

    // MARK: - Refresh

    private struct CreateTokenRequest: Encodable {
        var clientId: String
        var clientSecret: String
        var grantType = "refresh_token"
        var refreshToken: String
    }

    struct CreateTokenResponse: Decodable {
        var accessToken: String
        var expiresIn: Int
        var refreshToken: String?
    }

    enum RefreshOutcome {
        case refreshed(CreateTokenResponse)
        /// Why no new token was obtained, without secrets.
        case unavailable(String)
    }

    /// `https://oidc.{sso_region}.amazonaws.com`, or `AWS_ENDPOINT_URL_SSO_OIDC`.
    var oidcEndpoint: String {
        CredentialEndpoint.url(host: "oidc", region: ssoRegion, variable: "AWS_ENDPOINT_URL_SSO_OIDC", variables: environment.variables)
    }

    /// sso-oidc CreateToken with the refresh_token grant (unsigned JSON POST), when the cache
    /// holds a refresh token and an unexpired client registration.
    func refresh(_ document: [String: JSONValue], now: Date) async -> RefreshOutcome {
        let names = ["refreshToken", "clientId", "clientSecret", "registrationExpiresAt"]
        let values = names.map { SettingText.nonEmpty(document[$0]?.stringValue) }
        let missing = zip(names, values).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let refreshToken = values[0], let clientId = values[1], let clientSecret = values[2], let registration = values[3] else {
            return .unavailable("the cached token has no \(missing.joined(separator: ", "))")
        }
        guard let registrationExpiresAt = SSOTokenCache.parseTime(registration) else {
            return .unavailable("the cached registrationExpiresAt is not a time")
        }
        if now >= registrationExpiresAt {
            return .unavailable("the client registration expired at \(RFC3339.format(registrationExpiresAt))")
        }

        let secrets = [refreshToken, clientSecret, document["accessToken"]?.stringValue ?? ""]
        let url = CredentialEndpoint.joining(oidcEndpoint, "/token")
        let body: [UInt8]
        do {
            body = Array(try LatticeJSON.sharedEncoder.encode(CreateTokenRequest(clientId: clientId, clientSecret: clientSecret, refreshToken: refreshToken)))
        } catch {
            return .unavailable("the refresh request could not be encoded")
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
        } catch {
            return .unavailable("sso-oidc at \(oidcEndpoint) did not answer: \(SSOTokenCache.redact(ContainerCredentialsProvider.describe(error), secrets))")
        }
        guard (200..<300).contains(response.status) else {
            return .unavailable("sso-oidc CreateToken answered HTTP \(response.status): \(SSOTokenCache.excerpt(response.body, hiding: secrets))")
        }
        guard let answer = try? JSONDecoder().decode(CreateTokenResponse.self, from: Data(response.body)),
            SettingText.nonEmpty(answer.accessToken) != nil, answer.expiresIn > 0,
            !answer.accessToken.contains(where: { $0 == "\r" || $0 == "\n" })
        else {
            return .unavailable("sso-oidc CreateToken answered HTTP \(response.status) without an accessToken and expiresIn")
        }
        return .refreshed(answer)
    }
}

/// One file of the SSO token cache.
struct SSOTokenCache {
    let path: String

    /// `$HOME/.aws/sso/cache/<sha1 hex of key>.json`.
    init(key: String, variables: [String: String]) throws(ConfigurationError) {
        guard let home = FileAccess.homeDirectory(variables) else {
            throw ConfigurationError(.credentialsFailed, "HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be found. Set HOME to the directory where `aws sso login` ran.")
        }
        guard let name = SHA1.hex(Array(key.utf8)) else {
            throw ConfigurationError(.credentialsFailed, "libcrypto could not compute the SHA-1 that names the SSO token cache file. Check the OpenSSL installation (a FIPS-only configuration may refuse SHA-1).")
        }
        path = home + "/.aws/sso/cache/" + name + ".json"
    }

    /// The cached document as a JSON object.
    func load(subject: String, loginCommand: String) throws(ConfigurationError) -> [String: JSONValue] {
        let bytes: [UInt8]
        switch FileAccess.readFile(path) {
        case .contents(let contents): bytes = contents
        case .missing:
            throw ConfigurationError(.credentialsFailed, "\(subject) has no token: \(path) does not exist. Run `\(loginCommand)` to sign in.")
        case .failed(let reason):
            throw ConfigurationError(.credentialsFailed, "\(subject) has a token cache file \(path) that cannot be read: \(reason). Check its permissions, or run `\(loginCommand)` to write it again.")
        }
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            throw ConfigurationError(.credentialsFailed, "\(subject) has a token cache file \(path) that is not a JSON object. Run `\(loginCommand)` to write it again.")
        }
        return members
    }

    /// Writes the document back atomically, mode 0600.
    func save(_ document: [String: JSONValue], subject: String, loginCommand: String) throws(ConfigurationError) {
        let bytes: [UInt8]
        do {
            bytes = Array(try LatticeJSON.sharedEncoder.encode(JSONValue.object(document)))
        } catch {
            throw ConfigurationError(.credentialsFailed, "\(subject): the refreshed token could not be encoded as JSON. Run `\(loginCommand)` to sign in again.")
        }
        if let reason = FileAccess.replaceFile(path, with: bytes) {
            let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            throw ConfigurationError(.credentialsFailed, "\(subject): the token was refreshed but \(path) could not be rewritten: \(reason). Make \(directory) writable, then run `\(loginCommand)`.")
        }
    }

    /// Parses `expiresAt`-style times: RFC 3339, and the `2024-05-01T12:00:00UTC` form older
    /// AWS CLI and botocore versions wrote.
    static func parseTime(_ text: String) -> Date? {
        let trimmed = text.lkTrimmed
        if trimmed.hasSuffix("UTC") { return RFC3339.parse(trimmed.dropLast(3) + "Z") }
        return RFC3339.parse(trimmed)
    }

    /// An excerpt of a response body for a message, with any of `secrets` blanked out.
    static func excerpt(_ body: [UInt8], hiding secrets: [String]) -> String {
        let text = redact(String(decoding: body, as: UTF8.self), secrets)
        let short = ProcessCredentialsProvider.excerpt(Array(text.utf8))
        return short.isEmpty ? "an empty body" : short
    }

    /// `text` with each non-empty string of `secrets` replaced by `<redacted>`.
    static func redact(_ text: String, _ secrets: [String]) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty {
            out = out.replacing(secret, with: "<redacted>")
        }
        return out
    }
}

/// SHA-1 through libcrypto: only to name SSO token cache files as the AWS CLI does.
enum SHA1 {
    /// The lowercase hex digest of `bytes`; nil if libcrypto refuses.
    static func hex(_ bytes: [UInt8]) -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha1(), nil)
        }
        guard ok == 1, length == 20 else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(40)
        for byte in digest.prefix(Int(length)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
