/// The resources that exist, as planning needs them: every service network, service and
/// target group of the account and region with its tags (to find what a topology owns), and
/// for those the topology describes or owns, what hangs under them.
struct LiveState: Sendable {
    var networks: [LiveNetwork] = []
    var services: [LiveService] = []
    var groups: [LiveGroup] = []
}

/// Whose a top-level resource is, by its ownership tag.
enum Ownership: Sendable, Equatable {
    /// Tagged with this topology's name.
    case owned
    /// Tagged with another topology's name.
    case other(String)
    /// Not tagged.
    case none

    init(tags: [String: String], topology: String) {
        switch tags[Topology.ownershipTagKey] {
        case topology?: self = .owned
        case let other?: self = .other(other)
        case nil: self = .none
        }
    }
}

/// What planning knows of every service network, service and target group: who it is, whose
/// it is, and whether what hangs under it was read.
struct LiveHead: Sendable {
    var id: String
    var arn: String
    var name: String
    var status: String?
    var tags: [String: String]
    var ownership: Ownership
    var detailed = false
}

/// A top-level live resource: its head, and members read through it (`network.id`).
@dynamicMemberLookup
protocol LiveTopLevel: Sendable {
    var head: LiveHead { get set }
}

extension LiveTopLevel {
    subscript<T>(dynamicMember path: WritableKeyPath<LiveHead, T>) -> T {
        get { head[keyPath: path] }
        set { head[keyPath: path] = newValue }
    }
}

struct LiveNetwork: LiveTopLevel {
    var head: LiveHead
    var authType: AuthType?
    var vpcAssociations: [LiveVpcAssociation] = []
    var serviceAssociations: [LiveServiceAssociation] = []
    var accessLogs: [LiveAccessLog] = []
    var authPolicy: PolicyDocument?
    var resourcePolicy: PolicyDocument?
}

struct LiveVpcAssociation: Sendable {
    var id: String
    var arn: String
    var vpcId: String
    var status: String?
    var securityGroupIds: [String]
    var privateDnsEnabled: Bool?
    var dnsOptions: DnsOptions?
    var tags: [String: String]
}

struct LiveServiceAssociation: Sendable {
    var id: String
    var arn: String
    var serviceId: String
    var serviceName: String?
    var networkId: String
    var networkName: String?
    var status: String?
    var tags: [String: String]
}

struct LiveAccessLog: Sendable {
    var id: String
    var arn: String
    var destinationArn: String
    var logType: ServiceNetworkLogType?
    var tags: [String: String]

    /// The key it is found by under its resource (see `AccessLogDestination.key`).
    var key: String { AccessLogDestination.key(destinationArn, logType: logType) ?? destinationArn }
}

struct LiveService: LiveTopLevel {
    var head: LiveHead
    var authType: AuthType?
    var customDomainName: String?
    var certificateArn: String?
    var listeners: [LiveListener] = []
    var accessLogs: [LiveAccessLog] = []
    var authPolicy: PolicyDocument?
    var resourcePolicy: PolicyDocument?
    /// Its associations with service networks (any network), read when it may be deleted.
    var associations: [LiveServiceAssociation] = []
}

struct LiveListener: Sendable {
    var id: String
    var arn: String
    var name: String
    var `protocol`: ListenerProtocol?
    var port: Int?
    var defaultAction: RuleAction?
    var tags: [String: String]
    var rules: [LiveRule] = []
}

struct LiveRule: Sendable {
    var id: String
    var arn: String
    var name: String
    var priority: Int?
    var match: RuleMatch?
    var action: RuleAction?
    var tags: [String: String]
}

struct LiveGroup: LiveTopLevel {
    var head: LiveHead
    var type: TargetGroupType?
    var config: TargetGroupConfig?
    var targets: [TargetSummary] = []
}

/// An answer of the service without a member that it always sends.
struct MissingMember: Error, Sendable, CustomStringConvertible {
    let operation: String
    let member: String

    var description: String {
        "the \(operation) answer has no \(member), which the service always sends; nothing can be done with that resource until it does (check it with the matching get or list command)"
    }
}

/// `value`, or `MissingMember`.
func required<T>(_ value: T?, _ member: String, in operation: String) throws -> T {
    guard let value else { throw MissingMember(operation: operation, member: member) }
    return value
}

/// Runs `transform` on each item, at once (the client's gate bounds the calls) or, when
/// `sequential`, one after the other in order; the results in the items' order.
func eachConcurrently<T: Sendable, R: Sendable>(_ items: [T], sequential: Bool, _ transform: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    if sequential {
        var out: [R] = []
        for item in items { out.append(try await transform(item)) }
        return out
    }
    return try await withThrowingTaskGroup(of: (Int, R).self) { group in
        for (index, item) in items.enumerated() { group.addTask { (index, try await transform(item)) } }
        var out = [R?](repeating: nil, count: items.count)
        for try await (index, result) in group { out[index] = result }
        return out.compactMap { $0 }
    }
}

