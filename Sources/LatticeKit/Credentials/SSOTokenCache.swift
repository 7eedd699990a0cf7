#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
