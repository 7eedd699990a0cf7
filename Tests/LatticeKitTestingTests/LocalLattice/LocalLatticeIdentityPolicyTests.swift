import Foundation
import LatticeKit
@testable import LatticeKitTesting
import Testing

/// The local Lattice enforcing an IAM identity policy: matching of actions, deny over allow,
/// the policy document's form, and the AccessDeniedException a denied call gets.
@Suite struct LocalLatticeIdentityPolicyTests {
    static func policy(_ json: String) throws -> IdentityPolicy {
        try IdentityPolicy(json: Array(json.utf8))
    }

    static func lattice(_ policy: IdentityPolicy) throws -> (LocalLattice, LatticeClient) {
        let clock = TestClock()
        let lattice = LocalLattice(.init(now: clock.now, identityPolicy: policy))
        return (lattice, try LocalLattice.client(lattice, environment: clock.environment))
    }

    @Test(arguments: [
        ("vpc-lattice:CreateService", "vpc-lattice:CreateService", true),
        ("vpc-lattice:createservice", "vpc-lattice:CreateService", true),  // IAM compares actions case-insensitively
        ("vpc-lattice:Get*", "vpc-lattice:GetService", true),
        ("vpc-lattice:Get*", "vpc-lattice:ListServices", false),
        ("vpc-lattice:*Service", "vpc-lattice:CreateService", true),
        ("vpc-lattice:*Service", "vpc-lattice:CreateServiceNetwork", false),
        ("vpc-lattice:*Service*", "vpc-lattice:CreateServiceNetwork", true),
        ("vpc-lattice:Get?ervice", "vpc-lattice:GetService", true),
        ("vpc-lattice:Get?ervice", "vpc-lattice:GetSservice", false),
        ("*", "vpc-lattice:DeleteService", true),
        ("vpc-lattice:*", "ec2:DescribeVpcs", false),
        ("vpc-lattice:CreateService", "vpc-lattice:CreateServiceNetwork", false),
        ("vpc-lattice:**Network", "vpc-lattice:CreateServiceNetwork", true),
        ("", "vpc-lattice:GetService", false),
    ])
    func actionPatterns(pattern: String, action: String, matches: Bool) {
        #expect(IdentityPolicy.matches(pattern: pattern, action) == matches, "\(pattern) vs \(action)")
    }

