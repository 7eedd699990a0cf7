#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What apply would do to make the live state match a topology: an ordered list of actions
/// (an order in which they could run one at a time), each at its resource's address in the
/// topology. Empty when the live state matches. Made by `LatticeClient.plan(_:options:)` or
/// `planDestroy(_:options:)`, run by `LatticeClient.apply(_:options:progress:)`.
///
/// What is compared: only what the topology states. A member left out is not compared, so
/// the service's defaults (health check settings, a listener's port, weights, ...) never show
/// as differences. Tags are compared as a whole (the ownership tag included; `aws:` keys
/// ignored), security groups and targets as sets, policies as JSON.
public struct TopologyPlan: Sendable, Equatable, Encodable {
    /// The topology's name.
    public let topology: String
    /// Whether this plan removes every resource the topology owns (`planDestroy`).
    public let isDestroy: Bool
    /// The actions, in an order they could run one at a time.
    public let actions: [Action]
    /// Why some actions cannot run; `apply` refuses a plan that has any.
    public let refusals: [Refusal]

    /// The steps apply runs (calls and waits) with their dependencies.
    let steps: [Step]
    /// The live resources' identifiers, by address.
    let registry: [String: LiveIdentity]

    /// Apply's graph, for the benchmark's critical path: each step's address and label (as
    /// progress events name them), whether it only waits, and the indices of the steps it needs.
    package var graph: [(address: String, label: String, isWait: Bool, dependencies: [Int])] {
        steps.map { ($0.address, $0.label, $0.work.isWait, $0.dependencies) }
    }

    init(topology: String, isDestroy: Bool, actions: [Action], refusals: [Refusal], steps: [Step], registry: [String: LiveIdentity]) {
        self.topology = topology
        self.isDestroy = isDestroy
        self.actions = actions
        self.refusals = refusals
        self.steps = steps
        self.registry = registry
    }

    /// Whether the live state matches: no action and nothing refused.
    public var isEmpty: Bool { actions.isEmpty && refusals.isEmpty }

    /// How many actions of each kind.
    public func count(_ kind: Action.Kind) -> Int { actions.filter { $0.kind == kind }.count }

    /// Plans are equal when they would do the same: the same actions and refusals.
    public static func == (a: TopologyPlan, b: TopologyPlan) -> Bool {
        a.topology == b.topology && a.isDestroy == b.isDestroy && a.actions == b.actions && a.refusals == b.refusals
    }

    private enum CodingKeys: String, CodingKey { case topology, isDestroy, actions, refusals, summary }

