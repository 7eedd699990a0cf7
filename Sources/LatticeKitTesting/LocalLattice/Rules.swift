import LatticeKit

/// Listener rules: names and priorities unique per listener, at most
/// `quotas.rulesPerListener` besides the default rule, which cannot be updated or deleted
/// here (UpdateListener changes it; it goes with its listener). TLS_PASSTHROUGH listeners have
/// no rules. BatchUpdateRule applies each update in turn and reports each one.
enum RuleHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createRule) { (s: inout Scope, i: CreateRuleRequest) in try s.createRule(i) },
        .make(.getRule) { (s: inout Scope, i: GetRuleRequest) in try s.getRule(i) },
        .make(.listRules) { (s: inout Scope, i: ListRulesRequest) in try s.listRules(i) },
        .make(.updateRule) { (s: inout Scope, i: UpdateRuleRequest) in try s.updateRule(i) },
        .make(.deleteRule) { (s: inout Scope, i: DeleteRuleRequest) in try s.deleteRule(i) },
        .make(.batchUpdateRule) { (s: inout Scope, i: BatchUpdateRuleRequest) in try s.batchUpdateRule(i) },
    ]
}

extension Scope {
    mutating func createRule(_ i: CreateRuleRequest) throws(ServiceFault) -> CreateRuleResponse {
        try checkTags(i.tags)
        let listener = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        if listener.protocol == .tlsPassthrough {
            throw .invalid("listenerIdentifier", "TLS_PASSTHROUGH listeners have no rules")
        }
        let siblings = db.rules.filter { $0.listenerId == listener.id && !$0.isDefault }
        if let other = siblings.first(where: { $0.name == i.name }) {
            throw .conflict("The listener \(listener.id) already has a rule named '\(i.name)': \(other.id).", .rule, other.id)
        }
        if let other = siblings.first(where: { $0.priority == i.priority }) {
            throw .conflict("The listener \(listener.id) already has a rule with priority \(i.priority): \(other.id).", .rule, other.id)
        }
        if siblings.count >= quotas.rulesPerListener {
            throw .quota("The listener \(listener.id) has \(siblings.count) rules, the quota of rules per listener.", .rule, listener.id)
        }
        try checkMatch(i.match, field: "match")
        let action = try resolveAction(i.action, field: "action", listenerProtocol: listener.protocol)
        let id = ids.id(.rule)
        let rule = RuleRecord(id: id, arn: "\(listener.arn)/rule/\(id)", seq: db.seq(), name: i.name, serviceId: listener.serviceId,
                              listenerId: listener.id, isDefault: false, priority: i.priority, match: i.match, action: action,
                              createdAt: now, lastUpdatedAt: now)
        db.insert(rule, into: \.rules, tags: i.tags)
        return CreateRuleResponse(arn: rule.arn, id: id, name: rule.name, match: rule.match, priority: rule.priority, action: action)
    }

