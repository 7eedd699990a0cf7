import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// Apply creates what a topology describes, and applying it again changes nothing.
@Suite struct ApplyTests {
    @Test func applyingTheSeedTwiceCreatesEachResourceOnceAndTheSecondPlanIsEmpty() async throws {
        let lab = try Lab()
        let topology = try seedTopology()
        let plan = try await lab.client.plan(topology, options: oneAtATime)
        #expect(plan.count(.create) == 8)
        let result = try await lab.client.apply(plan, options: oneAtATime)
        #expect(result.succeeded)
        #expect(lab.counts == seedCounts)
        let second = try await lab.client.plan(topology, options: oneAtATime)
        #expect(second.isEmpty)
        let again = try await lab.client.apply(second, options: oneAtATime)
        #expect(again.succeeded && again.outcomes.isEmpty)
        #expect(lab.counts == seedCounts)
    }
}
