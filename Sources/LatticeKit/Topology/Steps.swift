/// One node of apply's graph: one call (or a few that belong together) or one wait, on the
/// resource at `address`, once every step in `dependencies` is done.
struct Step: Sendable {
    /// Its place in the plan's list of steps.
    let index: Int
    /// The plan action it carries out; nil for a wait that no action owns (a live resource
    /// still settling that a later step needs).
    let action: Int?
    let address: String
    /// What it does, for progress events: `create`, `wait until ACTIVE`, ...
    let label: String
    let work: Work
    var dependencies: [Int]
}

/// An identifier that is known when planning (a live resource), or only once apply has
/// created the resource at an address.
enum Ref: Sendable, Hashable {
    case address(String)
    case id(String)
}

/// What a list of one resource type shows, for waits (see `StatusBoard`).
enum ListScope: Sendable, Hashable {
    case serviceNetworks
    case services
    case targetGroups
    case vpcAssociations(network: Ref)
    case serviceAssociationsOfNetwork(Ref)
    case serviceAssociationsOfService(Ref)
    case targets(group: Ref)
}

/// A status a wait ends on.
enum WaitGoal: Sendable, Hashable {
    /// ACTIVE (any `*_FAILED` status, or DELETE_IN_PROGRESS, fails the wait).
    case active
    /// No longer listed.
    case gone
}

/// What a step does. Parents and the resource itself are found through the registry by
/// address at run time, so a step can work on what an earlier step created.
enum Work: Sendable {
    case createNetwork(name: String, authType: AuthType?, tags: [String: String])
    case updateNetwork(authType: AuthType)
    case deleteNetwork

    case createVpcAssociation(network: Ref, vpc: String, securityGroupIds: [String]?, privateDnsEnabled: Bool?, dnsOptions: DnsOptions?, tags: [String: String])
    case updateVpcAssociation(securityGroupIds: [String])
    case deleteVpcAssociation

    case createServiceAssociation(network: Ref, service: Ref, tags: [String: String])
    case deleteServiceAssociation

    case createAccessLog(resource: Ref, destinationArn: String, logType: ServiceNetworkLogType?, tags: [String: String])
    case updateAccessLog(destinationArn: String)
    case deleteAccessLog

    case putAuthPolicy(resource: Ref, policy: String)
    case deleteAuthPolicy(resource: Ref)
    case putResourcePolicy(resource: Ref, policy: String)
    case deleteResourcePolicy(resource: Ref)

    case createService(name: String, authType: AuthType?, customDomainName: String?, certificateArn: String?, tags: [String: String])
    case updateService(authType: AuthType?, certificateArn: String?)
    case deleteService

    case createListener(service: Ref, name: String, protocol: ListenerProtocol, port: Int?, defaultAction: RuleAction, tags: [String: String])
    case updateListener(service: Ref, defaultAction: RuleAction)
    case deleteListener(service: Ref)

    case createRule(service: Ref, listener: Ref, name: String, priority: Int, match: RuleMatch, action: RuleAction, tags: [String: String])
    case updateRule(service: Ref, listener: Ref, priority: Int?, match: RuleMatch?, action: RuleAction?)
    case deleteRule(service: Ref, listener: Ref)

    case createTargetGroup(name: String, type: TargetGroupType, config: TargetGroupConfig?, tags: [String: String])
    case updateTargetGroup(healthCheck: HealthCheckConfig)
    case deleteTargetGroup

    case registerTargets(group: Ref, targets: [Target])
    case deregisterTargets(group: Ref, targets: [Target])
    case waitTargetsDrained(group: Ref, targets: [Target])

    /// Sets tags (over what is there) and removes keys, on the resource's ARN.
    case tag(set: [String: String], remove: [String])
    /// Waits for the resource at the step's address to reach the goal in the scope's list.
    case wait(ListScope, WaitGoal)

    /// Whether the step creates the resource at its address (and registers its identifier).
    var creates: Bool {
        switch self {
        case .createNetwork, .createVpcAssociation, .createServiceAssociation, .createAccessLog, .createService, .createListener, .createRule,
             .createTargetGroup:
            return true
        default:
            return false
        }
    }

    /// Whether the step is a wait (no change of its own).
    var isWait: Bool {
        switch self {
        case .wait, .waitTargetsDrained: return true
        default: return false
        }
    }
}
