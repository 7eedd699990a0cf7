/// Compares a topology with the live state and lists what apply must do, as actions (what the
/// user reads) and steps (what apply runs, with their dependencies).
///
/// Ownership: a service network, service or target group belongs to the topology when it
/// carries the ownership tag with the topology's name; everything under it (listeners, rules,
/// access log subscriptions, policies, targets) is managed with it, so what is under an owned
/// resource and not described is deleted. Associations join two resources that may belong to
/// different owners, so an association that is not described is deleted only when it carries
/// the ownership tag.
struct Planner {
    let topology: Topology
    let live: LiveState
    let options: TopologyOptions
    let destroying: Bool

    private(set) var actions: [TopologyPlan.Action] = []
    private(set) var refusals: [TopologyPlan.Refusal] = []
    private(set) var steps: [Step] = []

    /// Address → the step after which the resource exists (its create).
    private var created: [String: Int] = [:]
    /// Address → the wait step after which it is ACTIVE.
    private var activeAfter: [String: Int] = [:]
    /// Address → the live status of a live resource that settles (services, target groups,
    /// associations).
    private var liveStatus: [String: String] = [:]
    /// Target group name → live ID, for target groups that stay (neither created nor
    /// replaced): what a forward to that name resolves to when planning.
    private var stayingGroups: [String: String] = [:]
    /// Association ID → the step after which its deletion has settled.
    private var associationGone: [String: Int] = [:]
    /// Target group delete step → the live group's ID, for the pass that orders it after the
    /// listeners and rules that forward to it.
    private var groupDeletes: [(step: Int, groupId: String, action: Int)] = []
    /// Listener or rule address → steps that change its action or delete it.
    private var actionChangers: [String: [Int]] = [:]
    /// Listener or rule address → its live action, for the same pass.
    private var liveActions: [(address: String, service: Ref, listener: Ref?, action: RuleAction)] = []

    init(topology: Topology, live: LiveState, options: TopologyOptions, destroying: Bool) {
        self.topology = topology
        self.live = live
        self.options = options
        self.destroying = destroying
    }

    /// The identifiers of the live resources the steps work on, by address.
    private(set) var registry: [String: LiveIdentity] = [:]

    static let transitional: Set<String> = ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"]
    static let deleting = "DELETE_IN_PROGRESS"

    // MARK: Building blocks

    private mutating func addAction(_ address: String, _ kind: TopologyPlan.Action.Kind, _ type: String, id: String? = nil,
                                    changes: [TopologyPlan.FieldChange] = [], reason: String? = nil) -> Int {
        actions.append(TopologyPlan.Action(address: address, kind: kind, resourceType: type, id: id, changes: changes, reason: reason))
        return actions.count - 1
    }

    @discardableResult
    private mutating func addStep(_ address: String, _ label: String, _ work: Work, action: Int?, after dependencies: [Int?]) -> Int {
        let index = steps.count
        var unique: [Int] = []
        for case let dependency? in dependencies where !unique.contains(dependency) { unique.append(dependency) }
        steps.append(Step(index: index, action: action, address: address, label: label, work: work, dependencies: unique))
        if work.creates { created[address] = index }
        return index
    }

    private mutating func refuse(_ address: String, _ message: String) {
        refusals.append(TopologyPlan.Refusal(address: address, message: message))
    }

    private mutating func remember(_ address: String, id: String, arn: String, status: String? = nil) {
        registry[address] = LiveIdentity(id: id, arn: arn)
        if let status { liveStatus[address] = status }
    }

    /// The step after which the resource at `address` is ACTIVE: a wait after its create, or
    /// after nothing when it is live and still settling; nil when nothing needs waiting for.
    private mutating func active(_ address: String, _ scope: ListScope) -> Int? {
        if let wait = activeAfter[address] { return wait }
        if let create = created[address] {
            let wait = addStep(address, "wait until ACTIVE", .wait(scope, .active), action: steps[create].action, after: [create])
            activeAfter[address] = wait
            return wait
        }
        if let status = liveStatus[address], Self.transitional.contains(status) {
            let wait = addStep(address, "wait until ACTIVE", .wait(scope, .active), action: nil, after: [])
            activeAfter[address] = wait
            return wait
        }
        return nil
    }

    /// The changes that make `live` tags the `desired` ones, key by key.
    private func tagChanges(_ desired: [String: String], _ live: [String: String]) -> (changes: [TopologyPlan.FieldChange], set: [String: String], remove: [String]) {
        var changes: [TopologyPlan.FieldChange] = []
        var set: [String: String] = [:]
        var remove: [String] = []
        for key in Set(desired.keys).union(live.keys).sorted() {
            let want = desired[key], have = live[key]
            if want == have { continue }
            changes.append(TopologyPlan.FieldChange(field: "tags.\(key)", old: have.map { Stated.text($0) }, new: want.map { Stated.text($0) }))
            if let want { set[key] = want } else { remove.append(key) }
        }
        return (changes, set, remove)
    }

    /// The members of a value as create changes (old: none).
    private func createChanges(_ value: some Encodable, leaving skipped: Set<String> = []) -> [TopologyPlan.FieldChange] {
        guard case let .object(members)? = Stated.json(value) else { return [] }
        return members.keys.sorted().filter { !skipped.contains($0) }.compactMap { key in
            members[key].map { TopologyPlan.FieldChange(field: key, old: nil, new: Stated.text($0)) }
        }
    }

    /// A topology's action with target group names resolved where the group stays, else a
    /// marker that differs from anything live.
    private func resolvedForComparison(_ action: RuleAction) -> RuleAction {
        action.mappingTargetGroups { identifier, _ in
            switch Reference.targetGroup(identifier) {
            case let .topology(name): return stayingGroups[name] ?? "(known after apply: targetGroup.\(name))"
            case let .external(text): return Reference.id(text)
            }
        }
    }

    /// The waits for the target groups an action forwards to that are created or settling.
    private mutating func groupsActive(_ action: RuleAction) -> [Int?] {
        action.targetGroupIdentifiers.map { identifier in
            guard case let .topology(name) = Reference.targetGroup(identifier) else { return nil }
            return active("targetGroup.\(name)", .targetGroups)
        }
    }

    private func ownershipProblem(_ kind: String, _ name: String, _ id: String, _ ownership: Ownership) -> String {
        let whose: String
        switch ownership {
        case let .other(other): whose = "carries the ownership tag of the topology \(quoted(other))"
        default: whose = "does not carry the ownership tag \(Topology.ownershipTagKey)=\(topology.name)"
        }
        return "a \(kind) named \(quoted(name)) exists (\(id)) and \(whose); it is not touched unless you adopt it (TopologyOptions.adopt, lattice --adopt), or give the topology's \(kind) another name"
    }

