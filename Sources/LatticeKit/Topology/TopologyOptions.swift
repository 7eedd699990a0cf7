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
    /// order, so runs repeat exactly). Default 128 (`defaultMaxConcurrentCalls`).
    public var maxConcurrentCalls: Int
    /// A cap of your own: at most this many API requests a second on average, with bursts up
    /// to `burstRequests` (a token bucket in front of every request, retries included).
    /// Default nil: no fixed rate. VPC Lattice publishes no request-rate quota, so apply does
    /// what the AWS SDKs' adaptive retry mode does instead: it sends without a rate limit
    /// until the service throttles a request, and from then on follows the service's signal
    /// (a token bucket whose rate is cut at each throttle and grows back along a cubic curve,
    /// shared by every request of the plan or apply, honouring a throttle's `Retry-After`).
    /// Set a cap when the account's calls share a budget with other tools.
    public var requestsPerSecond: Double?
    /// The size of the `requestsPerSecond` cap's token bucket. Default 100.
    public var burstRequests: Int
    /// Seconds between looks at a status that apply waits for (each look is one list of the
    /// resource type, shared by every wait on it). Default 1.
    public var pollInterval: Double
    /// Seconds a wait may last before it fails (the service takes minutes for some work;
    /// draining targets lasts the group's deregistration delay, 300 s by default). Default 900.
    public var waitTimeout: Double

    /// The default bound on requests in flight: 128. The AWS SDKs set no concurrency limit of
    /// their own (a caller's tasks decide), and terraform runs 10 operations at once but each
    /// of them waits out its resource's create; apply's steps are single calls and list polls
    /// instead, so the graph's width is in requests: a 50-service topology has about 100
    /// independent creates at its start and about 150 children (listeners, associations,
    /// registrations) once they are active. Each wave then takes one or two round trips; with
    /// 64 it takes two and three, and the apply 1.58 times its critical path instead of 1.45
    /// (`Benchmarks/topology-bench.sh`, medians of 5 runs). Each request in flight holds one
    /// connection (HTTP/1.1; HTTP/2 multiplexes them), and the libcurl transport drives them
    /// all from one thread, so the bound costs descriptors, not threads. `CurlTransport.
    /// Configuration.maxConnections` defaults to the same 128, so the pool does not queue
    /// what the gate lets through. A throttling service still sets the pace: the gate follows
    /// its 429s whatever the bound.
    public static let defaultMaxConcurrentCalls = 128

    /// Options; the defaults adopt nothing and replace nothing.
    public init(adopt: Bool = false, allowReplacement: Bool = false, maxConcurrentCalls: Int = TopologyOptions.defaultMaxConcurrentCalls,
                requestsPerSecond: Double? = nil, burstRequests: Int = 100,
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
    /// Requests the service answered with throttling (429, `ThrottlingException`): each one
    /// slowed the rest of the apply down (see `TopologyOptions.requestsPerSecond`).
    public let throttledRequests: Int
    /// Requests that waited before they were sent: for the rate limiter a throttle engaged,
    /// a throttle's `Retry-After`, or the `requestsPerSecond` cap. 0 when the service never
    /// throttled and no cap was set.
    public let delayedRequests: Int
    /// The errors of the failed steps, for callers that look at their types.
    public let errors: [String: any Error & Sendable]

    /// Whether every action was done.
    public var succeeded: Bool { !cancelled && outcomes.allSatisfy { $0.state == .done } }

    private enum CodingKeys: String, CodingKey { case topology, succeeded, cancelled, elapsed, requests, throttledRequests, delayedRequests, outcomes }

    /// The result as JSON (without the plan and the error values).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan.topology, forKey: .topology)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode((elapsed * 1000).rounded() / 1000, forKey: .elapsed)
        try c.encode(requests, forKey: .requests)
        try c.encode(throttledRequests, forKey: .throttledRequests)
        try c.encode(delayedRequests, forKey: .delayedRequests)
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
            text = "\(verb) complete: \(done) action\(done == 1 ? "" : "s") done in \(Self.seconds(elapsed)), \(requests) requests\(throttleNote).\n"
        } else {
            text = "\(verb) \(cancelled ? "cancelled" : "failed"): \(done) done, \(failed.count) failed, \(notDone.count) not done (\(Self.seconds(elapsed)), \(requests) requests\(throttleNote)).\n"
            for outcome in failed { text += "  failed   \(outcome.address) (\(outcome.kind.rawValue)): \(outcome.detail ?? "")\n" }
            for outcome in notDone { text += "  not done \(outcome.address) (\(outcome.kind.rawValue))\(outcome.detail.map { ": \($0)" } ?? "")\n" }
            text += "What is done stays done; run apply again to continue from the live state.\n"
        }
        return text
    }

    /// `, 12 throttled` when the service throttled any.
    private var throttleNote: String { throttledRequests > 0 ? ", \(throttledRequests) throttled" : "" }

    static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) s"
    }
}
