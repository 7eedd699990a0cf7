/// Waiters on the targets of a target group, read with `ListTargets` (every page, each poll).
///
/// Targets are chosen by the `targets` argument, else the request's `targets`; when both are
/// nil or empty, every target of the group counts. A chosen `Target` matches listed targets
/// with its id and, when it has one, its port.
extension LatticeClient {
    /// Waits until every chosen target is `HEALTHY`, and returns their summaries.
    ///
    /// - `INITIAL` and `UNHEALTHY` keep waiting: health checks may still pass.
    /// - `UNUSED` (no listener or rule forwards to the group, so nothing health-checks it) keeps
    ///   waiting too, since a listener being created makes it `INITIAL`; a timeout says so.
    /// - `UNAVAILABLE` (health checks disabled) and `DRAINING` (being deregistered) fail at
    ///   once: neither leads to `HEALTHY`.
    /// - A chosen target not listed yet, or a group that lists no target, keeps waiting.
    @discardableResult
    public func waitUntilTargetsHealthy(
        _ input: ListTargetsRequest,
        targets: [Target]? = nil,
        options: WaiterOptions = WaiterOptions()
    ) async throws -> [TargetSummary] {
        let chosen = Self.chosenTargets(targets, input)
        let subject = WaiterSubject(resourceType: "targets of target group", resourceId: input.targetGroupIdentifier, goal: "HEALTHY", operation: "ListTargets")
        return try await waitUntil(subject, options: options) {
            Self.health(of: try await listTargetsItems(input).collect(), chosen: chosen)
        }
    }

    /// Waits until no chosen target is listed any more (`DRAINING` lasts the group's
    /// deregistration delay, 300 s by default, hence the 10-minute default timeout). A target
    /// group that is gone (`ResourceNotFoundException`) has no targets: that is success too.
    /// A chosen target still listed in another status keeps waiting (the deregistration may
    /// not show yet); a timeout names it.
    public func waitUntilTargetsDeregistered(
        _ input: ListTargetsRequest,
        targets: [Target]? = nil,
        options: WaiterOptions = WaiterOptions(timeout: 600)
    ) async throws {
        let chosen = Self.chosenTargets(targets, input)
        let subject = WaiterSubject(resourceType: "targets of target group", resourceId: input.targetGroupIdentifier, goal: "deregistered", operation: "ListTargets")
        try await waitUntil(subject, options: options) {
            let listed: [TargetSummary]
            do {
                listed = try await listTargetsItems(input).collect()
            } catch where Self.isNotFound(error) {
                return .done((), state: Self.deletedState)
            }
            return Self.deregistration(of: listed, chosen: chosen)
        }
    }

    /// ``waitUntilTargetsHealthy(_:targets:options:)`` for the target group with this identifier.
    @discardableResult
    public func waitUntilTargetsHealthy(
        targetGroupIdentifier: String, targets: [Target]? = nil, options: WaiterOptions = WaiterOptions()
    ) async throws -> [TargetSummary] {
        try await waitUntilTargetsHealthy(ListTargetsRequest(targetGroupIdentifier: targetGroupIdentifier), targets: targets, options: options)
    }

    /// ``waitUntilTargetsDeregistered(_:targets:options:)`` for the target group with this identifier.
    public func waitUntilTargetsDeregistered(
        targetGroupIdentifier: String, targets: [Target]? = nil, options: WaiterOptions = WaiterOptions(timeout: 600)
    ) async throws {
        try await waitUntilTargetsDeregistered(ListTargetsRequest(targetGroupIdentifier: targetGroupIdentifier), targets: targets, options: options)
    }

    // MARK: Evaluation

    static func chosenTargets(_ targets: [Target]?, _ input: ListTargetsRequest) -> [Target]? {
        guard let chosen = targets ?? input.targets, !chosen.isEmpty else { return nil }
        return chosen
    }

    /// The listed targets that count, and the chosen targets not listed.
    static func select(_ listed: [TargetSummary], chosen: [Target]?) -> (present: [TargetSummary], missing: [Target]) {
        guard let chosen else { return (listed, []) }
        let matches = { (t: Target, s: TargetSummary) in s.id == t.id && (t.port == nil || s.port == t.port) }
        let present = listed.filter { s in chosen.contains { matches($0, s) } }
        let missing = chosen.filter { t in !listed.contains { matches(t, $0) } }
        return (present, missing)
    }

