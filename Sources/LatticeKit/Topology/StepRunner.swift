#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Carries out one step with the client's typed calls.
struct StepRunner: Sendable {
    let plan: TopologyPlan
    let client: LatticeClient
    let options: TopologyOptions
    let registry: Registry
    let board: StatusBoard

    // MARK: Identifiers

    /// The live identity of the resource at `address`.
    func identity(_ address: String) async throws -> LiveIdentity {
        guard let identity = await registry.identity(address) else {
            throw StepFailure(description: "\(address) does not exist yet (the step that creates it has not run)")
        }
        return identity
    }

    func id(_ ref: Ref) async throws -> String {
        switch ref {
        case let .id(id): return id
        case let .address(address): return try await identity(address).id
        }
    }

    /// Whether `ref` names a resource this apply created: its children's client tokens then
    /// carry a new parent ID, so they cannot have been used before.
    func isFresh(_ ref: Ref) async -> Bool {
        guard case let .address(address) = ref else { return false }
        return await registry.isFresh(address)
    }

    /// An action with the topology's target group names replaced by their IDs.
    func resolve(_ action: RuleAction) async throws -> RuleAction {
        var ids: [String: String] = [:]
        for identifier in action.targetGroupIdentifiers {
            if case let .topology(name) = Reference.targetGroup(identifier) { ids[name] = try await identity("targetGroup.\(name)").id }
        }
        return action.mappingTargetGroups { identifier, _ in
            if case let .topology(name) = Reference.targetGroup(identifier) { return ids[name] ?? identifier }
            return identifier
        }
    }

    func scope(_ scope: ListScope) async throws -> ResolvedScope {
        switch scope {
        case .serviceNetworks: return .serviceNetworks
        case .services: return .services
        case .targetGroups: return .targetGroups
        case let .vpcAssociations(network): return .vpcAssociations(network: try await id(network))
        case let .serviceAssociationsOfNetwork(network): return .serviceAssociationsOfNetwork(try await id(network))
        case let .serviceAssociationsOfService(service): return .serviceAssociationsOfService(try await id(service))
        case let .targets(group): return .targets(group: try await id(group))
        }
    }

    // MARK: Creating

    /// How a create is confirmed: the resource must exist (a client token the service still
    /// remembers from a deleted resource answers with that resource).
    struct Confirmation: Sendable {
        var scope: ResolvedScope?
        var get: (@Sendable (String) async throws -> Void)?
    }

    /// Creates the resource at `step.address` with a client token of its own (see
    /// `ClientToken`), confirms it exists, and registers it. When the service answers every
    /// derived token with a resource deleted since (the same topology applied and destroyed
    /// many times), the last create goes with a token the client draws: the service keeps
    /// every type apply creates unique by its name or natural key, so it still cannot make a
    /// second resource.
    func create(_ step: Step, _ request: some Encodable & Sendable, confirm: Confirmation?,
                send: @Sendable (String?) async throws -> LiveIdentity) async throws {
        for attempt in 0...ClientToken.attempts {
            let token = attempt < ClientToken.attempts ? ClientToken.make(topology: plan.topology, address: step.address, request: request, attempt: attempt) : nil
            let identity = try await send(token)
            switch try await exists(identity.id, confirm) {
            case .no: continue
            case .yes: await registry.set(step.address, identity)
            case let .listed(scope, generation): await registry.set(step.address, identity, confirmedBy: (scope, generation))
            }
            return
        }
        throw StepFailure(description: "the service answered every client token with a resource that no longer exists; create \(step.address) by hand or try again later")
    }

    private enum Existence {
        case no, yes
        /// Shown by the list of `scope` numbered `generation`.
        case listed(ResolvedScope, Int)
    }

    private func exists(_ id: String, _ confirm: Confirmation?) async throws -> Existence {
        guard let confirm else { return .yes }
        if let scope = confirm.scope {
            let snapshot = try await board.snapshot(scope, after: await board.newest(scope))
            if snapshot.statuses[id] != nil { return .listed(scope, snapshot.generation) }
        }
        guard let get = confirm.get else { return .no }
        do {
            try await get(id)
            return .yes
        } catch is ResourceNotFoundException {
            return .no
        }
    }

