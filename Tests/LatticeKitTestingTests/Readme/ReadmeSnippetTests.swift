import LatticeKit
import LatticeKitTesting
import Testing

/// The README's Swift snippets, compiled and run on the embedded local Lattice. Between the
/// markers the text is the README's, line for line (`scripts/readme-snippets.py --check`, run
/// by `make test`, compares them), so the README cannot teach code that does not build.
@Suite struct ReadmeSnippetTests {
    @Test func seedSnippetBuildsTheTopology() async throws {
        // README snippet: seed
        let client = try LocalLattice.client()   // or: try LatticeClient(LatticeConfiguration(region: "us-east-1"))
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: .noAuth))
        let service = try await client.createService(CreateServiceRequest(name: "provider-svc"))
        let group = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip,
            config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0a0b1de4000000001",
                                      healthCheck: HealthCheckConfig(protocol: .http, port: 8080, path: "/health",
                                                                     healthyThresholdCount: 2, unhealthyThresholdCount: 2,
                                                                     matcher: .httpCode("200")))))
        let serviceId = try service.require(\.id), groupId = try group.require(\.id)   // absent: an error naming the member
        _ = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: serviceId, name: "http-80", protocol: .http, port: 80,
            defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: groupId, weight: 1)]))))
        _ = try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
            serviceIdentifier: serviceId, serviceNetworkIdentifier: try network.require(\.id)))
        let targets = ["10.0.1.10", "10.0.1.11", "10.0.1.12"].map { Target(id: $0, port: 8080) }
        _ = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: groupId, targets: targets))
        try await client.waitUntilTargetsHealthy(targetGroupIdentifier: groupId, targets: targets)
        // end README snippet

        #expect(network.authType == .noAuth)
        let healthy = try await client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: groupId)).collect()
        #expect(healthy.map(\.status) == [.healthy, .healthy, .healthy])
    }

    @Test func callsSnippetRuns() async throws {
        let client = try LocalLattice.client()
        // README snippet: calls
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: .noAuth))
        let group = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip,
            config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0123456789abcdef0",
                                      healthCheck: HealthCheckConfig(protocol: .http, port: 8080, path: "/health",
                                                                     healthyThresholdCount: 2, unhealthyThresholdCount: 2,
                                                                     matcher: .httpCode("200")))))
        try await client.waitUntilTargetGroupActive(targetGroupIdentifier: try group.require(\.id))

        for try await service in client.listServicesItems() {   // every page, item by item
            print(service.name ?? "", service.status ?? "")
        }

        do {
            _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0"))
        } catch let error as ResourceNotFoundException {
            print(error.resourceId ?? "", error.serviceError?.requestId ?? "")
        }
        // end README snippet
        #expect(network.name == "seed-network")
    }

    /// `require` names the structure and the member, nested paths included.
    @Test func requireNamesTheAbsentMember() throws {
        let empty = GetServiceResponse()
        #expect(throws: MissingMemberError(shape: "GetServiceResponse", member: "id")) { try empty.require(\.id) }
        #expect(throws: MissingMemberError(shape: "GetServiceResponse", member: "dnsEntry?.domainName")) { try empty.require(\.dnsEntry?.domainName) }
        let error = MissingMemberError(shape: "GetServiceResponse", member: "id")
        #expect(error.description.hasPrefix("GetServiceResponse.id is absent"))
        let present = GetServiceResponse(id: "svc-0123456789abcdef0")
        #expect(try present.require(\.id) == "svc-0123456789abcdef0")
    }
}
