/// A plan that apply will not run: a resource exists without the ownership tag, or a member
/// that cannot change in place differs, and the options do not allow what it takes.
public struct TopologyPlanRefused: Error, Sendable, CustomStringConvertible {
    /// What is refused and what would allow it.
    public let refusals: [TopologyPlan.Refusal]

    /// Each refusal on a line of its own.
    public var description: String {
        "the plan cannot be applied as it stands; nothing was changed:\n" + refusals.map { "  - \($0.address): \($0.message)" }.joined(separator: "\n")
    }
}

extension LatticeClient {
    /// What apply would change to make the live state match `topology`. Reads the account and
    /// region (every service network, service and target group with its tags, and in full
    /// those the topology describes or owns) and changes nothing. Throws `TopologyError` for
    /// a topology that does not validate, and the service's errors.
    public func plan(_ topology: Topology, options: TopologyOptions = TopologyOptions()) async throws -> TopologyPlan {
        try topology.validate()
        return try await makePlan(topology, options: options, destroying: false)
    }

    /// What deleting every resource `topology` owns takes, in reverse order of dependency:
    /// targets deregistered and drained, access log subscriptions, rules, listeners,
    /// associations (waiting until their deletion has settled, as the service requires
    /// before their parents go), services, target groups, VPC associations, service networks.
    /// Only the topology's name matters: ownership is read from the tags.
    public func planDestroy(_ topology: Topology, options: TopologyOptions = TopologyOptions()) async throws -> TopologyPlan {
        try await makePlan(Topology(name: topology.name), options: options, destroying: true)
    }

    /// Runs a plan as a graph: independent steps at once (at most
    /// `options.maxConcurrentCalls` requests in flight; no rate limit until the service
    /// throttles a request, then a rate that follows its throttling, shared by every request
    /// of the apply; `options.requestsPerSecond` when set), each waiting for ACTIVE only where
    /// a later step needs it. A failed step stops the steps
    /// that need it; the others finish. The result says what was done and what was not; run
    /// `plan` or `apply` again to continue from the live state. Throws
    /// `TopologyPlanRefused` (nothing is sent) when the plan has refusals. Cancelling the task
    /// stops starting steps and returns what was done.
    public func apply(_ plan: TopologyPlan, options: TopologyOptions = TopologyOptions(),
                      progress: (@Sendable (TopologyEvent) -> Void)? = nil) async throws -> TopologyApplyResult {
        guard plan.refusals.isEmpty else { throw TopologyPlanRefused(refusals: plan.refusals) }
        let gate = CallGate(options: options, environment: environment)
        let execution = Execution(plan: plan, client: try gated(by: gate), gate: gate, options: options, progress: progress)
        return await execution.run()
    }

    /// Plans `topology` and applies the plan (see `plan(_:options:)` and
    /// `apply(_:options:progress:)`).
    public func apply(_ topology: Topology, options: TopologyOptions = TopologyOptions(),
                      progress: (@Sendable (TopologyEvent) -> Void)? = nil) async throws -> TopologyApplyResult {
        try await apply(try await plan(topology, options: options), options: options, progress: progress)
    }

    func makePlan(_ topology: Topology, options: TopologyOptions, destroying: Bool) async throws -> TopologyPlan {
        let gate = CallGate(options: options, environment: environment)
        let reader = LiveReader(client: try gated(by: gate), topology: topology, options: options, destroying: destroying)
        var planner = Planner(topology: topology, live: try await reader.read(), options: options, destroying: destroying)
        planner.plan()
        return planner.finish()
    }
}
