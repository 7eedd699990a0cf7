import LatticeKit

/// Target groups: IP, INSTANCE and ALB groups need a port, protocol and VPC; LAMBDA groups
/// take only the event structure version. Health checks get the service's defaults (HTTP:
/// path `/`, every 30 s, timeout 5 s, 5 healthy, 2 unhealthy, matcher 200). Deletion is
/// refused while a listener or rule forwards to the group; registered targets do not block
/// it (the service deregisters them).
enum TargetGroupHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createTargetGroup) { (s: inout Scope, i: CreateTargetGroupRequest) in try s.createTargetGroup(i) },
        .make(.getTargetGroup) { (s: inout Scope, i: GetTargetGroupRequest) in try s.getTargetGroup(i) },
        .make(.listTargetGroups) { (s: inout Scope, i: ListTargetGroupsRequest) in try s.listTargetGroups(i) },
        .make(.updateTargetGroup) { (s: inout Scope, i: UpdateTargetGroupRequest) in try s.updateTargetGroup(i) },
        .make(.deleteTargetGroup) { (s: inout Scope, i: DeleteTargetGroupRequest) in try s.deleteTargetGroup(i) },
    ]
}

extension Scope {
    mutating func createTargetGroup(_ i: CreateTargetGroupRequest) throws(ServiceFault) -> CreateTargetGroupResponse {
        try checkEnum(i.type, "type")
        try checkTags(i.tags)
        if let other = db.targetGroups.first(where: { $0.name == i.name }) {
            throw .conflict("A target group named '\(i.name)' already exists: \(other.id).", .targetGroup, other.id)
        }
        let config = try targetGroupConfig(i.type, i.config)
        let (id, arn, seq) = newIdentity(.targetGroup)
        let record = TargetGroupRecord(id: id, arn: arn, seq: seq, name: i.name, type: i.type, config: config, phase: .creating(settle),
                                       createdAt: now, lastUpdatedAt: now)
        db.insert(record, into: \.targetGroups, tags: i.tags)
        return CreateTargetGroupResponse(id: id, arn: arn, name: record.name, type: record.type, config: config, status: record.phase.status())
    }

    mutating func getTargetGroup(_ i: GetTargetGroupRequest) throws(ServiceFault) -> GetTargetGroupResponse {
        let found = try find(\.targetGroups, i.targetGroupIdentifier)
        guard let r = db.observe(\.targetGroups, found.id, at: now) else { throw .notFound(.targetGroup, i.targetGroupIdentifier) }
        let services = serviceArns(using: r.id)
        return GetTargetGroupResponse(id: r.id, arn: r.arn, name: r.name, type: r.type, config: r.config, createdAt: r.createdAt,
                                      lastUpdatedAt: r.lastUpdatedAt, status: r.phase.status(), serviceArns: services.isEmpty ? nil : services)
    }

    mutating func listTargetGroups(_ i: ListTargetGroupsRequest) throws(ServiceFault) -> ListTargetGroupsResponse {
        try checkEnum(i.targetGroupType, "targetGroupType")
        let matching = db.targetGroups.filter { r in
            (i.vpcIdentifier == nil || r.config?.vpcIdentifier == i.vpcIdentifier) && (i.targetGroupType == nil || r.type == i.targetGroupType)
        }
        let filter = "\(i.vpcIdentifier ?? "")|\(i.targetGroupType?.rawValue ?? "")"
        let (items, token) = try page(matching, operation: "ListTargetGroups", filter: filter, maxResults: i.maxResults, nextToken: i.nextToken)
        return ListTargetGroupsResponse(items: items.compactMap { item in
            db.observe(\.targetGroups, item.id, at: now).map { r in
                let services = serviceArns(using: r.id)
                return TargetGroupSummary(
                    id: r.id, arn: r.arn, name: r.name, type: r.type, createdAt: r.createdAt, port: r.config?.port, protocol: r.config?.protocol,
                    ipAddressType: r.config?.ipAddressType, vpcIdentifier: r.config?.vpcIdentifier, lastUpdatedAt: r.lastUpdatedAt,
                    status: r.phase.status(), serviceArns: services.isEmpty ? nil : services, lambdaEventStructureVersion: r.config?.lambdaEventStructureVersion)
            }
        }, nextToken: token)
    }

    mutating func updateTargetGroup(_ i: UpdateTargetGroupRequest) throws(ServiceFault) -> UpdateTargetGroupResponse {
        var r = try findUsable(\.targetGroups, i.targetGroupIdentifier)
        guard r.type != .lambda, r.type != .alb, var config = r.config else {
            throw .invalid("healthCheck", "target groups of type \(r.type.rawValue) have no health checks")
        }
        try checkHealthCheck(i.healthCheck, groupProtocol: config.protocol)
        config.healthCheck = Self.merge(i.healthCheck, over: config.healthCheck ?? Self.defaultHealthCheck(config.protocol))
        r.config = config
        r.lastUpdatedAt = now
        db.targetGroups[r.id] = r
        return UpdateTargetGroupResponse(id: r.id, arn: r.arn, name: r.name, type: r.type, config: config, status: r.phase.status())
    }