    mutating func getRule(_ i: GetRuleRequest) throws(ServiceFault) -> GetRuleResponse {
        let r = try findRule(i.serviceIdentifier, i.listenerIdentifier, i.ruleIdentifier)
        return GetRuleResponse(arn: r.arn, id: r.id, name: r.name, isDefault: r.isDefault, match: r.match, priority: r.priority, action: r.action,
                               createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
    }

    mutating func listRules(_ i: ListRulesRequest) throws(ServiceFault) -> ListRulesResponse {
        let listener = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        let (items, token) = try page(db.rules.filter { $0.listenerId == listener.id }, operation: "ListRules", filter: listener.id,
                                      maxResults: i.maxResults, nextToken: i.nextToken)
        return ListRulesResponse(items: items.map { r in
            RuleSummary(arn: r.arn, id: r.id, name: r.name, isDefault: r.isDefault, priority: r.priority, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
        }, nextToken: token)
    }

    mutating func updateRule(_ i: UpdateRuleRequest) throws(ServiceFault) -> UpdateRuleResponse {
        let listener = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        let r = try applyRuleUpdate(RuleUpdate(ruleIdentifier: i.ruleIdentifier, match: i.match, priority: i.priority, action: i.action), listener: listener)
        return UpdateRuleResponse(arn: r.arn, id: r.id, name: r.name, isDefault: r.isDefault, match: r.match, priority: r.priority, action: r.action)
    }

    mutating func deleteRule(_ i: DeleteRuleRequest) throws(ServiceFault) -> DeleteRuleResponse {
        let r = try findRule(i.serviceIdentifier, i.listenerIdentifier, i.ruleIdentifier)
        if r.isDefault {
            throw .invalid("ruleIdentifier", "the default rule \(r.id) cannot be deleted; it goes with its listener")
        }
        db.remove(r.id, from: \.rules)
        return DeleteRuleResponse()
    }

    mutating func batchUpdateRule(_ i: BatchUpdateRuleRequest) throws(ServiceFault) -> BatchUpdateRuleResponse {
        let listener = try findListener(i.serviceIdentifier, i.listenerIdentifier)
        var successful: [RuleUpdateSuccess] = []
        var unsuccessful: [RuleUpdateFailure] = []
        for update in i.rules {
            switch Result(catching: { () throws(ServiceFault) -> RuleRecord in try applyRuleUpdate(update, listener: listener) }) {
            case let .success(r):
                successful.append(RuleUpdateSuccess(arn: r.arn, id: r.id, name: r.name, isDefault: r.isDefault, match: r.match, priority: r.priority, action: r.action))
            case let .failure(fault):
                unsuccessful.append(RuleUpdateFailure(ruleIdentifier: update.ruleIdentifier, failureCode: fault.code, failureMessage: fault.message))
            }
        }
        return BatchUpdateRuleResponse(successful: successful, unsuccessful: unsuccessful)
    }

    // MARK: Shared

    /// A rule of a listener of a service (each by ID or ARN).
    func findRule(_ serviceIdentifier: String, _ listenerIdentifier: String, _ ruleIdentifier: String) throws(ServiceFault) -> RuleRecord {
        let listener = try findListener(serviceIdentifier, listenerIdentifier)
        let rule = try find(\.rules, ruleIdentifier)
        guard rule.listenerId == listener.id else {
            throw .notFound(.rule, ruleIdentifier, "Rule \(ruleIdentifier) not found in listener \(listener.id).")
        }
        return rule
    }

    /// Changes a rule's match, priority or action; the default rule is refused.
    mutating func applyRuleUpdate(_ update: RuleUpdate, listener: ListenerRecord) throws(ServiceFault) -> RuleRecord {
        let rule = try find(\.rules, update.ruleIdentifier)
        guard rule.listenerId == listener.id else {
            throw .notFound(.rule, update.ruleIdentifier, "Rule \(update.ruleIdentifier) not found in listener \(listener.id).")
        }
        var r = rule
        if r.isDefault {
            throw .invalid("ruleIdentifier", "the default rule \(r.id) cannot be updated; change the listener's default action with UpdateListener")
        }
        if let priority = update.priority, priority != r.priority,
           let other = db.rules.first(where: { $0.listenerId == listener.id && !$0.isDefault && $0.priority == priority }) {
            throw .conflict("The listener \(listener.id) already has a rule with priority \(priority): \(other.id).", .rule, other.id)
        }
        if let match = update.match {
            try checkMatch(match, field: "match")
            r.match = match
        }
        if let action = update.action { r.action = try resolveAction(action, field: "action", listenerProtocol: listener.protocol) }
        if let priority = update.priority { r.priority = priority }
        r.lastUpdatedAt = now
        db.rules[r.id] = r
        return r
    }

    func checkMatch(_ match: RuleMatch, field: String) throws(ServiceFault) {
        guard case let .httpMatch(http) = match else { throw .invalid(field, "a rule matches with httpMatch") }
        if let method = http.method, !["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"].contains(method) {
            throw .invalid("\(field).httpMatch.method", "'\(method)' is not an HTTP method")
        }
    }
}
