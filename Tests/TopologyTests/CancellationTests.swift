import Foundation
import LatticeKit
import LatticeKitTesting
import Synchronization
import Testing

/// An apply cancelled after any of its requests, then applied again, ends with exactly one
/// of each resource and an empty plan: what was done stays done, creates are found again
/// by name or answered by their client tokens, nothing is created twice.
@Suite struct CancellationTests {
    /// Applies `topology`, cancelling the task once request number `k` has been answered.
    static func applyCancelled(after k: Int, _ topology: Topology, lab: Lab) async {
        let handle = Mutex<Task<TopologyApplyResult, any Error>?>(nil)
        let (start, go) = AsyncStream<Void>.makeStream()
        let task = Task {
            for await _ in start { break }
            return try await lab.client.apply(topology, options: oneAtATime)
        }
        handle.withLock { $0 = task }
        lab.log.afterEach { n in if n == k { handle.withLock { $0?.cancel() } } }
        go.yield()
        go.finish()
        _ = try? await task.value
        lab.log.afterEach(nil)
    }

    /// The requests a whole apply of `topology` makes, one step at a time.
    static func requests(_ topology: Topology) async throws -> Int {
        let lab = try Lab()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        return lab.log.count
    }

    static func check(_ topology: Topology, counts: [String: Int]) async throws {
        let total = try await requests(topology)
        #expect(total > 10)
        for k in 1...total {
            let lab = try Lab()
            await applyCancelled(after: k, topology, lab: lab)
            let cancelledAt = lab.log.count
            let result = try await lab.client.apply(topology, options: oneAtATime)
            #expect(result.succeeded, "cancelled after request \(k) (of \(cancelledAt)): \(result.summary)")
            #expect(lab.counts == counts, "cancelled after request \(k)")
            let plan = try await lab.client.plan(topology, options: oneAtATime)
            #expect(plan.isEmpty, "cancelled after request \(k): \(plan.text)")
        }
    }

    @Test func theSeedConvergesAfterACancellationAtEveryRequest() async throws {
        try await Self.check(try seedTopology(), counts: seedCounts)
    }

    @Test func theRichTopologyConvergesAfterACancellationAtEveryRequest() async throws {
        try await Self.check(try richTopology(), counts: richCounts)
    }
}