    // MARK: The plan

    mutating func plan() {
        let desiredGroups = destroying ? [] : topology.targetGroups ?? []
        let desiredServices = destroying ? [] : topology.services ?? []
        let desiredNetworks = destroying ? [] : topology.serviceNetworks ?? []
        for group in live.groups where group.detailed || group.ownership == .owned {
            remember("targetGroup.\(group.name)", id: group.id, arn: group.arn, status: group.status)
        }
        for service in live.services where service.detailed || service.ownership == .owned {
            remember("service.\(service.name)", id: service.id, arn: service.arn, status: service.status)
        }
        for network in live.networks where network.detailed || network.ownership == .owned {
            remember("serviceNetwork.\(network.name)", id: network.id, arn: network.arn)
        }
        // Which target groups stay, so that forwards to them resolve while planning.
        for group in desiredGroups {
            if let found = live.groups.first(where: { $0.name == group.name && $0.status != Self.deleting }), found.detailed,
               groupReplacement(group, found).isEmpty {
                stayingGroups[group.name] = found.id
            }
        }
        for group in desiredGroups { planGroup(group) }
        for service in desiredServices { planService(service) }
        for network in desiredNetworks { planNetwork(network) }
        let describedGroups = Set(desiredGroups.map(\.name))
        let describedServices = Set(desiredServices.map(\.name))
        let describedNetworks = Set(desiredNetworks.map(\.name))
        for network in live.networks where network.ownership == .owned && !describedNetworks.contains(network.name) { deleteNetwork(network) }
        for service in live.services where service.ownership == .owned && !describedServices.contains(service.name) && service.status != Self.deleting {
            deleteService(service)
        }
        for group in live.groups where group.ownership == .owned && !describedGroups.contains(group.name) && group.status != Self.deleting {
            deleteGroup(group)
        }
        orderGroupDeletes()
    }

    /// The plan: steps in a topological order (lowest index first among those ready),
    /// actions in the order of their first step, so that the list reads as one valid way to
    /// run them one at a time.
    func finish() -> TopologyPlan {
        var remaining = steps.map { Set($0.dependencies) }
        var dependents = [[Int]](repeating: [], count: steps.count)
        for step in steps { for dependency in step.dependencies { dependents[dependency].append(step.index) } }
        var ready = steps.filter { $0.dependencies.isEmpty }.map(\.index)
        var order: [Int] = []
        while let next = ready.min() {
            ready.removeAll { $0 == next }
            order.append(next)
            for dependent in dependents[next] {
                remaining[dependent].remove(next)
                if remaining[dependent].isEmpty { ready.append(dependent) }
            }
        }
        var refusals = self.refusals
        if order.count != steps.count {
            refusals.append(TopologyPlan.Refusal(address: topology.name, message: "the plan's steps wait for each other in a cycle, which is a fault of LatticeKit: please report the topology"))
        }
        var rank: [Int: Int] = [:]
        for (position, index) in order.enumerated() { if let action = steps[index].action, rank[action] == nil { rank[action] = position } }
        let ordered = actions.indices.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
        var newIndex: [Int: Int] = [:]
        for (position, old) in ordered.enumerated() { newIndex[old] = position }
        let renumbered = steps.map { step in
            Step(index: step.index, action: step.action.flatMap { newIndex[$0] }, address: step.address, label: step.label, work: step.work, dependencies: step.dependencies)
        }
        return TopologyPlan(topology: topology.name, isDestroy: destroying, actions: ordered.map { actions[$0] }, refusals: refusals, steps: renumbered, registry: registry)
    }

    // MARK: Target groups

    /// The members that differ and cannot change in place.
    private func groupReplacement(_ desired: Topology.TargetGroup, _ live: LiveGroup) -> [TopologyPlan.FieldChange] {
        var changes: [TopologyPlan.FieldChange] = []
        if let type = live.type, type != desired.type {
            changes.append(TopologyPlan.FieldChange(field: "type", old: Stated.text(type), new: Stated.text(desired.type), forcesReplacement: true))
        }
        if let config = desired.config {
            var fixed = config
            fixed.healthCheck = nil
            var liveFixed = live.config
            liveFixed?.healthCheck = nil
            changes += Stated.changes(fixed, liveFixed, at: "config", forcesReplacement: true)
        }
        return changes
    }

    /// How planning starts on a described top-level resource.
    private enum Start {
        /// It does not exist: create it, after `after` (the old one of its name being deleted).
        case create(after: Int?)
        /// It exists and is owned, or adopted.
        case existing
        /// It exists and is someone else's (the refusal is made).
        case refused
    }

    private mutating func start(_ address: String, kind: String, scope: ListScope, found: LiveHead?) -> Start {
        guard let found else { return .create(after: nil) }
        if found.status == Self.deleting {
            registry[address] = LiveIdentity(id: found.id, arn: found.arn)
            return .create(after: addStep(address, "wait until the old one is deleted", .wait(scope, .gone), action: nil, after: []))
        }
        guard found.ownership == .owned || options.adopt else {
            refuse(address, ownershipProblem(kind, found.name, found.id, found.ownership))
            return .refused
        }
        return .existing
    }

    private mutating func planGroup(_ group: Topology.TargetGroup) {
        let address = "targetGroup.\(group.name)"
        let tags = topology.tags(group.tags)
        let found = live.groups.first { $0.name == group.name }
        var waitGone: Int?
        switch start(address, kind: "target group", scope: .targetGroups, found: found?.head) {
        case .refused: return
        case let .create(after): waitGone = after
        case .existing:
            guard let found else { return }
            let replacement = groupReplacement(group, found)
            if replacement.isEmpty {
                updateGroup(group, found, tags: tags)
                return
            }
            let action = addAction(address, .replace, "targetGroup", id: found.id, changes: replacement,
                                   reason: "\(replacement.map(\.field).joined(separator: ", ")) cannot change in place")
            guard options.allowReplacement else {
                refuse(address, "\(replacement.map(\.field).joined(separator: ", ")) cannot change in place: the target group must be deleted and created again; allow it with TopologyOptions.allowReplacement (lattice --allow-replacement), or keep the live value")
                return
            }
            let delete = addStep(address, "delete (to replace)", .deleteTargetGroup, action: action, after: [active(address, .targetGroups)])
            groupDeletes.append((delete, found.id, action))
            waitGone = addStep(address, "wait until deleted", .wait(.targetGroups, .gone), action: action, after: [delete])
            createGroup(group, tags: tags, action: action, after: waitGone)
            return
        }
        let action = addAction(address, .create, "targetGroup", changes: createChanges(CreateTargetGroupRequest(name: group.name, type: group.type, config: group.config, tags: tags)))
        createGroup(group, tags: tags, action: action, after: waitGone)
    }

