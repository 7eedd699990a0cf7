import LatticeKit

/// Listeners: names and ports unique per service, at most `quotas.listenersPerService`; the
/// port defaults to 80 for HTTP and 443 otherwise. Each listener has a default rule (listed by
/// ListRules with `isDefault`) that carries its default action. Deleting a listener deletes
/// its rules.
enum ListenerHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createListener) { (s: inout Scope, i: CreateListenerRequest) in try s.createListener(i) },
        .make(.getListener) { (s: inout Scope, i: GetListenerRequest) in try s.getListener(i) },
        .make(.listListeners) { (s: inout Scope, i: ListListenersRequest) in try s.listListeners(i) },
        .make(.updateListener) { (s: inout Scope, i: UpdateListenerRequest) in try s.updateListener(i) },
        .make(.deleteListener) { (s: inout Scope, i: DeleteListenerRequest) in try s.deleteListener(i) },
    ]
}

extension Scope {
    mutating func createListener(_ i: CreateListenerRequest) throws(ServiceFault) -> CreateListenerResponse {
        try checkEnum(i.protocol, "protocol")
        try checkTags(i.tags)
        let service = try findUsable(\.services, i.serviceIdentifier)
        let siblings = db.listeners.filter { $0.serviceId == service.id }
        let port = i.port ?? (i.protocol == .http ? 80 : 443)
        if let other = siblings.first(where: { $0.name == i.name }) {
            throw .conflict("The service \(service.id) already has a listener named '\(i.name)': \(other.id).", .listener, other.id)
        }
        if let other = siblings.first(where: { $0.port == port }) {
            throw .conflict("The service \(service.id) already has a listener on port \(port): \(other.id).", .listener, other.id)
        }
        if siblings.count >= quotas.listenersPerService {
            throw .quota("The service \(service.id) has \(siblings.count) listeners, the quota of listeners per service.", .listener, service.id)
        }
        let action = try resolveAction(i.defaultAction, field: "defaultAction", listenerProtocol: i.protocol)
        let id = ids.id(.listener)
        let arn = "\(service.arn)/listener/\(id)"
        let ruleId = ids.id(.rule)
        let listener = ListenerRecord(id: id, arn: arn, seq: db.seq(), name: i.name, protocol: i.protocol, port: port, serviceId: service.id,
                                      serviceArn: service.arn, defaultAction: action, defaultRuleId: ruleId, createdAt: now, lastUpdatedAt: now)
        let rule = RuleRecord(id: ruleId, arn: "\(arn)/rule/\(ruleId)", seq: db.seq(), name: "default", serviceId: service.id, listenerId: id,
                              isDefault: true, priority: nil, match: nil, action: action, createdAt: now, lastUpdatedAt: now)
        db.insert(listener, into: \.listeners, tags: i.tags)
        db.insert(rule, into: \.rules, tags: nil)
        return CreateListenerResponse(arn: arn, id: id, name: listener.name, protocol: listener.protocol, port: port, serviceArn: service.arn,
                                      serviceId: service.id, defaultAction: action)
    }

    mutating func getListener(_ i: GetListenerRequest) throws(ServiceFault) -> GetListenerResponse {
        let r = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        return GetListenerResponse(arn: r.arn, id: r.id, name: r.name, protocol: r.protocol, port: r.port, serviceArn: r.serviceArn,
                                   serviceId: r.serviceId, defaultAction: r.defaultAction, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
    }

    mutating func listListeners(_ i: ListListenersRequest) throws(ServiceFault) -> ListListenersResponse {
        let service = try find(\.services, i.serviceIdentifier)
        let (items, token) = try page(db.listeners.filter { $0.serviceId == service.id }, operation: "ListListeners",
                                      filter: service.id, maxResults: i.maxResults, nextToken: i.nextToken)
        return ListListenersResponse(items: items.map { r in
            ListenerSummary(arn: r.arn, id: r.id, name: r.name, protocol: r.protocol, port: r.port, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
        }, nextToken: token)
    }

    mutating func updateListener(_ i: UpdateListenerRequest) throws(ServiceFault) -> UpdateListenerResponse {
        var r = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        let action = try resolveAction(i.defaultAction, field: "defaultAction", listenerProtocol: r.protocol)
        r.defaultAction = action
        r.lastUpdatedAt = now
        db.listeners[r.id] = r
        db.rules[r.defaultRuleId]?.action = action
        db.rules[r.defaultRuleId]?.lastUpdatedAt = now
        return UpdateListenerResponse(arn: r.arn, id: r.id, name: r.name, protocol: r.protocol, port: r.port, serviceArn: r.serviceArn,
                                      serviceId: r.serviceId, defaultAction: action)
    }

    mutating func deleteListener(_ i: DeleteListenerRequest) throws(ServiceFault) -> DeleteListenerResponse {
        let r = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        removeListener(r.id)
        return DeleteListenerResponse()
    }

    // MARK: Shared

    /// The listener of a service (each by ID or ARN).
    func findListener(_ serviceIdentifier: String, _ listenerIdentifier: String) throws(ServiceFault) -> ListenerRecord {
        let service = try find(\.services, serviceIdentifier)
        let listener = try find(\.listeners, listenerIdentifier)
        guard listener.serviceId == service.id else {
            throw .notFound(.listener, listenerIdentifier, "Listener \(listenerIdentifier) not found in service \(service.id).")
        }
        return listener
    }

    /// Removes a listener with its rules.
    mutating func removeListener(_ id: String) {
        for rule in db.rules.filter({ $0.listenerId == id }) { db.remove(rule.id, from: \.rules) }
        db.remove(id, from: \.listeners)
    }

    /// An action as stored: target groups resolved to their IDs, checked against the
    /// listener's protocol (TLS_PASSTHROUGH forwards to TCP groups and has no fixed responses;
    /// HTTP and HTTPS forward to HTTP, HTTPS, LAMBDA or ALB groups).
    func resolveAction(_ action: RuleAction, field: String, listenerProtocol: ListenerProtocol) throws(ServiceFault) -> RuleAction {
        switch action {
        case let .forward(forward):
            var resolved: [WeightedTargetGroup] = []
            for (n, weighted) in forward.targetGroups.enumerated() {
                let group = try findUsable(\.targetGroups, weighted.targetGroupIdentifier)
                if resolved.contains(where: { $0.targetGroupIdentifier == group.id }) {
                    throw .invalid("\(field).forward.targetGroups[\(n)]", "the target group \(group.id) is listed twice")
                }
                let tcp = group.config?.protocol == .tcp
                if listenerProtocol == .tlsPassthrough, !tcp {
                    throw .invalid("\(field).forward.targetGroups[\(n)]", "a TLS_PASSTHROUGH listener forwards only to TCP target groups; \(group.id) is not one")
                }
                if listenerProtocol != .tlsPassthrough, tcp {
                    throw .invalid("\(field).forward.targetGroups[\(n)]", "an \(listenerProtocol.rawValue) listener cannot forward to the TCP target group \(group.id)")
                }
                resolved.append(WeightedTargetGroup(targetGroupIdentifier: group.id, weight: weighted.weight))
            }
            return .forward(ForwardAction(targetGroups: resolved))
        case .fixedResponse:
            if listenerProtocol == .tlsPassthrough {
                throw .invalid(field, "a TLS_PASSTHROUGH listener cannot answer with a fixed response")
            }
            return action
        case let .sdkUnknown(name):
            throw .invalid(field, "unknown action '\(name)'")
        }
    }
}
