#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// What the local data plane needs of the control plane's state, copied out at one moment:
/// services with their listeners and rules (rules in the order Lattice evaluates them),
/// target groups with their registered targets, service network associations with the
/// networks' auth settings, and access log subscriptions. Read-only: the data plane never
/// changes the control plane.
package struct DataPlaneSnapshot: Sendable {
    package struct Network: Sendable, Hashable {
        package var id: String
        package var arn: String
        package var name: String
        package var authType: AuthType
        package var authPolicy: String?
    }

    package struct Rule: Sendable, Hashable {
        package var id: String
        package var arn: String
        package var name: String
        /// nil for the default rule.
        package var priority: Int?
        package var isDefault: Bool
        package var match: HttpMatch?
        package var action: RuleAction
    }

    package struct Listener: Sendable, Hashable {
        package var id: String
        package var arn: String
        package var name: String
        package var `protocol`: ListenerProtocol
        package var port: Int
        /// Non-default rules by priority (lowest first), then the default rule.
        package var rules: [Rule]
    }

    package struct Service: Sendable, Hashable {
        package var id: String
        package var arn: String
        package var name: String
        package var region: String
        package var status: String
        package var dnsName: String?
        package var customDomainName: String?
        package var authType: AuthType
        package var authPolicy: String?
        package var tags: [String: String]
        /// The networks the service is associated with (associations not being deleted),
        /// oldest association first.
        package var networks: [Network]
        package var listeners: [Listener]
    }

    package struct Target: Sendable, Hashable {
        package var id: String
        package var port: Int?
        package var draining: Bool
    }

    package struct TargetGroup: Sendable, Hashable {
        package var id: String
        package var arn: String
        package var name: String
        package var region: String
        package var type: TargetGroupType
        package var config: TargetGroupConfig?
        package var targets: [Target]
        /// Whether a listener's default action or a rule forwards to it.
        package var inUse: Bool
    }

    package struct AccessLogSubscription: Sendable, Hashable {
        package var id: String
        package var resourceId: String
        package var resourceArn: String
        package var destinationArn: String
        /// SERVICE or RESOURCE for a service network's subscription; nil for a service's.
        package var logType: ServiceNetworkLogType?
    }

    /// Which version of the control plane's state this is (grows with every successful call).
    package var generation: Int
    package var account: String
    package var services: [Service]
    package var targetGroups: [String: TargetGroup]
    package var accessLogSubscriptions: [AccessLogSubscription]

    package init(generation: Int = 0, account: String = "123456789012", services: [Service] = [], targetGroups: [String: TargetGroup] = [:],
                 accessLogSubscriptions: [AccessLogSubscription] = []) {
        self.generation = generation
        self.account = account
        self.services = services
        self.targetGroups = targetGroups
        self.accessLogSubscriptions = accessLogSubscriptions
    }
}

extension LocalLattice {
    /// The state the data plane routes by, or nil when it has not changed since `generation`.
    package func dataPlaneSnapshot(ifChangedSince generation: Int? = nil) -> DataPlaneSnapshot? {
        let account = configuration.accountId
        let now = configuration.now()
        let seconds = configuration.secondsToSettle
        // The regions are settled and copied under the lock (the copies share storage until
        // written), and read into the snapshot outside it, so control-plane calls do not wait
        // for the data plane's rebuild.
        let copied = store.withLock { store -> (generation: Int, regions: [(String, RegionState)])? in
            if let generation, generation == store.generation { return nil }
            var regions: [(String, RegionState)] = []
            for (name, var region) in store.regions.sorted(by: { $0.key < $1.key }) {
                region.settle(at: now, seconds: seconds)
                store.regions[name] = region
                regions.append((name, region))
            }
            return (store.generation, regions)
        }
        guard let copied else { return nil }
        var snapshot = DataPlaneSnapshot(generation: copied.generation, account: account)
        for (name, region) in copied.regions { snapshot.add(region, name) }
        return snapshot
    }
}

extension DataPlaneSnapshot {
    mutating func add(_ db: RegionState, _ region: String) {
        for group in db.targetGroups.ordered where !group.phase.isDeleting {
            let targets = group.targets.sorted { $0.seq < $1.seq }.map { t -> Target in
                if case .draining = t.state { return Target(id: t.id, port: t.port, draining: true) }
                return Target(id: t.id, port: t.port, draining: false)
            }
            targetGroups[group.id] = TargetGroup(id: group.id, arn: group.arn, name: group.name, region: region, type: group.type,
                                                 config: group.config, targets: targets, inUse: db.isInUse(group.id))
        }
        for service in db.services.ordered where !service.phase.isDeleting {
            let networks = db.serviceAssociations.filter { $0.serviceId == service.id && !$0.phase.isDeleting }.compactMap { a -> Network? in
                guard let n = db.serviceNetworks[a.serviceNetworkId] else { return nil }
                return Network(id: n.id, arn: n.arn, name: n.name, authType: n.authType, authPolicy: db.authPolicies[n.arn]?.policy)
            }
            let listeners = db.listeners.filter { $0.serviceId == service.id }.map { l -> Listener in
                let rules = db.rules.filter { $0.listenerId == l.id }
                let ordered = rules.filter { !$0.isDefault }.sorted { ($0.priority ?? Int.max, $0.seq) < ($1.priority ?? Int.max, $1.seq) }
                    + rules.filter(\.isDefault)
                return Listener(id: l.id, arn: l.arn, name: l.name, protocol: l.protocol, port: l.port, rules: ordered.map { r in
                    var match: HttpMatch?
                    if case let .httpMatch(http) = r.match { match = http }
                    return Rule(id: r.id, arn: r.arn, name: r.name, priority: r.priority, isDefault: r.isDefault, match: match, action: r.action)
                })
            }
            services.append(Service(id: service.id, arn: service.arn, name: service.name, region: region, status: service.phase.status,
                                    dnsName: service.dnsEntry.domainName, customDomainName: service.customDomainName,
                                    authType: service.authType, authPolicy: db.authPolicies[service.arn]?.policy,
                                    tags: db.tags[service.arn] ?? [:], networks: networks, listeners: listeners))
        }
        for subscription in db.accessLogs.ordered {
            accessLogSubscriptions.append(AccessLogSubscription(id: subscription.id, resourceId: subscription.resourceId, resourceArn: subscription.resourceArn,
                                                                destinationArn: subscription.destinationArn, logType: subscription.logType))
        }
    }
}
