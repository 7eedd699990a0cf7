import SigV4
import Synchronization

/// The settings the vpc-lattice endpoint rules look at.
package struct EndpointParameters: Sendable, Hashable {
    /// The AWS region, such as `us-east-1`. An empty string counts as unset.
    package var region: String?
    /// Use the FIPS endpoint (`AWS_USE_FIPS_ENDPOINT`).
    package var useFIPS: Bool
    /// Use the dual-stack endpoint (`AWS_USE_DUALSTACK_ENDPOINT`).
    package var useDualStack: Bool
    /// A custom endpoint URL; when set, the rules return it as is. An empty string counts as
    /// unset.
    package var endpoint: String?

    package init(region: String? = nil, useFIPS: Bool = false, useDualStack: Bool = false, endpoint: String? = nil) {
        self.region = region
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
        self.endpoint = endpoint
    }
}

/// Where to send requests.
public struct ResolvedEndpoint: Sendable, Hashable {
    /// The endpoint URL, such as `https://vpc-lattice.us-east-1.amazonaws.com`.
    public var url: String
    /// Header fields the rules require on every request (none for vpc-lattice today).
    public var headers: [String: [String]]

    /// An endpoint.
    ///
    /// - Parameters:
    ///   - url: The endpoint's URL.
    ///   - headers: Headers the rule set asks every request to carry.
    public init(url: String, headers: [String: [String]] = [:]) {
        self.url = url
        self.headers = headers
    }
}

/// Why no endpoint could be resolved: `reason` is what went wrong (in the rule set's own words
/// when its rules refused the settings), `advice` what to change.
public struct EndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, Hashable {
        /// The rule set refused this combination of settings (no region, FIPS with a custom
        /// endpoint, FIPS or dual-stack where the partition has none, ...).
        case invalidConfiguration
        /// The region is not a region name (letters, digits and hyphens).
        case invalidRegion
        /// The custom endpoint is not an http(s) URL with a valid host.
        case invalidEndpoint
        /// No rule applied to the settings.
        case noMatchingRule
        /// The built-in rule set or partition data could not be used: a LatticeKit bug.
        case invalidRuleSet
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// What went wrong.
    public var reason: String
    /// What to do about it.
    public var advice: String

    /// An endpoint error.
    ///
    /// - Parameters:
    ///   - kind: What kind of problem it is.
    ///   - reason: What went wrong.
    ///   - advice: What to change.
    public init(kind: Kind, reason: String, advice: String) {
        self.kind = kind
        self.reason = reason
        self.advice = advice
    }

    public var description: String {
        guard !advice.isEmpty else { return reason }
        return reason.hasSuffix(".") ? "\(reason) \(advice)" : "\(reason). \(advice)"
    }

    static func ruleSet(_ detail: String) -> EndpointError {
        EndpointError(
            kind: .invalidRuleSet,
            reason: "The built-in vpc-lattice endpoint rules cannot be used: \(detail)",
            advice: "This is a LatticeKit bug; please report it. Meanwhile a custom endpoint (LatticeConfiguration.endpoint or AWS_ENDPOINT_URL_VPC_LATTICE) bypasses the rules."
        )
    }

    /// The rule set's own error; `EndpointResolver` adds advice that fits the settings.
    static func ruleSetRejected(_ message: String) -> EndpointError {
        EndpointError(kind: .invalidConfiguration, reason: message, advice: "")
    }

    static func noMatchingRule(_ settings: String) -> EndpointError {
        EndpointError(
            kind: .noMatchingRule,
            reason: "No vpc-lattice endpoint rule applies to \(settings)",
            advice: "Check the region and the FIPS and dual-stack settings, or set a custom endpoint with LatticeConfiguration.endpoint or AWS_ENDPOINT_URL_VPC_LATTICE."
        )
    }
}