    static func health(of listed: [TargetSummary], chosen: [Target]?) -> WaiterObservation<[TargetSummary]> {
        let (present, missing) = select(listed, chosen: chosen)
        if present.isEmpty, missing.isEmpty {
            return .waiting(state: "no targets", hint: "the target group lists no targets: register them with RegisterTargets")
        }
        let unavailable = present.filter { $0.status == .unavailable }
        let draining = present.filter { $0.status == .draining }
        if !unavailable.isEmpty || !draining.isEmpty {
            var reasons: [String] = []
            if !unavailable.isEmpty {
                reasons.append("\(list(unavailable)) UNAVAILABLE: health checks are disabled for the target group, so targets never report HEALTHY; enable them, or do not wait for health")
            }
            if !draining.isEmpty {
                reasons.append("\(list(draining)) DRAINING: being deregistered; register again, then wait")
            }
            let state = (unavailable.first ?? draining.first)?.status?.rawValue ?? noStatusState
            return .failed(state: state, reason: reasons.joined(separator: "; "))
        }
        if missing.isEmpty, present.allSatisfy({ $0.status == .healthy }) {
            return .done(present, state: TargetStatus.healthy.rawValue)
        }
        var hints: [String] = []
        let unhealthy = present.filter { $0.status == .unhealthy }
        if !unhealthy.isEmpty {
            hints.append("\(list(unhealthy)) UNHEALTHY: check the health check path and port, and that the targets' security groups let VPC Lattice in")
        }
        let unused = present.filter { $0.status == .unused }
        if !unused.isEmpty {
            hints.append("\(list(unused)) UNUSED: no listener or rule forwards to the target group, so nothing health-checks it; add one")
        }
        if !missing.isEmpty {
            hints.append("\(list(missing.map { TargetSummary(id: $0.id, port: $0.port) })) not listed: register with RegisterTargets")
        }
        return .waiting(state: stateText(present, missing: missing.count), hint: hints.isEmpty ? nil : hints.joined(separator: "; "))
    }

    static func deregistration(of listed: [TargetSummary], chosen: [Target]?) -> WaiterObservation<Void> {
        let (present, _) = select(listed, chosen: chosen)
        if present.isEmpty { return .done((), state: "deregistered") }
        var hints: [String] = []
        let draining = present.filter { $0.status == .draining }
        if !draining.isEmpty {
            hints.append("\(list(draining)) DRAINING for the target group's deregistration delay")
        }
        let registered = present.filter { $0.status != .draining }
        if !registered.isEmpty {
            hints.append("\(list(registered)) still registered: deregister with DeregisterTargets")
        }
        return .waiting(state: stateText(present, missing: 0), hint: hints.joined(separator: "; "))
    }

    /// One raw status when every target shares it, else counts: `2 HEALTHY, 1 INITIAL, 1 not listed`.
    static func stateText(_ present: [TargetSummary], missing: Int) -> String {
        let statuses = present.map { $0.status?.rawValue ?? noStatusState }
        if missing == 0, let first = statuses.first, statuses.allSatisfy({ $0 == first }) { return first }
        if present.isEmpty { return "not listed" }
        var counts: [String: Int] = [:]
        for s in statuses { counts[s, default: 0] += 1 }
        let order = TargetStatus.knownValues.map(\.rawValue)
        let sorted = counts.keys.sorted { a, b in
            let (ia, ib) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
            return ia != ib ? ia < ib : a < b
        }
        var parts = sorted.map { "\(counts[$0] ?? 0) \($0)" }
        if missing > 0 { parts.append("\(missing) not listed") }
        return parts.joined(separator: ", ")
    }

    /// `10.0.0.1:80, 10.0.0.2:80` (the first five, then how many more).
    static func list(_ targets: [TargetSummary]) -> String {
        let names = targets.prefix(5).map { t -> String in
            var name = t.id ?? "?"
            if let port = t.port { name += ":\(port)" }
            if let reason = t.reasonCode, !reason.isEmpty { name += " (\(reason))" }
            return name
        }
        let more = targets.count > 5 ? " and \(targets.count - 5) more" : ""
        return "target" + (targets.count == 1 ? " " : "s ") + names.joined(separator: ", ") + more
    }
}
