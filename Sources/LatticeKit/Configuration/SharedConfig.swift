/// One section of a shared config file: a profile, an `sso-session` or a `services` block.
package struct ConfigSection: Sendable, Hashable {
    /// The name without its `profile `, `sso-session ` or `services ` prefix.
    package var name: String
    /// Properties, keyed by lowercased name.
    package var values: [String: String]
    /// Nested sub-settings: for `s3 =` followed by indented `key = value` lines, `["s3": [...]]`.
    package var subsections: [String: [String: String]]

    package init(name: String, values: [String: String] = [:], subsections: [String: [String: String]] = [:]) {
        self.name = name
        self.values = values
        self.subsections = subsections
    }

    /// The non-empty value of a property (names are case-insensitive).
    package subscript(key: String) -> String? {
        SettingText.nonEmpty(values[key.lowercased()])
    }

    /// Adds `other`'s properties, replacing values already set.
    mutating func merge(_ other: ConfigSection) {
        for (key, value) in other.values {
            values[key] = value
            subsections[key] = other.subsections[key]
        }
    }
}

/// The shared config file (`~/.aws/config`, or `AWS_CONFIG_FILE`) and the shared credentials
/// file (`~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`), parsed and merged.
///
/// In the config file profiles are `[default]` and `[profile name]`; in the credentials file
/// every section is a profile named exactly as written (so `[profile x]` there is the profile
/// "profile x", as the AWS CLI reads it). Where both files set a key of the same profile, the
/// credentials file wins.
package struct SharedConfig: Sendable, Hashable {
    /// Profiles by name.
    package var profiles: [String: ConfigSection]
    /// `[sso-session name]` sections of the config file.
    package var ssoSessions: [String: ConfigSection]
    /// `[services name]` sections of the config file.
    package var services: [String: ConfigSection]
    /// The config file path looked at (nil when no home directory is known).
    package var configFilePath: String?
    /// The credentials file path looked at (nil when no home directory is known).
    package var credentialsFilePath: String?
    /// The files that existed and were read.
    package var filesRead: [String]

    /// An empty configuration: no files, no profiles.
    package init() {
        profiles = [:]
        ssoSessions = [:]
        services = [:]
        configFilePath = nil
        credentialsFilePath = nil
        filesRead = []
    }

    /// Parses the text of both files; either may be nil (absent). The paths are used in
    /// error messages and recorded in `filesRead` when the text is given.
    package init(
        configText: String?,
        credentialsText: String?,
        configFilePath: String? = nil,
        credentialsFilePath: String? = nil
    ) throws(ConfigurationError) {
        self.init()
        self.configFilePath = configFilePath
        self.credentialsFilePath = credentialsFilePath
        var fromConfig: [String: ConfigSection] = [:]
        if let configText {
            let path = configFilePath ?? "the shared config file"
            filesRead.append(path)
            var plainDefault: ConfigSection? = nil
            var prefixedDefault: ConfigSection? = nil
            for raw in try ConfigFileParser.parse(configText, path: path) {
                let (prefix, rest) = Self.splitSectionName(raw.name)
                var section = raw.section
                switch prefix {
                case "profile" where !rest.isEmpty:
                    section.name = rest
                    if rest == "default" {
                        prefixedDefault = section
                    } else if var existing = fromConfig[rest] {
                        existing.merge(section)
                        fromConfig[rest] = existing
                    } else {
                        fromConfig[rest] = section
                    }
                case "sso-session" where !rest.isEmpty:
                    section.name = rest
                    ssoSessions[rest] = section
                case "services" where !rest.isEmpty:
                    section.name = rest
                    services[rest] = section
                default:
                    if raw.name == "default" { plainDefault = section }
                    // Any other section is not a profile in the config file.
                }
            }
            // `[profile default]` wins over `[default]` when a file has both.
            if let chosen = prefixedDefault ?? plainDefault {
                var section = chosen
                section.name = "default"
                fromConfig["default"] = section
            }
        }
        profiles = fromConfig
        if let credentialsText {
            let path = credentialsFilePath ?? "the shared credentials file"
            filesRead.append(path)
            for raw in try ConfigFileParser.parse(credentialsText, path: path) {
                if var existing = profiles[raw.name] {
                    existing.merge(raw.section)
                    profiles[raw.name] = existing
                } else {
                    profiles[raw.name] = raw.section
                }
            }
        }
    }

    /// Reads the files named by `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (default
    /// `~/.aws/config` and `~/.aws/credentials`, `~` being `HOME`). Missing files are fine;
    /// unreadable or malformed ones are errors.
    package static func load(environment: RuntimeEnvironment) throws(ConfigurationError) -> SharedConfig {
        let paths = filePaths(environment.variables)
        let configText = try readText(paths.config, variable: "AWS_CONFIG_FILE")
        let credentialsText = try readText(paths.credentials, variable: "AWS_SHARED_CREDENTIALS_FILE")
        var result = try SharedConfig(
            configText: configText,
            credentialsText: credentialsText,
            configFilePath: paths.config,
            credentialsFilePath: paths.credentials
        )
        result.configFilePath = paths.config
        result.credentialsFilePath = paths.credentials
        return result
    }

    /// The config and credentials file paths the variables point to.
    static func filePaths(_ variables: [String: String]) -> (config: String?, credentials: String?) {
        let home = FileAccess.homeDirectory(variables)
        let config = SettingText.nonEmpty(variables["AWS_CONFIG_FILE"]).map { FileAccess.expandHome($0, variables: variables) }
            ?? home.map { $0 + "/.aws/config" }
        let credentials = SettingText.nonEmpty(variables["AWS_SHARED_CREDENTIALS_FILE"]).map { FileAccess.expandHome($0, variables: variables) }
            ?? home.map { $0 + "/.aws/credentials" }
        return (config, credentials)
    }

    /// A config file's text; `variable` is the setting that names the file, for the message.
    private static func readText(_ path: String?, variable: String) throws(ConfigurationError) -> String? {
        guard let path else { return nil }
        switch FileAccess.readFile(path) {
        case .contents(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .missing: return nil
        case .failed(let reason):
            throw ConfigurationError(.invalidConfiguration, "Cannot read \(path): \(reason). Fix the file (a readable regular file of at most \(FileAccess.describe(FileAccess.maximumSize))), or point \(variable) at another file.")
        }
    }

    /// `profile  name` → ("profile", "name"); `default` → ("default", "").
    static func splitSectionName(_ name: String) -> (String, String) {
        guard let space = name.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (name, "") }
        return (String(name[..<space]), name[space...].lkTrimmed)
    }

    /// The profile to use: `explicit`, then `AWS_PROFILE`, then `default`.
    package static func profileName(explicit: String?, environment: RuntimeEnvironment) -> String {
        SettingText.nonEmpty(explicit) ?? SettingText.nonEmpty(environment.variables["AWS_PROFILE"]) ?? "default"
    }

    /// The selected profile (see `profileName`). A profile chosen by name (argument or
    /// `AWS_PROFILE`) that is in neither file is an error listing the profiles found; an
    /// absent `default` is nil.
    package func profile(explicit: String?, environment: RuntimeEnvironment) throws(ConfigurationError) -> ConfigSection? {
        let name = Self.profileName(explicit: explicit, environment: environment)
        if let found = profiles[name] { return found }
        let named = SettingText.nonEmpty(explicit) != nil || SettingText.nonEmpty(environment.variables["AWS_PROFILE"]) != nil
        if !named { return nil }
        throw profileNotFound(name, source: SettingText.nonEmpty(explicit) != nil ? "requested" : "set by AWS_PROFILE")
    }

    /// The error for a profile that is in neither file.
    func profileNotFound(_ name: String, source: String) -> ConfigurationError {
        let found = profiles.keys.sorted()
        let list = found.isEmpty ? "none" : found.map { "'\($0)'" }.joined(separator: ", ")
        return ConfigurationError(
            .profileNotFound,
            "The profile '\(name)' (\(source)) was not found. Profiles found: \(list). \(filesDescription). Add `[profile \(name)]` to the config file (or `[\(name)]` to the credentials file), or choose another profile with LatticeConfiguration.profile or AWS_PROFILE."
        )
    }

    /// Which files were looked at and which were read, for messages.
    var filesDescription: String {
        var parts: [String] = []
        for path in [configFilePath, credentialsFilePath].compactMap({ $0 }) {
            parts.append(filesRead.contains(path) ? "\(path) (read)" : "\(path) (not found)")
        }
        if parts.isEmpty { return "No config files were read: HOME is not set and neither AWS_CONFIG_FILE nor AWS_SHARED_CREDENTIALS_FILE is" }
        return "Files: " + parts.joined(separator: ", ")
    }
}