/// Resolves vpc-lattice endpoints by evaluating the service's endpoint rule set (the Smithy
/// rules language, with botocore's partition data embedded in `EndpointData`), the way the AWS
/// SDKs do.
package enum EndpointResolver {
    /// The endpoint for `parameters`. Results are cached, so repeated calls cost a lookup.
    package static func resolve(_ parameters: EndpointParameters) throws(EndpointError) -> ResolvedEndpoint {
        if let hit = cache.withLock({ $0[parameters] }) { return try hit.get() }
        let result = Result { () throws(EndpointError) in try uncachedResolve(parameters) }
        cache.withLock {
            if $0.count >= cacheCapacity { $0.removeAll(keepingCapacity: true) }
            $0[parameters] = result
        }
        return try result.get()
    }

    /// Resolves without the cache.
    static func uncachedResolve(_ parameters: EndpointParameters) throws(EndpointError) -> ResolvedEndpoint {
        var p = parameters
        if p.region == "" { p.region = nil }
        if p.endpoint == "" { p.endpoint = nil }
        if let region = p.region { try checkRegion(region) }
        if let endpoint = p.endpoint { try checkEndpoint(endpoint) }
        // The rule set's answer for a custom endpoint without FIPS or dual-stack is the endpoint
        // itself (checked above); skipping the engine spares parsing the rule set and partitions,
        // which a one-shot CLI call against a local endpoint feels in start-up time and memory.
        // The endpoint cases from botocore cover this path too.
        if let endpoint = p.endpoint, !p.useFIPS, !p.useDualStack {
            return ResolvedEndpoint(url: endpoint)
        }
        let evaluator = try engine.get()
        do {
            let endpoint = try evaluator.evaluate(evaluator.inputs(for: p))
            return ResolvedEndpoint(url: endpoint.url, headers: endpoint.headers)
        } catch where error.kind == .invalidConfiguration {
            throw EndpointError(kind: error.kind, reason: error.reason, advice: advice(for: error.reason, p))
        }
    }

    /// The compiled rule set and partitions, built on first use.
    static let engine = Result { () throws(EndpointError) in
        try RuleEngine.Evaluator(ruleSetJSON: EndpointData.ruleSet, partitionsJSON: EndpointData.partitions)
    }

    private static let cacheCapacity = 64
    private static let cache = Mutex<[EndpointParameters: Result<ResolvedEndpoint, EndpointError>]>([:])

    private static let regionAdvice = "Set a region, such as us-east-1: LatticeConfiguration.region, AWS_REGION, or the profile's region."
    private static let endpointSources = "LatticeConfiguration.endpoint, AWS_ENDPOINT_URL_VPC_LATTICE, AWS_ENDPOINT_URL or the profile's endpoint_url"

    /// A region is a host label that is not all digits, as botocore requires.
    static func checkRegion(_ region: String) throws(EndpointError) {
        let allDigits = region.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        guard RuleEngine.Library.isValidHostLabel(region, allowSubdomains: false), !allDigits else {
            throw EndpointError(
                kind: .invalidRegion,
                reason: "Invalid region \"\(region)\": a region is letters, digits and hyphens, such as us-east-1",
                advice: "Check LatticeConfiguration.region, AWS_REGION, AWS_DEFAULT_REGION and the profile's region."
            )
        }
    }

    /// A custom endpoint is an http or https URL whose host is a DNS name, IPv4 or bracketed
    /// IPv6 address.
    static func checkEndpoint(_ endpoint: String) throws(EndpointError) {
        guard !isValidEndpoint(endpoint) else { return }
        throw EndpointError(
            kind: .invalidEndpoint,
            reason: "Invalid endpoint URL \"\(endpoint)\": expected http:// or https:// and a host, such as https://vpc-lattice.us-west-2.amazonaws.com or http://127.0.0.1:5000",
            advice: "Fix or remove the custom endpoint (\(endpointSources))."
        )
    }

    private static func isValidEndpoint(_ endpoint: String) -> Bool {
        guard !endpoint.contains(where: { $0.isWhitespace || $0.isNewline }), let url = ParsedURL(endpoint) else { return false }
        let scheme = url.scheme.lowercased()
        guard scheme == "http" || scheme == "https" else { return false }
        guard var host = RuleEngine.Library.hostOf(url.authority) else { return false }
        if host.hasPrefix("[") { return RuleEngine.Library.isIPv6(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host = host.dropLast() }
        return host.utf8.count <= 255 && RuleEngine.Library.isValidHostLabel(String(host), allowSubdomains: true)
    }

    /// What to change, judged from the rule set's message and the settings that were on.
    static func advice(for reason: String, _ p: EndpointParameters) -> String {
        let lower = reason.lowercased()
        if lower.contains("missing region") { return regionAdvice }
        var fixes: [String] = []
        if p.useFIPS && lower.contains("fips") {
            fixes.append("turn FIPS off (unset AWS_USE_FIPS_ENDPOINT or the profile's use_fips_endpoint)")
        }
        if p.useDualStack && lower.contains("dualstack") {
            fixes.append("turn dual-stack off (unset AWS_USE_DUALSTACK_ENDPOINT or the profile's use_dualstack_endpoint)")
        }
        if p.endpoint != nil && lower.contains("custom endpoint") {
            fixes.append("remove the custom endpoint (\(endpointSources))")
        } else if let region = p.region, lower.contains("partition") {
            fixes.append("use a region other than \(region) whose partition supports it")
        }
        guard !fixes.isEmpty else {
            return "Check the region, AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT and any custom endpoint (\(endpointSources))."
        }
        let joined = fixes.joined(separator: ", or ")
        return joined.prefix(1).uppercased() + joined.dropFirst() + "."
    }
}
