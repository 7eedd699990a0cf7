/// How failed attempts are retried (the AWS SDKs' `retry_mode`).
public enum RetryMode: String, Sendable, Hashable, CaseIterable {
    /// Retries throttling and transient errors with capped, jittered exponential backoff,
    /// limited by the retry quota.
    case standard
    /// Standard, plus a client-side rate limiter that slows sending after throttling responses.
    case adaptive

    /// Reads a setting's value: `standard`, `adaptive`, or `legacy` (read as standard), in any
    /// letter case. Nil for anything else.
    init?(setting: String) {
        switch setting.lkTrimmed.lowercased() {
        case "standard", "legacy": self = .standard
        case "adaptive": self = .adaptive
        default: return nil
        }
    }
}

/// The number of attempts per call and the retry mode.
public struct RetryConfiguration: Sendable, Hashable {
    /// Attempts per call when nothing says otherwise: the first and two retries.
    public static let defaultMaxAttempts = 3

    /// Attempts per call, the first included: 1 turns retries off. Values below 1 act as 1.
    public var maxAttempts: Int
    /// Standard or adaptive (`AWS_RETRY_MODE`, `retry_mode`).
    public var mode: RetryMode

    /// Retry settings.
    ///
    /// - Parameters:
    ///   - maxAttempts: Attempts per call, the first included.
    ///   - mode: Standard or adaptive.
    public init(maxAttempts: Int = RetryConfiguration.defaultMaxAttempts, mode: RetryMode = .standard) {
        self.maxAttempts = maxAttempts
        self.mode = mode
    }

    /// Resolves each setting on its own, first found wins: the explicit value, the environment
    /// (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`), the profile (`max_attempts`, `retry_mode`), then
    /// the default (3, standard). An empty value counts as unset. An invalid value is an error
    /// naming where it came from and what is allowed; it is not skipped.
    package static func resolve(
        maxAttempts: Int? = nil,
        mode: RetryMode? = nil,
        variables: [String: String],
        profile: [String: String] = [:]
    ) throws(RetryConfigurationError) -> RetryConfiguration {
        var result = RetryConfiguration()
        if let maxAttempts {
            guard maxAttempts >= 1 else {
                throw RetryConfigurationError(setting: "maxAttempts", value: String(maxAttempts), kind: .maxAttempts)
            }
            result.maxAttempts = maxAttempts
        } else if let found = lookup(env: "AWS_MAX_ATTEMPTS", profile: "max_attempts", variables, profile) {
            guard let parsed = Int(found.value), parsed >= 1 else {
                throw RetryConfigurationError(setting: found.setting, value: found.value, kind: .maxAttempts)
            }
            result.maxAttempts = parsed
        }
        if let mode {
            result.mode = mode
        } else if let found = lookup(env: "AWS_RETRY_MODE", profile: "retry_mode", variables, profile) {
            guard let parsed = RetryMode(setting: found.value) else {
                throw RetryConfigurationError(setting: found.setting, value: found.value, kind: .mode)
            }
            result.mode = parsed
        }
        return result
    }

    /// The first non-empty value (trimmed) and the name to blame if it is invalid.
    private static func lookup(
        env: String, profile key: String, _ variables: [String: String], _ profile: [String: String]
    ) -> (setting: String, value: String)? {
        if let value = variables[env]?.lkTrimmed, !value.isEmpty {
            return (env, value)
        }
        if let value = profile[key]?.lkTrimmed, !value.isEmpty {
            return ("\(key) (in the shared config profile)", value)
        }
        return nil
    }
}

/// A retry setting has a value that is not allowed.
public struct RetryConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable { case maxAttempts, mode }

    /// Where the value came from: `AWS_MAX_ATTEMPTS`, `retry_mode (in the shared config profile)`...
    public var setting: String
    /// The value as given.
    public var value: String
    let kind: Kind

    public var description: String {
        switch kind {
        case .maxAttempts:
            return "\(setting) is '\(value)': set it to a whole number of attempts, 1 or more (1 turns retries off; the default is 3)"
        case .mode:
            return "\(setting) is '\(value)': allowed values are standard, adaptive, and legacy (read as standard)"
        }
    }
}
