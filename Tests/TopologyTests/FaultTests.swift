import Foundation
import LatticeKit
import LatticeKitTesting
import Synchronization
import Testing

/// Throttling and server errors are retried by the client; a step that fails stops what
/// needs it and lets the rest finish; the next apply continues from the live state.
@Suite struct FaultTests {
    /// Every `every`-th request answered with `fault`.
    static func every(_ every: Int, _ fault: LocalLattice.InjectedFault) -> @Sendable (String) -> LocalLattice.InjectedFault? {
        let count = Mutex(0)
        return { _ in
            count.withLock { n in
                n += 1
                return n % every == 0 ? fault : nil
            }
        }
    }

    @Test(arguments: [
        ("throttling", LocalLattice.InjectedFault.throttling(retryAfterSeconds: 1)),
        ("internal errors", LocalLattice.InjectedFault.internalError()),
    ])
    func answersTheClientRetriesStillConverge(_ label: String, _ fault: LocalLattice.InjectedFault) async throws {
        let lab = try Lab(injectFault: Self.every(3, fault))
        let topology = try richTopology()
        // One request at a time, so a faulted request's retry is never itself a third one: with
        // requests in flight together, which ones a global every-third pattern hits depends on
        // scheduling, and a step could lose all three of its attempts (then only the next apply
        // converges, which aFailureInTheMiddle... covers). ThrottleTests cover concurrency.
        let result = try await lab.client.apply(topology, options: oneAtATime)
        #expect(result.succeeded, "\(label): \(result.summary)")
        #expect(lab.counts == richCounts)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
    }

    @Test func aFailureInTheMiddleStopsWhatNeedsItAndTheNextApplyConverges() async throws {
        let failing = Mutex(true)
        let lab = try Lab(injectFault: { operation in
            operation == "CreateService" && failing.withLock { $0 } ? .accessDenied : nil
        })
        let topology = try seedTopology()
        let events = Mutex<[TopologyEvent]>([])
        let first = try await lab.client.apply(topology, options: oneAtATime) { event in events.withLock { $0.append(event) } }
        #expect(!first.succeeded)
        let states = Dictionary(uniqueKeysWithValues: first.outcomes.map { ($0.address, $0.state) })
        #expect(states == [
            "service.provider-svc": .failed, "service.provider-svc.listener.http-80": .notDone,
            "serviceNetwork.seed-network.serviceAssociation.provider-svc": .notDone,
            "targetGroup.provider-tg": .done, "targetGroup.provider-tg.targets": .done, "serviceNetwork.seed-network": .done,
            "serviceNetwork.seed-network.vpcAssociation.vpc-0c11e4700000c11e4": .done, "serviceNetwork.seed-network.accessLogSubscription.s3": .done,
        ])
        let failure = try #require(first.outcomes.first { $0.state == .failed })
        #expect(failure.detail?.contains("AccessDeniedException") == true)
        #expect(first.outcomes.first { $0.address == "service.provider-svc.listener.http-80" }?.detail?.contains("service.provider-svc (create) failed") == true)
        #expect(first.summary.contains("run apply again"))
        #expect(events.withLock { $0.contains { $0.kind == .skipped } })

        failing.withLock { $0 = false }
        let plan = try await lab.client.plan(topology, options: oneAtATime)
        #expect(Set(plan.actions.map(\.address)) == ["service.provider-svc", "service.provider-svc.listener.http-80",
                                                     "serviceNetwork.seed-network.serviceAssociation.provider-svc"])
        #expect(try await lab.client.apply(plan, options: oneAtATime).succeeded)
        #expect(lab.counts == seedCounts)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
    }
}
