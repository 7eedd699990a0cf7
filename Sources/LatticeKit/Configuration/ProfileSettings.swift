/// The settings of one profile that the client reads, typed and checked. Environment
/// variables that override them (such as `AWS_MAX_ATTEMPTS`) are applied by the code that uses
/// each setting; region resolution is `RegionResolver`.
package struct ProfileSettings: Sendable, Hashable {
    /// The profile's name (`default` when none was chosen).
    package var name: String
    /// `region`.
    package var region: String?
    /// `endpoint_url`: the endpoint for every service.
    package var endpointURL: String?
    /// `endpoint_url` under `vpc-lattice` in the `[services name]` section the profile's
    /// `services` setting names.
    package var serviceEndpointURL: String?
    /// `max_attempts`.
    package var maxAttempts: Int?
    /// `retry_mode` (`standard`, `adaptive` or `legacy`), lowercased.
    package var retryMode: String?
    /// `use_fips_endpoint`.
    package var useFIPSEndpoint: Bool?
    /// `use_dualstack_endpoint`.
    package var useDualStackEndpoint: Bool?
    /// `ca_bundle`: a PEM file of certificate authorities to trust (`~` expanded).
    package var caBundle: String?

    /// The service id under which `[services]` sections nest this service's settings.
    package static let serviceKey = "vpc-lattice"

    /// Settings given directly, as a profile would give them; for tests and tools that build their own.
    package init(
        name: String,
        region: String? = nil,
        endpointURL: String? = nil,
        serviceEndpointURL: String? = nil,
        maxAttempts: Int? = nil,
        retryMode: String? = nil,
        useFIPSEndpoint: Bool? = nil,
        useDualStackEndpoint: Bool? = nil,
        caBundle: String? = nil
    ) {
        self.name = name
        self.region = region
        self.endpointURL = endpointURL
        self.serviceEndpointURL = serviceEndpointURL
        self.maxAttempts = maxAttempts
        self.retryMode = retryMode
        self.useFIPSEndpoint = useFIPSEndpoint
        self.useDualStackEndpoint = useDualStackEndpoint
        self.caBundle = caBundle
    }

    /// Reads the settings of `profile` (nil: an absent `default`, all settings nil). Invalid
    /// values are errors naming the profile and the setting.
    package init(profile: ConfigSection?, name: String, config: SharedConfig, variables: [String: String] = [:]) throws(ConfigurationError) {
        self.init(name: name)
        guard let profile else { return }
        region = profile["region"]
        endpointURL = profile["endpoint_url"]
        caBundle = profile["ca_bundle"].map { FileAccess.expandHome($0, variables: variables) }
        if let servicesName = profile["services"] {
            guard let section = config.services[servicesName] else {
                throw ConfigurationError(
                    .invalidConfiguration,
                    "Profile '\(name)' sets services = \(servicesName), but there is no [services \(servicesName)] section in \(config.configFilePath ?? "the config file"). Add the section or remove the setting."
                )
            }
            serviceEndpointURL = SettingText.nonEmpty(section.subsections[Self.serviceKey]?["endpoint_url"])
        }
        if let text = profile["max_attempts"] {
            guard let value = Int(text), value >= 1 else {
                throw Self.invalid(name, "max_attempts", text, "a whole number of at least 1, such as 3")
            }
            maxAttempts = value
        }
        if let text = profile["retry_mode"] {
            let mode = text.lowercased()
            guard ["standard", "adaptive", "legacy"].contains(mode) else {
                throw Self.invalid(name, "retry_mode", text, "standard, adaptive or legacy")
            }
            retryMode = mode
        }
        useFIPSEndpoint = try Self.bool(profile, "use_fips_endpoint", name)
        useDualStackEndpoint = try Self.bool(profile, "use_dualstack_endpoint", name)
    }

    /// Loads the shared files and reads the selected profile (`explicit`, `AWS_PROFILE`, then
    /// `default`).
    package static func load(profile explicit: String?, environment: RuntimeEnvironment) throws(ConfigurationError) -> ProfileSettings {
        let config = try SharedConfig.load(environment: environment)
        let section = try config.profile(explicit: explicit, environment: environment)
        let name = SharedConfig.profileName(explicit: explicit, environment: environment)
        return try ProfileSettings(profile: section, name: name, config: config, variables: environment.variables)
    }

    private static func bool(_ profile: ConfigSection, _ key: String, _ name: String) throws(ConfigurationError) -> Bool? {
        guard let text = profile[key] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw invalid(name, key, text, "true or false")
        }
    }

    private static func invalid(_ profile: String, _ key: String, _ value: String, _ expected: String) -> ConfigurationError {
        ConfigurationError(.invalidConfiguration, "Profile '\(profile)' sets \(key) = \(value), which is not valid: use \(expected).")
    }
}

/// Region resolution: explicit, then `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the
/// profile's `region`.
package enum RegionResolver {
    /// The first region found, or nil.
    package static func region(explicit: String?, environment: RuntimeEnvironment, profile: ProfileSettings?) -> String? {
        SettingText.nonEmpty(explicit)
            ?? SettingText.nonEmpty(environment.variables["AWS_REGION"])
            ?? SettingText.nonEmpty(environment.variables["AWS_DEFAULT_REGION"])
            ?? SettingText.nonEmpty(profile?.region)
    }

    /// The first region found; none is an error saying where LatticeKit looked.
    package static func requireRegion(explicit: String?, environment: RuntimeEnvironment, profile: ProfileSettings?, config: SharedConfig? = nil) throws(ConfigurationError) -> String {
        if let found = region(explicit: explicit, environment: environment, profile: profile) { return found }
        let profileName = profile?.name ?? SharedConfig.profileName(explicit: nil, environment: environment)
        var looked = [
            "the configuration's region: not set",
            "AWS_REGION: not set",
            "AWS_DEFAULT_REGION: not set",
        ]
        let files = config.map { $0.filesDescription } ?? "the shared config file"
        looked.append("`region` in profile '\(profileName)': not set (\(files))")
        throw ConfigurationError(
            .noRegion,
            "No AWS region is configured. Looked at:\n" + looked.map { "  - " + $0 }.joined(separator: "\n")
                + "\nSet one with LatticeConfiguration.region, the AWS_REGION environment variable, or `aws configure set region us-east-1 --profile \(profileName)`."
        )
    }
}
