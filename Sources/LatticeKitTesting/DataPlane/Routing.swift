import LatticeKit
import Synchronization

/// A request as the router sees it: where it arrived (the listener's protocol, the port in
/// the Host header if any) and what it asks for.
package struct RoutedRequest: Sendable {
    package var method: String
    /// The path without the query, as sent (percent-encoded).
    package var path: String
    /// The Host header (or :authority) as sent, port included.
    package var host: String
    /// Header fields as sent; names compare case-insensitively.
    package var headers: [(name: String, value: String)]
    /// HTTP or HTTPS: which of the data plane's ports the request came in on.
    package var listenerProtocol: ListenerProtocol

    package init(method: String, path: String, host: String, headers: [(name: String, value: String)], listenerProtocol: ListenerProtocol) {
        self.method = method
        self.path = path
        self.host = host
        self.headers = headers
        self.listenerProtocol = listenerProtocol
    }

    /// The host name, lowercased, without a port or a trailing dot.
    package var hostName: String {
        var h = Substring(host.lowercased())
        if h.hasPrefix("[") {
            if let end = h.firstIndex(of: "]") { h = h[...end] }
        } else if let colon = h.lastIndex(of: ":"), h[h.index(after: colon)...].allSatisfy(\.isASCIIDigit) {
            h = h[..<colon]
        }
        while h.hasSuffix(".") { h = h.dropLast() }
        return String(h)
    }

    /// The port in the Host header, if any.
    package var hostPort: Int? {
        guard !host.hasSuffix("]"), let colon = host.lastIndex(of: ":") else { return nil }
        return Int(host[host.index(after: colon)...])
    }
}

/// What the router decided for a request.
package enum RouteDecision: Sendable {
    /// Forward to this target group, chosen by the rule's weights.
    case forward(service: DataPlaneSnapshot.Service, listener: DataPlaneSnapshot.Listener, rule: DataPlaneSnapshot.Rule,
                 targetGroup: DataPlaneSnapshot.TargetGroup)
    /// Answer with this status and no body, as a fixed-response action does.
    case fixedResponse(service: DataPlaneSnapshot.Service, listener: DataPlaneSnapshot.Listener, rule: DataPlaneSnapshot.Rule, status: Int)
    /// The request cannot be routed: the status to answer and why.
    case refused(RouteRefusal)
}

/// A request the data plane cannot route, with the status it answers and a message that says
/// what to do. `service` and `listener` are set when the request got that far.
package struct RouteRefusal: Sendable, Error {
    package var status: Int
    /// A short code for logs and the `x-local-lattice-error` header (`UnknownHost`, `NoListener`, ...).
    package var code: String
    package var message: String
    package var service: DataPlaneSnapshot.Service?
    package var listener: DataPlaneSnapshot.Listener?
    package var rule: DataPlaneSnapshot.Rule?
    package var targetGroup: DataPlaneSnapshot.TargetGroup?
}