    /// A confirmation by `get` when the parents existed before this apply.
    func confirmUnlessFresh(_ parents: [Ref], get: @escaping @Sendable (String) async throws -> Void) async -> Confirmation? {
        for parent in parents where await isFresh(parent) { return nil }
        return Confirmation(scope: nil, get: get)
    }

    // MARK: Waiting

    /// Polls the scope's list until the resource at `address` reaches `goal`. After a create
    /// that a list of the same scope confirmed, any newer list will do for the first look
    /// (one already running included): a list begun after the resource existed shows its
    /// status from then on, and the wait step, started only once the confirming list has
    /// been read, would otherwise miss the list its neighbours' waits began moments before
    /// and wait for the next one.
    func wait(_ address: String, _ listScope: ListScope, _ goal: WaitGoal) async throws {
        let scope = try await self.scope(listScope)
        let id = try await identity(address).id
        let after = goal == .active ? await registry.confirmation(address, in: scope) : nil
        try await wait(scope, what: address, after: after) { statuses in
            let status = statuses[id]
            switch goal {
            case .active:
                if status == "ACTIVE" { return true }
                if let status, status.hasSuffix("_FAILED") || status == Planner.deleting {
                    throw StepFailure(description: "\(address) (\(id)) is \(status), so it will not become ACTIVE; see its failure with the matching get command")
                }
                return false
            case .gone:
                if status == nil { return true }
                if status == "DELETE_FAILED" { throw StepFailure(description: "the deletion of \(address) (\(id)) failed (DELETE_FAILED)") }
                return false
            }
        }
    }

    /// Polls `scope` every `pollInterval` seconds until `done` says so, or `waitTimeout` passes.
    /// The first look is a list begun after generation `after` (nil: after the newest begun).
    func wait(_ scope: ResolvedScope, what: String, after: Int? = nil, done: ([String: String]) throws -> Bool) async throws {
        let environment = client.environment
        let start = environment.now()
        var seen: Int
        if let after { seen = after } else { seen = await board.newest(scope) }
        var last: String?
        while true {
            try Task.checkCancellation()
            let snapshot = try await board.snapshot(scope, after: seen)
            seen = snapshot.generation
            if try done(snapshot.statuses) { return }
            last = snapshot.statuses.values.sorted().joined(separator: ", ")
            let waited = environment.now().timeIntervalSince(start)
            if waited >= options.waitTimeout {
                throw StepFailure(description: "gave up waiting for \(what) after \(Int(waited)) s (TopologyOptions.waitTimeout); last seen: \(last ?? "nothing"). It may still get there: run apply again later")
            }
            try await environment.sleep(min(options.pollInterval, max(0, options.waitTimeout - waited)))
        }
    }

    // MARK: Steps

