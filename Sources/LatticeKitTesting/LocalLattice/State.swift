#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// Everything the local Lattice holds for one region of the account.
struct RegionState: Sendable {
    var nextSeq = 0
    var serviceNetworks = Table<ServiceNetworkRecord>()
    var services = Table<ServiceRecord>()
    var targetGroups = Table<TargetGroupRecord>()
    var listeners = Table<ListenerRecord>()
    var rules = Table<RuleRecord>()
    var serviceAssociations = Table<ServiceAssociationRecord>()
    var vpcAssociations = Table<VpcAssociationRecord>()
    var resourceAssociations = Table<ResourceAssociationRecord>()
    var accessLogs = Table<AccessLogRecord>()
    var gateways = Table<GatewayRecord>()
    var configurations = Table<ConfigurationRecord>()
    var endpointAssociations = Table<EndpointAssociationRecord>()
    var verifications = Table<VerificationRecord>()
    var networkEndpoints = Table<NetworkEndpointRecord>()
    /// Auth policies and resource policies, by the resource's ARN.
    var authPolicies: [String: AuthPolicyRecord] = [:]
    var resourcePolicies: [String: String] = [:]
    /// Tags by ARN; an ARN is here exactly when its resource exists and can be tagged.
    var tags: [String: [String: String]] = [:]
    var pageCursors: [String: PageCursor] = [:]
    /// `groupsInUse()` as of the rules' `version`.
    private var inUseKept: (version: Int, groups: Set<String>)?

    /// The number of resources of each type (targets and non-default rules included).
    var counts: [String: Int] {
        [
            "serviceNetworks": serviceNetworks.count,
            "services": services.count,
            "targetGroups": targetGroups.count,
            "targets": targetGroups.rows.values.reduce(0) { $0 + $1.targets.count },
            "listeners": listeners.count,
            "rules": rules.rows.values.filter { !$0.isDefault }.count,
            "serviceNetworkServiceAssociations": serviceAssociations.count,
            "serviceNetworkVpcAssociations": vpcAssociations.count,
            "serviceNetworkResourceAssociations": resourceAssociations.count,
            "serviceNetworkEndpointAssociations": networkEndpoints.count,
            "accessLogSubscriptions": accessLogs.count,
            "authPolicies": authPolicies.count,
            "resourcePolicies": resourcePolicies.count,
            "resourceGateways": gateways.count,
            "resourceConfigurations": configurations.count,
            "resourceEndpointAssociations": endpointAssociations.count,
            "domainVerifications": verifications.count,
        ]
    }

    mutating func seq() -> Int {
        nextSeq += 1
        return nextSeq
    }

    /// Stores a new resource; taggable ones get their tag set (empty when none was given).
    mutating func insert<R: LatticeRecord>(_ record: R, into table: WritableKeyPath<RegionState, Table<R>>, tags: [String: String]?, taggable: Bool = true) {
        self[keyPath: table][record.id] = record
        if taggable { self.tags[record.arn] = tags ?? [:] }
    }

    /// Removes a resource with its tags and policies.
    mutating func remove<R: LatticeRecord>(_ id: String, from table: WritableKeyPath<RegionState, Table<R>>) {
        guard let record = self[keyPath: table][id] else { return }
        self[keyPath: table][id] = nil
        tags[record.arn] = nil
        authPolicies[record.arn] = nil
        resourcePolicies[record.arn] = nil
    }

    /// Shows a resource once, at `now`: returns it as it is, then moves its phase on (a
    /// resource whose deletion has settled is removed). Nil when there is no such resource.
    mutating func observe<R: PhasedRecord>(_ table: WritableKeyPath<RegionState, Table<R>>, _ id: String, at now: Date) -> R? {
        guard let record = self[keyPath: table][id] else { return nil }
        move(record, to: record.phase.advanced, at: now, in: table)
        return record
    }

