import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// Destroy deletes every owned resource, children before parents, waiting where the service
/// needs it, and leaves the lists empty.
@Suite struct DestroyTests {
    @Test(arguments: [oneAtATime, TopologyOptions()])
    func destroyLeavesEveryListEmpty(_ options: TopologyOptions) async throws {
        let lab = try Lab()
        let topology = try richTopology()
        #expect(try await lab.client.apply(topology, options: options).succeeded)
        #expect(lab.counts == richCounts)
        let plan = try await lab.client.planDestroy(topology, options: options)
        #expect(plan.isDestroy)
        #expect(plan.actions.allSatisfy { $0.kind == .delete })
        // Every child comes before its parent in the plan's order.
        let order = plan.actions.map(\.address)
        for (index, address) in order.enumerated() {
            for parent in order where address.hasPrefix(parent + ".") {
                #expect(order.firstIndex(of: parent) ?? 0 > index, "\(address) comes after \(parent)")
            }
        }
        #expect(Set(order).isSuperset(of: [
            "targetGroup.checkout-blue.targets", "service.checkout.listener.https-443.rule.api", "service.checkout.listener.https-443",
            "service.checkout.accessLogSubscription.s3", "serviceNetwork.rich-network.serviceAssociation.checkout",
            "serviceNetwork.rich-network.vpcAssociation.vpc-0a0000000000000a1", "serviceNetwork.rich-network", "service.checkout", "targetGroup.checkout-blue",
        ]))
        let result = try await lab.client.apply(plan, options: options)
        #expect(result.succeeded, "\(result.summary)")
        #expect(lab.lattice.isEmpty, "\(lab.counts)")
        #expect(try await lab.client.listServiceNetworksItems().collect().isEmpty)
        #expect(try await lab.client.listServicesItems().collect().isEmpty)
        #expect(try await lab.client.listTargetGroupsItems().collect().isEmpty)
        #expect(try await lab.client.planDestroy(topology, options: options).isEmpty)
    }

    @Test func applyingAgainAfterDestroyCreatesNewResourcesThoughTheClientTokensRepeat() async throws {
        let lab = try Lab()
        let topology = try seedTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        let service = try await Found(client: lab.client).service("provider-svc")
        #expect(try await lab.client.apply(try await lab.client.planDestroy(topology, options: oneAtATime), options: oneAtATime).succeeded)
        // The same client tokens would answer with the deleted resources: apply notices and
        // creates new ones.
        let again = try await lab.client.apply(topology, options: oneAtATime)
        #expect(again.succeeded, "\(again.summary)")
        #expect(lab.counts == seedCounts)
        #expect(try await Found(client: lab.client).service("provider-svc").id != service.id)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
    }

    /// More cycles than derived client tokens (the local Lattice remembers every token): the
    /// last create of each goes with a token the client draws, and still makes one resource.
    @Test func applyAndDestroyRepeatedMoreOftenThanThereAreDerivedTokens() async throws {
        let lab = try Lab()
        let topology = try seedTopology()
        for cycle in 1...7 {
            let applied = try await lab.client.apply(topology)
            #expect(applied.succeeded, "cycle \(cycle): \(applied.summary)")
            #expect(lab.counts == seedCounts, "cycle \(cycle)")
            #expect(try await lab.client.plan(topology).isEmpty, "cycle \(cycle)")
            let destroyed = try await lab.client.apply(try await lab.client.planDestroy(topology))
            #expect(destroyed.succeeded && lab.lattice.isEmpty, "cycle \(cycle): \(destroyed.summary)")
        }
    }

    @Test func aCreateWaitsUntilTheOldResourceOfItsNameIsDeleted() async throws {
        let lab = try Lab()
        let topology = Topology(name: "groups-only", targetGroups: try seedTopology().targetGroups)
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        let group = try await Found(client: lab.client).group("provider-tg")
        _ = try await lab.client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: group.id ?? ""))
        let plan = try await lab.client.plan(topology, options: oneAtATime)
        #expect(plan.actions.map(\.kind) == [.create, .create])
        let result = try await lab.client.apply(plan, options: oneAtATime)
        #expect(result.succeeded, "\(result.summary)")
        #expect(try await Found(client: lab.client).group("provider-tg").id != group.id)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
    }
}