    func run(_ step: Step) async throws {
        let client = self.client
        let address = step.address
        switch step.work {
        case let .createNetwork(name, authType, tags):
            let request = CreateServiceNetworkRequest(name: name, authType: authType, tags: tags)
            try await create(step, request, confirm: Confirmation(scope: .serviceNetworks, get: { id in
                _ = try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: id))
            })) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createServiceNetwork(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateServiceNetwork"), arn: try required(out.arn, "arn", in: "CreateServiceNetwork"))
            }
        case let .updateNetwork(authType):
            _ = try await client.updateServiceNetwork(UpdateServiceNetworkRequest(serviceNetworkIdentifier: try await identity(address).id, authType: authType))
        case .deleteNetwork:
            try await deleting { _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: try await identity(address).id)) }

        case let .createVpcAssociation(network, vpc, groups, privateDns, dnsOptions, tags):
            let request = CreateServiceNetworkVpcAssociationRequest(serviceNetworkIdentifier: try await id(network), vpcIdentifier: vpc, privateDnsEnabled: privateDns,
                                                                    securityGroupIds: groups, tags: tags, dnsOptions: dnsOptions)
            let confirm = await confirmUnlessFresh([network]) { id in
                _ = try await client.getServiceNetworkVpcAssociation(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: id))
            }
            try await create(step, request, confirm: confirm) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createServiceNetworkVpcAssociation(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateServiceNetworkVpcAssociation"), arn: try required(out.arn, "arn", in: "CreateServiceNetworkVpcAssociation"))
            }
        case let .updateVpcAssociation(groups):
            _ = try await client.updateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociationRequest(
                serviceNetworkVpcAssociationIdentifier: try await identity(address).id, securityGroupIds: groups))
        case .deleteVpcAssociation:
            try await deleting {
                _ = try await client.deleteServiceNetworkVpcAssociation(DeleteServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: try await identity(address).id))
            }

        case let .createServiceAssociation(network, service, tags):
            let request = CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: try await id(service), serviceNetworkIdentifier: try await id(network), tags: tags)
            let confirm = await confirmUnlessFresh([network, service]) { id in
                _ = try await client.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: id))
            }
            try await create(step, request, confirm: confirm) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createServiceNetworkServiceAssociation(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateServiceNetworkServiceAssociation"), arn: try required(out.arn, "arn", in: "CreateServiceNetworkServiceAssociation"))
            }
        case .deleteServiceAssociation:
            try await deleting {
                _ = try await client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: try await identity(address).id))
            }

        case let .createAccessLog(resource, destination, logType, tags):
            let request = CreateAccessLogSubscriptionRequest(resourceIdentifier: try await id(resource), destinationArn: destination, serviceNetworkLogType: logType, tags: tags)
            let confirm = await confirmUnlessFresh([resource]) { id in
                _ = try await client.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: id))
            }
            try await create(step, request, confirm: confirm) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createAccessLogSubscription(r)
                return LiveIdentity(id: out.id, arn: out.arn)
            }
        case let .updateAccessLog(destination):
            _ = try await client.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: try await identity(address).id, destinationArn: destination))
        case .deleteAccessLog:
            try await deleting { _ = try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: try await identity(address).id)) }

        case let .putAuthPolicy(resource, policy):
            _ = try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: try await id(resource), policy: policy))
        case let .deleteAuthPolicy(resource):
            try await deleting { _ = try await client.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: try await id(resource))) }
        case let .putResourcePolicy(resource, policy):
            _ = try await client.putResourcePolicy(PutResourcePolicyRequest(resourceArn: try await arn(resource), policy: policy))
        case let .deleteResourcePolicy(resource):
            try await deleting { _ = try await client.deleteResourcePolicy(DeleteResourcePolicyRequest(resourceArn: try await arn(resource))) }

        case let .createService(name, authType, domain, certificate, tags):
            let request = CreateServiceRequest(name: name, tags: tags, customDomainName: domain, certificateArn: certificate, authType: authType)
            try await create(step, request, confirm: Confirmation(scope: .services, get: { id in
                _ = try await client.getService(GetServiceRequest(serviceIdentifier: id))
            })) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createService(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateService"), arn: try required(out.arn, "arn", in: "CreateService"))
            }
        case let .updateService(authType, certificate):
            _ = try await client.updateService(UpdateServiceRequest(serviceIdentifier: try await identity(address).id, certificateArn: certificate, authType: authType))
        case .deleteService:
            try await deleting { _ = try await client.deleteService(DeleteServiceRequest(serviceIdentifier: try await identity(address).id)) }

        case let .createListener(service, name, proto, port, action, tags):
            let serviceId = try await id(service)
            let request = CreateListenerRequest(serviceIdentifier: serviceId, name: name, protocol: proto, port: port, defaultAction: try await resolve(action), tags: tags)
            let confirm = await confirmUnlessFresh([service]) { id in
                _ = try await client.getListener(GetListenerRequest(serviceIdentifier: serviceId, listenerIdentifier: id))
            }
            try await create(step, request, confirm: confirm) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createListener(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateListener"), arn: try required(out.arn, "arn", in: "CreateListener"))
            }
        case let .updateListener(service, action):
            _ = try await client.updateListener(UpdateListenerRequest(serviceIdentifier: try await id(service), listenerIdentifier: try await identity(address).id,
                                                                      defaultAction: try await resolve(action)))
        case let .deleteListener(service):
            try await deleting {
                _ = try await client.deleteListener(DeleteListenerRequest(serviceIdentifier: try await id(service), listenerIdentifier: try await identity(address).id))
            }

        case let .createRule(service, listener, name, priority, match, action, tags):
            let serviceId = try await id(service), listenerId = try await id(listener)
            let request = CreateRuleRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId, name: name, match: match, priority: priority,
                                            action: try await resolve(action), tags: tags)
            let confirm = await confirmUnlessFresh([listener]) { id in
                _ = try await client.getRule(GetRuleRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId, ruleIdentifier: id))
            }
            try await create(step, request, confirm: confirm) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createRule(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateRule"), arn: try required(out.arn, "arn", in: "CreateRule"))
            }
        case let .updateRule(service, listener, priority, match, action):
            let resolved: RuleAction? = if let action { try await resolve(action) } else { nil }
            _ = try await client.updateRule(UpdateRuleRequest(serviceIdentifier: try await id(service), listenerIdentifier: try await id(listener),
                                                              ruleIdentifier: try await identity(address).id, match: match, priority: priority, action: resolved))
        case let .deleteRule(service, listener):
            try await deleting {
                _ = try await client.deleteRule(DeleteRuleRequest(serviceIdentifier: try await id(service), listenerIdentifier: try await id(listener),
                                                                  ruleIdentifier: try await identity(address).id))
            }

        case let .createTargetGroup(name, type, config, tags):
            let request = CreateTargetGroupRequest(name: name, type: type, config: config, tags: tags)
            try await create(step, request, confirm: Confirmation(scope: .targetGroups, get: { id in
                _ = try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: id))
            })) { token in
                var r = request
                r.clientToken = token
                let out = try await client.createTargetGroup(r)
                return LiveIdentity(id: try required(out.id, "id", in: "CreateTargetGroup"), arn: try required(out.arn, "arn", in: "CreateTargetGroup"))
            }
        case let .updateTargetGroup(healthCheck):
            _ = try await client.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: try await identity(address).id, healthCheck: healthCheck))
        case .deleteTargetGroup:
            try await deleting { _ = try await client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: try await identity(address).id)) }

        case let .registerTargets(group, targets):
            let groupId = try await id(group)
            for batch in stride(from: 0, to: targets.count, by: 100).map({ Array(targets[$0..<min($0 + 100, targets.count)]) }) {
                let out = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: groupId, targets: batch))
                try Self.check(out.unsuccessful, "register")
            }
        case let .deregisterTargets(group, targets):
            let groupId = try await id(group)
            for batch in stride(from: 0, to: targets.count, by: 100).map({ Array(targets[$0..<min($0 + 100, targets.count)]) }) {
                let out = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: groupId, targets: batch))
                try Self.check(out.unsuccessful, "deregister")
            }
        case let .waitTargetsDrained(group, targets):
            let keys = Set(targets.map(Planner.targetKey))
            try await wait(.targets(group: try await id(group)), what: "the targets of \(address) to drain") { statuses in
                keys.isDisjoint(with: statuses.keys)
            }

        case let .tag(set, remove):
            let arn = try await identity(address).arn
            if !set.isEmpty { _ = try await client.tagResource(TagResourceRequest(resourceArn: arn, tags: set)) }
            if !remove.isEmpty { _ = try await client.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: remove.sorted())) }
        case let .wait(scope, goal):
            try await wait(address, scope, goal)
        }
    }

    func arn(_ ref: Ref) async throws -> String {
        switch ref {
        case let .id(id): return id
        case let .address(address): return try await identity(address).arn
        }
    }

    /// A delete that finds nothing to delete has nothing left to do.
    func deleting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch is ResourceNotFoundException {
            return
        }
    }

    static func check(_ failures: [TargetFailure]?, _ verb: String) throws {
        guard let failures, !failures.isEmpty else { return }
        let text = failures.prefix(5).map { "\($0.id ?? "?")\($0.port.map { ":\($0)" } ?? ""): \($0.failureCode ?? "") \($0.failureMessage ?? "")" }
        throw StepFailure(description: "the service could not \(verb) \(failures.count) target\(failures.count == 1 ? "" : "s"): \(text.joined(separator: "; "))")
    }
}
