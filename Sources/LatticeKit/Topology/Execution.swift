#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The identifiers of what apply works on, by address: the live ones from planning, and each
/// resource apply creates as soon as it exists.
actor Registry {
    private var identities: [String: LiveIdentity]
    private var fresh: Set<String> = []
    private var confirmations: [String: (scope: ResolvedScope, generation: Int)] = [:]

    init(_ identities: [String: LiveIdentity]) { self.identities = identities }

    /// A resource apply created; `confirmedBy`: the list (scope and generation) that showed
    /// it exists, when a list did.
    func set(_ address: String, _ identity: LiveIdentity, confirmedBy list: (scope: ResolvedScope, generation: Int)? = nil) {
        identities[address] = identity
        fresh.insert(address)
        if let list { confirmations[address] = list }
    }

    func identity(_ address: String) -> LiveIdentity? { identities[address] }

    /// The generation of the list of `scope` that showed the resource at `address` exists
    /// after apply created it (nil: none did).
    func confirmation(_ address: String, in scope: ResolvedScope) -> Int? {
        guard let confirmation = confirmations[address], confirmation.scope == scope else { return nil }
        return confirmation.generation
    }

    /// Whether apply created the resource at `address` (its children's client tokens then
    /// cannot have been used before).
    func isFresh(_ address: String) -> Bool { fresh.contains(address) }
}

/// A step that cannot run for a reason of its own (not an error of the service).
struct StepFailure: Error, Sendable, CustomStringConvertible {
    let description: String
}

/// Runs a plan's steps as a graph: a step starts once every step it depends on is done;
/// independent steps run at once (the gate bounds the requests). A failed step skips the
/// steps that depend on it, directly or not; the others go on. Cancelling the task starts
/// nothing new and lets what runs finish (or stop at its next cancellation point).
struct Execution: Sendable {
    let plan: TopologyPlan
    let client: LatticeClient
    let gate: CallGate
    let options: TopologyOptions
    let progress: (@Sendable (TopologyEvent) -> Void)?

    private enum State: Sendable {
        case pending, running, done
        case failed(String)
        case skipped(String)
    }

