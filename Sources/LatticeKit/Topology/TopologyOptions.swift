/// How planning and applying a topology behave.
public struct TopologyOptions: Sendable, Equatable {
    /// Whether resources with a described name but without the ownership tag (or with another
    /// topology's) are taken over: the plan shows them as `adopt`, apply writes the tag. When
    /// false, each one is a refusal.
    public var adopt: Bool
    /// Whether a member that cannot change in place may be changed by deleting the resource
    /// and creating it again. When false, each replacement is a refusal.
    public var allowReplacement: Bool
    /// At most this many API requests in flight at once (1: one step at a time, in plan
    /// order, so runs repeat exactly). Default 10.
    public var maxConcurrentCalls: Int
    /// At most this many API requests a second on average, with bursts up to
    /// `burstRequests`: a token bucket in front of every request (retries included).
    /// Default 50; nil or 0: no limit. See `defaultRequestsPerSecond`.
    public var requestsPerSecond: Double?
    /// The token bucket's size. Default 100.
    public var burstRequests: Int
    /// Seconds between looks at a status that apply waits for (each look is one list of the
    /// resource type, shared by every wait on it). Default 1.
    public var pollInterval: Double
    /// Seconds a wait may last before it fails (the service takes minutes for some work;
    /// draining targets lasts the group's deregistration delay, 300 s by default). Default 900.
    public var waitTimeout: Double

    /// The rate apply stays under by default. The VPC Lattice quotas page publishes no
    /// request-rate quota (only resource counts), so this is LatticeKit's own choice, not a
    /// published limit: lower it if an account sees ThrottlingException (the client retries
    /// those, and the adaptive retry mode slows down on its own).
    public static let defaultRequestsPerSecond: Double = 50

    /// Options; the defaults adopt nothing and replace nothing.
    public init(adopt: Bool = false, allowReplacement: Bool = false, maxConcurrentCalls: Int = 10,
                requestsPerSecond: Double? = TopologyOptions.defaultRequestsPerSecond, burstRequests: Int = 100,
                pollInterval: Double = 1, waitTimeout: Double = 900) {
        self.adopt = adopt
        self.allowReplacement = allowReplacement
        self.maxConcurrentCalls = maxConcurrentCalls
        self.requestsPerSecond = requestsPerSecond
        self.burstRequests = burstRequests
        self.pollInterval = pollInterval
        self.waitTimeout = waitTimeout
    }
}

/// What apply reports as it goes: each step (a call, or a wait) starting and ending.
public struct TopologyEvent: Sendable, Equatable, CustomStringConvertible {
    /// What happened to the step.
    public enum Kind: String, Sendable, Equatable {
        /// The step began.
        case started
        /// The step did what it does.
        case finished
        /// The step failed; `detail` says why.
        case failed
        /// The step did not run: a step it needs failed or did not run.
        case skipped
    }

    /// What happened.
    public let kind: Kind
    /// The resource's address.
    public let address: String
    /// The step, such as `create`, `wait until ACTIVE`, `register 3 targets`.
    public let step: String
    /// Why it failed or was skipped.
    public let detail: String?
    /// Seconds since apply began.
    public let elapsed: Double

    /// An event.
    public init(kind: Kind, address: String, step: String, detail: String? = nil, elapsed: Double) {
        self.kind = kind
        self.address = address
        self.step = step
        self.detail = detail
        self.elapsed = elapsed
    }

    /// `  12.3s  finished  service.provider-svc: create`.
    public var description: String {
        let seconds = (elapsed * 10).rounded() / 10
        var text = "\(seconds)s \(kind.rawValue) \(address): \(step)"
        if let detail { text += " (\(detail))" }
        return text
    }
}

/// What an apply did: each action done, failed or not done, and why.
public struct TopologyApplyResult: Sendable, Encodable {
    /// What became of one action of the plan.
    public struct Outcome: Sendable, Encodable, Equatable {
        /// The action's address.
        public let address: String
        /// The action's kind (`create`, `update`, ...).
        public let kind: TopologyPlan.Action.Kind
        /// `done`, `failed` or `not done`.
        public let state: State
        /// Why it failed or was not done.
        public let detail: String?
    }

    /// Whether an action was carried out.
    public enum State: String, Sendable, Encodable, Equatable {
        /// Every step of the action ran.
        case done
        /// A step of the action failed.
        case failed
        /// The action did not run (a step it needs failed, or apply was cancelled).
        case notDone = "not done"
    }

    /// The plan that was applied.
    public let plan: TopologyPlan
    /// One outcome per action, in the plan's order.
    public let outcomes: [Outcome]
    /// Whether the task was cancelled before every step ran.
    public let cancelled: Bool
    /// Seconds apply took.
    public let elapsed: Double
    /// API requests sent (retries included).
    public let requests: Int
    /// The errors of the failed steps, for callers that look at their types.
    public let errors: [String: any Error & Sendable]

    /// Whether every action was done.
    public var succeeded: Bool { !cancelled && outcomes.allSatisfy { $0.state == .done } }

    private enum CodingKeys: String, CodingKey { case topology, succeeded, cancelled, elapsed, requests, outcomes }

    /// The result as JSON (without the plan and the error values).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan.topology, forKey: .topology)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode((elapsed * 1000).rounded() / 1000, forKey: .elapsed)
        try c.encode(requests, forKey: .requests)
        try c.encode(outcomes, forKey: .outcomes)
    }

    /// `Apply complete: 7 done.` or what failed and what was not done.
    public var summary: String {
        let done = outcomes.filter { $0.state == .done }.count
        let failed = outcomes.filter { $0.state == .failed }
        let notDone = outcomes.filter { $0.state == .notDone }
        let verb = plan.isDestroy ? "Destroy" : "Apply"
        var text: String
        if succeeded {
            text = "\(verb) complete: \(done) action\(done == 1 ? "" : "s") done in \(Self.seconds(elapsed)), \(requests) requests.\n"
        } else {
            text = "\(verb) \(cancelled ? "cancelled" : "failed"): \(done) done, \(failed.count) failed, \(notDone.count) not done (\(Self.seconds(elapsed)), \(requests) requests).\n"
            for outcome in failed { text += "  failed   \(outcome.address) (\(outcome.kind.rawValue)): \(outcome.detail ?? "")\n" }
            for outcome in notDone { text += "  not done \(outcome.address) (\(outcome.kind.rawValue))\(outcome.detail.map { ": \($0)" } ?? "")\n" }
            text += "What is done stays done; run apply again to continue from the live state.\n"
        }
        return text
    }

    static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) s"
    }
}