/// Routes requests as a Lattice service's listener does: the service by the Host header (its
/// generated DNS name or its custom domain), the listener by protocol (and the Host header's
/// port when the service has two of the protocol), then the listener's rules in priority
/// order, lowest first, the default rule last; the first rule whose match conditions all hold
/// gives the action. A forward action picks one of its target groups at random by weight
/// (from a seeded generator, so a run repeats).
/// https://docs.aws.amazon.com/vpc-lattice/latest/ug/listener-rules.html
package final class DataPlaneRouter: Sendable {
    package let snapshot: DataPlaneSnapshot
    private let byHost: [String: Int]
    private let random: SeededRandom

    /// A router for `snapshot`, drawing weights from `random` (shared by the routers that
    /// follow one another as the state changes, so a seeded run repeats).
    package init(_ snapshot: DataPlaneSnapshot, random: SeededRandom) {
        self.snapshot = snapshot
        var byHost: [String: Int] = [:]
        for (i, service) in snapshot.services.enumerated() {
            for name in [service.dnsName, service.customDomainName].compactMap({ $0?.lowercased() }) where byHost[name] == nil {
                byHost[name] = i
            }
        }
        self.byHost = byHost
        self.random = random
    }

    /// The service whose DNS name or custom domain is `hostName` (lowercased, no port).
    package func service(forHost hostName: String) -> DataPlaneSnapshot.Service? {
        byHost[hostName].map { snapshot.services[$0] }
    }

    package func route(_ request: RoutedRequest) -> RouteDecision {
        let hostName = request.hostName
        guard let service = service(forHost: hostName) else {
            return .refused(RouteRefusal(
                status: 404, code: "UnknownHost",
                message: "No service has the DNS name or custom domain '\(hostName)'. Send the service's dnsEntry.domainName (or its customDomainName) in the Host header; GET /_local/dataplane on the control-plane port lists them."))
        }
        let candidates = service.listeners.filter { $0.protocol == request.listenerProtocol }.sorted { $0.port < $1.port }
        let listener = request.hostPort.flatMap { port in candidates.first { $0.port == port } } ?? candidates.first
        guard let listener else {
            let others = service.listeners.map { "\($0.protocol.rawValue):\($0.port)" }.joined(separator: ", ")
            return .refused(RouteRefusal(
                status: 404, code: "NoListener",
                message: "The service \(service.id) has no \(request.listenerProtocol.rawValue) listener (it has: \(others.isEmpty ? "none" : others)). Create one with CreateListener, or call the data plane port of the protocol it has.",
                service: service))
        }
        guard let rule = listener.rules.first(where: { Self.matches($0, request) }) else {
            return .refused(RouteRefusal(status: 404, code: "NoRule", message: "The listener \(listener.id) has no default rule.", service: service, listener: listener))
        }
        switch rule.action {
        case let .fixedResponse(fixed):
            return .fixedResponse(service: service, listener: listener, rule: rule, status: fixed.statusCode)
        case let .forward(forward):
            guard let chosen = pick(forward.targetGroups) else {
                return .refused(RouteRefusal(status: 503, code: "NoTargetGroup",
                                             message: "The rule \(rule.id) forwards to target groups that all have weight 0: give one a weight above 0.",
                                             service: service, listener: listener, rule: rule))
            }
            guard let group = snapshot.targetGroups[chosen] else {
                return .refused(RouteRefusal(status: 503, code: "NoTargetGroup", message: "The target group \(chosen) of rule \(rule.id) no longer exists.",
                                             service: service, listener: listener, rule: rule))
            }
            return .forward(service: service, listener: listener, rule: rule, targetGroup: group)
        case .sdkUnknown:
            return .refused(RouteRefusal(status: 501, code: "UnknownAction", message: "The rule \(rule.id) has an action this emulator does not know.",
                                         service: service, listener: listener, rule: rule))
        }
    }

    /// A target group drawn by weight: each group's chance is its weight over the sum. A
    /// single group without a weight counts as weight 1.
    func pick(_ groups: [WeightedTargetGroup]) -> String? {
        let weights = groups.map { max(0, $0.weight ?? (groups.count == 1 ? 1 : 0)) }
        let total = weights.reduce(0, +)
        guard total > 0 else { return nil }
        let draw = Int(random.next() % UInt64(total))
        var sum = 0
        for (group, weight) in zip(groups, weights) {
            sum += weight
            if draw < sum { return group.targetGroupIdentifier }
        }
        return nil
    }

    // MARK: Match conditions

    /// Whether every condition of the rule holds (the default rule has none).
    static func matches(_ rule: DataPlaneSnapshot.Rule, _ request: RoutedRequest) -> Bool {
        if rule.isDefault { return true }
        guard let match = rule.match else { return true }
        if let method = match.method, method.uppercased() != request.method.uppercased() { return false }
        if let pathMatch = match.pathMatch, !matches(pathMatch, request.path) { return false }
        for header in match.headerMatches ?? [] where !matches(header, request.headers) { return false }
        return true
    }

    /// Exact or prefix, case-insensitive unless `caseSensitive` is true (the API's default is
    /// false: https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_PathMatch.html).
    static func matches(_ pathMatch: PathMatch, _ path: String) -> Bool {
        let sensitive = pathMatch.caseSensitive ?? false
        let subject = sensitive ? path : path.lowercased()
        switch pathMatch.match {
        case let .exact(value): return subject == (sensitive ? value : value.lowercased())
        case let .prefix(value): return subject.hasPrefix(sensitive ? value : value.lowercased())
        case .sdkUnknown: return false
        }
    }

    /// The header is present and one of its values (or all of them joined with `, `) matches
    /// exactly, by prefix or by containing the value; header names ignore case, values ignore
    /// case unless `caseSensitive` is true.
    static func matches(_ headerMatch: HeaderMatch, _ headers: [(name: String, value: String)]) -> Bool {
        let values = headers.filter { $0.name.lowercased() == headerMatch.name.lowercased() }.map(\.value)
        guard !values.isEmpty else { return false }
        let sensitive = headerMatch.caseSensitive ?? false
        let subjects = (values.count > 1 ? values + [values.joined(separator: ", ")] : values).map { sensitive ? $0 : $0.lowercased() }
        return subjects.contains { subject in
            switch headerMatch.match {
            case let .exact(v): return subject == (sensitive ? v : v.lowercased())
            case let .prefix(v): return subject.hasPrefix(sensitive ? v : v.lowercased())
            case let .contains(v): return subject.contains(sensitive ? v : v.lowercased())
            case .sdkUnknown: return false
            }
        }
    }
}

/// A random source with a seed (SplitMix64), safe to share between threads.
package final class SeededRandom: Sendable {
    private let state: Mutex<SplitMix64>

    package init(seed: UInt64) {
        state = Mutex(SplitMix64(seed: seed))
    }

    package func next() -> UInt64 {
        state.withLock { $0.next() }
    }
}