    /// Ends, at `now`, every transitional status whose time is up, whether or not anyone
    /// looked: creating and updating become active, deletions finish (the resource goes, and
    /// no longer blocks its parent's deletion), targets become HEALTHY or finish draining.
    /// A target's health checks start, and its time to HEALTHY (`seconds`) with them, when its
    /// group is first seen in use; they stop, and start over later, when it no longer is.
    mutating func settle(at now: Date, seconds: Double?) {
        settle(\.services, at: now)
        settle(\.targetGroups, at: now)
        settle(\.serviceAssociations, at: now)
        settle(\.vpcAssociations, at: now)
        settle(\.resourceAssociations, at: now)
        settle(\.gateways, at: now)
        settle(\.configurations, at: now)
        settle(\.verifications, at: now)
        // Only groups with a target whose state can still move are looked at, and which
        // groups are in use is found once (one pass over the rules), not once per group.
        var inUse: Set<String>?
        // A group is rewritten only when one of its targets changes: most calls change none.
        for group in targetGroups.rows.values where group.targets.contains(where: { $0.canSettle(by: now) }) {
            if inUse == nil { inUse = groupsInUseKept() }
            let checked = inUse?.contains(group.id) == true && Scope.healthCheckProblem(group) == nil
            func settled(_ target: TargetRecord) -> TargetRecord.State? {
                switch target.state {
                case let .draining(_, goneAt?) where goneAt <= now: return nil
                case let .registered(left, healthyAt) where left > 0:
                    if !checked { return .registered(left: left, healthyAt: nil) }
                    if let healthyAt { return healthyAt <= now ? .registered(left: 0, healthyAt: healthyAt) : target.state }
                    if let seconds { return .registered(left: left, healthyAt: now.addingTimeInterval(seconds)) }
                    return target.state
                default: return target.state
                }
            }
            guard group.targets.contains(where: { settled($0) != $0.state }) else { continue }
            targetGroups[group.id]?.targets = group.targets.compactMap { target in
                guard let state = settled(target) else { return nil }
                var moved = target
                moved.state = state
                return moved
            }
        }
    }

    private mutating func settle<R: PhasedRecord>(_ table: WritableKeyPath<RegionState, Table<R>>, at now: Date) {
        guard let earliest = self[keyPath: table].earliestDeadline, earliest <= now else { return }
        var next: Date?
        for record in self[keyPath: table].rows.values {
            guard let deadline = record.phase.deadline else { continue }
            guard deadline <= now else {
                next = min(next ?? deadline, deadline)
                continue
            }
            let settled = record.phase.settled
            move(record, to: settled, at: deadline, in: table)
            if let later = settled?.deadline { next = min(next ?? later, later) }
        }
        self[keyPath: table].settled(until: next)
    }

    /// Gives a resource its next phase (nil: removes it), noting when it became active.
    private mutating func move<R: PhasedRecord>(_ record: R, to next: Phase?, at time: Date, in table: WritableKeyPath<RegionState, Table<R>>) {
        guard let next else {
            remove(record.id, from: table)
            return
        }
        var moved = record
        moved.phase = next
        if next == .active, record.phase != .active { moved.didBecomeActive(at: time) }
        self[keyPath: table][record.id] = moved
    }

    /// Whether a listener's default action or a rule forwards to the target group.
    func isInUse(_ groupId: String) -> Bool {
        rules.contains { Scope.forwards($0.action, to: groupId) }
    }

    /// `groupsInUse()`, kept until the rules change: settling asks on every call while any
    /// target's health is pending, and building the set each time was most of its cost.
    private mutating func groupsInUseKept() -> Set<String> {
        if let kept = inUseKept, kept.version == rules.version { return kept.groups }
        let groups = groupsInUse()
        inUseKept = (rules.version, groups)
        return groups
    }

    /// The target groups a listener's default action or a rule forwards to.
    func groupsInUse() -> Set<String> {
        var groups = Set<String>()
        for rule in rules.rows.values {
            if case let .forward(forward) = rule.action { groups.formUnion(forward.targetGroups.map(\.targetGroupIdentifier)) }
        }
        return groups
    }

