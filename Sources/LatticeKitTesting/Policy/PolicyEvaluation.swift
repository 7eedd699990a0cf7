/// The outcome of evaluating policies for a request, in IAM's three words.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
public enum AuthOutcome: String, Sendable, Hashable {
    /// An Allow statement applies and no Deny statement does.
    case allow
    /// A Deny statement applies: nothing else can allow the request.
    case explicitDeny
    /// No statement allows the request (and none denies it): IAM's default.
    case implicitDeny
}

extension AuthPolicy {
    /// Why a statement does not apply to a request: the first element that did not match, in
    /// the order principal, action, resource, conditions.
    public enum Mismatch: Sendable, Hashable, CustomStringConvertible {
        /// The caller is not among the statement's `Principal` entries, or `NotPrincipal` names it.
        case principal(String)
        /// The action does not match `Action`, or `NotAction` names it.
        case action(String)
        /// The resource does not match `Resource`, or `NotResource` names it.
        case resource(String)
        /// One key of one condition operator is false for this request.
        case condition(operator: String, key: String, reason: String)

        /// `principal: …`, `condition StringEquals vpc-lattice-svcs:RequestMethod: …`.
        public var description: String {
            switch self {
            case let .principal(why): return "principal: \(why)"
            case let .action(why): return "action: \(why)"
            case let .resource(why): return "resource: \(why)"
            case let .condition(op, key, why): return "condition \(op) \(key): \(why)"
            }
        }
    }

    /// One statement's verdict for a request.
    public struct StatementResult: Sendable, Hashable, CustomStringConvertible {
        /// The statement's place in the document, from 0.
        public let index: Int
        /// The statement's `Sid`, if it has one.
        public let sid: String?
        /// The statement's effect.
        public let effect: Effect
        /// Why the statement does not apply; nil when it does.
        public let mismatch: Mismatch?

        /// Whether every element of the statement matches the request.
        public var applies: Bool { mismatch == nil }
        /// `"Sid" (Statement[1])`, or `Statement[1]` for a statement without a Sid.
        public var name: String { Statement.name(index: index, sid: sid) }
        /// The statement, its effect, and whether (or why not) it applies.
        public var description: String {
            "\(name) (\(effect.rawValue)) " + (mismatch.map { "does not apply: \($0)" } ?? "applies")
        }
    }

    /// What one policy says about one request.
    public struct Evaluation: Sendable, Hashable, CustomStringConvertible {
        /// Explicit deny when a Deny statement applies, allow when an Allow statement does,
        /// implicit deny otherwise.
        public let outcome: AuthOutcome
        /// The statement that decided: the first Deny that applies, else the first Allow that
        /// applies; nil for an implicit deny (no statement applies with effect).
        public let decidingStatement: StatementResult?
        /// Every statement's verdict, in document order.
        public let statements: [StatementResult]

        /// One line: the outcome and its reason (the deciding statement, or why each Allow
        /// statement did not apply).
        public var description: String {
            switch outcome {
            case .allow, .explicitDeny:
                let verb = outcome == .allow ? "allowed by" : "explicitly denied by"
                return "\(verb) \(decidingStatement?.name ?? "?")"
            case .implicitDeny:
                let allows = statements.filter { $0.effect == .allow }
                guard !allows.isEmpty else { return "implicitly denied: the policy has no Allow statement" }
                let reasons = allows.map { "\($0.name): \($0.mismatch.map(\.description) ?? "applies")" }
                return "implicitly denied: no statement allows the request; " + reasons.joined(separator: "; ")
            }
        }
    }

    /// Evaluates the policy for a request as IAM does: a Deny statement that applies wins;
    /// otherwise an Allow statement that applies allows; otherwise the request is implicitly
    /// denied. A statement applies when its principal, action, resource and every condition
    /// match. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    public func evaluate(_ request: AuthRequest) -> Evaluation {
        let lookup = VariableLookup(request: request, variables: version == "2012-10-17")
        let results = statements.map { statement in
            StatementResult(index: statement.index, sid: statement.sid, effect: statement.effect,
                            mismatch: StatementMatcher(request: request, lookup: lookup).mismatch(statement))
        }
        if let deny = results.first(where: { $0.effect == .deny && $0.applies }) {
            return Evaluation(outcome: .explicitDeny, decidingStatement: deny, statements: results)
        }
        if let allow = results.first(where: { $0.effect == .allow && $0.applies }) {
            return Evaluation(outcome: .allow, decidingStatement: allow, statements: results)
        }
        return Evaluation(outcome: .implicitDeny, decidingStatement: nil, statements: results)
    }
}