    private mutating func createGroup(_ group: Topology.TargetGroup, tags: [String: String], action: Int, after: Int?) {
        let address = "targetGroup.\(group.name)"
        addStep(address, "create", .createTargetGroup(name: group.name, type: group.type, config: group.config, tags: tags), action: action, after: [after])
        let targets = desiredTargets(group, port: group.config?.port)
        if !targets.isEmpty {
            let targetAction = addAction("\(address).targets", .create, "targets", changes: [
                TopologyPlan.FieldChange(field: "targets", old: nil, new: Stated.text(targets.map(Self.targetKey))),
            ])
            addStep("\(address).targets", "register \(targets.count) target\(targets.count == 1 ? "" : "s")",
                    .registerTargets(group: .address(address), targets: targets), action: targetAction, after: [active(address, .targetGroups)])
        }
    }

    private func desiredTargets(_ group: Topology.TargetGroup, port: Int?) -> [Target] {
        (group.targets ?? []).map { Target(id: $0.id, port: $0.port ?? port) }
    }

    static func targetKey(_ target: Target) -> String { target.port.map { "\(target.id):\($0)" } ?? target.id }

    private mutating func updateGroup(_ group: Topology.TargetGroup, _ found: LiveGroup, tags: [String: String]) {
        let address = "targetGroup.\(group.name)"
        var changes: [TopologyPlan.FieldChange] = []
        var healthCheck: HealthCheckConfig?
        if let check = group.config?.healthCheck {
            let diff = Stated.changes(check, found.config?.healthCheck, at: "config.healthCheck")
            if !diff.isEmpty {
                changes += diff
                healthCheck = check
            }
        }
        let tagDiff = tagChanges(tags, found.tags)
        changes += tagDiff.changes
        let adopting = found.ownership != .owned
        if !changes.isEmpty {
            let action = addAction(address, adopting ? .adopt : .update, "targetGroup", id: found.id, changes: changes,
                                   reason: adopting ? "exists without this topology's ownership tag; adopted as asked" : nil)
            let ready = active(address, .targetGroups)
            if let healthCheck { addStep(address, "update the health check", .updateTargetGroup(healthCheck: healthCheck), action: action, after: [ready]) }
            if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: [ready]) }
        }
        // Targets: the described set, with the group's port for those without one.
        let port = group.config?.port ?? found.config?.port
        let wanted = desiredTargets(group, port: port)
        let present = found.targets.filter { $0.status != .draining }.compactMap { summary in summary.id.map { Target(id: $0, port: summary.port) } }
        let wantedKeys = Set(wanted.map(Self.targetKey))
        let presentKeys = Set(present.map(Self.targetKey))
        let register = wanted.filter { !presentKeys.contains(Self.targetKey($0)) }
        let deregister = present.filter { !wantedKeys.contains(Self.targetKey($0)) }
        guard !register.isEmpty || !deregister.isEmpty else { return }
        let targetAddress = "\(address).targets"
        let action = addAction(targetAddress, .update, "targets", id: found.id, changes: [
            TopologyPlan.FieldChange(field: "targets", old: Stated.text(present.map(Self.targetKey).sorted()), new: Stated.text(wanted.map(Self.targetKey).sorted())),
        ])
        let ready = active(address, .targetGroups)
        if !deregister.isEmpty {
            addStep(targetAddress, "deregister \(deregister.count) target\(deregister.count == 1 ? "" : "s")", .deregisterTargets(group: .address(address), targets: deregister),
                    action: action, after: [ready])
        }
        if !register.isEmpty {
            addStep(targetAddress, "register \(register.count) target\(register.count == 1 ? "" : "s")", .registerTargets(group: .address(address), targets: register),
                    action: action, after: [ready])
        }
    }

    private mutating func deleteGroup(_ group: LiveGroup) {
        let address = "targetGroup.\(group.name)"
        var before: [Int?] = [active(address, .targetGroups)]
        let targets = group.targets.filter { $0.status != .draining }.compactMap { summary in summary.id.map { Target(id: $0, port: summary.port) } }
        if !targets.isEmpty {
            let targetAddress = "\(address).targets"
            let targetAction = addAction(targetAddress, .delete, "targets", id: group.id, changes: [
                TopologyPlan.FieldChange(field: "targets", old: Stated.text(targets.map(Self.targetKey).sorted()), new: nil),
            ])
            let deregister = addStep(targetAddress, "deregister \(targets.count) target\(targets.count == 1 ? "" : "s")",
                                     .deregisterTargets(group: .address(address), targets: targets), action: targetAction, after: before)
            before = [addStep(targetAddress, "wait until drained", .waitTargetsDrained(group: .address(address), targets: targets), action: targetAction, after: [deregister])]
        }
        let action = addAction(address, .delete, "targetGroup", id: group.id)
        let delete = addStep(address, "delete", .deleteTargetGroup, action: action, after: before)
        groupDeletes.append((delete, group.id, action))
        if destroying { addStep(address, "wait until deleted", .wait(.targetGroups, .gone), action: action, after: [delete]) }
    }

    /// Orders each target group delete after the listeners and rules that forward to it stop
    /// doing so; a user whose own change comes only after the delete (it will forward to the
    /// group's replacement) first answers with a fixed 503 instead.
    private mutating func orderGroupDeletes() {
        for (delete, groupId, action) in groupDeletes {
            for user in liveActions where user.action.targetGroupIdentifiers.map(Reference.id).contains(groupId) {
                let changers = actionChangers[user.address] ?? []
                let before = changers.filter { !dependsOn($0, delete) }
                if !before.isEmpty {
                    steps[delete].dependencies += before.filter { !steps[delete].dependencies.contains($0) }
                    continue
                }
                let detach: Work
                let fixed = RuleAction.fixedResponse(FixedResponseAction(statusCode: 503))
                if let listener = user.listener {
                    detach = .updateRule(service: user.service, listener: listener, priority: nil, match: nil, action: fixed)
                } else {
                    detach = .updateListener(service: user.service, defaultAction: fixed)
                }
                let step = addStep(user.address, "answer 503 while the target group is replaced", detach, action: action, after: [])
                steps[delete].dependencies.append(step)
                for changer in changers { steps[changer].dependencies.append(step) }
            }
        }
    }

    /// Whether `step` depends on `other`, directly or not.
    private func dependsOn(_ step: Int, _ other: Int) -> Bool {
        var seen = Set<Int>()
        var stack = [step]
        while let next = stack.popLast() {
            if next == other { return true }
            guard seen.insert(next).inserted else { continue }
            stack += steps[next].dependencies
        }
        return false
    }

    // MARK: Services

    private mutating func planService(_ service: Topology.Service) {
        let address = "service.\(service.name)"
        let tags = topology.tags(service.tags)
        let found = live.services.first { $0.name == service.name }
        var waitGone: Int?
        switch start(address, kind: "service", scope: .services, found: found?.head) {
        case .refused: return
        case let .create(after): waitGone = after
        case .existing:
            guard let found else { return }
            if let domain = service.customDomainName, domain != found.customDomainName {
                let change = TopologyPlan.FieldChange(field: "customDomainName", old: found.customDomainName.map { Stated.text($0) }, new: Stated.text(domain), forcesReplacement: true)
                let action = addAction(address, .replace, "service", id: found.id, changes: [change], reason: "customDomainName cannot change in place")
                guard options.allowReplacement else {
                    refuse(address, "customDomainName cannot change in place: the service must be deleted and created again (with its listeners, rules and associations); allow it with TopologyOptions.allowReplacement (lattice --allow-replacement), or keep the live value")
                    return
                }
                var gone: [Int?] = []
                for association in found.associations {
                    gone.append(deleteAssociation(association, address: "\(address).serviceNetworkAssociation.\(association.networkId)", action: action))
                }
                let delete = addStep(address, "delete (to replace)", .deleteService, action: action, after: gone + [active(address, .services)])
                waitGone = addStep(address, "wait until deleted", .wait(.services, .gone), action: action, after: [delete])
                for listener in found.listeners { noteActions(listener, service: address, changedBy: waitGone) }
                createService(service, tags: tags, action: action, after: waitGone)
                return
            }
            updateService(service, found, tags: tags)
            planChildren(service, live: found)
            return
        }
        let action = addAction(address, .create, "service", changes: createChanges(CreateServiceRequest(
            name: service.name, tags: tags, customDomainName: service.customDomainName, certificateArn: service.certificateArn, authType: service.authType)))
        createService(service, tags: tags, action: action, after: waitGone)
    }

    private mutating func createService(_ service: Topology.Service, tags: [String: String], action: Int, after: Int?) {
        addStep("service.\(service.name)", "create", .createService(name: service.name, authType: service.authType, customDomainName: service.customDomainName,
                                                                  certificateArn: service.certificateArn, tags: tags), action: action, after: [after])
        planChildren(service, live: nil)
    }

    private mutating func updateService(_ service: Topology.Service, _ found: LiveService, tags: [String: String]) {
        let address = "service.\(service.name)"
        var changes: [TopologyPlan.FieldChange] = []
        var authType: AuthType?
        var certificate: String?
        if let wanted = service.authType, wanted != found.authType {
            changes.append(TopologyPlan.FieldChange(field: "authType", old: found.authType.map { Stated.text($0) }, new: Stated.text(wanted)))
            authType = wanted
        }
        if let wanted = service.certificateArn, wanted != (found.certificateArn ?? "") {
            changes.append(TopologyPlan.FieldChange(field: "certificateArn", old: found.certificateArn.map { Stated.text($0) }, new: Stated.text(wanted)))
            certificate = wanted
        }
        let tagDiff = tagChanges(tags, found.tags)
        changes += tagDiff.changes
        guard !changes.isEmpty else { return }
        let adopting = found.ownership != .owned
        let action = addAction(address, adopting ? .adopt : .update, "service", id: found.id, changes: changes,
                               reason: adopting ? "exists without this topology's ownership tag; adopted as asked" : nil)
        let ready = active(address, .services)
        if authType != nil || certificate != nil {
            addStep(address, "update", .updateService(authType: authType, certificateArn: certificate), action: action, after: [ready])
        }
        if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: [ready]) }
    }

    /// Remembers a live listener's and its rules' actions, and that `step` ends them.
    private mutating func noteActions(_ listener: LiveListener, service: String, changedBy step: Int?) {
        let address = "\(service).listener.\(listener.name)"
        if let action = listener.defaultAction {
            liveActions.append((address, .address(service), nil, action))
            if let step { actionChangers[address, default: []].append(step) }
        }
        for rule in listener.rules {
            guard let action = rule.action else { continue }
            let ruleAddress = "\(address).rule.\(rule.name)"
            liveActions.append((ruleAddress, .address(service), .address(address), action))
            if let step { actionChangers[ruleAddress, default: []].append(step) }
        }
    }

    /// Listeners, rules, access logs and policies of a service; `live` is nil when the
    /// service is created (or replaced) by this plan.
    private mutating func planChildren(_ service: Topology.Service, live found: LiveService?) {
        let address = "service.\(service.name)"
        let serviceRef = Ref.address(address)
        let liveListeners = found?.listeners ?? []
        for listener in liveListeners { registry["\(address).listener.\(listener.name)"] = LiveIdentity(id: listener.id, arn: listener.arn) }
        let described = Set((service.listeners ?? []).map(\.name))
        // Deletes first: they free ports, names and the quota of listeners.
        var deletes: [Int] = []
        for listener in liveListeners where !described.contains(listener.name) {
            let listenerAddress = "\(address).listener.\(listener.name)"
            let action = addAction(listenerAddress, .delete, "listener", id: listener.id)
            let step = addStep(listenerAddress, "delete", .deleteListener(service: serviceRef), action: action, after: [])
            noteActions(listener, service: address, changedBy: step)
            deletes.append(step)
        }
        for listener in service.listeners ?? [] {
            let listenerAddress = "\(address).listener.\(listener.name)"
            let tags = topology.tags(listener.tags)
            let current = liveListeners.first { $0.name == listener.name }
            if let current {
                var replacement: [TopologyPlan.FieldChange] = []
                if let proto = current.protocol, proto != listener.protocol {
                    replacement.append(TopologyPlan.FieldChange(field: "protocol", old: Stated.text(proto), new: Stated.text(listener.protocol), forcesReplacement: true))
                }
                if let port = listener.port, port != current.port {
                    replacement.append(TopologyPlan.FieldChange(field: "port", old: current.port.map { Stated.text($0) }, new: Stated.text(port), forcesReplacement: true))
                }
                if replacement.isEmpty {
                    updateListener(listener, current, service: address, tags: tags)
                    continue
                }
                let names = replacement.map(\.field).joined(separator: " and ")
                let action = addAction(listenerAddress, .replace, "listener", id: current.id, changes: replacement, reason: "\(names) cannot change in place")
                guard options.allowReplacement else {
                    refuse(listenerAddress, "\(names) cannot change in place: the listener must be deleted and created again (with its rules); allow it with TopologyOptions.allowReplacement (lattice --allow-replacement), or keep the live value")
                    noteActions(current, service: address, changedBy: nil)
                    continue
                }
                let delete = addStep(listenerAddress, "delete (to replace)", .deleteListener(service: serviceRef), action: action, after: [])
                noteActions(current, service: address, changedBy: delete)
                createListener(listener, service: address, tags: tags, action: action, after: deletes + [delete])
            } else {
                var request = CreateListenerRequest(serviceIdentifier: "", name: listener.name, protocol: listener.protocol, port: listener.port,
                                                    defaultAction: listener.defaultAction, tags: tags)
                request.serviceIdentifier = ""
                let action = addAction(listenerAddress, .create, "listener", changes: createChanges(request, leaving: ["serviceIdentifier"]))
                createListener(listener, service: address, tags: tags, action: action, after: deletes)
            }
        }
        planAccessLogs(service.accessLogSubscriptions ?? [], live: found?.accessLogs ?? [], parent: address, scope: .services)
        planPolicies(auth: service.authPolicy, resource: service.resourcePolicy, liveAuth: found?.authPolicy, liveResource: found?.resourcePolicy,
                     parent: address, parentIsNew: found == nil, scope: .services)
    }

    private mutating func createListener(_ listener: Topology.Listener, service: String, tags: [String: String], action: Int, after: [Int]) {
        let address = "\(service).listener.\(listener.name)"
        let create = addStep(address, "create", .createListener(service: .address(service), name: listener.name, protocol: listener.protocol, port: listener.port,
                                                                defaultAction: listener.defaultAction, tags: tags),
                             action: action, after: after + [active(service, .services)] + groupsActive(listener.defaultAction))
        var previous = create
        for rule in listener.rules ?? [] {
            previous = createRule(rule, listener: address, service: service, after: previous)
        }
    }

    private mutating func createRule(_ rule: Topology.Rule, listener: String, service: String, after: Int?) -> Int {
        let address = "\(listener).rule.\(rule.name)"
        let tags = topology.tags(rule.tags)
        let request = CreateRuleRequest(serviceIdentifier: "", listenerIdentifier: "", name: rule.name, match: rule.match, priority: rule.priority, action: rule.action, tags: tags)
        let action = addAction(address, .create, "rule", changes: createChanges(request, leaving: ["serviceIdentifier", "listenerIdentifier"]))
        return addStep(address, "create", .createRule(service: .address(service), listener: .address(listener), name: rule.name, priority: rule.priority,
                                                      match: rule.match, action: rule.action, tags: tags),
                       action: action, after: [after] + groupsActive(rule.action))
    }

    private mutating func updateListener(_ listener: Topology.Listener, _ current: LiveListener, service: String, tags: [String: String]) {
        let address = "\(service).listener.\(listener.name)"
        var changes: [TopologyPlan.FieldChange] = []
        let wanted = resolvedForComparison(listener.defaultAction)
        let actionChanges = Stated.changes(wanted, current.defaultAction, at: "defaultAction")
        changes += actionChanges
        let tagDiff = tagChanges(tags, current.tags)
        changes += tagDiff.changes
        var updateStep: Int?
        if !changes.isEmpty {
            let action = addAction(address, .update, "listener", id: current.id, changes: changes)
            if !actionChanges.isEmpty {
                updateStep = addStep(address, "update the default action", .updateListener(service: .address(service), defaultAction: listener.defaultAction),
                                     action: action, after: groupsActive(listener.defaultAction))
            }
            if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: []) }
        }
        if let action = current.defaultAction {
            liveActions.append((address, .address(service), nil, action))
            if let updateStep { actionChangers[address, default: []].append(updateStep) }
        }
        planRules(listener.rules ?? [], live: current.rules, listener: address, service: service)
    }

    /// Rules of a live listener, one after the other: deletes, then updates (ordered so that
    /// no two rules hold a priority at once; a swap parks one rule at a free priority first),
    /// then creates.
    private mutating func planRules(_ rules: [Topology.Rule], live: [LiveRule], listener: String, service: String) {
        let serviceRef = Ref.address(service), listenerRef = Ref.address(listener)
        for rule in live { registry["\(listener).rule.\(rule.name)"] = LiveIdentity(id: rule.id, arn: rule.arn) }
        var previous: Int?
        let described = Set(rules.map(\.name))
        for rule in live where !described.contains(rule.name) {
            let address = "\(listener).rule.\(rule.name)"
            let action = addAction(address, .delete, "rule", id: rule.id)
            let delete = addStep(address, "delete", .deleteRule(service: serviceRef, listener: listenerRef), action: action, after: [previous])
            previous = delete
            if let liveAction = rule.action {
                liveActions.append((address, serviceRef, listenerRef, liveAction))
                actionChangers[address, default: []].append(delete)
            }
        }
        struct Move { var rule: Topology.Rule; var current: LiveRule; var action: Int; var match: RuleMatch?; var ruleAction: RuleAction?; var priority: Int? }
        var moves: [Move] = []
        for rule in rules {
            guard let current = live.first(where: { $0.name == rule.name }) else { continue }
            let address = "\(listener).rule.\(rule.name)"
            var changes: [TopologyPlan.FieldChange] = []
            var move = Move(rule: rule, current: current, action: -1)
            if current.priority != rule.priority {
                changes.append(TopologyPlan.FieldChange(field: "priority", old: current.priority.map { Stated.text($0) }, new: Stated.text(rule.priority)))
                move.priority = rule.priority
            }
            let matchChanges = Stated.changes(rule.match, current.match, at: "match")
            if !matchChanges.isEmpty {
                changes += matchChanges
                move.match = rule.match
            }
            let actionChanges = Stated.changes(resolvedForComparison(rule.action), current.action, at: "action")
            if !actionChanges.isEmpty {
                changes += actionChanges
                move.ruleAction = rule.action
            }
            let tagDiff = tagChanges(topology.tags(rule.tags), current.tags)
            changes += tagDiff.changes
            if let liveAction = current.action { liveActions.append((address, serviceRef, listenerRef, liveAction)) }
            guard !changes.isEmpty else { continue }
            move.action = addAction(address, .update, "rule", id: current.id, changes: changes)
            if !tagDiff.changes.isEmpty {
                previous = addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: move.action, after: [previous])
            }
            if move.priority != nil || move.match != nil || move.ruleAction != nil { moves.append(move) }
        }
        // Updates that keep their priority first, then priority moves in an order that never
        // puts two rules on one priority.
        var holders: [Int: String] = [:]
        for rule in live { if let p = rule.priority { holders[p] = rule.name } }
        let used = Set(live.compactMap(\.priority)).union(rules.map(\.priority))
        var spare = (1...2000).reversed().first { !used.contains($0) } ?? 2000
        var pending = moves.filter { $0.priority != nil }
        for move in moves where move.priority == nil {
            previous = updateRule(move.rule.name, move.action, listener: listener, service: service, priority: nil, match: move.match, action: move.ruleAction, after: previous)
        }
        while !pending.isEmpty {
            if let next = pending.firstIndex(where: { move in
                guard let target = move.priority, let holder = holders[target] else { return true }
                return holder == move.rule.name || !pending.contains { $0.rule.name == holder }
            }) {
                let move = pending.remove(at: next)
                if let old = move.current.priority, holders[old] == move.rule.name { holders[old] = nil }
                for (p, holder) in holders where holder == move.rule.name { holders[p] = nil }
                if let target = move.priority { holders[target] = move.rule.name }
                previous = updateRule(move.rule.name, move.action, listener: listener, service: service, priority: move.priority, match: move.match,
                                      action: move.ruleAction, after: previous)
            } else {
                // A cycle (rules swapping priorities): park the first at a free priority.
                let move = pending[0]
                for (p, holder) in holders where holder == move.rule.name { holders[p] = nil }
                holders[spare] = move.rule.name
                previous = addStep("\(listener).rule.\(move.rule.name)", "move to the free priority \(spare) for a moment",
                                   .updateRule(service: serviceRef, listener: listenerRef, priority: spare, match: nil, action: nil),
                                   action: move.action, after: [previous])
                spare -= 1
                while used.contains(spare), spare > 1 { spare -= 1 }
            }
        }
        for rule in rules where !live.contains(where: { $0.name == rule.name }) {
            previous = createRule(rule, listener: listener, service: service, after: previous)
        }
    }

    private mutating func updateRule(_ name: String, _ action: Int, listener: String, service: String, priority: Int?, match: RuleMatch?, action ruleAction: RuleAction?,
                                     after previous: Int?) -> Int {
        let address = "\(listener).rule.\(name)"
        let step = addStep(address, "update", .updateRule(service: .address(service), listener: .address(listener), priority: priority, match: match, action: ruleAction),
                           action: action, after: [previous] + (ruleAction.map { groupsActive($0) } ?? []))
        if ruleAction != nil { actionChangers[address, default: []].append(step) }
        return step
    }

    // MARK: Access logs and policies

    /// `scope` is where the parent's status is listed (services); nil when it has none.
    private mutating func planAccessLogs(_ desired: [Topology.AccessLogSubscription], live: [LiveAccessLog], parent: String, scope: ListScope?) {
        let parentRef = Ref.address(parent)
        for log in live { registry["\(parent).accessLogSubscription.\(log.key)"] = LiveIdentity(id: log.id, arn: log.arn) }
        var deletes: [Int] = []
        let keys = Set(desired.compactMap { AccessLogDestination.key($0.destinationArn, logType: $0.serviceNetworkLogType) })
        for log in live where !keys.contains(log.key) {
            let address = "\(parent).accessLogSubscription.\(log.key)"
            let action = addAction(address, .delete, "accessLogSubscription", id: log.id)
            deletes.append(addStep(address, "delete", .deleteAccessLog, action: action, after: []))
        }
        for subscription in desired {
            guard let key = AccessLogDestination.key(subscription.destinationArn, logType: subscription.serviceNetworkLogType) else { continue }
            let address = "\(parent).accessLogSubscription.\(key)"
            let tags = topology.tags(subscription.tags)
            if let current = live.first(where: { $0.key == key }) {
                var changes: [TopologyPlan.FieldChange] = []
                if current.destinationArn != subscription.destinationArn {
                    changes.append(TopologyPlan.FieldChange(field: "destinationArn", old: Stated.text(current.destinationArn), new: Stated.text(subscription.destinationArn)))
                }
                let tagDiff = tagChanges(tags, current.tags)
                changes += tagDiff.changes
                guard !changes.isEmpty else { continue }
                let action = addAction(address, .update, "accessLogSubscription", id: current.id, changes: changes)
                if current.destinationArn != subscription.destinationArn {
                    addStep(address, "update the destination", .updateAccessLog(destinationArn: subscription.destinationArn), action: action, after: [])
                }
                if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: []) }
            } else {
                let action = addAction(address, .create, "accessLogSubscription", changes: createChanges(CreateAccessLogSubscriptionRequest(
                    resourceIdentifier: "", destinationArn: subscription.destinationArn, serviceNetworkLogType: subscription.serviceNetworkLogType, tags: tags),
                    leaving: ["resourceIdentifier"]))
                addStep(address, "create", .createAccessLog(resource: parentRef, destinationArn: subscription.destinationArn,
                                                            logType: subscription.serviceNetworkLogType, tags: tags),
                        action: action, after: [scope.flatMap { active(parent, $0) }, created[parent]] + deletes)
            }
        }
    }

    private mutating func planPolicies(auth: PolicyDocument?, resource: PolicyDocument?, liveAuth: PolicyDocument?, liveResource: PolicyDocument?, parent: String,
                                       parentIsNew: Bool, scope: ListScope?) {
        let parentRef = Ref.address(parent)
        if let auth, parentIsNew || auth != liveAuth {
            let address = "\(parent).authPolicy"
            let action = addAction(address, liveAuth == nil ? .create : .update, "authPolicy", changes: [
                TopologyPlan.FieldChange(field: "policy", old: liveAuth?.text, new: auth.text),
            ])
            addStep(address, "put", .putAuthPolicy(resource: parentRef, policy: auth.text), action: action, after: [scope.flatMap { active(parent, $0) }, created[parent]])
        }
        if let resource, parentIsNew || resource != liveResource {
            let address = "\(parent).resourcePolicy"
            let action = addAction(address, liveResource == nil ? .create : .update, "resourcePolicy", changes: [
                TopologyPlan.FieldChange(field: "policy", old: liveResource?.text, new: resource.text),
            ])
            addStep(address, "put", .putResourcePolicy(resource: parentRef, policy: resource.text), action: action, after: [scope.flatMap { active(parent, $0) }, created[parent]])
        }
    }

    // MARK: Service networks

    private mutating func planNetwork(_ network: Topology.ServiceNetwork) {
        let address = "serviceNetwork.\(network.name)"
        let tags = topology.tags(network.tags)
        var found = live.networks.first { $0.name == network.name }
        switch start(address, kind: "service network", scope: .serviceNetworks, found: found?.head) {
        case .refused: return
        case .create: found = nil
        case .existing: break
        }
        if let found {
            var changes: [TopologyPlan.FieldChange] = []
            if let wanted = network.authType, wanted != found.authType {
                changes.append(TopologyPlan.FieldChange(field: "authType", old: found.authType.map { Stated.text($0) }, new: Stated.text(wanted)))
            }
            let tagDiff = tagChanges(tags, found.tags)
            changes += tagDiff.changes
            if !changes.isEmpty {
                let adopting = found.ownership != .owned
                let action = addAction(address, adopting ? .adopt : .update, "serviceNetwork", id: found.id, changes: changes,
                                       reason: adopting ? "exists without this topology's ownership tag; adopted as asked" : nil)
                if let wanted = network.authType, wanted != found.authType {
                    addStep(address, "update", .updateNetwork(authType: wanted), action: action, after: [])
                }
                if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: []) }
            }
        } else {
            let action = addAction(address, .create, "serviceNetwork", changes: createChanges(CreateServiceNetworkRequest(name: network.name, authType: network.authType, tags: tags)))
            addStep(address, "create", .createNetwork(name: network.name, authType: network.authType, tags: tags), action: action, after: [])
        }
        planVpcAssociations(network, live: found)
        planServiceAssociations(network, live: found)
        planAccessLogs(network.accessLogSubscriptions ?? [], live: found?.accessLogs ?? [], parent: address, scope: nil)
        planPolicies(auth: network.authPolicy, resource: network.resourcePolicy, liveAuth: found?.authPolicy, liveResource: found?.resourcePolicy,
                     parent: address, parentIsNew: found == nil, scope: nil)
    }

    private mutating func planVpcAssociations(_ network: Topology.ServiceNetwork, live found: LiveNetwork?) {
        let parent = "serviceNetwork.\(network.name)"
        let scope = ListScope.vpcAssociations(network: .address(parent))
        let current = found?.vpcAssociations.filter { $0.status != Self.deleting } ?? []
        for association in current {
            remember("\(parent).vpcAssociation.\(association.vpcId)", id: association.id, arn: association.arn, status: association.status)
        }
        let described = Set((network.vpcAssociations ?? []).map(\.vpcIdentifier))
        for association in current where !described.contains(association.vpcId) && association.tags[Topology.ownershipTagKey] == topology.name {
            let address = "\(parent).vpcAssociation.\(association.vpcId)"
            let action = addAction(address, .delete, "vpcAssociation", id: association.id)
            addStep(address, "delete", .deleteVpcAssociation, action: action, after: [active(address, scope)])
        }
        for association in network.vpcAssociations ?? [] {
            let address = "\(parent).vpcAssociation.\(association.vpcIdentifier)"
            let tags = topology.tags(association.tags)
            let create = Work.createVpcAssociation(network: .address(parent), vpc: association.vpcIdentifier, securityGroupIds: association.securityGroupIds,
                                                   privateDnsEnabled: association.privateDnsEnabled, dnsOptions: association.dnsOptions, tags: tags)
            let request = CreateServiceNetworkVpcAssociationRequest(serviceNetworkIdentifier: "", vpcIdentifier: association.vpcIdentifier,
                                                                    privateDnsEnabled: association.privateDnsEnabled, securityGroupIds: association.securityGroupIds,
                                                                    tags: tags, dnsOptions: association.dnsOptions)
            guard let live = current.first(where: { $0.vpcId == association.vpcIdentifier }) else {
                let action = addAction(address, .create, "vpcAssociation", changes: createChanges(request, leaving: ["serviceNetworkIdentifier"]))
                var after: [Int?] = [created[parent]]
                if let old = found?.vpcAssociations.first(where: { $0.vpcId == association.vpcIdentifier && $0.status == Self.deleting }) {
                    registry[address] = LiveIdentity(id: old.id, arn: old.arn)
                    after.append(addStep(address, "wait until the old one is deleted", .wait(scope, .gone), action: action, after: []))
                }
                addStep(address, "create", create, action: action, after: after)
                continue
            }
            var replacement: [TopologyPlan.FieldChange] = []
            if let wanted = association.privateDnsEnabled, wanted != live.privateDnsEnabled {
                replacement.append(TopologyPlan.FieldChange(field: "privateDnsEnabled", old: live.privateDnsEnabled.map { Stated.text($0) }, new: Stated.text(wanted), forcesReplacement: true))
            }
            if let wanted = association.dnsOptions {
                replacement += Stated.changes(wanted, live.dnsOptions, at: "dnsOptions", forcesReplacement: true)
            }
            let groups = association.securityGroupIds
            if let groups, groups.isEmpty, !live.securityGroupIds.isEmpty {
                replacement.append(TopologyPlan.FieldChange(field: "securityGroupIds", old: Stated.text(live.securityGroupIds.sorted()), new: "[]", forcesReplacement: true))
            }
            if !replacement.isEmpty {
                let names = replacement.map(\.field).joined(separator: ", ")
                let action = addAction(address, .replace, "vpcAssociation", id: live.id, changes: replacement, reason: "\(names) cannot change in place")
                guard options.allowReplacement else {
                    refuse(address, "\(names) cannot change in place: the association must be deleted and created again; allow it with TopologyOptions.allowReplacement (lattice --allow-replacement), or keep the live value")
                    continue
                }
                let delete = addStep(address, "delete (to replace)", .deleteVpcAssociation, action: action, after: [active(address, scope)])
                let gone = addStep(address, "wait until deleted", .wait(scope, .gone), action: action, after: [delete])
                addStep(address, "create", create, action: action, after: [gone])
                continue
            }
            var changes: [TopologyPlan.FieldChange] = []
            var newGroups: [String]?
            if let groups, Set(groups) != Set(live.securityGroupIds) {
                changes.append(TopologyPlan.FieldChange(field: "securityGroupIds", old: Stated.text(live.securityGroupIds.sorted()), new: Stated.text(groups.sorted())))
                newGroups = groups
            }
            let tagDiff = tagChanges(tags, live.tags)
            changes += tagDiff.changes
            guard !changes.isEmpty else { continue }
            let action = addAction(address, .update, "vpcAssociation", id: live.id, changes: changes)
            let ready = active(address, scope)
            if let newGroups { addStep(address, "update the security groups", .updateVpcAssociation(securityGroupIds: newGroups), action: action, after: [ready]) }
            if !tagDiff.changes.isEmpty { addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: []) }
        }
    }

    /// The live ID of the service an association names, when it is known while planning.
    private func serviceId(_ identifier: String) -> String? {
        switch Reference.service(identifier) {
        case let .external(text): return Reference.id(text)
        case let .topology(name):
            guard let found = live.services.first(where: { $0.name == name && $0.status != Self.deleting }), found.detailed,
                  created["service.\(name)"] == nil else { return nil }
            return found.id
        }
    }

    private mutating func planServiceAssociations(_ network: Topology.ServiceNetwork, live found: LiveNetwork?) {
        let parent = "serviceNetwork.\(network.name)"
        let scope = ListScope.serviceAssociationsOfNetwork(.address(parent))
        let current = found?.serviceAssociations.filter { $0.status != Self.deleting } ?? []
        let wanted = (network.serviceAssociations ?? []).map { ($0, serviceId($0.serviceIdentifier)) }
        let wantedIds = Set(wanted.compactMap(\.1))
        for association in current where !wantedIds.contains(association.serviceId) {
            let address = "\(parent).serviceAssociation.\(association.serviceName ?? association.serviceId)"
            remember(address, id: association.id, arn: association.arn, status: association.status)
            guard association.tags[Topology.ownershipTagKey] == topology.name, associationGone[association.id] == nil else { continue }
            let action = addAction(address, .delete, "serviceAssociation", id: association.id)
            let delete = addStep(address, "delete", .deleteServiceAssociation, action: action, after: [active(address, scope)])
            associationGone[association.id] = addStep(address, "wait until deleted", .wait(scope, .gone), action: action, after: [delete])
        }
        for (association, id) in wanted {
            let label: String
            let serviceRef: Ref
            switch Reference.service(association.serviceIdentifier) {
            case let .topology(name):
                label = name
                serviceRef = .address("service.\(name)")
            case let .external(text):
                label = Reference.id(text)
                serviceRef = .id(text)
            }
            let address = "\(parent).serviceAssociation.\(label)"
            let tags = topology.tags(association.tags)
            if let id, let live = current.first(where: { $0.serviceId == id }) {
                remember(address, id: live.id, arn: live.arn, status: live.status)
                let tagDiff = tagChanges(tags, live.tags)
                guard !tagDiff.changes.isEmpty else { continue }
                let action = addAction(address, .update, "serviceAssociation", id: live.id, changes: tagDiff.changes)
                addStep(address, "tag", .tag(set: tagDiff.set, remove: tagDiff.remove), action: action, after: [])
                continue
            }
            let action = addAction(address, .create, "serviceAssociation", changes: [
                TopologyPlan.FieldChange(field: "serviceIdentifier", old: nil, new: Stated.text(association.serviceIdentifier)),
                TopologyPlan.FieldChange(field: "tags", old: nil, new: Stated.text(tags)),
            ])
            var after: [Int?] = [created[parent]]
            if case let .address(serviceAddress) = serviceRef { after.append(active(serviceAddress, .services)) }
            if let id, let old = found?.serviceAssociations.first(where: { $0.serviceId == id && $0.status == Self.deleting }) {
                registry[address] = LiveIdentity(id: old.id, arn: old.arn)
                after.append(addStep(address, "wait until the old one is deleted", .wait(scope, .gone), action: action, after: []))
            }
            addStep(address, "create", .createServiceAssociation(network: .address(parent), service: serviceRef, tags: tags), action: action, after: after)
        }
    }

    // MARK: Deleting what is no longer described

    /// Deletes an association (once) and waits until its deletion has settled, as an action
    /// of its own unless `action` is given.
    private mutating func deleteAssociation(_ association: LiveServiceAssociation, address: String, action given: Int? = nil) -> Int {
        if let gone = associationGone[association.id] { return gone }
        registry[address] = LiveIdentity(id: association.id, arn: association.arn)
        let action = given ?? addAction(address, .delete, "serviceAssociation", id: association.id)
        let scope = ListScope.serviceAssociationsOfService(.id(association.serviceId))
        let delete = association.status == Self.deleting ? nil : addStep(address, "delete", .deleteServiceAssociation, action: action, after: [])
        let gone = addStep(address, "wait until deleted", .wait(scope, .gone), action: action, after: [delete])
        associationGone[association.id] = gone
        return gone
    }

    private mutating func deleteNetwork(_ network: LiveNetwork) {
        let address = "serviceNetwork.\(network.name)"
        var before: [Int?] = []
        for log in network.accessLogs { before.append(deleteAccessLog(log, parent: address)) }
        for association in network.vpcAssociations {
            let associationAddress = "\(address).vpcAssociation.\(association.vpcId)"
            registry[associationAddress] = LiveIdentity(id: association.id, arn: association.arn)
            let scope = ListScope.vpcAssociations(network: .address(address))
            let action = addAction(associationAddress, .delete, "vpcAssociation", id: association.id)
            let delete = association.status == Self.deleting ? nil : addStep(associationAddress, "delete", .deleteVpcAssociation, action: action, after: [])
            before.append(addStep(associationAddress, "wait until deleted", .wait(scope, .gone), action: action, after: [delete]))
        }
        for association in network.serviceAssociations {
            before.append(deleteAssociation(association, address: "\(address).serviceAssociation.\(association.serviceName ?? association.serviceId)"))
        }
        let action = addAction(address, .delete, "serviceNetwork", id: network.id)
        addStep(address, "delete", .deleteNetwork, action: action, after: before)
    }

    private mutating func deleteAccessLog(_ log: LiveAccessLog, parent: String) -> Int {
        let address = "\(parent).accessLogSubscription.\(log.key)"
        registry[address] = LiveIdentity(id: log.id, arn: log.arn)
        let action = addAction(address, .delete, "accessLogSubscription", id: log.id)
        return addStep(address, "delete", .deleteAccessLog, action: action, after: [])
    }

    private mutating func deleteService(_ service: LiveService) {
        let address = "service.\(service.name)"
        let ref = Ref.address(address)
        var before: [Int?] = [active(address, .services)]
        for listener in service.listeners {
            let listenerAddress = "\(address).listener.\(listener.name)"
            registry[listenerAddress] = LiveIdentity(id: listener.id, arn: listener.arn)
            var ruleDeletes: [Int?] = []
            for rule in listener.rules {
                let ruleAddress = "\(listenerAddress).rule.\(rule.name)"
                registry[ruleAddress] = LiveIdentity(id: rule.id, arn: rule.arn)
                let ruleAction = addAction(ruleAddress, .delete, "rule", id: rule.id)
                ruleDeletes.append(addStep(ruleAddress, "delete", .deleteRule(service: ref, listener: .address(listenerAddress)), action: ruleAction, after: []))
            }
            let listenerAction = addAction(listenerAddress, .delete, "listener", id: listener.id)
            let delete = addStep(listenerAddress, "delete", .deleteListener(service: ref), action: listenerAction, after: ruleDeletes)
            noteActions(listener, service: address, changedBy: delete)
            before.append(delete)
        }
        for log in service.accessLogs { before.append(deleteAccessLog(log, parent: address)) }
        for association in service.associations {
            let networkName = live.networks.first { $0.id == association.networkId }?.name
            let associationAddress = networkName.map { "serviceNetwork.\($0).serviceAssociation.\(service.name)" }
                ?? "\(address).serviceNetworkAssociation.\(association.networkId)"
            before.append(deleteAssociation(association, address: associationAddress))
        }
        let action = addAction(address, .delete, "service", id: service.id)
        let delete = addStep(address, "delete", .deleteService, action: action, after: before)
        if destroying { addStep(address, "wait until deleted", .wait(.services, .gone), action: action, after: [delete]) }
    }
}

/// A live resource's identifiers.
struct LiveIdentity: Sendable, Hashable {
    let id: String
    let arn: String
}