    @Test func anExplicitDenyWinsAndNothingIsAllowedWithoutAnAllow() throws {
        let policy = try Self.policy("""
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "vpc-lattice:*", "Resource": "*"},
              {"Sid": "KeepNetworks", "Effect": "Deny", "Action": ["vpc-lattice:DeleteServiceNetwork*"], "Resource": "*"},
              {"Effect": "Allow", "NotAction": ["iam:*", "vpc-lattice:*"], "Resource": "*"}
            ]}
            """)
        #expect(policy.decision(for: "vpc-lattice:CreateService") == .allowed)
        #expect(policy.decision(for: "vpc-lattice:DeleteServiceNetwork") == .explicitlyDenied(sid: "KeepNetworks"))
        #expect(policy.decision(for: "vpc-lattice:DeleteServiceNetworkVpcAssociation") == .explicitlyDenied(sid: "KeepNetworks"))
        #expect(policy.decision(for: "s3:GetObject") == .allowed, "NotAction allows everything it does not name")
        #expect(policy.decision(for: "iam:CreateRole") == .implicitlyDenied)
        #expect(IdentityPolicy(statements: []).decision(for: "vpc-lattice:GetService") == .implicitlyDenied)
        let single = try Self.policy(#"{"Statement": {"Effect": "Allow", "Action": "vpc-lattice:List*"}}"#)
        #expect(single.decision(for: "vpc-lattice:ListServices") == .allowed, "one Statement object, no Version")
        #expect(single.decision(for: "vpc-lattice:GetService") == .implicitlyDenied)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        (#"{"Version": "2020-01-01", "Statement": []}"#, "Version"),
        (#"{"Version": "2012-10-17"}"#, "no Statement"),
        (#"{"Statement": [{"Action": "vpc-lattice:*"}]}"#, "Statement 1 needs \"Effect\""),
        (#"{"Statement": [{"Sid": "A", "Effect": "Permit", "Action": "vpc-lattice:*"}]}"#, "Statement \"A\" needs \"Effect\""),
        (#"{"Statement": [{"Effect": "Allow"}]}"#, "exactly one of Action and NotAction"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "x", "NotAction": "y"}]}"#, "exactly one of Action and NotAction"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "CreateService"}]}"#, "service:Action"),
        (#"{"Statement": [{"Effect": "Allow", "Action": []}]}"#, "is empty"),
        (#"{"Statement": [{"Effect": "Allow", "Action": [1]}]}"#, "must hold strings"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "vpc-lattice:*", "Resource": "*", "NotResource": "*"}]}"#, "both Resource and NotResource"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "vpc-lattice:*", "Condition": "yes"}]}"#, "Condition is not an object"),
        (#"{"Statement": ["Allow"]}"#, "Statement 1 is not an object"),
    ])
    func malformedPoliciesAreRefusedWithWhatIsWrong(json: String, expected: String) {
        #expect {
            _ = try Self.policy(json)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func aFileThatCannotBeReadIsNamed() {
        #expect {
            _ = try IdentityPolicy(contentsOfFile: "/nonexistent/policy.json")
        } throws: { error in
            "\(error)".contains("/nonexistent/policy.json")
        }
    }

    @Test func aCallThePolicyDoesNotAllowIsAccessDeniedAndChangesNothing() async throws {
        let (lattice, client) = try Self.lattice(IdentityPolicy(allowing: ["vpc-lattice:CreateServiceNetwork", "vpc-lattice:List*"]))
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "allowed"))
        #expect(network.name == "allowed")
        #expect(try await client.listServiceNetworks(ListServiceNetworksRequest()).items.count == 1)

        let denied = await #expect(throws: AccessDeniedException.self) {
            _ = try await client.createService(CreateServiceRequest(name: "provider-svc"))
        }
        #expect(denied?.serviceError?.httpStatus == 403)
        #expect(denied?.message == "User: arn:aws:iam::123456789012:user/local-lattice-caller is not authorized to perform: vpc-lattice:CreateService because no identity-based policy allows the vpc-lattice:CreateService action")
        #expect(lattice.resourceCounts()["services"] == 0, "a denied call leaves no trace")

        // Denial comes before the input is looked at, as IAM's check comes before the service.
        await #expect(throws: AccessDeniedException.self) {
            _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: "sn-00000000000000000"))
        }
    }

    @Test func anExplicitDenyIsReportedAsOne() async throws {
        let policy = try Self.policy("""
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "vpc-lattice:*", "Resource": "*"},
              {"Sid": "NoDeletes", "Effect": "Deny", "Action": "vpc-lattice:Delete*", "Resource": "*"}
            ]}
            """)
        let (_, client) = try Self.lattice(policy)
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "kept"))
        let denied = await #expect(throws: AccessDeniedException.self) {
            _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? ""))
        }
        #expect(denied?.message?.hasSuffix("vpc-lattice:DeleteServiceNetwork with an explicit deny in an identity-based policy (statement NoDeletes)") == true)
        #expect(try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? "")).name == "kept")
    }

    /// The examples' least-privilege policy (Examples/iam-policy.json, which scripts/iam-policy.py
    /// derives from the examples) is enough for the seed topology's create, wait and teardown,
    /// and refuses what it does not grant.
    @Test func theExamplesPolicyIsEnoughForTheSeedTopology() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let policy = try IdentityPolicy(contentsOfFile: root.appendingPathComponent("Examples/iam-policy.json").path)
        #expect(policy.decision(for: "vpc-lattice:RegisterTargets") == .allowed)
        #expect(policy.decision(for: "vpc-lattice:DeregisterTargets") == .allowed)
        #expect(policy.decision(for: "vpc-lattice:PutAuthPolicy") == .implicitlyDenied)
        #expect(policy.decision(for: "vpc-lattice:CreateRule") == .implicitlyDenied)

        let (lattice, client) = try Self.lattice(policy)
        let wait = WaiterOptions(delay: 1, timeout: 60)
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth))
        let service = try await client.createService(CreateServiceRequest(name: "provider-svc"))
        let group = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0a0b1de4000000001")))
        let listener = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: service.id ?? "", name: "http-80", protocol: .http, port: 80,
            defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group.id ?? "", weight: 1)]))))
        let association = try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
            serviceIdentifier: service.id ?? "", serviceNetworkIdentifier: network.id ?? ""))
        try await client.waitUntilServiceActive(GetServiceRequest(serviceIdentifier: service.id ?? ""), options: wait)
        _ = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group.id ?? "", targets: [Target(id: "10.0.1.10", port: 8080)]))
        try await client.waitUntilTargetsHealthy(ListTargetsRequest(targetGroupIdentifier: group.id ?? ""), options: wait)
        await #expect(throws: AccessDeniedException.self, "auth policies are not granted") {
            _ = try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: service.id ?? "", policy: "{}"))
        }

        _ = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: group.id ?? "", targets: [Target(id: "10.0.1.10", port: 8080)]))
        try await client.waitUntilTargetsDeregistered(ListTargetsRequest(targetGroupIdentifier: group.id ?? ""), options: wait)
        _ = try await client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: association.id ?? ""))
        try await client.waitUntilServiceNetworkServiceAssociationDeleted(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: association.id ?? ""), options: wait)
        _ = try await client.deleteListener(DeleteListenerRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener.id ?? ""))
        _ = try await client.deleteService(DeleteServiceRequest(serviceIdentifier: service.id ?? ""))
        try await client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: service.id ?? ""), options: wait)
        _ = try await client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: group.id ?? ""))
        try await client.waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: group.id ?? ""), options: wait)
        _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? ""))
        #expect(lattice.isEmpty)
    }
}
