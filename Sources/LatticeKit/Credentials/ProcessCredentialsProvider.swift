#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Credentials printed by an external command (a profile's `credential_process`), run as
/// `/bin/sh -c command` on a thread of its own. The command prints JSON:
/// `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...,
/// "Expiration": "2024-05-01T12:00:00Z"}` (the last two optional).
public struct ProcessCredentialsProvider: CredentialsProvider {
    public var command: String
    /// The profile the command comes from, for error messages.
    public var profileName: String
    /// The command's environment variables come from here.
    public var environment: RuntimeEnvironment

    public init(command: String, profileName: String, environment: RuntimeEnvironment = .live) {
        self.command = command
        self.profileName = profileName
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        let output: ProcessRunner.Output
        do {
            output = try await ProcessRunner.run(command, variables: environment.variables)
        } catch {
            throw fail("could not run: \(error.reason)", fix: "check the command")
        }
        guard output.exitCode == 0 else {
            let how = output.exitCode.map { "exited with status \($0)" } ?? "was killed by signal \(output.signal ?? 0)"
            let stderr = Self.excerpt(output.stderr)
            throw fail(stderr.isEmpty ? how : "\(how): \(stderr)", fix: "run the command in a shell to see what it needs")
        }
        return try parse(output.stdout)
    }

    private struct Payload: Decodable {
        var Version: Int
        var AccessKeyId: String
        var SecretAccessKey: String
        var SessionToken: String?
        var Expiration: String?
    }

    /// Parses the command's output. Messages name missing or mistyped fields, never values.
    func parse(_ stdout: [UInt8]) throws(ConfigurationError) -> AWSCredentials {
        let fix = "the command must print JSON with Version 1, AccessKeyId, SecretAccessKey and optionally SessionToken and Expiration"
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(stdout))
        } catch let DecodingError.keyNotFound(key, _) {
            throw fail("printed JSON without \(key.stringValue)", fix: fix)
        } catch let DecodingError.typeMismatch(_, context) {
            throw fail("printed JSON where \(Self.path(context)) has the wrong type", fix: fix)
        } catch let DecodingError.valueNotFound(_, context) {
            throw fail("printed JSON where \(Self.path(context)) is null", fix: fix)
        } catch {
            throw fail("did not print valid JSON", fix: fix)
        }
        guard payload.Version == 1 else {
            throw fail("printed Version \(payload.Version); only Version 1 is understood", fix: fix)
        }
        guard !payload.AccessKeyId.isEmpty, !payload.SecretAccessKey.isEmpty else {
            throw fail("printed an empty AccessKeyId or SecretAccessKey", fix: fix)
        }
        var expiration: Date? = nil
        if let text = payload.Expiration {
            guard let date = RFC3339.parse(text) else {
                throw fail("printed an Expiration that is not an ISO 8601 time", fix: "print it like 2024-05-01T12:00:00Z")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyId: payload.AccessKeyId,
            secretAccessKey: payload.SecretAccessKey,
            sessionToken: SettingText.nonEmpty(payload.SessionToken),
            expiration: expiration
        )
    }

    private func fail(_ what: String, fix: String) -> ConfigurationError {
        ConfigurationError(.credentialsFailed, "The credential_process of profile '\(profileName)' \(what). Fix: \(fix).")
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "the top level" : path
    }

    /// Standard error as one trimmed line of at most 500 characters.
    static func excerpt(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self).lkTrimmed
        text = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.lkTrimmed }.joined(separator: " | ")
        if text.count > 500 { text = String(text.prefix(500)) + "…" }
        return text
    }
}