    mutating func deleteTargetGroup(_ i: DeleteTargetGroupRequest) throws(ServiceFault) -> DeleteTargetGroupResponse {
        var r = try find(\.targetGroups, i.targetGroupIdentifier)
        let users = db.rules.filter { Self.forwards($0.action, to: r.id) }
        if !users.isEmpty {
            let names = users.map { $0.isDefault ? "listener \($0.listenerId)" : "rule \($0.id)" }
            throw .conflict("The target group \(r.id) is in use by \(names.joined(separator: ", ")): change their actions first.", .targetGroup, r.id)
        }
        if !r.phase.isDeleting {
            r.targets = []
            r.lastUpdatedAt = now
            if let deleting = Phase.deleting(settle) {
                r.phase = deleting
                db.targetGroups[r.id] = r
            } else {
                db.remove(r.id, from: \.targetGroups)
            }
        }
        return DeleteTargetGroupResponse(id: r.id, arn: r.arn, status: .deleteInProgress)
    }

    // MARK: Shared

    /// The ARNs of the services whose listeners or rules forward to the target group.
    func serviceArns(using groupId: String) -> [String] {
        var arns: [String] = []
        for rule in db.rules.filter({ Self.forwards($0.action, to: groupId) }) {
            if let service = db.services[rule.serviceId], !arns.contains(service.arn) { arns.append(service.arn) }
        }
        return arns
    }

    static func forwards(_ action: RuleAction, to groupId: String) -> Bool {
        if case let .forward(forward) = action { return forward.targetGroups.contains { $0.targetGroupIdentifier == groupId } }
        return false
    }

    /// The stored configuration of a new group: required members checked, defaults filled.
    func targetGroupConfig(_ type: TargetGroupType, _ config: TargetGroupConfig?) throws(ServiceFault) -> TargetGroupConfig? {
        if type == .lambda {
            guard let config else { return nil }
            if config.port != nil || config.protocol != nil || config.vpcIdentifier != nil || config.healthCheck != nil
                || config.ipAddressType != nil || config.protocolVersion != nil {
                throw .invalid("config", "a LAMBDA target group takes only lambdaEventStructureVersion")
            }
            try checkEnum(config.lambdaEventStructureVersion, "config.lambdaEventStructureVersion")
            return config
        }
        guard var c = config else { throw .invalid("config", "is required for target groups of type \(type.rawValue)") }
        try checkEnum(c.protocol, "config.protocol")
        try checkEnum(c.protocolVersion, "config.protocolVersion")
        try checkEnum(c.ipAddressType, "config.ipAddressType")
        guard c.port != nil else { throw .invalid("config.port", "is required for target groups of type \(type.rawValue)") }
        guard let proto = c.protocol else { throw .invalid("config.protocol", "is required for target groups of type \(type.rawValue)") }
        guard c.vpcIdentifier != nil else { throw .invalid("config.vpcIdentifier", "is required for target groups of type \(type.rawValue)") }
        if c.lambdaEventStructureVersion != nil { throw .invalid("config.lambdaEventStructureVersion", "is only for LAMBDA target groups") }
        if proto == .tcp {
            if c.protocolVersion != nil { throw .invalid("config.protocolVersion", "is not supported for TCP target groups") }
        } else if c.protocolVersion == nil {
            c.protocolVersion = .http1
        }
        if type == .alb {
            if proto == .tcp { throw .invalid("config.protocol", "ALB target groups take HTTP or HTTPS") }
            if c.healthCheck != nil { throw .invalid("config.healthCheck", "ALB target groups have no health checks") }
            return c
        }
        if type == .ip, c.ipAddressType == nil { c.ipAddressType = .ipv4 }
        try checkHealthCheck(c.healthCheck, groupProtocol: proto)
        c.healthCheck = Self.merge(c.healthCheck, over: Self.defaultHealthCheck(proto))
        return c
    }

    func checkHealthCheck(_ check: HealthCheckConfig?, groupProtocol: TargetGroupProtocol?) throws(ServiceFault) {
        guard let check else { return }
        try checkEnum(check.protocol, "healthCheck.protocol")
        try checkEnum(check.protocolVersion, "healthCheck.protocolVersion")
        if let interval = check.healthCheckIntervalSeconds, let timeout = check.healthCheckTimeoutSeconds, timeout >= interval {
            throw .invalid("healthCheck.healthCheckTimeoutSeconds", "must be less than healthCheckIntervalSeconds")
        }
    }

    /// The service's health check defaults for a group of this protocol.
    static func defaultHealthCheck(_ proto: TargetGroupProtocol?) -> HealthCheckConfig {
        if proto == .tcp {
            return HealthCheckConfig(enabled: true, protocol: .tcp, healthCheckIntervalSeconds: 30, healthCheckTimeoutSeconds: 5,
                                     healthyThresholdCount: 5, unhealthyThresholdCount: 2)
        }
        return HealthCheckConfig(enabled: true, protocol: proto ?? .http, protocolVersion: .http1, path: "/", healthCheckIntervalSeconds: 30,
                                 healthCheckTimeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: .httpCode("200"))
    }

    /// The members set in `given`, over `base`.
    static func merge(_ given: HealthCheckConfig?, over base: HealthCheckConfig) -> HealthCheckConfig {
        guard let given else { return base }
        var c = base
        if let v = given.enabled { c.enabled = v }
        if let v = given.protocol { c.protocol = v }
        if let v = given.protocolVersion { c.protocolVersion = v }
        if let v = given.port { c.port = v }
        if let v = given.path { c.path = v }
        if let v = given.healthCheckIntervalSeconds { c.healthCheckIntervalSeconds = v }
        if let v = given.healthCheckTimeoutSeconds { c.healthCheckTimeoutSeconds = v }
        if let v = given.healthyThresholdCount { c.healthyThresholdCount = v }
        if let v = given.unhealthyThresholdCount { c.unhealthyThresholdCount = v }
        if let v = given.matcher { c.matcher = v }
        return c
    }
}
