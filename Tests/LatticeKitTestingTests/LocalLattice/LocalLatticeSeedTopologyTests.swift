import Foundation
import LatticeKit
@testable import LatticeKitTesting
import Synchronization
import Testing

/// The first seed document's topology, built through `LocalLattice.client`, waited for with
/// the client's waiters, checked, and torn down in reverse order until nothing is left.
@Suite struct LocalLatticeSeedTopologyTests {
    static let vpc = "vpc-0a1b2c3d4e5f60718"
    static let securityGroup = "sg-0123456789abcdef0"
    static let taskIPs = ["10.0.1.10", "10.0.1.11", "10.0.1.12"]
    static let tags = ["project": "seed", "env": "test"]

    /// Counts the polls of every wait, and the states each saw.
    final class Polls: Sendable {
        let seen = Mutex<[String: [String]]>([:])
        var options: WaiterOptions {
            WaiterOptions(delay: 1, timeout: 60, progress: { [self] p in
                seen.withLock { $0["\(p.subject.resourceType) \(p.subject.goal)", default: []].append(p.state) }
            })
        }
        func states(_ key: String) -> [String] { seen.withLock { $0[key] ?? [] } }
    }

    @Test func buildsWaitsChecksAndTearsDownTheSeedTopology() async throws {
        let h = try Harness(settle: 1, seed: 42)
        let client = h.client
        let polls = Polls()

        // Build.
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth, tags: Self.tags))
        let networkId = try #require(network.id)
        let vpcAssociation = try await client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
            serviceNetworkIdentifier: networkId, vpcIdentifier: Self.vpc, securityGroupIds: [Self.securityGroup], tags: Self.tags))
        let vpcAssociationId = try #require(vpcAssociation.id)
        #expect(vpcAssociation.status == .createInProgress)
        #expect(vpcAssociation.securityGroupIds == [Self.securityGroup])

        let service = try await client.createService(CreateServiceRequest(name: "provider-svc", tags: Self.tags))
        let serviceId = try #require(service.id)
        #expect(service.status == .createInProgress)
        #expect(service.authType == AuthType.noAuth)
        let domain = try #require(service.dnsEntry?.domainName)
        #expect(matches(#"provider-svc-[0-9a-z]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws"#, domain), "\(domain)")
        #expect(domain.hasPrefix("provider-svc-\(serviceId.dropFirst(4))."))

        let health = HealthCheckConfig(enabled: true, protocol: .http, port: 8080, path: "/health", healthyThresholdCount: 2,
                                       unhealthyThresholdCount: 2, matcher: .httpCode("200"))
        let group = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip,
            config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: Self.vpc, healthCheck: health), tags: Self.tags))
        let groupId = try #require(group.id)
        #expect(group.status == .createInProgress)
        #expect(group.config?.healthCheck?.path == "/health")
        #expect(group.config?.healthCheck?.healthyThresholdCount == 2)
        #expect(group.config?.healthCheck?.healthCheckIntervalSeconds == 30, "the service's default")
        #expect(group.config?.ipAddressType == .ipv4)

        let listener = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: serviceId, name: "http-80", protocol: .http, port: 80,
            defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: groupId, weight: 1)])), tags: Self.tags))
        let listenerId = try #require(listener.id)
        #expect(listener.arn == "\(try #require(service.arn))/listener/\(listenerId)")

        let serviceAssociation = try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
            serviceIdentifier: serviceId, serviceNetworkIdentifier: networkId, tags: Self.tags))
        let serviceAssociationId = try #require(serviceAssociation.id)
        #expect(serviceAssociation.dnsEntry == service.dnsEntry)

        let targets = Self.taskIPs.map { Target(id: $0, port: 8080) }
        let registered = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: groupId, targets: targets))
        #expect(registered.successful?.count == 3)
        #expect(registered.unsuccessful?.isEmpty == true)

        let logs = try await client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(
            resourceIdentifier: networkId, destinationArn: "arn:aws:s3:::seed-access-logs", tags: Self.tags))
        #expect(logs.serviceNetworkLogType == .service)

        // Wait: each resource shows CREATE_IN_PROGRESS once, then ACTIVE.
        let options = polls.options
        let activeService = try await client.waitUntilServiceActive(GetServiceRequest(serviceIdentifier: serviceId), options: options)
        #expect(activeService.status == .active)
        try await client.waitUntilTargetGroupActive(GetTargetGroupRequest(targetGroupIdentifier: groupId), options: options)
        try await client.waitUntilServiceNetworkVpcAssociationActive(
            GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: vpcAssociationId), options: options)
        try await client.waitUntilServiceNetworkServiceAssociationActive(
            GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: serviceAssociationId), options: options)
        let healthy = try await client.waitUntilTargetsHealthy(ListTargetsRequest(targetGroupIdentifier: groupId), options: options)
        #expect(polls.states("service ACTIVE") == ["CREATE_IN_PROGRESS", "ACTIVE"])
        #expect(polls.states("target group ACTIVE") == ["CREATE_IN_PROGRESS", "ACTIVE"])
        // The waits before took 3 s of the test clock (one 1 s delay each), the default time
        // health checks take to pass: the targets, checked since they were registered, are
        // HEALTHY at the first poll, though nobody looked at them until then.
        #expect(polls.states("targets of target group HEALTHY") == ["HEALTHY"])
        #expect(Set(healthy.compactMap(\.id)) == Set(Self.taskIPs))
        #expect(healthy.allSatisfy { $0.status == .healthy && $0.port == 8080 })

        // Check what the topology reads back as.
        let gotGroup = try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: groupId))
        #expect(gotGroup.serviceArns == [service.arn].compactMap { $0 })
        let gotNetwork = try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: networkId))
        #expect(gotNetwork.numberOfAssociatedServices == 1)
        #expect(gotNetwork.numberOfAssociatedVPCs == 1)
        for arn in [network.arn, service.arn, group.arn, listener.arn, serviceAssociation.arn, vpcAssociation.arn, logs.arn].compactMap({ $0 }) {
            let tags = try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn))
            #expect(tags.tags == Self.tags, "tags of \(arn)")
        }
        let rules = try await client.listRules(ListRulesRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId))
        #expect(rules.items.map(\.isDefault) == [true])
        #expect(h.lattice.resourceCounts()["targets"] == 3)

        // Tear down, in reverse order, waiting where the service is asynchronous.
        _ = try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: logs.id))
        let deregistered = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: groupId, targets: targets))
        #expect(deregistered.successful?.count == 3)
        try await client.waitUntilTargetsDeregistered(ListTargetsRequest(targetGroupIdentifier: groupId), options: options)
        #expect(polls.states("targets of target group deregistered") == ["DRAINING", "deregistered"])
        let deletingAssociation = try await client.deleteServiceNetworkServiceAssociation(
            DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: serviceAssociationId))
        #expect(deletingAssociation.status == .deleteInProgress)
        try await client.waitUntilServiceNetworkServiceAssociationDeleted(
            GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: serviceAssociationId), options: options)
        _ = try await client.deleteListener(DeleteListenerRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId))
        _ = try await client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: groupId))
        try await client.waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: groupId), options: options)
        let deletingService = try await client.deleteService(DeleteServiceRequest(serviceIdentifier: serviceId))
        #expect(deletingService.status == .deleteInProgress)
        try await client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: serviceId), options: options)
        #expect(polls.states("service deleted") == ["DELETE_IN_PROGRESS", "deleted"])
        _ = try await client.deleteServiceNetworkVpcAssociation(
            DeleteServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: vpcAssociationId))
        try await client.waitUntilServiceNetworkVpcAssociationDeleted(
            GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: vpcAssociationId), options: options)
        _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: networkId))

        // Nothing is left: every list is empty, and so is the local Lattice.
        #expect(try await client.listServiceNetworksItems().collect().isEmpty)
        #expect(try await client.listServicesItems().collect().isEmpty)
        #expect(try await client.listTargetGroupsItems().collect().isEmpty)
        #expect(try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(vpcIdentifier: Self.vpc)).collect().isEmpty)
        #expect(try await client.listResourceGatewaysItems().collect().isEmpty)
        #expect(try await client.listResourceConfigurationsItems().collect().isEmpty)
        #expect(try await client.listDomainVerificationsItems().collect().isEmpty)
        #expect(h.lattice.isEmpty, "left: \(h.lattice.resourceCounts().filter { $0.value > 0 })")
        #expect(h.lattice.resourceCounts().values.allSatisfy { $0 == 0 })
    }

    @Test func theSameSeedGivesTheSameIdentifiers() async throws {
        func ids(seed: UInt64) async throws -> [String] {
            let h = try Harness(seed: seed)
            let a = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "a-network"))
            let b = try await h.client.createService(CreateServiceRequest(name: "b-service"))
            return [a.id, b.id, b.dnsEntry?.domainName].compactMap { $0 }
        }
        let first = try await ids(seed: 1)
        #expect(try await ids(seed: 1) == first)
        #expect(try await ids(seed: 2) != first)
    }

    @Test func settlingAfterZeroObservationsIsImmediate() async throws {
        let h = try Harness(settle: 0)
        let service = try await h.client.createService(CreateServiceRequest(name: "at-once"))
        #expect(service.status == .active)
        let deleted = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: try #require(service.id)))
        #expect(deleted.status == .deleteInProgress)
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: service.id ?? ""))
        }
    }

    @Test func settlingTakesTheConfiguredNumberOfObservations() async throws {
        let h = try Harness(settle: 3)
        let service = try await h.client.createService(CreateServiceRequest(name: "slow"))
        var seen: [ServiceStatus?] = []
        for _ in 0..<5 { seen.append(try await h.client.getService(GetServiceRequest(serviceIdentifier: service.id ?? "")).status) }
        #expect(seen == [.createInProgress, .createInProgress, .createInProgress, .active, .active])
    }

    @Test func createdAtAndLastUpdatedAtComeFromTheInjectedClock() async throws {
        let h = try Harness()
        let start = h.clock.now()
        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "clocked"))
        h.clock.advance(90)
        _ = try await h.client.updateServiceNetwork(UpdateServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? "", authType: .awsIam))
        let got = try await h.client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? ""))
        #expect(got.createdAt == start)
        #expect(got.lastUpdatedAt == start.addingTimeInterval(90))
        #expect(got.authType == .awsIam)
    }
}
