#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// An IAM identity-based policy that the local Lattice enforces on every call, as IAM would
/// for the caller: a call whose action (`vpc-lattice:CreateService`) no `Allow` statement
/// grants, or that a `Deny` statement names, is answered with 403 AccessDeniedException in
/// the service's words. Use it to check that a least-privilege policy is enough for your
/// provisioning code, and to see how that code reports a missing permission.
///
/// What is evaluated: `Effect`, `Action` and `NotAction` (case-insensitive, with the `*` and
/// `?` wildcards), an explicit deny winning over any allow, and no access without an allow.
/// What is not: `Resource`, `NotResource` and `Condition` are read and checked for form, but
/// every statement applies as if its resources and conditions matched; permission boundaries,
/// SCPs and resource-based policies do not exist here. To evaluate a whole policy (resources,
/// conditions, principals), use ``AuthPolicy`` with `kind: .identityBased`.
public struct IdentityPolicy: Sendable, Hashable {
    /// Whether a statement allows or denies.
    public enum Effect: String, Sendable, Hashable {
        /// The statement allows its actions.
        case allow = "Allow"
        /// The statement denies its actions; a deny wins over any allow.
        case deny = "Deny"
    }

    /// One statement: its effect and the actions it names (or, with `NotAction`, all but these).
    public struct Statement: Sendable, Hashable {
        /// The statement's `Sid`, named in a denial.
        public var sid: String?
        /// Allow or deny.
        public var effect: Effect
        /// The actions (`vpc-lattice:CreateService`, wildcards allowed), or those excluded with `NotAction`.
        public var actions: [String]
        /// True for a `NotAction` statement: it applies to every action except `actions`.
        public var isNotAction: Bool

        /// A statement.
        ///
        /// - Parameters:
        ///   - sid: The statement's `Sid`.
        ///   - effect: Allow or deny.
        ///   - actions: The actions.
        ///   - isNotAction: Whether `actions` is a `NotAction` list.
        public init(sid: String? = nil, effect: Effect, actions: [String], isNotAction: Bool = false) {
            self.sid = sid
            self.effect = effect
            self.actions = actions
            self.isNotAction = isNotAction
        }

        func applies(to action: String) -> Bool {
            let named = actions.contains { IdentityPolicy.matches(pattern: $0, action) }
            return isNotAction ? !named : named
        }
    }

    /// What the policy says about one action.
    public enum Decision: Sendable, Hashable {
        /// A statement allows the action and none denies it.
        case allowed
        /// No statement allows the action.
        case implicitlyDenied
        /// A `Deny` statement names the action (its Sid, if it has one).
        case explicitlyDenied(sid: String?)
    }

    /// A policy document that cannot be used, with what is wrong in it.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The policy's statements, in order.
    public var statements: [Statement]

    /// A policy from its statements.
    ///
    /// - Parameter statements: The statements.
    public init(statements: [Statement]) {
        self.statements = statements
    }

    /// A policy with one Allow statement for these actions (`vpc-lattice:GetService`, or
    /// patterns such as `vpc-lattice:List*`).
    public init(allowing actions: [String]) {
        statements = [Statement(effect: .allow, actions: actions)]
    }

    /// Reads a policy document (the JSON an IAM policy is written in).
    public init(json: some Sequence<UInt8>) throws(Failure) {
        let value: JSONValue
        do {
            value = try LatticeJSON.decoder().decode(JSONValue.self, from: Data(json))
        } catch {
            throw Failure(description: "The IAM policy is not JSON (\(error)); write it as IAM does: {\"Version\": \"2012-10-17\", \"Statement\": [...]}.")
        }
        guard case let .object(document) = value else {
            throw Failure(description: "An IAM policy is a JSON object with Version and Statement.")
        }
        if let version = document["Version"] {
            guard case let .string(v) = version, ["2012-10-17", "2008-10-17"].contains(v) else {
                throw Failure(description: "The policy's Version must be \"2012-10-17\" (or the older \"2008-10-17\").")
            }
        }
        let raw: [JSONValue]
        switch document["Statement"] {
        case let .array(list)?: raw = list
        case let .object(one)?: raw = [.object(one)]
        default: throw Failure(description: "The policy has no Statement: give an object or a list of objects with Effect and Action.")
        }
        var statements: [Statement] = []
        for (index, item) in raw.enumerated() {
            statements.append(try Self.statement(item, index: index))
        }
        self.statements = statements
    }

    /// Reads a policy document from a file.
    public init(contentsOfFile path: String) throws(Failure) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: "Cannot read the IAM policy file \(path): \(error)")
        }
        do {
            try self.init(json: bytes)
        } catch {
            throw Failure(description: "\(path): \(error.description)")
        }
    }

    /// The decision for an action such as `vpc-lattice:CreateService`: an explicit deny wins,
    /// then any allow; otherwise the action is implicitly denied.
    public func decision(for action: String) -> Decision {
        if let deny = statements.first(where: { $0.effect == .deny && $0.applies(to: action) }) {
            return .explicitlyDenied(sid: deny.sid)
        }
        return statements.contains { $0.effect == .allow && $0.applies(to: action) } ? .allowed : .implicitlyDenied
    }

    /// Whether an IAM action pattern (`*` any run of characters, `?` one character, case
    /// insensitive as IAM compares actions) matches an action: the matcher ``AuthPolicy`` uses.
    static func matches(pattern: String, _ action: String) -> Bool {
        PolicyPattern(glob: pattern.lowercased()).matches(action.lowercased())
    }

    private static func statement(_ item: JSONValue, index: Int) throws(Failure) -> Statement {
        guard case let .object(s) = item else {
            throw Failure(description: "Statement \(index + 1) is not an object.")
        }
        var sid: String?
        if case let .string(value)? = s["Sid"] { sid = value }
        let name = sid.map { "Statement \"\($0)\"" } ?? "Statement \(index + 1)"
        guard case let .string(effectName)? = s["Effect"], let effect = Effect(rawValue: effectName) else {
            throw Failure(description: "\(name) needs \"Effect\": \"Allow\" or \"Deny\".")
        }
        let hasAction = s["Action"] != nil, hasNotAction = s["NotAction"] != nil
        guard hasAction != hasNotAction else {
            throw Failure(description: "\(name) needs exactly one of Action and NotAction.")
        }
        let actions = try strings(s[hasAction ? "Action" : "NotAction"]!, what: "\(name)'s \(hasAction ? "Action" : "NotAction")")
        for action in actions where action != "*" && !action.contains(":") {
            throw Failure(description: "\(name) names the action \"\(action)\"; actions are written service:Action, e.g. vpc-lattice:CreateService.")
        }
        if s["Resource"] != nil && s["NotResource"] != nil {
            throw Failure(description: "\(name) has both Resource and NotResource; give one.")
        }
        if let resource = s["Resource"] ?? s["NotResource"] {
            _ = try strings(resource, what: "\(name)'s Resource")
        }
        if let condition = s["Condition"] {
            guard case .object = condition else { throw Failure(description: "\(name)'s Condition is not an object.") }
        }
        return Statement(sid: sid, effect: effect, actions: actions, isNotAction: hasNotAction)
    }

    private static func strings(_ value: JSONValue, what: String) throws(Failure) -> [String] {
        switch value {
        case let .string(one): return [one]
        case let .array(list):
            var out: [String] = []
            for item in list {
                guard case let .string(s) = item else { throw Failure(description: "\(what) must hold strings.") }
                out.append(s)
            }
            guard !out.isEmpty else { throw Failure(description: "\(what) is empty.") }
            return out
        default: throw Failure(description: "\(what) must be a string or a list of strings.")
        }
    }
}
