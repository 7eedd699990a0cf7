import Foundation
import Testing
import LatticeTestSupport
@testable import LatticeKit
import LatticeKitTesting
import SigV4

/// The committed cassettes under Tests/LatticeKitTestingTests/Fixtures, and the flows that
/// recorded them from moto_server.
///
/// Replay (the default) runs each flow against its cassette, strictly in order, with no
/// network: the client points at a closed port, so anything not answered from the cassette
/// fails. To record them again (needs `moto_server`, Tests/requirements.txt):
///
///     LATTICE_CASSETTE_MODE=record swift test --filter CassetteFixtureTests
///
/// or `scripts/record-cassettes.sh`, which also replays them and scans them for secrets.
/// Recording starts a fresh moto_server per flow, signs with `RecordingCredentials` (a session
/// token included) and writes the cassettes into the source tree.
@Suite(.serialized) struct CassetteFixtureTests {
    static let recordCommand = "LATTICE_CASSETTE_MODE=record swift test --filter CassetteFixtureTests (Tests/LatticeKitTestingTests/Cassettes/CassetteFixtureTests.swift; starts moto_server 5.2.1)"
    static let names = ["seed-topology", "tags", "access-log-subscriptions", "policies"]

    @Test func seedTopology() async throws {
        try await Self.run("seed-topology", CassetteFlows.seedTopology)
    }

    @Test func tags() async throws {
        try await Self.run("tags", CassetteFlows.tags)
    }

    @Test func accessLogSubscriptions() async throws {
        try await Self.run("access-log-subscriptions", CassetteFlows.accessLogSubscriptions)
    }

    @Test func policies() async throws {
        try await Self.run("policies", CassetteFlows.policies)
    }

    /// The one-line switch in use: `Cassette.transport(named:directory:mode: .fromEnvironment)`.
    /// Recording writes into the source tree; replay reads the copy in the test bundle.
    static func run(_ name: String, _ flow: @Sendable (LatticeClient) async throws -> Void) async throws {
        let variables = ProcessInfo.processInfo.environment
        if try Cassette.Mode.fromEnvironment.resolved(variables: variables) == .record {
            try await CassetteMoto().whileRunning { moto in
                let cassette = try Cassette.transport(
                    named: name, directory: CassetteTestSupport.sourceFixtures, mode: .fromEnvironment,
                    redaction: Redaction(credentials: RecordingCredentials.credentials), recordedBy: recordCommand, environment: variables)
                try await flow(CassetteTestSupport.client(cassette, credentials: RecordingCredentials.credentials, endpoint: moto.url))
                try cassette.finish()
            }
        } else {
            let cassette = try Cassette.transport(named: name, directory: CassetteTestSupport.bundledFixtures(), mode: .fromEnvironment, environment: variables)
            try await flow(CassetteTestSupport.client(cassette, credentials: Cassette.replayCredentials))
            try cassette.finish()
        }
    }
}

/// The recorded flows. Each checks what it gets back, so a replay proves the cassette decodes
/// into the same answers moto gave. moto's quirks (Tests/Oracles/moto_quirks.md) shape them:
/// IDs as parents, no maxResults on its broken paginators, one tag key per UntagResource.
enum CassetteFlows {
    static let vpc = "vpc-0123456789abcdef0"
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#