    /// Whether the group's targets are health-checked: it is in use and its checks are on.
    func isHealthChecked(_ group: TargetGroupRecord) -> Bool {
        isInUse(group.id) && Scope.healthCheckProblem(group) == nil
    }
}

/// The whole local Lattice: the identity generator (shared by regions, so IDs are unique
/// across them) and each region's resources.
struct Store: Sendable {
    var ids: Identities
    var regions: [String: RegionState] = [:]
    /// The calls made with a client token, by region and `Endpoint.idempotencyKey`. Kept
    /// apart from the regions, which a call changes on a copy (kept only if it succeeds):
    /// this table only grows, and copying it on every create made each call slower than
    /// the last.
    var idempotency: [String: IdempotentCall] = [:]
    /// Counts the calls that succeeded, so the data plane rebuilds its routes only on change.
    var generation = 0
}

/// One call's view of the local Lattice: the region's resources (changed in place, kept only
/// when the call succeeds), the identity generator, and the call's constants.
struct Scope {
    var db: RegionState
    var ids: Identities
    let region: String
    let account: String
    let now: Date
    let settle: Settling
    let quotas: LocalLattice.Quotas
    /// Target health the data plane's real health checks found (nil: none runs).
    var reportedHealth: [HealthBoard.Key: HealthBoard.Report]? = nil
    /// Where those checks are reported, to ask which targets they will decide.
    var healthBoard: HealthBoard? = nil

    func arn(_ kind: ResourceKind, _ id: String) -> String {
        ARN.make(kind, id, region: region, account: account)
    }

    /// A new resource's ID, ARN and creation order.
    mutating func newIdentity(_ kind: ResourceKind) -> (id: String, arn: String, seq: Int) {
        let id = ids.id(kind)
        return (id, arn(kind, id), db.seq())
    }

    /// An ARN of another account is refused as the service refuses it.
    func checkAccount(_ arn: String) throws(ServiceFault) {
        if let account = ARN.account(arn), account != self.account {
            throw .accessDenied("User is not authorized to access resource \(arn) of account \(account) from account \(self.account).")
        }
    }

    /// The resource an identifier (an ID, or an ARN where the model allows one) names.
    func find<R: LatticeRecord>(_ table: KeyPath<RegionState, Table<R>>, _ identifier: String) throws(ServiceFault) -> R {
        if identifier.hasPrefix("arn:") {
            try checkAccount(identifier)
            if let found = db[keyPath: table].first(where: { $0.arn == identifier }) { return found }
        } else if let found = db[keyPath: table][identifier] {
            return found
        }
        throw .notFound(R.kind, identifier)
    }

    /// Like `find`, but a resource being deleted cannot take new dependents.
    func findUsable<R: PhasedRecord>(_ table: KeyPath<RegionState, Table<R>>, _ identifier: String) throws(ServiceFault) -> R {
        let found = try find(table, identifier)
        if found.phase.isDeleting {
            throw .conflict("The \(R.kind.noun) \(found.id) is being deleted.", R.kind, found.id)
        }
        return found
    }

    /// The service or service network (or resource configuration, when allowed) that an auth
    /// policy, resource policy or access log subscription is about: its ID and ARN.
    func findPolicyTarget(_ identifier: String, field: String, allowConfiguration: Bool) throws(ServiceFault) -> (id: String, arn: String, kind: ResourceKind) {
        let name = identifier.hasPrefix("arn:") ? identifier.split(separator: "/").last.map(String.init) ?? "" : identifier
        if name.hasPrefix("sn-") {
            let r = try find(\.serviceNetworks, identifier)
            return (r.id, r.arn, .serviceNetwork)
        }
        if name.hasPrefix("svc-") {
            let r = try find(\.services, identifier)
            return (r.id, r.arn, .service)
        }
        if name.hasPrefix("rcfg-"), allowConfiguration {
            let r = try find(\.configurations, identifier)
            return (r.id, r.arn, .resourceConfiguration)
        }
        throw .invalid(field, "must identify a service network or a service\(allowConfiguration ? " or a resource configuration" : "")")
    }
}