    /// The plan as JSON: topology, isDestroy, actions, refusals and a summary of counts.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(topology, forKey: .topology)
        try c.encode(isDestroy, forKey: .isDestroy)
        try c.encode(actions, forKey: .actions)
        try c.encode(refusals, forKey: .refusals)
        var summary: [String: Int] = [:]
        for kind in Action.Kind.allCases { summary[kind.rawValue] = count(kind) }
        try c.encode(summary, forKey: .summary)
    }

    /// One change to one resource.
    public struct Action: Sendable, Equatable, Encodable {
        /// What happens to the resource.
        public enum Kind: String, Sendable, Equatable, Encodable, CaseIterable {
            /// It does not exist yet.
            case create
            /// It exists and is owned; the listed members change in place.
            case update
            /// A member that cannot change in place differs: delete, then create again.
            case replace
            /// It is owned and no longer described (or the plan destroys everything).
            case delete
            /// It exists without the ownership tag and the user asked to adopt it: the tag is
            /// written and the listed members change in place.
            case adopt
        }

        /// Where the resource is: `service.provider-svc.listener.http-80`.
        public let address: String
        /// What happens.
        public let kind: Kind
        /// The resource's type, such as `service` or `listener`.
        public let resourceType: String
        /// The live resource's ID, when it exists.
        public let id: String?
        /// Each changed member with its old and new value (for a create: the values sent).
        public let changes: [FieldChange]
        /// Why, for a replace (the members that cannot change in place) or an adopt.
        public let reason: String?

        /// An action; plans are made by `LatticeClient.plan(_:options:)`.
        public init(address: String, kind: Kind, resourceType: String, id: String? = nil, changes: [FieldChange] = [], reason: String? = nil) {
            self.address = address
            self.kind = kind
            self.resourceType = resourceType
            self.id = id
            self.changes = changes
            self.reason = reason
        }
    }

    /// One member's change: its path under the resource, the live value and the wanted one,
    /// each as compact JSON text (nil: absent).
    public struct FieldChange: Sendable, Equatable, Encodable {
        /// The member's path, such as `config.healthCheck.path` or `tags`.
        public let field: String
        /// The live value as JSON; nil when there is none.
        public let old: String?
        /// The wanted value as JSON; nil when it goes away.
        public let new: String?
        /// Whether this member cannot change in place.
        public let forcesReplacement: Bool

        /// A member's change.
        public init(field: String, old: String?, new: String?, forcesReplacement: Bool = false) {
            self.field = field
            self.old = old
            self.new = new
            self.forcesReplacement = forcesReplacement
        }

        private enum CodingKeys: String, CodingKey { case field, old, new, forcesReplacement }

        /// Old and new as JSON values, not as strings holding JSON.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(field, forKey: .field)
            try c.encode(Self.value(old), forKey: .old)
            try c.encode(Self.value(new), forKey: .new)
            try c.encode(forcesReplacement, forKey: .forcesReplacement)
        }

        static func value(_ text: String?) -> JSONValue {
            guard let text else { return .null }
            return (try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        }
    }

    /// An action that cannot run as the plan stands, and what to do.
    public struct Refusal: Sendable, Equatable, Encodable {
        /// The resource's address.
        public let address: String
        /// Why, and the option or change that lets it run.
        public let message: String

        /// A refusal.
        public init(address: String, message: String) {
            self.address = address
            self.message = message
        }
    }
}

extension TopologyPlan {
    /// The plan as a readable diff, in the manner of `terraform plan`: `+` create, `~` update,
    /// `-/+` replace, `-` delete, `<=` adopt, with each changed member's old and new value.
    /// Ends with the counts, or says that the live state matches.
    public var text: String {
        var out = ""
        if actions.isEmpty, refusals.isEmpty {
            return isDestroy
                ? "No changes. The topology \(quoted(topology)) owns nothing in this account and region.\n"
                : "No changes. The live state matches the topology \(quoted(topology)).\n"
        }
        if !actions.isEmpty {
            out += isDestroy ? "Destroying the topology \(quoted(topology)) deletes:\n\n" : "Applying the topology \(quoted(topology)) will:\n\n"
        }
        for action in actions {
            let mark: String
            let verb: String
            switch action.kind {
            case .create: (mark, verb) = ("+", "create")
            case .update: (mark, verb) = ("~", "update in place")
            case .replace: (mark, verb) = ("-/+", "replace")
            case .delete: (mark, verb) = ("-", "delete")
            case .adopt: (mark, verb) = ("<=", "adopt")
            }
            var line = "  \(mark) \(action.address)  (\(verb)"
            if let id = action.id { line += ", \(id)" }
            line += ")"
            out += line + "\n"
            if let reason = action.reason { out += "      # \(reason)\n" }
            for change in action.changes {
                let suffix = change.forcesReplacement ? "  # forces replacement" : ""
                switch (change.old, change.new) {
                case let (nil, new?): out += "      \(change.field) = \(new)\(suffix)\n"
                case let (old?, nil): out += "      \(change.field): \(old) -> (none)\(suffix)\n"
                case let (old?, new?): out += "      \(change.field): \(old) -> \(new)\(suffix)\n"
                case (nil, nil): continue
                }
            }
        }
        if !refusals.isEmpty {
            out += "\nRefused (apply will not run until these are resolved):\n"
            for refusal in refusals { out += "  ! \(refusal.address): \(refusal.message)\n" }
        }
        let parts = [("to create", count(.create)), ("to update", count(.update)), ("to replace", count(.replace)),
                     ("to delete", count(.delete)), ("to adopt", count(.adopt))].filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        if !parts.isEmpty { out += "\nPlan: " + parts.joined(separator: ", ") + ".\n" }
        return out
    }
}