    /// The seed topology: a service network, its VPC association, provider-svc, provider-tg, an
    /// HTTP:80 listener forwarding to it, the network-service association; each created, read
    /// and listed; then a typed not-found error.
    @Sendable static func seedTopology(_ client: LatticeClient) async throws {
        let sn = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth, tags: ["topology": "seed"]))
        let snId = try #require(sn.id)
        #expect(sn.name == "seed-network")
        #expect(try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snId)).name == "seed-network")
        #expect(try await client.listServiceNetworksItems().collect().map(\.id) == [snId])

        let vpcAssociation = try await client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
            serviceNetworkIdentifier: snId, vpcIdentifier: vpc, securityGroupIds: ["sg-0123456789abcdef0"]))
        let vpcAssociationId = try #require(vpcAssociation.id)
        let vpcAssociations = try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId)).collect()
        #expect(vpcAssociations.map(\.id) == [vpcAssociationId])
        #expect(vpcAssociations.first?.vpcId == vpc)

        let svc = try await client.createService(CreateServiceRequest(name: "provider-svc", tags: ["app": "provider"]))
        let svcId = try #require(svc.id)
        #expect(try await client.getService(GetServiceRequest(serviceIdentifier: svcId)).name == "provider-svc")
        #expect(try await client.listServices().items?.map(\.name) == ["provider-svc"])

        let health = HealthCheckConfig(enabled: true, protocol: .http, port: 8080, path: "/health", healthyThresholdCount: 2, unhealthyThresholdCount: 2, matcher: .httpCode("200"))
        let tg = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: vpc, healthCheck: health), tags: ["app": "provider"]))
        let tgId = try #require(tg.id)
        let gotTg = try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgId))
        #expect(gotTg.name == "provider-tg")
        #expect(gotTg.config?.healthCheck?.path == "/health")
        #expect(try await client.listTargetGroupsItems().collect().map(\.id) == [tgId])

        let listener = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: svcId, name: "http-80", protocol: .http, port: 80,
            defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tgId, weight: 100)]))))
        let listenerId = try #require(listener.id)
        let gotListener = try await client.getListener(GetListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId))
        #expect(gotListener.port == 80)
        #expect(gotListener.protocol == .http)
        #expect(try await client.listListenersItems(ListListenersRequest(serviceIdentifier: svcId)).collect().map(\.id) == [listenerId])

        let snsa = try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: svcId, serviceNetworkIdentifier: snId))
        let snsaId = try #require(snsa.id)
        let gotSnsa = try await client.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsaId))
        #expect(gotSnsa.serviceId == svcId)
        #expect(gotSnsa.serviceNetworkId == snId)
        let snsas = try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: snId)).collect()
        #expect(snsas.map(\.id) == [snsaId])

        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-0000000000000000"))
        }
    }

    /// Tag, list and untag (one key per call) a service network, a service, a target group and
    /// a listener.
    @Sendable static func tags(_ client: LatticeClient) async throws {
        let sn = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth, tags: ["topology": "seed"]))
        let svc = try await client.createService(CreateServiceRequest(name: "provider-svc"))
        let tg = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: vpc)))
        let listener = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: try #require(svc.id), name: "http-80", protocol: .http, port: 80, defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))

        #expect(try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: try #require(sn.arn))).tags == ["topology": "seed"])
        for arn in [sn.arn, svc.arn, tg.arn, listener.arn] {
            let arn = try #require(arn)
            _ = try await client.tagResource(TagResourceRequest(resourceArn: arn, tags: ["owner": "team-a", "cost-center": "42"]))
            let tagged = try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags
            #expect(tagged?["owner"] == "team-a")
            #expect(tagged?["cost-center"] == "42")
            _ = try await client.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: ["owner"]))
            let after = try await client.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags
            #expect(after?["owner"] == nil)
            #expect(after?["cost-center"] == "42")
        }
    }

    /// Access log subscriptions on a service network (S3) and a service (CloudWatch Logs):
    /// create, get, list, update, delete.
    @Sendable static func accessLogSubscriptions(_ client: LatticeClient) async throws {
        let snId = try #require(try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth)).id)
        let svcId = try #require(try await client.createService(CreateServiceRequest(name: "provider-svc")).id)
        let toS3 = "arn:aws:s3:::seed-lattice-access-logs"
        let toLogs = "arn:aws:logs:us-east-1:123456789012:log-group:/lattice/provider-svc"

        let onNetwork = try await client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: snId, destinationArn: toS3, tags: ["stream": "network"]))
        #expect(onNetwork.destinationArn == toS3)
        #expect(onNetwork.resourceId == snId)
        let onService = try await client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: svcId, destinationArn: toLogs))
        #expect(try await client.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: onNetwork.id)).destinationArn == toS3)
        #expect(try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: snId)).collect().map(\.id) == [onNetwork.id])
        #expect(try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: svcId)).collect().map(\.id) == [onService.id])

        let updated = try await client.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: onService.id, destinationArn: toLogs + "-v2"))
        #expect(updated.destinationArn == toLogs + "-v2")
        #expect(try await client.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: onService.id)).destinationArn == toLogs + "-v2")

        _ = try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: onNetwork.id))
        #expect(try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: snId)).collect().isEmpty)
    }

    /// An auth policy on a service and on a service network (put, get, delete), and a resource
    /// policy on the service network's ARN.
    @Sendable static func policies(_ client: LatticeClient) async throws {
        let sn = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: .awsIam))
        let svc = try await client.createService(CreateServiceRequest(name: "provider-svc", authType: .awsIam))
        let svcId = try #require(svc.id), snId = try #require(sn.id), snArn = try #require(sn.arn)

        let put = try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: svcId, policy: policy))
        #expect(put.policy == policy)
        let got = try await client.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: svcId))
        #expect(got.policy == policy)
        #expect(got.state == .active)
        _ = try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: snId, policy: policy))
        #expect(try await client.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: snId)).policy == policy)
        _ = try await client.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: svcId))
        _ = try await client.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: snId))

        let resourcePolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["vpc-lattice:CreateServiceNetworkVpcAssociation","vpc-lattice:GetServiceNetwork"],"Resource":"\#(snArn)"}]}"#
        _ = try await client.putResourcePolicy(PutResourcePolicyRequest(resourceArn: snArn, policy: resourcePolicy))
        #expect(try await client.getResourcePolicy(GetResourcePolicyRequest(resourceArn: snArn)).policy == resourcePolicy)
        _ = try await client.deleteResourcePolicy(DeleteResourcePolicyRequest(resourceArn: snArn))
    }
}

/// A moto_server on 127.0.0.1 for one recording (Tests/Support/moto.sh), started through
/// LatticeKit's posix_spawn runner: Foundation's Process waits for a descriptor the
/// backgrounded moto inherits and never returns.
/// moto_server for recording, from the shared test support.
typealias CassetteMoto = MotoServer
