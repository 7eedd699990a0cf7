import Foundation
import Synchronization
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// Every operation moto implements, driven through LatticeClient against moto_server, with a
/// create, get, list, tag, untag flow for each resource type moto has. Validation is relaxed:
/// moto's identifiers do not follow the service's patterns (Tests/Oracles/moto_quirks.md).
@Suite struct MotoIntegrationTests {
    final class Calls: @unchecked Sendable {
        let names = Mutex<Set<String>>([])
        func record(_ name: String) { names.withLock { _ = $0.insert(name) } }
    }

    @Test func everyOperationMotoImplementsWorksThroughLatticeClient() async throws {
        try await MotoServer().whileRunning(drive)
    }

    func drive(_ moto: MotoServer) async throws {
        let client = try LatticeClient(
            LatticeConfiguration(region: "us-east-1", endpoint: moto.url, credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"),
                                 validation: .relaxed, maxAttempts: 1),
            environment: RuntimeEnvironment(now: { Date() }, sleep: { _ in }, random: { 0.5 }, variables: LatticeClientTests.variables()))
        let calls = Calls()
        func call<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
            calls.record(name)
            return try await body()
        }

        // Service network
        let sn = try await call("CreateServiceNetwork") { try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth, tags: ["stage": "test"])) }
        let snId = try #require(sn.id)
        let snArn = try #require(sn.arn)
        #expect(sn.name == "seed-network")
        let gotSn = try await call("GetServiceNetwork") { try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snId)) }
        #expect(gotSn.authType == AuthType.noAuth)
        let networks = try await call("ListServiceNetworks") { try await client.listServiceNetworksItems().collect() }
        #expect(networks.contains { $0.id == snId })

        // Service
        let svc = try await call("CreateService") { try await client.createService(CreateServiceRequest(name: "provider-svc", tags: ["app": "provider"])) }
        let svcId = try #require(svc.id)
        let svcArn = try #require(svc.arn)
        let gotSvc = try await call("GetService") { try await client.getService(GetServiceRequest(serviceIdentifier: svcId)) }
        #expect(gotSvc.name == "provider-svc")
        let services = try await call("ListServices") { try await client.listServices() }
        #expect(services.items?.contains { $0.id == svcId } == true)

        // Target group
        let health = HealthCheckConfig(enabled: true, protocol: .http, port: 8080, path: "/health", healthyThresholdCount: 2, unhealthyThresholdCount: 2, matcher: .httpCode("200"))
        let tg = try await call("CreateTargetGroup") {
            try await client.createTargetGroup(CreateTargetGroupRequest(
                name: "provider-tg", type: .ip,
                config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0123456789abcdef0", healthCheck: health),
                tags: ["app": "provider"]))
        }
        let tgId = try #require(tg.id)
        let gotTg = try await call("GetTargetGroup") { try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgId)) }
        #expect(gotTg.config?.healthCheck?.path == "/health")
        let groups = try await call("ListTargetGroups") { try await client.listTargetGroupsItems().collect() }
        #expect(groups.contains { $0.id == tgId })

        // Listener and rule
        let listener = try await call("CreateListener") {
            try await client.createListener(CreateListenerRequest(
                serviceIdentifier: svcId, name: "http-80", protocol: .http, port: 80,
                defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tgId, weight: 1)]))))
        }
        let listenerId = try #require(listener.id)
        let gotListener = try await call("GetListener") { try await client.getListener(GetListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId)) }
        #expect(gotListener.port == 80)
        let listeners = try await call("ListListeners") { try await client.listListenersItems(ListListenersRequest(serviceIdentifier: svcId)).collect() }
        #expect(listeners.map(\.id) == [listenerId])
        let rule = try await call("CreateRule") {
            try await client.createRule(CreateRuleRequest(
                serviceIdentifier: svcId, listenerIdentifier: listenerId, name: "health-404",
                match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/internal")))), priority: 10,
                action: .fixedResponse(FixedResponseAction(statusCode: 404))))
        }
        #expect(rule.priority == 10)

        // Associations
        let sns = try await call("CreateServiceNetworkServiceAssociation") {
            try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: svcId, serviceNetworkIdentifier: snId))
        }
        let snsId = try #require(sns.id)
        _ = try await call("GetServiceNetworkServiceAssociation") { try await client.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsId)) }
        let snsList = try await call("ListServiceNetworkServiceAssociations") {
            try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: snId)).collect()
        }
        #expect(snsList.contains { $0.id == snsId })
        let vpc = try await call("CreateServiceNetworkVpcAssociation") {
            try await client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
                serviceNetworkIdentifier: snId, vpcIdentifier: "vpc-0fedcba9876543210", securityGroupIds: ["sg-0123456789abcdef0"]))
        }
        let vpcList = try await call("ListServiceNetworkVpcAssociations") {
            try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId)).collect()
        }
        #expect(vpcList.contains { $0.id == vpc.id })
        let snra = try await call("CreateServiceNetworkResourceAssociation") {
            try await client.createServiceNetworkResourceAssociation(CreateServiceNetworkResourceAssociationRequest(
                resourceConfigurationIdentifier: "rcfg-0123456789abcdef0", serviceNetworkIdentifier: snId))
        }
        let snraId = try #require(snra.id)
        _ = try await call("GetServiceNetworkResourceAssociation") { try await client.getServiceNetworkResourceAssociation(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: snraId)) }
        let snraList = try await call("ListServiceNetworkResourceAssociations") {
            try await client.listServiceNetworkResourceAssociationsItems(ListServiceNetworkResourceAssociationsRequest(serviceNetworkIdentifier: snId)).collect()
        }
        #expect(snraList.contains { $0.id == snraId })

        // Access logs
        let als = try await call("CreateAccessLogSubscription") {
            try await client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: snId, destinationArn: "arn:aws:s3:::lattice-access-logs"))
        }
        let alsId = als.id
        _ = try await call("GetAccessLogSubscription") { try await client.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: alsId)) }
        let alsList = try await call("ListAccessLogSubscriptions") { try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: snId)).collect() }
        #expect(alsList.contains { $0.id == alsId })
        let updated = try await call("UpdateAccessLogSubscription") {
            try await client.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: alsId, destinationArn: "arn:aws:s3:::lattice-access-logs-2"))
        }
        #expect(updated.destinationArn == "arn:aws:s3:::lattice-access-logs-2")
        _ = try await call("DeleteAccessLogSubscription") { try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: alsId)) }

        // Auth and resource policies
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
        _ = try await call("PutAuthPolicy") { try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: svcId, policy: policy)) }
        let auth = try await call("GetAuthPolicy") { try await client.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: svcId)) }
        #expect(auth.policy == policy)
        _ = try await call("DeleteAuthPolicy") { try await client.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: svcId)) }
        _ = try await call("PutResourcePolicy") { try await client.putResourcePolicy(PutResourcePolicyRequest(resourceArn: snArn, policy: policy)) }
        let resourcePolicy = try await call("GetResourcePolicy") { try await client.getResourcePolicy(GetResourcePolicyRequest(resourceArn: snArn)) }
        #expect(resourcePolicy.policy == policy)
        _ = try await call("DeleteResourcePolicy") { try await client.deleteResourcePolicy(DeleteResourcePolicyRequest(resourceArn: snArn)) }

        // Tags, on each resource type that carries them
        for arn in [snArn, svcArn, try #require(tg.arn)] {
            _ = try await call("TagResource") { try await client.tagResource(TagResourceRequest(resourceArn: arn, tags: ["owner": "team-a", "cost": "42"])) }
            let tags = try await call("ListTagsForResource") { try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)) }
            #expect(tags.tags?["owner"] == "team-a")
            _ = try await call("UntagResource") { try await client.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: ["owner"])) }
            let after = try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn))
            #expect(after.tags?["owner"] == nil)
            #expect(after.tags?["cost"] == "42")
        }

        // Not found comes back from moto as HTTP 400; the code still makes it typed.
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-00000000000000000"))
        }

        let implemented = try JSONSerialization.jsonObject(with: Data(contentsOf: PythonOracle.repoRoot.appendingPathComponent("Tests/Oracles/moto_coverage.json"))) as! [String: Any]
        let expected = Set(implemented["implemented"] as! [String])
        let made = calls.names.withLock { $0 }
        #expect(made == expected, "moto implements but the test did not call: \(expected.subtracting(made).sorted()); called but not implemented: \(made.subtracting(expected).sorted())")
    }
}
