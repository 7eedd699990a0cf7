extension Topology {
    /// The tag key apply writes on every resource it creates, with the topology's name as the
    /// value. Planning finds what a topology owns by it; a resource with a described name but
    /// without it is only touched when the user asks to adopt it.
    public static let ownershipTagKey = "latticekit:topology"

    /// Checks the topology as a file is checked (see `load(contentsOfFile:)`): references,
    /// names and keys unique where the service needs them, values against the model's
    /// constraints, enums and union members the API knows. Throws `TopologyError`.
    public func validate() throws {
        let issues = validationIssues()
        if !issues.isEmpty { throw TopologyError(issues: issues) }
    }

    func validationIssues() -> [TopologyIssue] {
        var walk = ModelWalk()
        walk.visit(self, at: "")
        var checker = TopologyChecker(topology: self)
        checker.check()
        var seen = Set<TopologyIssue>()
        return (walk.issues + checker.issues).filter { seen.insert($0).inserted }
    }

    /// The tags a resource carries: the topology's, its own over them, and the ownership tag.
    func tags(_ own: [String: String]?) -> [String: String] {
        var all = tags ?? [:]
        for (key, value) in own ?? [:] { all[key] = value }
        all[Self.ownershipTagKey] = name
        return all
    }
}

/// A reference inside a topology: a name of the topology, or the ID or ARN of a resource
/// outside it (names cannot start with `tg-` or `svc-`, nor contain `:`).
enum Reference: Hashable, Sendable {
    case topology(String)
    case external(String)

    static func targetGroup(_ text: String) -> Reference {
        text.hasPrefix("tg-") || text.hasPrefix("arn:") ? .external(text) : .topology(text)
    }

    static func service(_ text: String) -> Reference {
        text.hasPrefix("svc-") || text.hasPrefix("arn:") ? .external(text) : .topology(text)
    }

    /// The ID at the end of an ID or ARN (`arn:...:targetgroup/tg-0123...` → `tg-0123...`).
    static func id(_ identifier: String) -> String {
        identifier.hasPrefix("arn:") ? identifier.split(separator: "/").last.map(String.init) ?? identifier : identifier
    }
}

/// The kind of an access log destination, from its ARN: `s3`, `logs` or `firehose`.
enum AccessLogDestination {
    static func kind(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        let resource = parts[5]
        switch parts[2] {
        case "s3" where !resource.isEmpty: return "s3"
        case "logs" where resource.hasPrefix("log-group:") && resource.count > "log-group:".count: return "logs"
        case "firehose" where resource.hasPrefix("deliverystream/") && resource.count > "deliverystream/".count: return "firehose"
        default: return nil
        }
    }

    /// The key a subscription is found by under its resource: the destination kind, and
    /// `-resource` for a service network's RESOURCE logs.
    static func key(_ arn: String, logType: ServiceNetworkLogType?) -> String? {
        kind(arn).map { $0 + (logType == .resource ? "-resource" : "") }
    }
}

extension RuleAction {
    /// The action with each target group identifier replaced by `transform(identifier, index)`.
    func mappingTargetGroups(_ transform: (String, Int) -> String) -> RuleAction {
        guard case let .forward(forward) = self else { return self }
        let groups = forward.targetGroups.enumerated().map { index, group in
            WeightedTargetGroup(targetGroupIdentifier: transform(group.targetGroupIdentifier, index), weight: group.weight)
        }
        return .forward(ForwardAction(targetGroups: groups))
    }

    /// The target group identifiers the action forwards to.
    var targetGroupIdentifiers: [String] {
        guard case let .forward(forward) = self else { return [] }
        return forward.targetGroups.map(\.targetGroupIdentifier)
    }
}

/// Placeholders for identifiers that exist only once apply has created their resources: they
/// fit the model's patterns, so a request built with them is checked for everything else.
enum Placeholder {
    static func id(_ prefix: String) -> String { prefix + "-" + String(repeating: "0", count: 17) }
    static func arn(_ type: String, _ prefix: String) -> String { "arn:aws:vpc-lattice:us-east-1:123456789012:\(type)/" + id(prefix) }

    static let serviceNetwork = id("sn"), service = id("svc"), targetGroup = id("tg"), listener = id("listener")
    static let serviceArn = arn("service", "svc"), serviceNetworkArn = arn("servicenetwork", "sn")
}

/// The checks of `Topology.validate()` beyond enums and unions.
struct TopologyChecker {
    let topology: Topology
    private(set) var issues: [TopologyIssue] = []

    init(topology: Topology) { self.topology = topology }

    private mutating func fail(_ path: String, _ problem: String) {
        issues.append(TopologyIssue(path: path, problem: problem))
    }

