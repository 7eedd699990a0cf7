import LatticeKit

/// Target registration and health. A registered target is UNUSED while no listener or rule
/// forwards to its group, INITIAL once it is, for the configured number of ListTargets
/// observations or the configured time, then HEALTHY; UNAVAILABLE when health checks are
/// disabled or not supported (LAMBDA, ALB). Deregistering a target that is health-checked
/// makes it DRAINING for as long; any other goes at once.
enum TargetHandlers {
    static let endpoints: [Endpoint] = [
        .make(.registerTargets) { (s: inout Scope, i: RegisterTargetsRequest) in try s.registerTargets(i) },
        .make(.deregisterTargets) { (s: inout Scope, i: DeregisterTargetsRequest) in try s.deregisterTargets(i) },
        .make(.listTargets) { (s: inout Scope, i: ListTargetsRequest) in try s.listTargets(i) },
    ]

    // The reason codes the service gives with each status.
    static let notInUse = "TargetGroupNotInUse"
    static let healthCheckDisabled = "HealthCheckDisabled"
    static let healthCheckNotSupported = "HealthCheckNotSupported"
    static let registering = "RegistrationInProgress"
    static let deregistering = "DeregistrationInProgress"
}

extension Scope {
    mutating func registerTargets(_ i: RegisterTargetsRequest) throws(ServiceFault) -> RegisterTargetsResponse {
        var group = try findUsable(\.targetGroups, i.targetGroupIdentifier)
        var successful: [Target] = []
        var unsuccessful: [TargetFailure] = []
        for target in i.targets {
            let port = group.type == .lambda ? target.port : (target.port ?? group.config?.port)
            if let problem = targetProblem(target, group) {
                unsuccessful.append(TargetFailure(id: target.id, port: target.port, failureCode: "InvalidParameter", failureMessage: problem))
                continue
            }
            if let index = group.targets.firstIndex(where: { $0.id == target.id && $0.port == port }) {
                if case .draining = group.targets[index].state { group.targets[index].state = Self.registered(settle) }
                successful.append(Target(id: target.id, port: port))
                continue
            }
            let single = group.type == .lambda || group.type == .alb
            if single, let other = group.targets.first {
                unsuccessful.append(TargetFailure(id: target.id, port: target.port, failureCode: "TargetLimitExceeded",
                                                  failureMessage: "A \(group.type.rawValue) target group has one target; \(other.id) is registered."))
                continue
            }
            if group.targets.count >= quotas.targetsPerTargetGroup {
                unsuccessful.append(TargetFailure(id: target.id, port: target.port, failureCode: "ServiceQuotaExceeded",
                                                  failureMessage: "The target group has \(group.targets.count) targets, the quota."))
                continue
            }
            group.targets.append(TargetRecord(id: target.id, port: port, state: Self.registered(settle), seq: db.seq()))
            successful.append(Target(id: target.id, port: port))
        }
        db.targetGroups[group.id] = group
        return RegisterTargetsResponse(successful: successful, unsuccessful: unsuccessful)
    }

    mutating func deregisterTargets(_ i: DeregisterTargetsRequest) throws(ServiceFault) -> DeregisterTargetsResponse {
        var group = try find(\.targetGroups, i.targetGroupIdentifier)
        let checked = db.isHealthChecked(group)
        var successful: [Target] = []
        var unsuccessful: [TargetFailure] = []
        for target in i.targets {
            let port = group.type == .lambda ? target.port : (target.port ?? group.config?.port)
            guard let index = group.targets.firstIndex(where: { $0.id == target.id && (target.port == nil || $0.port == port) }) else {
                unsuccessful.append(TargetFailure(id: target.id, port: target.port, failureCode: "TargetNotFound",
                                                  failureMessage: "The target \(target.id) is not registered with \(group.id)."))
                continue
            }
            let found = group.targets[index]
            if checked, !settle.isImmediate {
                if case .registered = found.state { group.targets[index].state = .draining(left: settle.observations, goneAt: settle.countdown.until) }
            } else {
                group.targets.remove(at: index)
            }
            successful.append(Target(id: found.id, port: found.port))
        }
        db.targetGroups[group.id] = group
        return DeregisterTargetsResponse(successful: successful, unsuccessful: unsuccessful)
    }

