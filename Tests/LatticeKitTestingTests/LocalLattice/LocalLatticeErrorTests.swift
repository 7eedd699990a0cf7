import Foundation
import LatticeKit
@testable import LatticeKitTesting
import SigV4
import Testing

/// The service's errors: conflicts, unknown identifiers, blocked deletes, validation with
/// fieldList, signature form, pagination tokens, quotas and idempotency.
@Suite struct LocalLatticeErrorTests {
    static let account = "123456789012"
    static func forward(_ group: String) -> RuleAction {
        .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group, weight: 1)]))
    }

    /// A service with an HTTP target group and a listener forwarding to it.
    func serviceWithListener(_ client: LatticeClient) async throws -> (service: CreateServiceResponse, group: String, listener: String) {
        let service = try await client.createService(CreateServiceRequest(name: "provider-svc"))
        let group = try await client.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0123456789abcdef0")))
        let listener = try await client.createListener(CreateListenerRequest(
            serviceIdentifier: service.id ?? "", name: "http-80", protocol: .http, defaultAction: Self.forward(group.id ?? "")))
        #expect(listener.port == 80, "HTTP listeners default to port 80")
        return (service, group.id ?? "", listener.id ?? "")
    }

    // MARK: Conflicts

    @Test func duplicateNamesAreConflicts() async throws {
        let h = try Harness()
        let first = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "taken"))
        let error = await #expect(throws: ConflictException.self) {
            _ = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "taken"))
        }
        #expect(error?.resourceId == first.id)
        #expect(error?.resourceType == "SERVICE_NETWORK")
        #expect(error?.serviceError?.httpStatus == 409)
        #expect(error?.serviceError?.requestId?.isEmpty == false)

        let (service, group, listener) = try await serviceWithListener(h.client)
        await #expect(throws: ConflictException.self) { _ = try await h.client.createService(CreateServiceRequest(name: "provider-svc")) }
        await #expect(throws: ConflictException.self) {
            _ = try await h.client.createTargetGroup(CreateTargetGroupRequest(name: "provider-tg", type: .lambda))
        }
        await #expect(throws: ConflictException.self, "listener names are unique per service") {
            _ = try await h.client.createListener(CreateListenerRequest(serviceIdentifier: service.id ?? "", name: "http-80", protocol: .http, port: 8080,
                                                                        defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))
        }
        let rule = { (name: String, priority: Int) in
            CreateRuleRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener, name: name,
                              match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/\(name)")))), priority: priority, action: Self.forward(group))
        }
        _ = try await h.client.createRule(rule("first", 10))
        let priority = await #expect(throws: ConflictException.self, "priorities are unique per listener") { _ = try await h.client.createRule(rule("second", 10)) }
        #expect(priority?.resourceType == "RULE")
        await #expect(throws: ConflictException.self, "rule names are unique per listener") { _ = try await h.client.createRule(rule("first", 20)) }

        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "other"))
        _ = try await h.client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
            serviceNetworkIdentifier: first.id ?? "", vpcIdentifier: "vpc-0123456789abcdef0"))
        await #expect(throws: ConflictException.self, "a VPC joins one service network") {
            _ = try await h.client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
                serviceNetworkIdentifier: network.id ?? "", vpcIdentifier: "vpc-0123456789abcdef0"))
        }
        _ = try await h.client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: service.id ?? "", destinationArn: "arn:aws:s3:::access-logs-a"))
        await #expect(throws: ConflictException.self, "one subscription per destination type") {
            _ = try await h.client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: service.id ?? "", destinationArn: "arn:aws:s3:::access-logs-b"))
        }
        _ = try await h.client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(
            resourceIdentifier: service.id ?? "", destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:lattice"))
    }

    // MARK: Not found

    @Test func unknownIdentifiersAreNotFoundByIdAndByArn() async throws {
        let h = try Harness()
        let id = "svc-0000000000000000a"
        let byId = await #expect(throws: ResourceNotFoundException.self) { _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: id)) }
        #expect(byId?.resourceId == id)
        #expect(byId?.resourceType == "SERVICE")
        #expect(byId?.serviceError?.httpStatus == 404)
        let arn = "arn:aws:vpc-lattice:us-east-1:\(Self.account):service/\(id)"
        let byArn = await #expect(throws: ResourceNotFoundException.self) { _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: arn)) }
        #expect(byArn?.resourceId == arn)

        // Existing resources are found by ARN wherever the model's pattern allows one.
        let (service, group, listener) = try await serviceWithListener(h.client)
        let serviceArn = try #require(service.arn)
        let groupArn = "arn:aws:vpc-lattice:us-east-1:\(Self.account):targetgroup/\(group)"
        #expect(try await h.client.getService(GetServiceRequest(serviceIdentifier: serviceArn)).id == service.id)
        #expect(try await h.client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: groupArn)).id == group)
        let listenerArn = "\(serviceArn)/listener/\(listener)"
        #expect(try await h.client.getListener(GetListenerRequest(serviceIdentifier: serviceArn, listenerIdentifier: listenerArn)).id == listener)
        let listed = try await h.client.listListeners(ListListenersRequest(serviceIdentifier: serviceArn))
        #expect(listed.items.map(\.id) == [listener])

        // A listener of another service is not found under this one.
        let other = try await h.client.createService(CreateServiceRequest(name: "other-svc"))
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await h.client.getListener(GetListenerRequest(serviceIdentifier: other.id ?? "", listenerIdentifier: listener))
        }
        // Tags of an ARN that names nothing.
        let tags = await #expect(throws: ResourceNotFoundException.self) {
            _ = try await h.client.listTagsForResource(ListTagsForResourceRequest(resourceArn: "arn:aws:vpc-lattice:us-east-1:\(Self.account):servicenetwork/sn-0000000000000000a"))
        }
        #expect(tags?.resourceType == "SERVICE_NETWORK")
        // Another region's ARN is not in this region.
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: serviceArn.replacing("us-east-1", with: "eu-west-1")))
        }
        // Another account's ARN is refused.
        let denied = await #expect(throws: AccessDeniedException.self) {
            _ = try await h.client.getService(GetServiceRequest(serviceIdentifier: serviceArn.replacing(Self.account, with: "210987654321")))
        }
        #expect(denied?.serviceError?.httpStatus == 403)
        // A policy that is not there.
        await #expect(throws: ResourceNotFoundException.self) { _ = try await h.client.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: service.id ?? "")) }
    }

    @Test func regionsAreSeparate() async throws {
        let h = try Harness()
        let west = try LocalLattice.client(h.lattice, region: "eu-west-1", environment: h.clock.environment)
        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "east"))
        #expect(try await west.listServiceNetworks(ListServiceNetworksRequest()).items.isEmpty)
        let westNetwork = try await west.createServiceNetwork(CreateServiceNetworkRequest(name: "east"))
        #expect(westNetwork.arn?.contains(":eu-west-1:") == true)
        #expect(network.id != westNetwork.id)
        #expect(h.lattice.resourceCounts()["serviceNetworks"] == 2)
    }

    // MARK: Blocked deletes

    @Test func deletesBlockedByDependentsAreConflicts() async throws {
        let h = try Harness(settle: 0)
        let (service, group, listener) = try await serviceWithListener(h.client)
        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network"))
        let association = try await h.client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
            serviceIdentifier: service.id ?? "", serviceNetworkIdentifier: network.id ?? ""))

        let blockedNetwork = await #expect(throws: ConflictException.self) {
            _ = try await h.client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? ""))
        }
        #expect(blockedNetwork?.message?.contains(association.id ?? "?") == true)
        await #expect(throws: ConflictException.self, "a service associated with a service network") {
            _ = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: service.id ?? ""))
        }
        await #expect(throws: ConflictException.self, "a target group a listener forwards to") {
            _ = try await h.client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: group))
        }
        let defaultRule = try #require(try await h.client.listRules(ListRulesRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener)).items.first)
        await #expect(throws: ValidationException.self, "the default rule goes with its listener") {
            _ = try await h.client.deleteRule(DeleteRuleRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener, ruleIdentifier: defaultRule.id ?? ""))
        }

        // Once the dependents are gone, everything deletes; a service takes its listeners along.
        _ = try await h.client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: association.id ?? ""))
        _ = try await h.client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network.id ?? ""))
        _ = try await h.client.deleteService(DeleteServiceRequest(serviceIdentifier: service.id ?? ""))
        #expect(h.lattice.resourceCounts()["listeners"] == 0)
        _ = try await h.client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group, targets: [Target(id: "10.0.0.1")]))
        _ = try await h.client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: group))
        #expect(h.lattice.isEmpty, "registered targets do not block a target group's deletion: \(h.lattice.resourceCounts().filter { $0.value > 0 })")
    }

    // MARK: Validation

    @Test func invalidInputIsAValidationExceptionWithFieldList() async throws {
        let h = try Harness()
        let unchecked = try h.unchecked()
        let error = await #expect(throws: ValidationException.self) {
            _ = try await unchecked.createServiceNetwork(CreateServiceNetworkRequest(name: "Not_Valid", tags: ["k": "v"]))
        }
        #expect(error?.reason == .fieldValidationFailed)
        #expect(error?.fieldList?.map(\.name) == ["name"])
        #expect(error?.fieldList?.first?.message.contains("pattern") == true)
        #expect(error?.message?.hasPrefix("1 validation error detected") == true)
        #expect(error?.serviceError?.httpStatus == 400)

        let several = await #expect(throws: ValidationException.self) {
            _ = try await unchecked.createTargetGroup(CreateTargetGroupRequest(
                name: "x", type: .ip, config: TargetGroupConfig(port: 70000, protocol: .http, vpcIdentifier: "vpc-0123456789abcdef0",
                                                               healthCheck: HealthCheckConfig(path: "no-slash", healthyThresholdCount: 11))))
        }
        #expect(Set(several?.fieldList?.map(\.name) ?? []) == ["name", "config.port", "config.healthCheck.path", "config.healthCheck.healthyThresholdCount"])

        let enumValue = await #expect(throws: ValidationException.self) {
            _ = try await unchecked.createServiceNetwork(CreateServiceNetworkRequest(name: "fine-name", authType: "SOMETIMES"))
        }
        #expect(enumValue?.fieldList?.map(\.name) == ["authType"])

        let semantic = await #expect(throws: ValidationException.self) {
            _ = try await h.client.createTargetGroup(CreateTargetGroupRequest(name: "no-config", type: .ip))
        }
        #expect(semantic?.fieldList?.map(\.name) == ["config"])
        await #expect(throws: ValidationException.self, "S3, CloudWatch Logs and Firehose only") {
            let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "logged"))
            _ = try await h.client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(
                resourceIdentifier: network.id ?? "", destinationArn: "arn:aws:sqs:us-east-1:123456789012:queue"))
        }

        // A required member missing from the body, sent raw.
        var request = try await h.client.signedRequest(
            OperationRequest(method: "POST", path: "/servicenetworks", headers: ["content-type": "application/json"], body: Array(#"{"authType":"NONE"}"#.utf8)),
            date: h.clock.now())
        let missing = h.lattice.handle(request)
        #expect(missing.status == 400)
        #expect(missing.headers["x-amzn-ErrorType"] == "ValidationException")
        let body = try errorBody(missing)
        #expect((body["fieldList"] as? [[String: String]])?.first?["name"] == "name")
        #expect((body["fieldList"] as? [[String: String]])?.first?["message"] == "Member must not be null")
        // A body that is not JSON.
        request = try await h.client.signedRequest(OperationRequest(method: "POST", path: "/servicenetworks", body: Array("name=x".utf8)), date: h.clock.now())
        let unparsable = h.lattice.handle(request)
        #expect(try errorBody(unparsable)["reason"] as? String == "cannotParse")
        // A route no operation has.
        request = try await h.client.signedRequest(OperationRequest(method: "GET", path: "/nothing-here"), date: h.clock.now())
        let unknown = h.lattice.handle(request)
        #expect(unknown.status == 400)
        #expect(try errorBody(unknown)["reason"] as? String == "unknownOperation")
    }

    // MARK: Signature form

    @Test func aMissingOrMalformedSignatureIsRefused() async throws {
        let h = try Harness()
        let good = try await h.client.signedRequest(OperationRequest(method: "GET", path: "/services"), date: h.clock.now())
        #expect(h.lattice.handle(good).status == 200)

        func answer(_ change: (inout HTTPRequest) -> Void) -> AWSServiceError {
            var request = good
            change(&request)
            return serviceError(h.lattice.handle(request))
        }
        let authorization = try #require(good.headers["authorization"])
        func withAuthorization(_ value: String) -> AWSServiceError {
            answer { $0.headers.replaceOrAdd(name: "authorization", value: value) }
        }

        let unsigned = answer { $0.headers.remove(name: "authorization") }
        #expect(unsigned.code == "MissingAuthenticationTokenException")
        #expect(unsigned.httpStatus == 403)
        #expect(withAuthorization("Bearer abc").code == "IncompleteSignatureException")
        #expect(withAuthorization(authorization.replacing(#/, Signature=[0-9a-f]+/#, with: "")).code == "IncompleteSignatureException")
        #expect(withAuthorization(authorization.replacing(#/Signature=[0-9a-f]+/#, with: "Signature=XYZ")).code == "InvalidSignatureException")
        #expect(withAuthorization(authorization.replacing("/vpc-lattice/", with: "/s3/")).code == "InvalidSignatureException")
        #expect(withAuthorization(authorization.replacing("aws4_request", with: "aws4_reqest")).code == "InvalidSignatureException")
        #expect(withAuthorization(authorization.replacing(#/SignedHeaders=[^,]+/#, with: "SignedHeaders=x-amz-date")).code == "InvalidSignatureException")
        #expect(answer { $0.headers.remove(name: "x-amz-date") }.code == "IncompleteSignatureException")
        #expect(answer { $0.headers.replaceOrAdd(name: "x-amz-date", value: "20200101T000000Z") }.code == "InvalidSignatureException", "the scope's date")
        #expect(answer { $0.headers.replaceOrAdd(name: "x-amz-date", value: "yesterday") }.code == "InvalidSignatureException")
        #expect(withAuthorization(authorization.replacing(#/Credential=[^/]+/#, with: "Credential=")).code == "IncompleteSignatureException")
        for error in [unsigned, withAuthorization("Bearer abc")] { #expect(error.httpStatus == 403) }
    }

    // MARK: Pagination

    @Test func listsPageWithMaxResultsAndOpaqueTokens() async throws {
        let h = try Harness(settle: 0)
        let names = (1...7).map { "network-\($0)" }
        for name in names { _ = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: name)) }
        let first = try await h.client.listServiceNetworks(ListServiceNetworksRequest(maxResults: 3))
        #expect(first.items.map(\.name) == Array(names.prefix(3)))
        let token = try #require(first.nextToken)
        let second = try await h.client.listServiceNetworks(ListServiceNetworksRequest(maxResults: 3, nextToken: token))
        #expect(second.items.map(\.name) == Array(names[3..<6]))
        let third = try await h.client.listServiceNetworks(ListServiceNetworksRequest(maxResults: 3, nextToken: second.nextToken))
        #expect(third.items.map(\.name) == [names[6]])
        #expect(third.nextToken == nil)
        let all = try await h.client.listServiceNetworksItems(ListServiceNetworksRequest(maxResults: 2)).collect()
        #expect(all.compactMap(\.name) == names)
        let unpaged = try await h.client.listServiceNetworks(ListServiceNetworksRequest())
        #expect(unpaged.items.count == 7)
        #expect(unpaged.nextToken == nil)

        let unknown = await #expect(throws: ValidationException.self) {
            _ = try await h.client.listServiceNetworks(ListServiceNetworksRequest(nextToken: "not-a-token"))
        }
        #expect(unknown?.fieldList?.map(\.name) == ["nextToken"])
        await #expect(throws: ValidationException.self, "a token belongs to the list it came from") {
            _ = try await h.client.listServices(ListServicesRequest(nextToken: token))
        }
        await #expect(throws: ValidationException.self, "maxResults is 1 to 100") {
            _ = try await h.unchecked().listServiceNetworks(ListServiceNetworksRequest(maxResults: 101))
        }
        // Targets page too (ListTargets is a POST with maxResults in the query).
        let group = try await h.client.createTargetGroup(CreateTargetGroupRequest(
            name: "many", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: "vpc-0123456789abcdef0")))
        let targets = (1...25).map { Target(id: "10.0.0.\($0)") }
        _ = try await h.client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group.id ?? "", targets: targets))
        let listed = try await h.client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: group.id ?? "", maxResults: 10)).collect()
        #expect(listed.compactMap(\.id) == targets.map(\.id))
        #expect(listed.allSatisfy { $0.status == .unused && $0.reasonCode == "TargetGroupNotInUse" && $0.port == 80 })
    }

    // MARK: Quotas and idempotency

    @Test func quotasAreServiceQuotaExceeded() async throws {
        let h = try Harness(quotas: LocalLattice.Quotas(listenersPerService: 1))
        let (service, _, _) = try await serviceWithListener(h.client)
        let error = await #expect(throws: ServiceQuotaExceededException.self) {
            _ = try await h.client.createListener(CreateListenerRequest(serviceIdentifier: service.id ?? "", name: "https", protocol: .https,
                                                                        defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))
        }
        #expect(error?.serviceError?.httpStatus == 402)
        #expect(error?.resourceType == "LISTENER")
    }

    @Test func aClientTokenMakesCreatesIdempotent() async throws {
        let h = try Harness()
        let request = CreateServiceRequest(clientToken: "token-1", name: "once")
        let first = try await h.client.createService(request)
        let again = try await h.client.createService(request)
        #expect(first == again)
        #expect(h.lattice.resourceCounts()["services"] == 1)
        await #expect(throws: ConflictException.self) {
            _ = try await h.client.createService(CreateServiceRequest(clientToken: "token-1", name: "twice"))
        }
    }

    @Test func aClientTokenIsTheRegionsOwnAndAFailedCreateDoesNotUseItUp() async throws {
        let h = try Harness()
        _ = try await h.client.createService(CreateServiceRequest(name: "taken"))
        // A create that fails leaves no trace, its token included.
        await #expect(throws: ConflictException.self) {
            _ = try await h.client.createService(CreateServiceRequest(clientToken: "token-2", name: "taken"))
        }
        let created = try await h.client.createService(CreateServiceRequest(clientToken: "token-2", name: "fresh"))
        #expect(created.name == "fresh")
        // The same token and input in another region is another call there.
        let west = try LocalLattice.client(h.lattice, region: "eu-west-1", environment: h.clock.environment)
        let there = try await west.createService(CreateServiceRequest(clientToken: "token-2", name: "fresh"))
        #expect(there.id != created.id)
        #expect(there.arn?.contains(":eu-west-1:") == true)
        #expect(h.lattice.resourceCounts()["services"] == 3)
        // Each region still answers its retry with its own first answer.
        #expect(try await west.createService(CreateServiceRequest(clientToken: "token-2", name: "fresh")) == there)
        #expect(try await h.client.createService(CreateServiceRequest(clientToken: "token-2", name: "fresh")) == created)
        #expect(h.lattice.resourceCounts()["services"] == 3)
    }

    // MARK: Identifiers

    @Test func identifiersOfEveryTypeAreHexAndMatchTheModelsPatterns() async throws {
        let h = try Harness(settle: 0)
        let (service, group, listener) = try await serviceWithListener(h.client)
        let network = try await h.client.createServiceNetwork(CreateServiceNetworkRequest(name: "patterns"))
        let snsa = try await h.client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: service.id ?? "", serviceNetworkIdentifier: network.id ?? ""))
        let snva = try await h.client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(serviceNetworkIdentifier: network.id ?? "", vpcIdentifier: "vpc-0123456789abcdef0"))
        let rule = try await h.client.createRule(CreateRuleRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener, name: "get-all",
                                                                   match: .httpMatch(HttpMatch(method: "GET")), priority: 1, action: Self.forward(group)))
        let gateway = try await h.client.createResourceGateway(CreateResourceGatewayRequest(name: "gateway-a", vpcIdentifier: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"]))
        let configuration = try await h.client.createResourceConfiguration(CreateResourceConfigurationRequest(
            name: "database", type: .single, portRanges: ["5432"], resourceGatewayIdentifier: gateway.id,
            resourceConfigurationDefinition: .dnsResource(DnsResource(domainName: "db.example.com", ipAddressType: .ipv4))))
        let snra = try await h.client.createServiceNetworkResourceAssociation(CreateServiceNetworkResourceAssociationRequest(
            resourceConfigurationIdentifier: configuration.id ?? "", serviceNetworkIdentifier: network.id ?? ""))
        let logs = try await h.client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: network.id ?? "", destinationArn: "arn:aws:s3:::bucket-logs"))
        let verification = try await h.client.startDomainVerification(StartDomainVerificationRequest(domainName: "example.com"))
        let endpoint = try h.lattice.addVpcEndpoint(to: configuration.id ?? "")

        // Each ID and ARN passes the generated validation of the operations that take it back.
        func valid(_ input: some Validatable) -> [ValidationIssue] {
            var v = Validator(mode: .strict)
            input.validate(&v)
            return v.issues
        }
        for identifier in [snva.id, snva.arn].compactMap({ $0 }) {
            #expect(valid(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [snsa.id, snsa.arn].compactMap({ $0 }) {
            #expect(valid(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [snra.id, snra.arn].compactMap({ $0 }) {
            #expect(valid(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [rule.id, rule.arn].compactMap({ $0 }) {
            #expect(valid(GetRuleRequest(serviceIdentifier: service.arn ?? "", listenerIdentifier: listener, ruleIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [gateway.id, gateway.arn].compactMap({ $0 }) {
            #expect(valid(GetResourceGatewayRequest(resourceGatewayIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [configuration.id, configuration.arn].compactMap({ $0 }) {
            #expect(valid(GetResourceConfigurationRequest(resourceConfigurationIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [logs.id, logs.arn] {
            #expect(valid(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [verification.id, verification.arn] {
            #expect(valid(GetDomainVerificationRequest(domainVerificationIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        let association = try #require(endpoint.associationId)
        #expect(valid(DeleteResourceEndpointAssociationRequest(resourceEndpointAssociationIdentifier: association)).isEmpty, "\(association)")
        #expect(matches(#"vpce-[0-9a-f]{17}"#, endpoint.vpcEndpointId))
        #expect(valid(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network.arn, serviceIdentifier: service.arn)).isEmpty)
        #expect(valid(TagResourceRequest(resourceArn: rule.arn ?? "", tags: [:])).isEmpty)
        for identifier in [network.id, network.arn].compactMap({ $0 }) {
            #expect(valid(GetServiceNetworkRequest(serviceNetworkIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        for identifier in [service.id, service.arn].compactMap({ $0 }) {
            #expect(valid(GetServiceRequest(serviceIdentifier: identifier)).isEmpty, "\(identifier)")
        }
        #expect(valid(GetTargetGroupRequest(targetGroupIdentifier: group)).isEmpty, "\(group)")
        #expect(valid(GetListenerRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: listener)).isEmpty, "\(listener)")

        // Every type's ID is its prefix and 17 lowercase hexadecimal digits, as the service's
        // are (the model's patterns allow [0-9a-z] for most): in the ID and in its ARN.
        let identifiers: [(prefix: String, id: String?, arn: String?)] = [
            ("sn", network.id, network.arn), ("svc", service.id, service.arn), ("tg", group, nil), ("listener", listener, nil),
            ("rule", rule.id, rule.arn), ("snsa", snsa.id, snsa.arn), ("snva", snva.id, snva.arn), ("snra", snra.id, snra.arn),
            ("als", logs.id, logs.arn), ("rgw", gateway.id, gateway.arn), ("rcfg", configuration.id, configuration.arn),
            ("rea", endpoint.associationId, nil), ("dv", verification.id, verification.arn), ("vpce", endpoint.vpcEndpointId, nil),
        ]
        #expect(Set(identifiers.map(\.prefix)).count == 14, "every resource type with an ID")
        for (prefix, id, arn) in identifiers {
            let id = try #require(id, "\(prefix)")
            #expect(matches("\(prefix)-[0-9a-f]{17}", id), "\(id)")
            if let arn { #expect(arn.hasSuffix("/\(id)"), "\(arn)") }
        }
    }
}