    /// Checks `request` with the model's constraints; each issue is reported at `prefix`
    /// followed by the member's path (request members have the topology's names).
    /// `member`, when given, is the request member that stands for the place itself.
    private mutating func model(_ request: some Validatable, at prefix: String, member: String? = nil) {
        var v = Validator(mode: .strict)
        request.validate(&v)
        for issue in v.issues {
            var inner = issue.path == "input" ? "" : issue.path
            if let member, inner.hasPrefix(member) { inner.removeFirst(member.count) }
            let joiner = prefix.isEmpty || inner.isEmpty || inner.hasPrefix("[") || inner.hasPrefix(".") ? "" : "."
            fail(prefix + joiner + inner, "\(issue.problem) (\(issue.rule))")
        }
    }

    /// Flags the second and later items with the same key.
    private mutating func unique<T>(_ items: [T], at prefix: String, member: String, what: String, key: (T) -> String?) {
        var first: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let k = key(item) else { continue }
            if let earlier = first[k] {
                fail("\(prefix)[\(index)].\(member)", "\(what) \(quoted(k)) is already at \(prefix)[\(earlier)]; each must be unique")
            } else {
                first[k] = index
            }
        }
    }

    private mutating func ownTags(_ tags: [String: String]?, at path: String) {
        if tags?[Topology.ownershipTagKey] != nil {
            fail("\(path).tags", "the key \(Topology.ownershipTagKey) is the ownership tag apply writes; leave it out")
        }
    }

    mutating func check() {
        let t = topology
        if t.name.isEmpty || t.name.count > 64 || !t.name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }) {
            fail("name", "\(quoted(t.name)) is not a topology name: use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        ownTags(t.tags, at: "")
        if let tags = t.tags { model(TagResourceRequest(resourceArn: Placeholder.serviceArn, tags: tags), at: "") }
        let networks = t.serviceNetworks ?? []
        let services = t.services ?? []
        let groups = t.targetGroups ?? []
        unique(networks, at: "serviceNetworks", member: "name", what: "the service network name") { $0.name }
        unique(services, at: "services", member: "name", what: "the service name") { $0.name }
        unique(groups, at: "targetGroups", member: "name", what: "the target group name") { $0.name }
        let groupNames = Set(groups.map(\.name))
        let serviceNames = Set(services.map(\.name))
        var vpcs: [String: String] = [:]
        for (i, network) in networks.enumerated() {
            let path = "serviceNetworks[\(i)]"
            ownTags(network.tags, at: path)
            model(CreateServiceNetworkRequest(name: network.name, authType: network.authType, tags: t.tags(network.tags)), at: path)
            let associations = network.vpcAssociations ?? []
            unique(associations, at: "\(path).vpcAssociations", member: "vpcIdentifier", what: "the VPC") { $0.vpcIdentifier }
            for (j, association) in associations.enumerated() {
                let inner = "\(path).vpcAssociations[\(j)]"
                ownTags(association.tags, at: inner)
                model(CreateServiceNetworkVpcAssociationRequest(
                    serviceNetworkIdentifier: Placeholder.serviceNetwork, vpcIdentifier: association.vpcIdentifier, privateDnsEnabled: association.privateDnsEnabled,
                    securityGroupIds: association.securityGroupIds, tags: t.tags(association.tags), dnsOptions: association.dnsOptions), at: inner)
                if let other = vpcs[association.vpcIdentifier], other != network.name {
                    fail("\(inner).vpcIdentifier", "the VPC \(quoted(association.vpcIdentifier)) is also associated with the service network \(quoted(other)); a VPC can be associated with one service network only")
                }
                vpcs[association.vpcIdentifier] = network.name
            }
            let serviceAssociations = network.serviceAssociations ?? []
            unique(serviceAssociations, at: "\(path).serviceAssociations", member: "serviceIdentifier", what: "the service") { $0.serviceIdentifier }
            for (j, association) in serviceAssociations.enumerated() {
                let inner = "\(path).serviceAssociations[\(j)]"
                ownTags(association.tags, at: inner)
                var identifier = association.serviceIdentifier
                if case let .topology(name) = Reference.service(identifier) {
                    if !serviceNames.contains(name) {
                        fail("\(inner).serviceIdentifier", "no service named \(quoted(name)) in the topology (name one of its services, or give the ID or ARN of another service)")
                    }
                    identifier = Placeholder.service
                }
                model(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: identifier, serviceNetworkIdentifier: Placeholder.serviceNetwork,
                                                                    tags: t.tags(association.tags)), at: inner)
            }
            accessLogs(network.accessLogSubscriptions, at: path, onNetwork: true)
            policies(network.authPolicy, network.resourcePolicy, at: path, arn: Placeholder.serviceNetworkArn)
        }
        for (i, service) in services.enumerated() {
            let path = "services[\(i)]"
            ownTags(service.tags, at: path)
            model(CreateServiceRequest(name: service.name, tags: t.tags(service.tags), customDomainName: service.customDomainName,
                                       certificateArn: service.certificateArn, authType: service.authType), at: path)
            if let certificate = service.certificateArn, !certificate.isEmpty, service.customDomainName == nil {
                fail("\(path).certificateArn", "a certificate needs a custom domain: set customDomainName too, or leave certificateArn out")
            }
            let listeners = service.listeners ?? []
            unique(listeners, at: "\(path).listeners", member: "name", what: "the listener name") { $0.name }
            unique(listeners, at: "\(path).listeners", member: "port", what: "the port") { $0.port.map(String.init) }
            for (j, listener) in listeners.enumerated() {
                let inner = "\(path).listeners[\(j)]"
                ownTags(listener.tags, at: inner)
                let action = references(listener.defaultAction, at: "\(inner).defaultAction", groups: groupNames)
                model(CreateListenerRequest(serviceIdentifier: Placeholder.service, name: listener.name, protocol: listener.protocol, port: listener.port,
                                            defaultAction: action, tags: t.tags(listener.tags)), at: inner)
                let rules = listener.rules ?? []
                if listener.protocol == .tlsPassthrough, !rules.isEmpty {
                    fail("\(inner).rules", "a TLS_PASSTHROUGH listener has no rules; leave them out or use HTTP or HTTPS")
                }
                unique(rules, at: "\(inner).rules", member: "name", what: "the rule name") { $0.name }
                unique(rules, at: "\(inner).rules", member: "priority", what: "the priority") { String($0.priority) }
                for (k, rule) in rules.enumerated() {
                    let rulePath = "\(inner).rules[\(k)]"
                    ownTags(rule.tags, at: rulePath)
                    let ruleAction = references(rule.action, at: "\(rulePath).action", groups: groupNames)
                    model(CreateRuleRequest(serviceIdentifier: Placeholder.service, listenerIdentifier: Placeholder.listener, name: rule.name, match: rule.match,
                                            priority: rule.priority, action: ruleAction, tags: t.tags(rule.tags)), at: rulePath)
                }
            }
            accessLogs(service.accessLogSubscriptions, at: path, onNetwork: false)
            policies(service.authPolicy, service.resourcePolicy, at: path, arn: Placeholder.serviceArn)
        }
        for (i, group) in groups.enumerated() {
            let path = "targetGroups[\(i)]"
            ownTags(group.tags, at: path)
            model(CreateTargetGroupRequest(name: group.name, type: group.type, config: group.config, tags: t.tags(group.tags)), at: path)
            let targets = group.targets ?? []
            for (j, target) in targets.enumerated() { model(target, at: "\(path).targets[\(j)]") }
            unique(targets, at: "\(path).targets", member: "id", what: "the target") { target in
                "\(target.id)" + ((target.port ?? group.config?.port).map { ":\($0)" } ?? "")
            }
        }
    }

    /// The action with target group names checked and replaced by a placeholder ID.
    private mutating func references(_ action: RuleAction, at path: String, groups: Set<String>) -> RuleAction {
        var missing: [(Int, String)] = []
        let resolved = action.mappingTargetGroups { identifier, index in
            guard case let .topology(name) = Reference.targetGroup(identifier) else { return identifier }
            if !groups.contains(name) { missing.append((index, name)) }
            return Placeholder.targetGroup
        }
        for (index, name) in missing {
            fail("\(path).forward.targetGroups[\(index)].targetGroupIdentifier",
                 "no target group named \(quoted(name)) in the topology (name one of its target groups, or give the ID or ARN of another target group)")
        }
        return resolved
    }

    private mutating func accessLogs(_ subscriptions: [Topology.AccessLogSubscription]?, at path: String, onNetwork: Bool) {
        let list = subscriptions ?? []
        for (j, subscription) in list.enumerated() {
            let inner = "\(path).accessLogSubscriptions[\(j)]"
            ownTags(subscription.tags, at: inner)
            model(CreateAccessLogSubscriptionRequest(resourceIdentifier: onNetwork ? Placeholder.serviceNetwork : Placeholder.service,
                                                     destinationArn: subscription.destinationArn, serviceNetworkLogType: subscription.serviceNetworkLogType,
                                                     tags: topology.tags(subscription.tags)), at: inner)
            if AccessLogDestination.kind(subscription.destinationArn) == nil {
                fail("\(inner).destinationArn", "\(quoted(subscription.destinationArn)) is not the ARN of an S3 bucket, a CloudWatch Logs log group or a Firehose delivery stream")
            }
            if !onNetwork, subscription.serviceNetworkLogType != nil {
                fail("\(inner).serviceNetworkLogType", "applies to service networks only; leave it out here")
            }
        }
        unique(list, at: "\(path).accessLogSubscriptions", member: "destinationArn", what: "a subscription of the kind") { subscription in
            AccessLogDestination.key(subscription.destinationArn, logType: subscription.serviceNetworkLogType)
        }
    }

    private mutating func policies(_ auth: PolicyDocument?, _ resource: PolicyDocument?, at path: String, arn: String) {
        if let auth { model(PutAuthPolicyRequest(resourceIdentifier: Placeholder.service, policy: auth.text), at: "\(path).authPolicy", member: "policy") }
        if let resource { model(PutResourcePolicyRequest(resourceArn: arn, policy: resource.text), at: "\(path).resourcePolicy", member: "policy") }
    }
}
