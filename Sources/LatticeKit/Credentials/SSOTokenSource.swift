#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    var interceptors: [any Interceptor] = []

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

        switch await refresh(document, now: now, tokenStillValid: now < expiresAt) {
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

    /// sso-oidc CreateToken with the refresh_token grant, when the cache holds a refresh token
    /// and an unexpired client registration. A token that still works gets one attempt (the
    /// refresh is a courtesy, and the caller should not wait through backoffs for it); an
    /// expired one gets the retries of any call.
    func refresh(_ document: [String: JSONValue], now: Date, tokenStillValid: Bool) async -> SSOOIDCClient.Outcome {
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
        let oidc = SSOOIDCClient(region: ssoRegion, transport: transport, environment: environment, interceptors: interceptors)
        return await oidc.createToken(
            clientId: clientId, clientSecret: clientSecret, refreshToken: refreshToken,
            accessToken: document["accessToken"]?.stringValue, attempts: tokenStillValid ? 1 : nil
        )
    }
}
