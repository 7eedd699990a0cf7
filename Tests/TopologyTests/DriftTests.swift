import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// A change made outside the topology shows in the next plan, at the right address and
/// member, and apply undoes it; the plan after that is empty.
@Suite struct DriftTests {
    /// One change made by hand, and where the plan must show it.
    struct Drift: Sendable, CustomStringConvertible {
        let description: String
        let address: String
        let kind: TopologyPlan.Action.Kind
        /// A member the action's changes must name (nil: a create or delete names none).
        let field: String?
        let change: @Sendable (LatticeClient) async throws -> Void
    }

    static let otherGroups = ["sg-0c0000000000000c1"]

    static let drifts: [Drift] = [
        Drift(description: "network auth type", address: "serviceNetwork.rich-network", kind: .update, field: "authType") { client in
            let id = try await Found(client: client).network("rich-network").id ?? ""
            _ = try await client.updateServiceNetwork(UpdateServiceNetworkRequest(serviceNetworkIdentifier: id, authType: .noAuth))
        },
        Drift(description: "network tag removed", address: "serviceNetwork.rich-network", kind: .update, field: "tags.tier") { client in
            let arn = try await Found(client: client).network("rich-network").arn ?? ""
            _ = try await client.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: ["tier"]))
        },
        Drift(description: "ownership tag removed", address: "service.search", kind: .adopt, field: "tags.\(Topology.ownershipTagKey)") { client in
            let arn = try await Found(client: client).service("search").arn ?? ""
            _ = try await client.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: [Topology.ownershipTagKey]))
        },
        Drift(description: "VPC association security groups", address: "serviceNetwork.rich-network.vpcAssociation.vpc-0a0000000000000a1", kind: .update,
              field: "securityGroupIds") { client in
            let network = try await Found(client: client).network("rich-network").id ?? ""
            let association = try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: network)).collect()
            _ = try await client.updateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociationRequest(
                serviceNetworkVpcAssociationIdentifier: association.first?.id ?? "", securityGroupIds: otherGroups))
        },
        Drift(description: "network access log destination", address: "serviceNetwork.rich-network.accessLogSubscription.logs", kind: .update,
              field: "destinationArn") { client in
            let log = try await Found(client: client).accessLog(try await Found(client: client).network("rich-network").id ?? "")
            _ = try await client.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(
                accessLogSubscriptionIdentifier: log.id, destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:elsewhere"))
        },
        Drift(description: "network auth policy", address: "serviceNetwork.rich-network.authPolicy", kind: .update, field: "policy") { client in
            let id = try await Found(client: client).network("rich-network").id ?? ""
            _ = try await client.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: id, policy: try policy("vpc-lattice-svcs:*").text))
        },
        Drift(description: "service auth type", address: "service.checkout", kind: .update, field: "authType") { client in
            let id = try await Found(client: client).service("checkout").id ?? ""
            _ = try await client.updateService(UpdateServiceRequest(serviceIdentifier: id, authType: AuthType.noAuth))
        },
        Drift(description: "service certificate", address: "service.checkout", kind: .update, field: "certificateArn") { client in
            let id = try await Found(client: client).service("checkout").id ?? ""
            _ = try await client.updateService(UpdateServiceRequest(serviceIdentifier: id, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/9f9f-8e8e"))
        },
        Drift(description: "service tag added", address: "service.checkout", kind: .update, field: "tags.owner") { client in
            let arn = try await Found(client: client).service("checkout").arn ?? ""
            _ = try await client.tagResource(TagResourceRequest(resourceArn: arn, tags: ["owner": "someone-else"]))
        },
        Drift(description: "service access log destination", address: "service.checkout.accessLogSubscription.s3", kind: .update, field: "destinationArn") { client in
            let log = try await Found(client: client).accessLog(try await Found(client: client).service("checkout").id ?? "")
            _ = try await client.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: log.id, destinationArn: "arn:aws:s3:::another-bucket"))
        },
        Drift(description: "service resource policy", address: "service.checkout.resourcePolicy", kind: .update, field: "policy") { client in
            let arn = try await Found(client: client).service("checkout").arn ?? ""
            _ = try await client.putResourcePolicy(PutResourcePolicyRequest(resourceArn: arn, policy: try policy("vpc-lattice:*").text))
        },
        Drift(description: "listener weights", address: "service.checkout.listener.https-443", kind: .update, field: "defaultAction.forward.targetGroups") { client in
            let (service, listener) = try await Found(client: client).listener("checkout", "https-443")
            let blue = try await Found(client: client).group("checkout-blue").id ?? ""
            let green = try await Found(client: client).group("checkout-green").id ?? ""
            _ = try await client.updateListener(UpdateListenerRequest(serviceIdentifier: service, listenerIdentifier: listener.id ?? "", defaultAction: .forward(ForwardAction(
                targetGroups: [WeightedTargetGroup(targetGroupIdentifier: blue, weight: 50), WeightedTargetGroup(targetGroupIdentifier: green, weight: 50)]))))
        },
        Drift(description: "listener default action", address: "service.search.listener.http", kind: .update, field: "defaultAction") { client in
            let (service, listener) = try await Found(client: client).listener("search", "http")
            _ = try await client.updateListener(UpdateListenerRequest(serviceIdentifier: service, listenerIdentifier: listener.id ?? "",
                                                                      defaultAction: .fixedResponse(FixedResponseAction(statusCode: 503))))
        },
        Drift(description: "listener tag removed", address: "service.search.listener.http", kind: .update, field: "tags.team") { client in
            let (_, listener) = try await Found(client: client).listener("search", "http")
            _ = try await client.untagResource(UntagResourceRequest(resourceArn: listener.arn ?? "", tagKeys: ["team"]))
        },
        Drift(description: "rule priority", address: "service.checkout.listener.https-443.rule.api", kind: .update, field: "priority") { client in
            let (service, listener, rule) = try await Found(client: client).rule("checkout", "https-443", "api")
            _ = try await client.updateRule(UpdateRuleRequest(serviceIdentifier: service, listenerIdentifier: listener, ruleIdentifier: rule.id ?? "", priority: 30))
        },
        Drift(description: "rule match", address: "service.checkout.listener.https-443.rule.api", kind: .update, field: "match") { client in
            let (service, listener, rule) = try await Found(client: client).rule("checkout", "https-443", "api")
            _ = try await client.updateRule(UpdateRuleRequest(serviceIdentifier: service, listenerIdentifier: listener, ruleIdentifier: rule.id ?? "",
                                                              match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/v2"))))))
        },
        Drift(description: "rule action", address: "service.checkout.listener.https-443.rule.health", kind: .update, field: "action") { client in
            let (service, listener, rule) = try await Found(client: client).rule("checkout", "https-443", "health")
            _ = try await client.updateRule(UpdateRuleRequest(serviceIdentifier: service, listenerIdentifier: listener, ruleIdentifier: rule.id ?? "",
                                                              action: .fixedResponse(FixedResponseAction(statusCode: 500))))
        },
        Drift(description: "health check", address: "targetGroup.checkout-blue", kind: .update, field: "config.healthCheck.path") { client in
            let id = try await Found(client: client).group("checkout-blue").id ?? ""
            _ = try await client.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: id, healthCheck: HealthCheckConfig(path: "/", healthyThresholdCount: 5)))
        },
        Drift(description: "target deregistered", address: "targetGroup.checkout-blue.targets", kind: .update, field: "targets") { client in
            let id = try await Found(client: client).group("checkout-blue").id ?? ""
            _ = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: id, targets: [Target(id: "10.1.0.2", port: 8443)]))
        },
        Drift(description: "target registered", address: "targetGroup.checkout-green.targets", kind: .update, field: "targets") { client in
            let id = try await Found(client: client).group("checkout-green").id ?? ""
            _ = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: id, targets: [Target(id: "10.1.0.9", port: 9443)]))
        },
        Drift(description: "service association tag", address: "serviceNetwork.rich-network.serviceAssociation.search", kind: .update, field: "tags.team") { client in
            let network = try await Found(client: client).network("rich-network").id ?? ""
            let items = try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network)).collect()
            _ = try await client.untagResource(UntagResourceRequest(resourceArn: items.first { $0.serviceName == "search" }?.arn ?? "", tagKeys: ["team"]))
        },
        Drift(description: "listener deleted", address: "service.search.listener.http", kind: .create, field: nil) { client in
            let (service, listener) = try await Found(client: client).listener("search", "http")
            _ = try await client.deleteListener(DeleteListenerRequest(serviceIdentifier: service, listenerIdentifier: listener.id ?? ""))
        },
        Drift(description: "rule deleted", address: "service.checkout.listener.https-443.rule.health", kind: .create, field: nil) { client in
            let (service, listener, rule) = try await Found(client: client).rule("checkout", "https-443", "health")
            _ = try await client.deleteRule(DeleteRuleRequest(serviceIdentifier: service, listenerIdentifier: listener, ruleIdentifier: rule.id ?? ""))
        },
        Drift(description: "rule added", address: "service.checkout.listener.https-443.rule.extra", kind: .delete, field: nil) { client in
            let (service, listener) = try await Found(client: client).listener("checkout", "https-443")
            _ = try await client.createRule(CreateRuleRequest(serviceIdentifier: service, listenerIdentifier: listener.id ?? "", name: "extra",
                                                              match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/extra")))), priority: 99,
                                                              action: .fixedResponse(FixedResponseAction(statusCode: 418))))
        },
        Drift(description: "access log deleted", address: "service.checkout.accessLogSubscription.s3", kind: .create, field: nil) { client in
            let log = try await Found(client: client).accessLog(try await Found(client: client).service("checkout").id ?? "")
            _ = try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: log.id))
        },
        Drift(description: "service association deleted", address: "serviceNetwork.rich-network.serviceAssociation.search", kind: .create, field: nil) { client in
            let network = try await Found(client: client).network("rich-network").id ?? ""
            let items = try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network)).collect()
            _ = try await client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(
                serviceNetworkServiceAssociationIdentifier: items.first { $0.serviceName == "search" }?.id ?? ""))
        },
        Drift(description: "VPC association deleted", address: "serviceNetwork.rich-network.vpcAssociation.vpc-0a0000000000000a1", kind: .create, field: nil) { client in
            let network = try await Found(client: client).network("rich-network").id ?? ""
            let items = try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: network)).collect()
            _ = try await client.deleteServiceNetworkVpcAssociation(DeleteServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: items.first?.id ?? ""))
        },
        Drift(description: "auth policy deleted", address: "service.checkout.authPolicy", kind: .create, field: "policy") { client in
            let id = try await Found(client: client).service("checkout").id ?? ""
            _ = try await client.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: id))
        },
    ]

    @Test(arguments: drifts)
    func aChangeMadeOutsideIsPlannedAndUndone(_ drift: Drift) async throws {
        let lab = try Lab()
        let topology = try richTopology()
        #expect(try await lab.client.apply(topology, options: oneAtATime).succeeded)
        #expect(lab.counts == richCounts)
        try await drift.change(lab.client)
        var options = oneAtATime
        options.adopt = drift.kind == .adopt
        let plan = try await lab.client.plan(topology, options: options)
        #expect(plan.actions.map(\.address) == [drift.address], "\(plan.text)")
        let action = try #require(plan.actions.first)
        #expect(action.kind == drift.kind)
        if let field = drift.field {
            #expect(action.changes.contains { $0.field.hasPrefix(field) }, "\(plan.text)")
        }
        let result = try await lab.client.apply(plan, options: oneAtATime)
        #expect(result.succeeded, "\(result.summary)")
        let after = try await lab.client.plan(topology, options: oneAtATime)
        #expect(after.isEmpty, "\(after.text)")
        lab.time.pass(10)  // what was deleted counts until its deletion has settled
        #expect(lab.counts == richCounts)
    }

    @Test func everyDriftAtOnceIsUndoneByOneApplyWithStepsAtOnce() async throws {
        let lab = try Lab()
        let topology = try richTopology()
        #expect(try await lab.client.apply(topology).succeeded)
        for drift in Self.drifts where drift.kind == .update {
            try await drift.change(lab.client)
        }
        let plan = try await lab.client.plan(topology)
        #expect(plan.count(.update) >= 15)
        let result = try await lab.client.apply(plan)
        #expect(result.succeeded, "\(result.summary)")
        #expect(try await lab.client.plan(topology).isEmpty)
        #expect(lab.counts == richCounts)
    }
}