    func run() async -> TopologyApplyResult {
        let environment = client.environment
        let start = environment.now()
        let elapsed: @Sendable () -> Double = { environment.now().timeIntervalSince(start) }
        let runner = StepRunner(plan: plan, client: client, options: options, registry: Registry(plan.registry), board: StatusBoard(client: client))
        let steps = plan.steps
        var states = [State](repeating: .pending, count: steps.count)
        var errors: [Int: any Error & Sendable] = [:]
        let sequential = options.maxConcurrentCalls <= 1
        let priorities = Self.chainLengths(steps)
        let progress = self.progress

        func emit(_ kind: TopologyEvent.Kind, _ step: Step, _ detail: String? = nil) {
            progress?(TopologyEvent(kind: kind, address: step.address, step: step.label, detail: detail, elapsed: elapsed()))
        }

        await withTaskGroup(of: (Int, (any Error & Sendable)?).self) { group in
            var running = 0
            func settleSkips() {
                var changed = true
                while changed {
                    changed = false
                    for step in steps {
                        guard case .pending = states[step.index] else { continue }
                        for dependency in step.dependencies {
                            let reason: String?
                            switch states[dependency] {
                            case let .failed(why): reason = "\(steps[dependency].address) (\(steps[dependency].label)) failed: \(why)"
                            case let .skipped(why): reason = why
                            default: reason = nil
                            }
                            if let reason {
                                states[step.index] = .skipped(reason)
                                emit(.skipped, step, reason)
                                changed = true
                                break
                            }
                        }
                    }
                }
            }
            // Steps whose dependencies are all done, found as their dependencies finish rather
            // than by checking every step of the plan at each completion (a wave of a hundred
            // completions arrives at once, on the apply's critical path). Launched lowest
            // index first, as the plan orders them.
            var unfinished = steps.map { Set($0.dependencies).count }
            var dependents = [[Int]](repeating: [], count: steps.count)
            for step in steps { for dependency in Set(step.dependencies) { dependents[dependency].append(step.index) } }
            var ready = steps.filter { unfinished[$0.index] == 0 }.map(\.index)
            func finished(_ index: Int) {
                for dependent in dependents[index] {
                    unfinished[dependent] -= 1
                    if unfinished[dependent] == 0 { ready.append(dependent) }
                }
            }
            func launch() {
                guard !Task.isCancelled else { return }
                ready.sort()
                var taken = 0
                defer { ready.removeFirst(taken) }
                for index in ready {
                    if sequential, running > 0 { return }
                    taken += 1
                    let step = steps[index]
                    guard case .pending = states[step.index] else { continue }
                    states[step.index] = .running
                    running += 1
                    emit(.started, step)
                    let priority = priorities[step.index]
                    group.addTask {
                        do {
                            try Task.checkCancellation()
                            try await CallGate.$priority.withValue(priority) { try await runner.run(step) }
                            return (step.index, nil)
                        } catch {
                            return (step.index, error)
                        }
                    }
                }
            }
            launch()
            while let (index, error) = await group.next() {
                running -= 1
                if let error {
                    let text = Self.describe(error)
                    states[index] = .failed(text)
                    errors[index] = error
                    emit(.failed, steps[index], text)
                    settleSkips()
                } else {
                    states[index] = .done
                    emit(.finished, steps[index])
                    finished(index)
                }
                launch()
            }
        }

        let cancelled = states.contains { if case .pending = $0 { true } else { false } }
        var outcomes: [TopologyApplyResult.Outcome] = []
        var actionErrors: [String: any Error & Sendable] = [:]
        for (number, action) in plan.actions.enumerated() {
            let mine = steps.filter { $0.action == number }
            var state = TopologyApplyResult.State.done
            var detail: String?
            for step in mine {
                switch states[step.index] {
                case .done, .running: continue
                case let .failed(why):
                    state = .failed
                    detail = "\(step.label): \(why)"
                    if let error = errors[step.index] { actionErrors[action.address] = error }
                case let .skipped(why):
                    if state == .done { (state, detail) = (.notDone, "needs \(why)") }
                case .pending:
                    if state == .done { (state, detail) = (.notDone, "apply was cancelled before it ran") }
                }
                if state == .failed { break }
            }
            outcomes.append(TopologyApplyResult.Outcome(address: action.address, kind: action.kind, state: state, detail: detail))
        }
        return TopologyApplyResult(plan: plan, outcomes: outcomes, cancelled: cancelled, elapsed: elapsed(), requests: await gate.requests,
                                   throttledRequests: await gate.throttled, delayedRequests: await gate.delayed, errors: actionErrors)
    }

    /// For each step, the round trips of the longest chain that starts with it (a create
    /// counts two: its call and the look that confirms it; any other step one): the
    /// priority of its requests in the gate, so the calls the most work waits for go first.
    static func chainLengths(_ steps: [Step]) -> [Int] {
        // Steps in an order where each comes after those it depends on (the plan's indexes
        // need not be one), then lengths from the last one back.
        var dependents = [[Int]](repeating: [], count: steps.count)
        var waiting = steps.map(\.dependencies.count)
        for step in steps { for dependency in step.dependencies where dependency < steps.count { dependents[dependency].append(step.index) } }
        var order = steps.filter(\.dependencies.isEmpty).map(\.index)
        var position = 0
        while position < order.count {
            for dependent in dependents[order[position]] {
                waiting[dependent] -= 1
                if waiting[dependent] == 0 { order.append(dependent) }
            }
            position += 1
        }
        var length = [Int](repeating: 1, count: steps.count)
        for index in order.reversed() {
            let own = steps[index].work.creates ? 2 : 1
            length[index] = own + (dependents[index].map { length[$0] }.max() ?? 0)
        }
        return length
    }

    /// An error in a line: the service's code and message, a waiter's story, or ours.
    static func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        let text = "\(error)"
        return text.split(separator: "\n").joined(separator: " ")
    }
}
