import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// Statuses settle by time on the local Lattice's clock, as the service finishes its work by
/// itself, or after a number of observations, whichever comes first. The clock here is the
/// test's: it moves only when a test advances it, so nothing sleeps.
@Suite struct LocalLatticeSettlingTests {
    static let vpc = "vpc-0123456789abcdef0"

    /// An IP target group with one target registered; its ID.
    func groupWithTarget(_ c: LatticeClient, _ name: String, _ ip: String) async throws -> String {
        let group = try #require(try await c.createTargetGroup(CreateTargetGroupRequest(
            name: name, type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: Self.vpc))).id)
        _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group, targets: [Target(id: ip)]))
        return group
    }

    /// The statuses of a group's targets, as ListTargets shows them.
    func targetStatuses(_ c: LatticeClient, _ group: String) async throws -> [String] {
        try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: group)).items.map { $0.status?.rawValue ?? "" }
    }

    /// A service network, a service and their association, all ACTIVE.
    func associated(_ h: Harness) async throws -> (network: String, service: String, association: String) {
        let network = try #require(try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "settling-network")).id)
        let service = try #require(try await h.client.createService(CreateServiceRequest(name: "settling-svc")).id)
        let association = try #require(try await h.client.createServiceNetworkServiceAssociation(
            CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: service, serviceNetworkIdentifier: network)).id)
        h.clock.advance(10)
        return (network, service, association)
    }

    @Test func aCreatedResourceIsActiveOnceItsTimeHasPassedThoughNobodyLooked() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let created = try await h.client.createService(CreateServiceRequest(name: "timed"))
        #expect(created.status == .createInProgress)
        h.clock.advance(1.9)
        #expect(try await h.client.getService(GetServiceRequest(serviceIdentifier: created.id ?? "")).status == .createInProgress)
        h.clock.advance(0.1)
        #expect(try await h.client.getService(GetServiceRequest(serviceIdentifier: created.id ?? "")).status == .active)
    }

    @Test func anUpdateSettlesByTime() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "updated"))
        let association = try await h.client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
            serviceNetworkIdentifier: network.id ?? "", vpcIdentifier: Self.vpc))
        h.clock.advance(2)
        let updated = try await h.client.updateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociationRequest(
            serviceNetworkVpcAssociationIdentifier: association.id ?? "", securityGroupIds: ["sg-0123456789abcdef0"]))
        #expect(updated.status == .updateInProgress)
        h.clock.advance(2)
        let got = try await h.client.getServiceNetworkVpcAssociation(GetServiceNetworkVpcAssociationRequest(
            serviceNetworkVpcAssociationIdentifier: association.id ?? ""))
        #expect(got.status == .active)
    }

    @Test func aParentIsDeletedOnceItsChildsDeletionHasSettledWithoutAnyPoll() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let (_, service, association) = try await associated(h)
        let deleting = try await h.client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(
            serviceNetworkServiceAssociationIdentifier: association))
        #expect(deleting.status == .deleteInProgress)
        // While the association is being deleted, it still blocks the service's deletion.
        await #expect(throws: ConflictException.self) {
            _ = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: service))
        }
        // Its deletion settles with nobody looking; then the service's deletion succeeds.
        h.clock.advance(2)
        let deleted = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: service))
        #expect(deleted.status == .deleteInProgress)
        h.clock.advance(2)
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: service))
        }
    }

    @Test func whicheverComesFirstSettlesIt() async throws {
        // One observation, long before the time.
        let looked = try Harness(settle: 1, seconds: 3600)
        let first = try await looked.client.createService(CreateServiceRequest(name: "looked-at"))
        let statuses = [
            try await looked.client.getService(GetServiceRequest(serviceIdentifier: first.id ?? "")).status,
            try await looked.client.getService(GetServiceRequest(serviceIdentifier: first.id ?? "")).status,
        ]
        #expect(statuses == [.createInProgress, .active])
        // The time, long before the observations.
        let waited = try Harness(settle: 1000, seconds: 1)
        let second = try await waited.client.createService(CreateServiceRequest(name: "waited-for"))
        waited.clock.advance(1)
        #expect(try await waited.client.getService(GetServiceRequest(serviceIdentifier: second.id ?? "")).status == .active)
    }

    @Test func withoutSecondsOnlyObservationsSettle() async throws {
        let h = try Harness(settle: 1, seconds: nil)
        let service = try await h.client.createService(CreateServiceRequest(name: "observed-only"))
        h.clock.advance(86_400)
        let statuses = [
            try await h.client.getService(GetServiceRequest(serviceIdentifier: service.id ?? "")).status,
            try await h.client.getService(GetServiceRequest(serviceIdentifier: service.id ?? "")).status,
        ]
        #expect(statuses == [.createInProgress, .active])
    }

    @Test func targetsPassTheirHealthChecksAndDrainByTime() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let c = h.client
        func statuses(_ group: String) async throws -> [String] { try await targetStatuses(c, group) }
        let group = try await groupWithTarget(c, "timed-tg", "10.0.0.1")
        // Not in use: no health checks, however long it waits.
        h.clock.advance(60)
        #expect(try await statuses(group) == ["UNUSED"])

        // In use: health checks start now, and pass after the settling time.
        let service = try #require(try await c.createService(CreateServiceRequest(name: "timed-svc")).id)
        _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: service, name: "http", protocol: .http,
                                                             defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group)]))))
        h.clock.advance(1.5)
        #expect(try await statuses(group) == ["INITIAL"])
        h.clock.advance(0.5)
        #expect(try await statuses(group) == ["HEALTHY"])

        // Deregistered: DRAINING, then gone once its time has passed.
        _ = try await c.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: group, targets: [Target(id: "10.0.0.1")]))
        #expect(try await statuses(group) == ["DRAINING"])
        h.clock.advance(2)
        #expect(try await statuses(group).isEmpty)
    }

    @Test func healthChecksStartAgainWhenAGroupIsPutBackInUse() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let c = h.client
        func statuses(_ group: String) async throws -> [String] { try await targetStatuses(c, group) }
        let group = try await groupWithTarget(c, "again-tg", "10.0.0.2")
        let service = try #require(try await c.createService(CreateServiceRequest(name: "again-svc")).id)
        let forward = RuleAction.forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group)]))
        let first = try #require(try await c.createListener(CreateListenerRequest(serviceIdentifier: service, name: "http", protocol: .http, defaultAction: forward)).id)
        h.clock.advance(1.5)
        #expect(try await statuses(group) == ["INITIAL"])
        // Out of use before the checks passed: they stop, and start over when it is used again.
        _ = try await c.deleteListener(DeleteListenerRequest(serviceIdentifier: service, listenerIdentifier: first))
        #expect(try await statuses(group) == ["UNUSED"])
        _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: service, name: "http-again", protocol: .http, defaultAction: forward))
        h.clock.advance(0.7)
        #expect(try await statuses(group) == ["INITIAL"], "the first checks would have passed by now; these started with the new listener")
        h.clock.advance(1.3)
        #expect(try await statuses(group) == ["HEALTHY"])
    }

    @Test func aDomainIsVerifiedByTimeAtTheMomentItSettled() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let start = h.clock.now()
        let verification = try await h.client.startDomainVerification(StartDomainVerificationRequest(domainName: "example.com"))
        #expect(verification.status == .pending)
        h.clock.advance(30)
        let got = try await h.client.getDomainVerification(GetDomainVerificationRequest(domainVerificationIdentifier: verification.id))
        #expect(got.status == .verified)
        #expect(got.lastVerifiedTime == start.addingTimeInterval(2))
    }

    @Test func deletionsThatHaveSettledAreGoneFromTheCounts() async throws {
        let h = try Harness(settle: 100, seconds: 2)
        let (network, service, association) = try await associated(h)
        _ = try await h.client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(
            serviceNetworkServiceAssociationIdentifier: association))
        h.clock.advance(2)
        _ = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: service))
        _ = try await h.client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network))
        #expect(h.lattice.resourceCounts()["services"] == 1, "DELETE_IN_PROGRESS counts")
        h.clock.advance(2)
        #expect(h.lattice.isEmpty, "left: \(h.lattice.resourceCounts().filter { $0.value > 0 })")
    }
}