/// Reads the live state a topology's plan needs.
struct LiveReader: Sendable {
    let client: LatticeClient
    let topology: Topology
    let options: TopologyOptions
    /// Whether the plan destroys: every owned resource is read in full, nothing is described.
    let destroying: Bool

    var sequential: Bool { options.maxConcurrentCalls <= 1 }

    func read() async throws -> LiveState {
        let client = self.client
        async let networkList = client.listServiceNetworksItems(ListServiceNetworksRequest(maxResults: 100)).collect()
        async let serviceList = client.listServicesItems(ListServicesRequest(maxResults: 100)).collect()
        async let groupList = client.listTargetGroupsItems(ListTargetGroupsRequest(maxResults: 100)).collect()
        let (networkItems, serviceItems, groupItems) = try await (networkList, serviceList, groupList)

        var state = LiveState()
        state.networks = try await heads(networkItems.map { ($0.id, $0.arn, $0.name, nil) }, operation: "ListServiceNetworks").map { LiveNetwork(head: $0) }
        state.services = try await heads(serviceItems.map { ($0.id, $0.arn, $0.name, $0.status?.rawValue) }, operation: "ListServices").map { LiveService(head: $0) }
        let types = Dictionary(groupItems.compactMap { item in item.id.map { ($0, item.type) } }, uniquingKeysWith: { a, _ in a })
        state.groups = try await heads(groupItems.map { ($0.id, $0.arn, $0.name, $0.status?.rawValue) }, operation: "ListTargetGroups").map {
            LiveGroup(head: $0, type: types[$0.id] ?? nil)
        }
        let desiredNetworks = destroying ? [:] : Dictionary((topology.serviceNetworks ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let desiredServices = destroying ? [:] : Dictionary((topology.services ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let desiredGroups = destroying ? [:] : Dictionary((topology.targetGroups ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        state.networks = try await eachConcurrently(state.networks, sequential: sequential) { network in
            guard self.isManaged(network.ownership, described: desiredNetworks[network.name] != nil) else { return network }
            return try await self.detail(network, desired: desiredNetworks[network.name])
        }
        state.services = try await eachConcurrently(state.services, sequential: sequential) { service in
            guard service.status != ServiceStatus.deleteInProgress.rawValue, self.isManaged(service.ownership, described: desiredServices[service.name] != nil) else { return service }
            return try await self.detail(service, desired: desiredServices[service.name])
        }
        state.groups = try await eachConcurrently(state.groups, sequential: sequential) { group in
            guard group.status != TargetGroupStatus.deleteInProgress.rawValue, self.isManaged(group.ownership, described: desiredGroups[group.name] != nil) else { return group }
            return try await self.detail(group)
        }
        return state
    }

    /// Heads of listed resources with their tags and ownership; those deleted since they were
    /// listed (their tags cannot be read any more) are left out.
    func heads(_ items: [(id: String?, arn: String?, name: String?, status: String?)], operation: String) async throws -> [LiveHead] {
        let name = topology.name
        return try await eachConcurrently(items, sequential: sequential) { item -> LiveHead? in
            let arn = try required(item.arn, "arn", in: operation)
            guard let tags = try await self.tagsIfExists(arn) else { return nil }
            return LiveHead(id: try required(item.id, "id", in: operation), arn: arn, name: item.name ?? "", status: item.status, tags: tags,
                            ownership: Ownership(tags: tags, topology: name))
        }.compactMap { $0 }
    }

    /// Whether planning manages the resource, and so needs what hangs under it.
    func isManaged(_ ownership: Ownership, described: Bool) -> Bool {
        if ownership == .owned { return true }
        return described && options.adopt
    }

    /// The tags, or nil when the resource is gone (deleted since it was listed).
    func tagsIfExists(_ arn: String) async throws -> [String: String]? {
        do {
            return try await tags(arn)
        } catch is ResourceNotFoundException {
            return nil
        }
    }

    func tags(_ arn: String) async throws -> [String: String] {
        let tags = try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags ?? [:]
        return tags.filter { !$0.key.hasPrefix("aws:") }
    }

    func detail(_ base: LiveNetwork, desired: Topology.ServiceNetwork?) async throws -> LiveNetwork {
        var network = base
        network.detailed = true
        network.authType = try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: network.id)).authType
        let vpcItems = try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: network.id)).collect()
        network.vpcAssociations = try await eachConcurrently(vpcItems, sequential: sequential) { item in
            let id = try required(item.id, "id", in: "ListServiceNetworkVpcAssociations")
            let full = try await self.client.getServiceNetworkVpcAssociation(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: id))
            let arn = try required(full.arn ?? item.arn, "arn", in: "GetServiceNetworkVpcAssociation")
            return LiveVpcAssociation(id: id, arn: arn, vpcId: full.vpcId ?? item.vpcId ?? "", status: (full.status ?? item.status)?.rawValue,
                                      securityGroupIds: full.securityGroupIds ?? [], privateDnsEnabled: full.privateDnsEnabled, dnsOptions: full.dnsOptions,
                                      tags: try await self.tags(arn))
        }
        let serviceItems = try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network.id)).collect()
        network.serviceAssociations = try await eachConcurrently(serviceItems, sequential: sequential) { item in
            try await self.association(item)
        }
        network.accessLogs = try await accessLogs(network.id)
        if desired?.authPolicy != nil { network.authPolicy = try await authPolicy(network.id) }
        if desired?.resourcePolicy != nil { network.resourcePolicy = try await resourcePolicy(network.arn) }
        return network
    }

    func association(_ item: ServiceNetworkServiceAssociationSummary) async throws -> LiveServiceAssociation {
        let operation = "ListServiceNetworkServiceAssociations"
        let arn = try required(item.arn, "arn", in: operation)
        return LiveServiceAssociation(id: try required(item.id, "id", in: operation), arn: arn, serviceId: try required(item.serviceId, "serviceId", in: operation),
                                      serviceName: item.serviceName, networkId: try required(item.serviceNetworkId, "serviceNetworkId", in: operation),
                                      networkName: item.serviceNetworkName, status: item.status?.rawValue, tags: try await tags(arn))
    }

    func accessLogs(_ resource: String) async throws -> [LiveAccessLog] {
        let items = try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: resource)).collect()
        return try await eachConcurrently(items, sequential: sequential) { item in
            LiveAccessLog(id: item.id, arn: item.arn, destinationArn: item.destinationArn, logType: item.serviceNetworkLogType, tags: try await self.tags(item.arn))
        }
    }

    func authPolicy(_ resource: String) async throws -> PolicyDocument? {
        do {
            let answer = try await client.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: resource))
            return answer.policy.map(PolicyDocument.live)
        } catch is ResourceNotFoundException {
            return nil
        }
    }

    func resourcePolicy(_ arn: String) async throws -> PolicyDocument? {
        do {
            let answer = try await client.getResourcePolicy(GetResourcePolicyRequest(resourceArn: arn))
            return answer.policy.map(PolicyDocument.live)
        } catch is ResourceNotFoundException {
            return nil
        }
    }

    func detail(_ base: LiveService, desired: Topology.Service?) async throws -> LiveService {
        var service = base
        service.detailed = true
        let got = try await client.getService(GetServiceRequest(serviceIdentifier: service.id))
        service.authType = got.authType
        service.customDomainName = got.customDomainName
        service.certificateArn = got.certificateArn
        service.status = got.status?.rawValue ?? service.status
        let listenerItems = try await client.listListenersItems(ListListenersRequest(serviceIdentifier: service.id)).collect()
        let serviceId = service.id
        service.listeners = try await eachConcurrently(listenerItems, sequential: sequential) { item in
            try await self.listener(item, service: serviceId)
        }
        service.accessLogs = try await accessLogs(service.id)
        if desired?.authPolicy != nil { service.authPolicy = try await authPolicy(service.id) }
        if desired?.resourcePolicy != nil { service.resourcePolicy = try await resourcePolicy(service.arn) }
        // Associations block a delete or a replacement: read them when either may come.
        let domainChanges = desired?.customDomainName.map { $0 != got.customDomainName } ?? false
        if desired == nil || domainChanges {
            let items = try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceIdentifier: service.id)).collect()
            service.associations = try await eachConcurrently(items, sequential: sequential) { item in try await self.association(item) }
        }
        return service
    }

    func listener(_ item: ListenerSummary, service: String) async throws -> LiveListener {
        let id = try required(item.id, "id", in: "ListListeners")
        let got = try await client.getListener(GetListenerRequest(serviceIdentifier: service, listenerIdentifier: id))
        let arn = try required(got.arn ?? item.arn, "arn", in: "GetListener")
        var listener = LiveListener(id: id, arn: arn, name: got.name ?? item.name ?? "", protocol: got.protocol ?? item.protocol, port: got.port ?? item.port,
                                    defaultAction: got.defaultAction, tags: try await tags(arn))
        let ruleItems = try await client.listRulesItems(ListRulesRequest(serviceIdentifier: service, listenerIdentifier: id)).collect()
        listener.rules = try await eachConcurrently(ruleItems.filter { $0.isDefault != true }, sequential: sequential) { rule in
            let ruleId = try required(rule.id, "id", in: "ListRules")
            let full = try await self.client.getRule(GetRuleRequest(serviceIdentifier: service, listenerIdentifier: id, ruleIdentifier: ruleId))
            let ruleArn = try required(full.arn ?? rule.arn, "arn", in: "GetRule")
            return LiveRule(id: ruleId, arn: ruleArn, name: full.name ?? rule.name ?? "", priority: full.priority ?? rule.priority, match: full.match,
                            action: full.action, tags: try await self.tags(ruleArn))
        }
        return listener
    }

    func detail(_ base: LiveGroup) async throws -> LiveGroup {
        var group = base
        group.detailed = true
        let got = try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: group.id))
        group.type = got.type ?? group.type
        group.config = got.config
        group.status = got.status?.rawValue ?? group.status
        if got.status != .deleteInProgress {
            group.targets = try await client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: group.id)).collect()
        }
        return group
    }
}
