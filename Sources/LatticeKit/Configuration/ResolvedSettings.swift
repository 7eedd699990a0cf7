#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything a client settled on when it was created: what the configuration said, else the
/// environment, else the shared config files, else the defaults (as the AWS SDKs resolve them).
public struct ResolvedSettings: Sendable, Hashable {
    /// The region the client signs for and calls.
    public var region: String
    /// The endpoint every request goes to.
    public var endpoint: ResolvedEndpoint
    /// Where the endpoint came from, for messages (`configuration`, `AWS_ENDPOINT_URL_VPC_LATTICE`,
    /// `profile default`, `endpoint rules`, ...).
    public var endpointSource: String
    /// Whether the FIPS endpoint was asked for.
    public var useFIPS: Bool
    /// Whether the dual-stack (IPv4 and IPv6) endpoint was asked for.
    public var useDualStack: Bool
    /// The attempts and the retry mode.
    public var retry: RetryConfiguration
    /// What the default transport is made with: timeouts, TLS, proxies.
    public var transport: CurlTransport.Configuration
    /// The profile whose settings were read.
    public var profileName: String

    /// Resolves `configuration` against `environment` and the shared config files.
    package static func resolve(_ configuration: LatticeConfiguration, environment: RuntimeEnvironment) throws(ConfigurationError) -> ResolvedSettings {
        let variables = environment.variables
        let profile = try configuration.loadProfileSettings(environment: environment)
        let region = try configuration.resolveRegion(profileSettings: profile, environment: environment)

        let fipsVariable = try flag("AWS_USE_FIPS_ENDPOINT", variables)
        let useFIPS = configuration.useFIPS ?? fipsVariable ?? profile.useFIPSEndpoint ?? false
        let dualStackVariable = try flag("AWS_USE_DUALSTACK_ENDPOINT", variables)
        let useDualStack = configuration.useDualStack ?? dualStackVariable ?? profile.useDualStackEndpoint ?? false

        // Custom endpoint precedence: explicit, then the service's and the global environment
        // variable, then the profile's services section and its endpoint_url (unless
        // configured endpoints are ignored), then the rule set alone.
        let ignoreConfigured = try flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", variables) ?? false
        var custom: (url: String, source: String)? = configuration.endpoint.map { ($0, "the client configuration") }
        if custom == nil, !ignoreConfigured {
            if let v = SettingText.nonEmpty(variables["AWS_ENDPOINT_URL_VPC_LATTICE"]) {
                custom = (v, "AWS_ENDPOINT_URL_VPC_LATTICE")
            } else if let v = SettingText.nonEmpty(variables["AWS_ENDPOINT_URL"]) {
                custom = (v, "AWS_ENDPOINT_URL")
            } else if let v = SettingText.nonEmpty(profile.serviceEndpointURL) {
                custom = (v, "the vpc-lattice endpoint_url of profile \(profile.name)'s services section")
            } else if let v = SettingText.nonEmpty(profile.endpointURL) {
                custom = (v, "endpoint_url of profile \(profile.name)")
            }
        }
        let endpoint: ResolvedEndpoint
        do {
            endpoint = try EndpointResolver.resolve(EndpointParameters(region: region, useFIPS: useFIPS, useDualStack: useDualStack, endpoint: custom?.url))
        } catch {
            let source = custom.map { " (custom endpoint from \($0.source))" } ?? ""
            throw ConfigurationError(.invalidConfiguration, "\(error)\(source)")
        }

        let retry: RetryConfiguration
        do {
            var profileRetry: [String: String] = [:]
            if let n = profile.maxAttempts { profileRetry["max_attempts"] = String(n) }
            if let m = profile.retryMode { profileRetry["retry_mode"] = m }
            retry = try RetryConfiguration.resolve(maxAttempts: configuration.maxAttempts, mode: configuration.retryMode, variables: variables, profile: profileRetry)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "\(error)")
        }

        let limits = configuration.timeouts
        for (name, value) in [("timeouts.connect", limits.connect), ("timeouts.read", limits.read), ("timeouts.attempt", limits.attempt),
                              ("timeouts.minimumRateWindow", limits.minimumRateWindow), ("callTimeout", configuration.callTimeout)] where !(value > 0) {
            throw ConfigurationError(.invalidConfiguration, "LatticeConfiguration.\(name) is \(value): set a number of seconds above 0 (.infinity for no limit)")
        }
        var transport = CurlTransport.Configuration.fromEnvironment(variables)
        transport.timeouts = configuration.timeouts
        transport.verifyTLS = configuration.verifyTLS
        if transport.caBundlePath == nil { transport.caBundlePath = SettingText.nonEmpty(profile.caBundle) }

        return ResolvedSettings(
            region: region, endpoint: endpoint, endpointSource: custom?.source ?? "the vpc-lattice endpoint rules",
            useFIPS: useFIPS, useDualStack: useDualStack, retry: retry, transport: transport, profileName: profile.name
        )
    }

    /// A true/false environment variable; anything else is an error naming it.
    private static func flag(_ name: String, _ variables: [String: String]) throws(ConfigurationError) -> Bool? {
        guard let raw = SettingText.nonEmpty(variables[name]) else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default:
            throw ConfigurationError(.invalidConfiguration, "\(name) is '\(raw)', which is not a boolean: set it to true or false, or unset it")
        }
    }
}
