import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// A member that cannot change in place is a refusal until replacement is allowed; then the
/// resource is deleted and created again, with what depends on it, and the next plan is empty.
@Suite struct ReplacementTests {
    /// A change of the rich topology that needs a replacement, and the address replaced.
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let address: String
        let edit: @Sendable (inout Topology) -> Void
    }

    static let cases: [Case] = [
        Case(description: "target group port", address: "targetGroup.checkout-blue") { $0.targetGroups?[0].config?.port = 9000 },
        Case(description: "target group VPC", address: "targetGroup.checkout-green") { $0.targetGroups?[1].config?.vpcIdentifier = "vpc-0c0000000000000c1" },
        Case(description: "listener port", address: "service.checkout.listener.https-443") { $0.services?[0].listeners?[0].port = 8443 },
        Case(description: "listener protocol", address: "service.search.listener.http") { $0.services?[1].listeners?[0].protocol = .https },
        Case(description: "service custom domain", address: "service.checkout") { $0.services?[0].customDomainName = "pay.example.com" },
        Case(description: "VPC association private DNS", address: "serviceNetwork.rich-network.vpcAssociation.vpc-0a0000000000000a1") {
            $0.serviceNetworks?[0].vpcAssociations?[0].privateDnsEnabled = false
        },
    ]

    @Test(arguments: cases)
    func aReplacementIsRefusedThenAllowed(_ change: Case) async throws {
        let lab = try Lab()
        var topology = try richTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        change.edit(&topology)

        let refused = try await lab.client.plan(topology, options: oneAtATime)
        #expect(refused.refusals.map(\.address) == [change.address], "\(refused.text)")
        #expect(refused.refusals.first?.message.contains("allowReplacement") == true)
        #expect(refused.actions.contains { $0.address == change.address && $0.kind == .replace && $0.changes.contains(where: \.forcesReplacement) })
        let sent = lab.log.count
        await #expect(throws: TopologyPlanRefused.self) { _ = try await lab.client.apply(refused, options: oneAtATime) }
        #expect(lab.log.count == sent, "a refused plan sends nothing")

        var allowing = oneAtATime
        allowing.allowReplacement = true
        let plan = try await lab.client.plan(topology, options: allowing)
        #expect(plan.refusals.isEmpty)
        let before = plan.actions.first { $0.address == change.address }?.id
        let result = try await lab.client.apply(plan, options: allowing)
        #expect(result.succeeded, "\(result.summary)")
        let after = try await lab.client.plan(topology, options: allowing)
        #expect(after.isEmpty, "\(after.text)")
        #expect(lab.counts == richCounts)
        #expect(before != nil)
    }

    @Test func listenersForwardToTheReplacedTargetGroup() async throws {
        let lab = try Lab()
        var topology = try richTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        let old = try await Found(client: lab.client).group("checkout-green").id
        topology.targetGroups?[1].config?.port = 7443
        var allowing = TopologyOptions(allowReplacement: true)
        allowing.maxConcurrentCalls = 4
        let result = try await lab.client.apply(topology, options: allowing)
        #expect(result.succeeded, "\(result.summary)")
        let new = try await Found(client: lab.client).group("checkout-green").id
        #expect(new != old)
        let (service, listener) = try await Found(client: lab.client).listener("checkout", "https-443")
        let got = try await lab.client.getListener(GetListenerRequest(serviceIdentifier: service, listenerIdentifier: listener.id ?? ""))
        guard case let .forward(forward)? = got.defaultAction else { Issue.record("the listener does not forward"); return }
        #expect(forward.targetGroups.map(\.targetGroupIdentifier).contains(new ?? ""))
        #expect(try await lab.client.plan(topology).isEmpty)
    }
}
