#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Credentials printed by an external command (a profile's `credential_process`), run as
/// `/bin/sh -c command` on a thread of its own, with standard input from /dev/null, in a
/// process group of its own. The command prints JSON:
/// `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...,
/// "Expiration": "2024-05-01T12:00:00Z"}` (the last two optional).
///
/// The command has `timeout` seconds; then it and every process it started are killed. Its
/// answer is read until it exits: children it leaves running do not hold the call.
public struct ProcessCredentialsProvider: CredentialsProvider {
    /// How long a command may run when nothing else says: a minute, as the AWS SDK for Go
    /// allows (botocore has no limit). Long enough for a command that signs in over the
    /// network; a command that hangs ends instead of holding every call.
    public static let defaultTimeout = 60.0
    /// The environment variable that sets the time limit, in seconds, when `timeout` is nil.
    public static let timeoutVariable = "LATTICE_CREDENTIAL_PROCESS_TIMEOUT"

    /// The `credential_process` command line, run through the shell.
    public var command: String
    /// The profile the command comes from, for error messages.
    public var profileName: String
    /// The command's environment variables come from here.
    public var environment: RuntimeEnvironment
    /// Seconds the command may run. Nil: `LATTICE_CREDENTIAL_PROCESS_TIMEOUT`, then
    /// `defaultTimeout`.
    public var timeout: Double?

    /// A provider running `command`, which prints credentials as JSON; it is stopped after `timeout` seconds.
    public init(command: String, profileName: String, environment: RuntimeEnvironment = .live, timeout: Double? = nil) {
        self.command = command
        self.profileName = profileName
        self.environment = environment
        self.timeout = timeout
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve()
    }

    /// The time limit and where it came from (for the message that says how to raise it).
    func resolvedTimeout() throws(ConfigurationError) -> (seconds: Double, source: String) {
        if let timeout {
            guard timeout.isFinite, timeout > 0 else {
                throw ConfigurationError(.invalidConfiguration, "credentialProcessTimeout is \(timeout): set a number of seconds above 0, or nil for the default (\(Int(Self.defaultTimeout)) s)")
            }
            return (timeout, "credentialProcessTimeout (LatticeConfiguration) or ProcessCredentialsProvider.timeout")
        }
        let raise = "LatticeConfiguration.credentialProcessTimeout or the \(Self.timeoutVariable) environment variable (seconds)"
        if let text = SettingText.nonEmpty(environment.variables[Self.timeoutVariable]) {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
                throw ConfigurationError(.invalidConfiguration, "\(Self.timeoutVariable) is '\(text)': set it to a number of seconds above 0, or unset it for the default (\(Int(Self.defaultTimeout)) s)")
            }
            return (seconds, raise)
        }
        return (Self.defaultTimeout, raise)
    }

    func resolve() async throws(ConfigurationError) -> AWSCredentials {
        let limit = try resolvedTimeout()
        let output: ProcessRunner.Output
        do {
            output = try await ProcessRunner.run(command, variables: environment.variables, timeout: limit.seconds)
        } catch {
            throw fail("could not run: \(error.reason)", fix: "check the command")
        }
        switch output.ending {
        case .exited:
            break
        case .timedOut:
            throw fail("did not finish within \(HTTPTimeouts.describe(limit.seconds)) and was stopped, with every process it started",
                       fix: "make the command answer sooner (it gets no terminal input), or allow it more time with \(limit.source)")
        case .outputTooLarge:
            throw fail("printed more than \(ProcessRunner.outputLimit / 1_048_576) MiB and was stopped",
                       fix: "the command must print only the credentials JSON")
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
