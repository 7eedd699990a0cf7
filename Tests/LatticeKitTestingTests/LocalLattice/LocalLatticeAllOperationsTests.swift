import Foundation
import LatticeKit
@testable import LatticeKitTesting
import SigV4
import Testing

/// Every operation of the model, called through a `LatticeClient` on the local Lattice and
/// answered with the operation's success status.
@Suite struct LocalLatticeAllOperationsTests {
    @Test func everyOperationIsServed() async throws {
        let clock = TestClock()
        let lattice = LocalLattice(.init(idSeed: 73, now: clock.now, observationsToSettle: 0))
        let recorder = CountingTransport(lattice)
        let c = try LatticeClient(
            LatticeConfiguration(region: "us-east-1", endpoint: "https://vpc-lattice.us-east-1.amazonaws.com",
                                 credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")),
            transport: recorder, environment: clock.environment)
        let vpc = "vpc-0123456789abcdef0"
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#

        // Service networks and services.
        let sn = try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "all-ops", authType: .awsIam, tags: ["a": "1"]))
        let snId = try #require(sn.id)
        _ = try await c.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snId))
        _ = try await c.listServiceNetworks(ListServiceNetworksRequest())
        _ = try await c.updateServiceNetwork(UpdateServiceNetworkRequest(serviceNetworkIdentifier: snId, authType: AuthType.noAuth))
        let svc = try await c.createService(CreateServiceRequest(name: "all-ops-svc", authType: .awsIam))
        let svcId = try #require(svc.id)
        _ = try await c.getService(GetServiceRequest(serviceIdentifier: svcId))
        _ = try await c.listServices(ListServicesRequest())
        _ = try await c.updateService(UpdateServiceRequest(serviceIdentifier: svcId, authType: .awsIam))

        // Target groups and targets.
        let tg = try await c.createTargetGroup(CreateTargetGroupRequest(name: "all-ops-tg", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: vpc)))
        let tgId = try #require(tg.id)
        _ = try await c.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgId))
        _ = try await c.listTargetGroups(ListTargetGroupsRequest(targetGroupType: .ip))
        let updated = try await c.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: tgId, healthCheck: HealthCheckConfig(path: "/ready")))
        #expect(updated.config?.healthCheck?.path == "/ready")
        let registered = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: tgId, targets: [Target(id: "10.1.0.1"), Target(id: "not-an-ip")]))
        #expect(registered.successful?.map(\.id) == ["10.1.0.1"])
        #expect(registered.unsuccessful?.map(\.id) == ["not-an-ip"])
        let lambda = try await c.createTargetGroup(CreateTargetGroupRequest(name: "all-ops-lambda", type: .lambda))
        _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: lambda.id ?? "", targets: [Target(id: "arn:aws:lambda:us-east-1:123456789012:function:hello")]))

        // Listener and rules.
        let forward = RuleAction.forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tgId, weight: 1)]))
        let listener = try await c.createListener(CreateListenerRequest(serviceIdentifier: svcId, name: "http", protocol: .http, defaultAction: forward))
        let listenerId = try #require(listener.id)
        _ = try await c.getListener(GetListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId))
        _ = try await c.listListeners(ListListenersRequest(serviceIdentifier: svcId))
        let lambdaForward = RuleAction.forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: lambda.id ?? "", weight: 1)]))
        _ = try await c.updateListener(UpdateListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, defaultAction: lambdaForward))
        let targets = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: tgId))
        #expect(targets.items.first?.status == .unused, "no listener forwards to the group any more")
        let lambdaTargets = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: lambda.id ?? ""))
        #expect(lambdaTargets.items.first?.status == .unavailable)
        let rule = try await c.createRule(CreateRuleRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, name: "api",
                                                            match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/api")))), priority: 5, action: forward))
        let ruleId = try #require(rule.id)
        _ = try await c.getRule(GetRuleRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, ruleIdentifier: ruleId))
        let rules = try await c.listRules(ListRulesRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId))
        #expect(rules.items.count == 2)
        _ = try await c.updateRule(UpdateRuleRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, ruleIdentifier: ruleId, priority: 6))
        let defaultRule = try #require(rules.items.first { $0.isDefault == true }?.id)
        let batch = try await c.batchUpdateRule(BatchUpdateRuleRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, rules: [
            RuleUpdate(ruleIdentifier: ruleId, priority: 7),
            RuleUpdate(ruleIdentifier: defaultRule, priority: 8),
            RuleUpdate(ruleIdentifier: "rule-0000000000000000a", priority: 9),
        ]))
        #expect(batch.successful?.map(\.priority) == [7])
        #expect(batch.unsuccessful?.map(\.failureCode) == ["ValidationException", "ResourceNotFoundException"])
        let targetsNow = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: tgId))
        #expect(targetsNow.items.first?.status == .healthy, "the rule forwards to the group again")

        // Associations.
        let snsa = try await c.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: svcId, serviceNetworkIdentifier: snId))
        _ = try await c.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsa.id ?? ""))
        _ = try await c.listServiceNetworkServiceAssociations(ListServiceNetworkServiceAssociationsRequest(serviceIdentifier: svcId))
        let snva = try await c.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(serviceNetworkIdentifier: snId, vpcIdentifier: vpc))
        _ = try await c.getServiceNetworkVpcAssociation(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: snva.id ?? ""))
        _ = try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId))
        let sgUpdate = try await c.updateServiceNetworkVpcAssociation(UpdateServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: snva.id ?? "", securityGroupIds: ["sg-0123456789abcdef0"]))
        #expect(sgUpdate.securityGroupIds == ["sg-0123456789abcdef0"])

        // Resource gateway, configuration, their associations and endpoints.
        let rgw = try await c.createResourceGateway(CreateResourceGatewayRequest(name: "all-ops-rgw", vpcIdentifier: vpc, subnetIds: ["subnet-0123456789abcdef0"]))
        let rgwId = try #require(rgw.id)
        _ = try await c.getResourceGateway(GetResourceGatewayRequest(resourceGatewayIdentifier: rgwId))
        _ = try await c.listResourceGateways(ListResourceGatewaysRequest())
        _ = try await c.updateResourceGateway(UpdateResourceGatewayRequest(resourceGatewayIdentifier: rgwId, securityGroupIds: ["sg-0123456789abcdef0"]))
        let dv = try await c.startDomainVerification(StartDomainVerificationRequest(domainName: "example.com", tags: ["d": "v"]))
        let gotDv = try await c.getDomainVerification(GetDomainVerificationRequest(domainVerificationIdentifier: dv.id))
        #expect(gotDv.status == .verified)
        _ = try await c.listDomainVerifications(ListDomainVerificationsRequest())
        let rcfg = try await c.createResourceConfiguration(CreateResourceConfigurationRequest(
            name: "all-ops-rcfg", type: .single, portRanges: ["443"], resourceGatewayIdentifier: rgwId,
            resourceConfigurationDefinition: .ipResource(IpResource(ipAddress: "10.2.0.1"))))
        let rcfgId = try #require(rcfg.id)
        _ = try await c.getResourceConfiguration(GetResourceConfigurationRequest(resourceConfigurationIdentifier: rcfgId))
        _ = try await c.listResourceConfigurations(ListResourceConfigurationsRequest(resourceGatewayIdentifier: rgwId))
        _ = try await c.updateResourceConfiguration(UpdateResourceConfigurationRequest(resourceConfigurationIdentifier: rcfgId, portRanges: ["443", "8443"]))
        let snra = try await c.createServiceNetworkResourceAssociation(CreateServiceNetworkResourceAssociationRequest(resourceConfigurationIdentifier: rcfgId, serviceNetworkIdentifier: snId))
        _ = try await c.getServiceNetworkResourceAssociation(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: snra.id ?? ""))
        _ = try await c.listServiceNetworkResourceAssociations(ListServiceNetworkResourceAssociationsRequest(serviceNetworkIdentifier: snId))
        let networkEndpoint = try lattice.addVpcEndpoint(to: snId)
        let endpoints = try await c.listServiceNetworkVpcEndpointAssociations(ListServiceNetworkVpcEndpointAssociationsRequest(serviceNetworkIdentifier: snId))
        #expect(endpoints.items.map(\.vpcEndpointId) == [networkEndpoint.vpcEndpointId])
        let resourceEndpoint = try lattice.addVpcEndpoint(to: rcfgId)
        let reas = try await c.listResourceEndpointAssociations(ListResourceEndpointAssociationsRequest(resourceConfigurationIdentifier: rcfgId))
        #expect(reas.items.map(\.id) == [resourceEndpoint.associationId])
        _ = try await c.deleteResourceEndpointAssociation(DeleteResourceEndpointAssociationRequest(resourceEndpointAssociationIdentifier: resourceEndpoint.associationId ?? ""))

        // Access logs, policies, tags.
        let als = try await c.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: svcId, destinationArn: "arn:aws:s3:::all-ops-logs"))
        _ = try await c.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.id))
        _ = try await c.listAccessLogSubscriptions(ListAccessLogSubscriptionsRequest(resourceIdentifier: svcId))
        _ = try await c.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(
            accessLogSubscriptionIdentifier: als.id, destinationArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/lattice"))
        let put = try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: svcId, policy: policy))
        #expect(put.state == .active, "the service's auth type is AWS_IAM")
        let auth = try await c.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: svc.arn ?? ""))
        #expect(auth.policy == policy)
        _ = try await c.putResourcePolicy(PutResourcePolicyRequest(resourceArn: sn.arn ?? "", policy: policy))
        #expect(try await c.getResourcePolicy(GetResourcePolicyRequest(resourceArn: sn.arn ?? "")).policy == policy)
        _ = try await c.tagResource(TagResourceRequest(resourceArn: rule.arn ?? "", tags: ["x": "1", "y": "2", "z": "3"]))
        _ = try await c.untagResource(UntagResourceRequest(resourceArn: rule.arn ?? "", tagKeys: ["x", "y"]))
        #expect(try await c.listTagsForResource(ListTagsForResourceRequest(resourceArn: rule.arn ?? "")).tags == ["z": "3"])

        // Deletes, dependents first.
        _ = try await c.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: svcId))
        _ = try await c.deleteResourcePolicy(DeleteResourcePolicyRequest(resourceArn: sn.arn ?? ""))
        _ = try await c.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.id))
        _ = try await c.deleteServiceNetworkResourceAssociation(DeleteServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: snra.id ?? ""))
        _ = try await c.deleteResourceConfiguration(DeleteResourceConfigurationRequest(resourceConfigurationIdentifier: rcfgId))
        _ = try await c.deleteResourceGateway(DeleteResourceGatewayRequest(resourceGatewayIdentifier: rgwId))
        _ = try await c.deleteDomainVerification(DeleteDomainVerificationRequest(domainVerificationIdentifier: dv.id))
        _ = try await c.deleteServiceNetworkVpcAssociation(DeleteServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: snva.id ?? ""))
        _ = try await c.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsa.id ?? ""))
        _ = try await c.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: tgId, targets: [Target(id: "10.1.0.1")]))
        _ = try await c.deleteRule(DeleteRuleRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId, ruleIdentifier: ruleId))
        _ = try await c.deleteListener(DeleteListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId))
        _ = try await c.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: tgId))
        _ = try await c.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: lambda.id ?? ""))
        _ = try await c.deleteService(DeleteServiceRequest(serviceIdentifier: svcId))
        #expect(throws: LocalLattice.Failure.self, "no such service network") {
            _ = try lattice.addVpcEndpoint(to: "sn-0000000000000000a")
        }
        await #expect(throws: ConflictException.self, "a VPC endpoint still uses the network") {
            _ = try await c.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: snId))
        }
        #expect(lattice.resourceCounts()["serviceNetworkEndpointAssociations"] == 1)
        #expect(lattice.removeVpcEndpoint(networkEndpoint.vpcEndpointId))
        _ = try await c.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: snId))
        #expect(lattice.isEmpty, "left: \(lattice.resourceCounts().filter { $0.value > 0 })")

        // Every operation was called and answered with its success status at least once.
        let specs = OperationDescriptor.all.map(\.spec)
        #expect(recorder.operations.isSuperset(of: specs.map(\.name)), "not called: \(Set(specs.map(\.name)).subtracting(recorder.operations).sorted())")
        for spec in specs {
            #expect(recorder.statuses(spec.name).contains(spec.successCode), "\(spec.name): \(recorder.statuses(spec.name)), expected \(spec.successCode)")
        }
        #expect(recorder.statuses("DeleteServiceNetwork") == [409, 204])
    }
}