/// Policy variables' values in one request: single-valued keys only, as IAM allows.
struct VariableLookup {
    let request: AuthRequest
    let variables: Bool

    func value(_ key: String) -> String? {
        guard let values = request.values(of: key), values.count == 1 else { return nil }
        return values[0]
    }

    func resolve(_ template: PolicyTemplate, wildcards: Bool) -> PolicyTemplate.Resolution {
        template.resolve(wildcards: wildcards, lookup: value)
    }
}

/// Whether one statement applies to one request, and if not, the first element that failed.
struct StatementMatcher {
    let request: AuthRequest
    let lookup: VariableLookup

    typealias Mismatch = AuthPolicy.Mismatch

    func mismatch(_ s: AuthPolicy.Statement) -> Mismatch? {
        if let p = s.principals, let why = principalMismatch(p) { return .principal(why) }
        let action = request.action.lowercased()
        let named = s.actionPatterns.contains { $0.matches(action) }
        if named == s.isNotAction {
            return .action(s.isNotAction
                ? "NotAction \(PolicyText.list(s.actions)) names \(PolicyText.quoted(request.action))"
                : "\(PolicyText.quoted(request.action)) matches none of \(PolicyText.list(s.actions))")
        }
        if let why = resourceMismatch(s) { return .resource(why) }
        for test in s.conditions {
            if let why = ConditionMatcher(request: request, lookup: lookup).failure(test) {
                return .condition(operator: test.op.name, key: test.key, reason: why)
            }
        }
        return nil
    }

    /// The identities IAM considers the caller to be: a role session is also its role, and
    /// every principal is also its account.
    enum Identity: Equatable {
        case anonymous
        case arn(String)
        case account(String)
        case uniqueID(String)
    }

    var identities: [Identity] {
        let caller = request.caller
        guard caller.kind != .anonymous else { return [.anonymous] }
        var out: [Identity] = []
        if caller.kind != .account, let arn = caller.arn { out.append(.arn(arn)) }
        if caller.kind == .assumedRole, let role = caller.roleArn { out.append(.arn(role)) }
        if let account = caller.account { out.append(.account(account)) }
        return out
    }

    func covers(_ entry: AuthPolicy.PrincipalEntry, _ identity: Identity) -> Bool {
        switch (entry, identity) {
        case (.everyone, _): return true
        case let (.account(a), .account(b)): return a == b
        case let (.arn(a), .arn(b)): return a == b
        case let (.uniqueID(id), _):
            guard let userID = request.caller.userID, identity != .anonymous else { return false }
            return userID == id || userID.split(separator: ":").first.map(String.init) == id
        default: return false
        }
    }

    /// `Principal` matches when any of the caller's identities is named; `NotPrincipal`
    /// exempts the caller only when all of them are (so a role session is exempt only when
    /// the session, its role and its account are all listed, as IAM documents).
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    func principalMismatch(_ p: AuthPolicy.Principals) -> String? {
        let ids = identities
        let named = { (id: Identity) in p.entries.contains { self.covers($0, id) } }
        if p.isNot {
            guard ids.allSatisfy(named) else { return nil }
            return "NotPrincipal \(PolicyText.list(p.written)) names the \(request.caller)"
        }
        guard !ids.contains(where: named) else { return nil }
        return "the \(request.caller) is not among \(PolicyText.list(p.written))"
    }

    /// `*` is every resource; a full ARN pattern matches field by field; any other pattern
    /// (the Lattice guide's `*/rates`, `*/*`) matches the whole ARN as one string.
    func resourceMismatch(_ s: AuthPolicy.Statement) -> String? {
        var unresolved: String?
        let named = s.resources.contains { template in
            if template.source == "*" { return true }
            switch lookup.resolve(template, wildcards: true) {
            case let .resolved(pattern, _):
                return pattern.isARNShaped ? pattern.matchesARN(request.resource) : pattern.matches(request.resource)
            case let .unresolved(variable):
                unresolved = unresolved ?? "\(PolicyText.quoted(template.source)) uses ${\(variable)}, which this request has no value for"
                return false
            }
        }
        let written = s.resources.map(\.source)
        if s.isNotResource {
            return named ? "NotResource \(PolicyText.list(written)) names \(PolicyText.quoted(request.resource))" : nil
        }
        guard !named else { return nil }
        return unresolved ?? "\(PolicyText.quoted(request.resource)) matches none of \(PolicyText.list(written))"
    }
}