    mutating func listTargets(_ i: ListTargetsRequest) throws(ServiceFault) -> ListTargetsResponse {
        var group = try find(\.targetGroups, i.targetGroupIdentifier)
        let chosen = i.targets ?? []
        let listed = group.targets.filter { t in chosen.isEmpty || chosen.contains { $0.id == t.id && ($0.port == nil || $0.port == t.port) } }
        let filter = chosen.map { "\($0.id):\($0.port.map(String.init) ?? "")" }.joined(separator: ",")
        let (items, token) = try page(listed, seq: \.seq, operation: "ListTargets/\(group.id)", filter: filter, maxResults: i.maxResults, nextToken: i.nextToken)
        let inUse = db.isInUse(group.id)
        let unchecked = Self.healthCheckProblem(group)
        var summaries: [TargetSummary] = []
        for target in items {
            guard let index = group.targets.firstIndex(of: target) else { continue }
            var status: TargetStatus
            var reason: String?
            switch target.state {
            case let .draining(left, goneAt):
                (status, reason) = (.draining, TargetHandlers.deregistering)
                if left <= 1 { group.targets.remove(at: index) } else { group.targets[index].state = .draining(left: left - 1, goneAt: goneAt) }
            case let .registered(left, healthyAt):
                if let unchecked {
                    (status, reason) = (.unavailable, unchecked)
                } else if !inUse {
                    (status, reason) = (.unused, TargetHandlers.notInUse)
                } else if let report = reportedHealth?[HealthBoard.Key(targetGroupId: group.id, targetId: target.id, port: target.port)] {
                    // Real health checks (the local data plane's) found this.
                    (status, reason) = (report.status, report.reasonCode)
                } else if reportedHealth != nil, healthBoard?.willCheck(target.id, port: target.port ?? group.config?.port) == true {
                    // Registered since the checks' last pass: INITIAL until they decide.
                    (status, reason) = (.initial, TargetHandlers.registering)
                } else if left > 0 {
                    (status, reason) = (.initial, TargetHandlers.registering)
                    group.targets[index].state = .registered(left: left - 1, healthyAt: healthyAt)
                } else {
                    (status, reason) = (.healthy, nil)
                }
            }
            summaries.append(TargetSummary(id: target.id, port: target.port, status: status, reasonCode: reason))
        }
        db.targetGroups[group.id] = group
        return ListTargetsResponse(items: summaries, nextToken: token)
    }

    /// A target just registered: INITIAL until its health checks pass (HEALTHY at once when
    /// changes settle at once).
    static func registered(_ settle: Settling) -> TargetRecord.State {
        .registered(left: settle.isImmediate ? 0 : settle.observations, healthyAt: nil)
    }

    /// Why the group's targets are never health-checked (UNAVAILABLE), or nil.
    static func healthCheckProblem(_ group: TargetGroupRecord) -> String? {
        if group.type == .lambda || group.type == .alb { return TargetHandlers.healthCheckNotSupported }
        if group.config?.healthCheck?.enabled == false { return TargetHandlers.healthCheckDisabled }
        return nil
    }

    /// Why a target cannot be registered with the group, or nil.
    func targetProblem(_ target: Target, _ group: TargetGroupRecord) -> String? {
        switch group.type {
        case .ip:
            let v6 = group.config?.ipAddressType == .ipv6
            if v6 ? !Self.isIPv6(target.id) : !Self.isIPv4(target.id) {
                return "'\(target.id)' is not an \(v6 ? "IPv6" : "IPv4") address."
            }
        case .instance:
            let hex = target.id.dropFirst(2)
            if !target.id.hasPrefix("i-") || !(hex.count == 8 || hex.count == 17) || !hex.allSatisfy(\.isHexDigit) {
                return "'\(target.id)' is not an EC2 instance ID."
            }
        case .lambda:
            if target.port != nil { return "Lambda targets take no port." }
            guard let arn = ARN.serviceAndResource(target.id), arn.service == "lambda", arn.resource.hasPrefix("function:") else {
                return "'\(target.id)' is not a Lambda function ARN."
            }
        case .alb:
            guard let arn = ARN.serviceAndResource(target.id), arn.service == "elasticloadbalancing", arn.resource.hasPrefix("loadbalancer/app/") else {
                return "'\(target.id)' is not an Application Load Balancer ARN."
            }
        default:
            break
        }
        return nil
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCIIDigit) && (Int(p) ?? 256) <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        text.contains(":") && text.count <= 39 && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
