import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// What a topology owns is what carries its ownership tag: the rest is not touched unless the
/// user asks to adopt it, and what it owns but no longer describes is deleted.
@Suite struct OwnershipTests {
    @Test func aResourceWithTheNameButNotTheTagIsRefusedThenAdopted() async throws {
        let lab = try Lab()
        let made = try await lab.client.createService(CreateServiceRequest(name: "provider-svc", tags: ["made-by": "hand"]))
        let topology = try seedTopology()

        let refused = try await lab.client.plan(topology, options: oneAtATime)
        #expect(refused.refusals.map(\.address) == ["service.provider-svc"])
        let message = try #require(refused.refusals.first?.message)
        #expect(message.contains(made.id ?? "?") && message.contains("adopt"))
        await #expect(throws: TopologyPlanRefused.self) { _ = try await lab.client.apply(refused, options: oneAtATime) }

        var adopting = oneAtATime
        adopting.adopt = true
        let plan = try await lab.client.plan(topology, options: adopting)
        let adopt = try #require(plan.actions.first { $0.address == "service.provider-svc" })
        #expect(adopt.kind == .adopt && adopt.id == made.id)
        #expect(Set(adopt.changes.map(\.field)) == ["authType", "tags.latticekit:topology", "tags.made-by", "tags.managed-by", "tags.project"] ||
                Set(adopt.changes.map(\.field)) == ["tags.latticekit:topology", "tags.made-by", "tags.managed-by", "tags.project"])
        #expect(try await lab.client.apply(plan, options: adopting).succeeded)
        // Adopted: the same service, now owned; planning needs no adopt any more.
        #expect(try await Found(client: lab.client).service("provider-svc").id == made.id)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
        #expect(lab.counts == seedCounts)
    }

    @Test func aResourceOfAnotherTopologyIsRefusedNamingIt() async throws {
        let lab = try Lab()
        _ = try await lab.client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0a0b1de4000000001"),
            tags: [Topology.ownershipTagKey: "billing"]))
        let plan = try await lab.client.plan(try seedTopology(), options: oneAtATime)
        #expect(plan.refusals.map(\.address) == ["targetGroup.provider-tg"])
        #expect(plan.refusals.first?.message.contains("the topology 'billing'") == true)
    }

    @Test func whatIsOwnedAndNoLongerDescribedIsDeleted() async throws {
        let lab = try Lab()
        var topology = try richTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        // search goes, with its listener and its association.
        topology.services?.removeAll { $0.name == "search" }
        topology.serviceNetworks?[0].serviceAssociations?.removeAll { $0.serviceIdentifier == "search" }
        let plan = try await lab.client.plan(topology, options: oneAtATime)
        #expect(Set(plan.actions.map(\.address)) == [
            "service.search", "service.search.listener.http", "serviceNetwork.rich-network.serviceAssociation.search",
        ], "\(plan.text)")
        #expect(plan.actions.allSatisfy { $0.kind == .delete })
        #expect(try await lab.client.apply(plan, options: oneAtATime).succeeded)
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
        lab.time.pass(10)  // a deleted service is listed until its deletion has settled
        #expect(try await lab.client.listServicesItems().collect().map(\.name) == ["checkout"])
    }

    @Test func whatOthersMadeIsLeftAlone() async throws {
        let lab = try Lab()
        let topology = try seedTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        // A service of someone else, associated with the topology's network without the tag.
        let other = try #require(try await lab.client.createService(CreateServiceRequest(name: "bystander")).id)
        let network = try #require(try await Found(client: lab.client).network("seed-network").id)
        lab.time.pass(5)
        _ = try await lab.client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: other, serviceNetworkIdentifier: network))
        #expect(try await lab.client.plan(topology, options: oneAtATime).isEmpty)
        // Destroy deletes what the topology owns. Its network can only go without
        // associations, so the plan deletes that one too, and says so; the service of
        // someone else is not touched.
        let destroy = try await lab.client.planDestroy(topology, options: oneAtATime)
        #expect(destroy.actions.contains { $0.address == "serviceNetwork.seed-network.serviceAssociation.bystander" && $0.kind == .delete })
        #expect(!destroy.actions.contains { $0.address == "service.bystander" })
        #expect(try await lab.client.apply(destroy, options: oneAtATime).succeeded)
        #expect(try await lab.client.listServicesItems().collect().map(\.name) == ["bystander"])
    }
}
