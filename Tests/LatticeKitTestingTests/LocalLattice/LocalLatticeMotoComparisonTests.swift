import Foundation
@testable import LatticeKit
import LatticeKitTesting
import SigV4
import Testing
import LatticeTestSupport

/// The same flow, over every operation moto implements, through a client on the local Lattice
/// and a client on moto_server; the observations are compared key by key where both sides
/// define them. Every difference is listed below with whose it is and why.
@Suite(.serialized) struct LocalLatticeMotoComparisonTests {
    enum Whose: String { case moto, ours, unclear }

    /// A documented difference: the key, what each side answered, whose it is and why.
    struct Difference {
        let key: String
        let ours: String
        let moto: String
        let whose: Whose
        let why: String
    }

    static let account = "123456789012"
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#

    static let expectedDifferences: [Difference] = {
        let idFormat = "moto makes IDs as <prefix>- and the first 17 characters of a UUID4, hyphens included (svc-0b38019e-af6b-458); the model's patterns want 17 of [0-9a-z] (hex for snra-), so moto's IDs fail them"
        let hexIds = "the service's IDs are <prefix>- and 17 lowercase hexadecimal digits for every type (as in the API reference's examples), and so are the local Lattice's; moto's have a hyphen in them"
        let asynchronous = "moto makes every resource ACTIVE at once; the service creates asynchronously and answers CREATE_IN_PROGRESS (hence the model's waiters). After settling both say ACTIVE (the *.settled.status keys agree)"
        var list: [Difference] = [
            // Status codes: the model's successCode.
            Difference(key: "http.DeleteAccessLogSubscription", ours: "204", moto: "200", whose: .moto, why: "the model says 204 with no body; moto answers 200 {}"),
            Difference(key: "http.DeleteAuthPolicy", ours: "204", moto: "200", whose: .moto, why: "the model says 204 with no body; moto answers 200 {}"),
            Difference(key: "http.DeleteResourcePolicy", ours: "204", moto: "200", whose: .moto, why: "the model says 204 with no body; moto answers 200 {}"),
            // Statuses right after create.
            Difference(key: "svc.create.status", ours: "CREATE_IN_PROGRESS", moto: "ACTIVE", whose: .moto, why: asynchronous),
            Difference(key: "tg.create.status", ours: "CREATE_IN_PROGRESS", moto: "ACTIVE", whose: .moto, why: asynchronous),
            Difference(key: "snsa.create.status", ours: "CREATE_IN_PROGRESS", moto: "ACTIVE", whose: .moto, why: asynchronous),
            Difference(key: "snva.create.status", ours: "CREATE_IN_PROGRESS", moto: "ACTIVE", whose: .moto, why: asynchronous),
            Difference(key: "snra.create.status", ours: "CREATE_IN_PROGRESS", moto: "ACTIVE", whose: .moto, why: asynchronous),
            // Shapes of what moto makes.
            Difference(key: "rule.arn.shape", ours: "arn:aws:vpc-lattice:us-east-1:123456789012:service/<0>/listener/<1>/rule/<2>",
                       moto: "arn:aws:vpc-lattice:us-east-1:123456789012:service/<0>/listener/listener-<1>/rule/<2>", whose: .moto,
                       why: "moto doubles the listener- prefix in rule ARNs, which then fail the model's RuleArn pattern"),
            Difference(key: "svc.create.authType", ours: "NONE", moto: "absent", whose: .moto,
                       why: "the service defaults authType to NONE; moto answers null when none was sent"),
            Difference(key: "svc.dns.inServiceDomain", ours: "true", moto: "false", whose: .moto,
                       why: "service DNS names are <name>-<id>.<hex>.vpc-lattice-svcs.<region>.on.aws; moto makes <id>.<region>.vpclattice.amazonaws.com"),
            Difference(key: "snsa.dns.equalsService", ours: "true", moto: "false", whose: .moto,
                       why: "an association answers with its service's DNS entry; moto makes a new one from the association's ID"),
            Difference(key: "snva.create.createdBy", ours: "123456789012", moto: "user", whose: .moto,
                       why: "createdBy is the creator's account ID (AccountId, [0-9]{12}); moto answers the word user"),
            Difference(key: "listener.http.defaultPort", ours: "80", moto: "443", whose: .moto,
                       why: "an HTTP listener without a port listens on 80 (443 for HTTPS); moto uses 443 for every protocol"),
            Difference(key: "auth.put.svcWithoutAuthType.state", ours: "Inactive", moto: "Active", whose: .moto,
                       why: "a service created without authType has NONE, so its auth policy is Inactive; moto keeps the missing authType and calls the policy Active"),
            Difference(key: "auth.get.svcWithoutAuthType.state", ours: "Inactive", moto: "Active", whose: .moto, why: "as auth.put.svcWithoutAuthType.state"),
            // Errors.
            Difference(key: "notFound.status", ours: "404", moto: "400", whose: .moto, why: "ResourceNotFoundException is HTTP 404 in the model; moto answers 400"),
            Difference(key: "notFound.resourceId", ours: "svc-0000000000000000a", moto: "absent", whose: .moto,
                       why: "the model's ResourceNotFoundException requires resourceId and resourceType; moto sends only a message"),
            Difference(key: "snva.bogusToken", ours: "ValidationException", moto: "InvalidToken", whose: .unclear,
                       why: "the model has no InvalidToken error; the local Lattice answers an unknown token with the modeled ValidationException (fieldList nextToken), which is what the service is expected to do but not documented"),
            Difference(key: "duplicateName", ours: "ConflictException", moto: "ok", whose: .moto,
                       why: "service network names are unique in an account and region (ConflictException); moto creates a second one"),
            Difference(key: "clientToken.sameResource", ours: "true", moto: "false", whose: .moto,
                       why: "a retried create with the same clientToken returns the first resource; moto ignores clientToken and creates another"),
            Difference(key: "accessLog.badDestination", ours: "ValidationException", moto: "ok", whose: .moto,
                       why: "the service documents S3 buckets, CloudWatch Logs log groups and Firehose delivery streams as the only destinations; moto stores any ARN"),
            // Tags.
            Difference(key: "tags.sn.afterUntaggingTwoKeys", ours: "{}", moto: #"{"team":"a"}"#, whose: .moto,
                       why: "UntagResource removes every tagKeys value; moto removes only the first"),
            Difference(key: "tags.unknownArn.list", ours: "ResourceNotFoundException", moto: "ok", whose: .moto,
                       why: "an ARN that names no resource is not found; moto answers {} for any ARN"),
            Difference(key: "tags.unknownArn.tag", ours: "ResourceNotFoundException", moto: "ok", whose: .moto,
                       why: "an ARN that names no resource is not found; moto stores tags for any ARN"),
        ]
        for operation in ["CreateAccessLogSubscription", "CreateListener", "CreateRule", "CreateService", "CreateServiceNetwork",
                          "CreateServiceNetworkResourceAssociation", "CreateTargetGroup"] {
            list.append(Difference(key: "http.\(operation)", ours: "201", moto: "200", whose: .moto, why: "the model says 201; moto answers 200"))
        }
        for resource in ["sn", "svc", "tg", "snsa", "snva", "snra", "als"] {
            list.append(Difference(key: "\(resource).id.matchesModel", ours: "true", moto: "false", whose: .moto, why: idFormat))
            list.append(Difference(key: "\(resource).id.hex", ours: "true", moto: "false", whose: .moto, why: hexIds))
        }
        return list
    }()

    /// One side of the comparison: a client (validation relaxed for moto's IDs, one attempt so
    /// moto's 500s are not retried), its recorder, and how to get a resource configuration to
    /// associate (ours makes a real one; moto accepts any rcfg- ID, having none).
    struct Side {
        let client: LatticeClient
        let recorder: CountingTransport
        let resourceConfiguration: @Sendable (LatticeClient) async throws -> String
    }

    @Test func theSameFlowGivesTheSameResultsOnMotoAndTheLocalLattice() async throws {
        try await LocalLatticeMotoServer().whileRunning(compare)
    }

    func compare(_ moto: LocalLatticeMotoServer) async throws {
        let variables = ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        let environment = RuntimeEnvironment(now: { Date() }, sleep: { _ in }, random: { 0.5 }, variables: variables)
        let credentials = AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")

        let motoRecorder = CountingTransport(try CurlTransport())
        let motoSide = Side(
            client: try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: moto.url, credentials: credentials, validation: .relaxed, maxAttempts: 1),
                                      transport: motoRecorder, environment: environment),
            recorder: motoRecorder,
            resourceConfiguration: { _ in "rcfg-0123456789abcdef0" })
        let lattice = LocalLattice(.init(idSeed: 5))
        let oursRecorder = CountingTransport(lattice)
        let oursSide = Side(
            client: try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: "https://vpc-lattice.us-east-1.amazonaws.com", credentials: credentials,
                                                           validation: .relaxed, maxAttempts: 1),
                                      transport: oursRecorder, environment: environment),
            recorder: oursRecorder,
            resourceConfiguration: { client in
                let gateway = try await client.createResourceGateway(CreateResourceGatewayRequest(
                    name: "seed-gateway", vpcIdentifier: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"]))
                let configuration = try await client.createResourceConfiguration(CreateResourceConfigurationRequest(
                    name: "seed-database", type: .single, portRanges: ["5432"], resourceGatewayIdentifier: gateway.id,
                    resourceConfigurationDefinition: .dnsResource(DnsResource(domainName: "db.example.com"))))
                return configuration.id ?? ""
            })

        let ours = try await flow(oursSide)
        let theirs = try await flow(motoSide)

        // Every operation moto implements was compared.
        let implemented = try LocalLatticeMotoServer.implemented()
        #expect(motoRecorder.operations.isSuperset(of: implemented), "not called on moto: \(implemented.subtracting(motoRecorder.operations).sorted())")

        var found: [String: (ours: String, moto: String)] = [:]
        for key in Set(ours.keys).intersection(theirs.keys) where ours[key] != theirs[key] {
            found[key] = (ours[key] ?? "", theirs[key] ?? "")
        }
        let documented = Dictionary(uniqueKeysWithValues: Self.expectedDifferences.map { ($0.key, $0) })
        for key in found.keys.sorted() {
            let pair = found[key] ?? ("", "")
            guard let d = documented[key] else {
                Issue.record("undocumented difference \(key): ours \(pair.ours), moto \(pair.moto)")
                continue
            }
            #expect(d.ours == pair.ours && d.moto == pair.moto, "\(key): documented ours \(d.ours) moto \(d.moto), found ours \(pair.ours) moto \(pair.moto)")
        }
        for d in Self.expectedDifferences where found[d.key] == nil {
            Issue.record("documented difference \(d.key) did not occur (ours \(ours[d.key] ?? "undefined"), moto \(theirs[d.key] ?? "undefined"))")
        }
        let compared = Set(ours.keys).intersection(theirs.keys).count
        #expect(compared > 100, "only \(compared) observations were defined on both sides")
    }

    // MARK: The flow

    /// Runs the flow on one side and returns its observations, by key. A key a side does not
    /// define (an absent member, an operation it lacks) is left out and not compared.
    func flow(_ side: Side) async throws -> [String: String] {
        let c = side.client
        var o: [String: String] = [:]
        func set(_ key: String, _ value: (any CustomStringConvertible)?) {
            if let value { o[key] = value.description }
        }
        func json(_ value: some Encodable) -> String {
            (try? String(decoding: LatticeJSON.encoder().encode(value), as: UTF8.self)) ?? "?"
        }
        func shape(_ text: String?, _ replacements: [String?]) -> String? {
            guard var text else { return nil }
            for (n, r) in replacements.enumerated() { if let r { text = text.replacing(r, with: "<\(n)>") } }
            return text
        }
        func outcome(_ body: () async throws -> Void) async -> String {
            do {
                try await body()
                return "ok"
            } catch let e as any LatticeModeledError {
                return type(of: e).code
            } catch let e as AWSServiceError {
                return e.code
            } catch {
                return "\(type(of: error))"
            }
        }
        func settled(_ get: () async throws -> String?) async throws -> String? {
            var status: String?
            for _ in 0..<5 {
                status = try await get()
                if !(status ?? "").hasSuffix("IN_PROGRESS") { break }
            }
            return status
        }
        let tags = ["env": "test", "team": "a"]
        let vpc = "vpc-0fedcba9876543210"

        // Service network.
        let sn = try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth, tags: tags))
        let snId = try #require(sn.id)
        let snArn = try #require(sn.arn)
        set("sn.create.name", sn.name)
        set("sn.create.authType", sn.authType)
        set("sn.id.matchesModel", matches(#"sn-[0-9a-z]{17}"#, snId))
        set("sn.id.hex", matches(#"sn-[0-9a-f]{17}"#, snId))
        set("sn.arn.shape", shape(snArn, [snId]))
        let gotSn = try await c.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snId))
        set("sn.get.name", gotSn.name)
        set("sn.get.authType", gotSn.authType)
        set("sn.get.byArn.id", try await c.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snArn)).id == snId)
        set("sn.list.contains", try await c.listServiceNetworks(ListServiceNetworksRequest()).items.contains { $0.id == snId })

        // Services: one without an auth type, one with AWS_IAM.
        let svc = try await c.createService(CreateServiceRequest(name: "provider-svc", tags: tags))
        let svcId = try #require(svc.id)
        let svcArn = try #require(svc.arn)
        set("svc.create.name", svc.name)
        set("svc.create.status", svc.status)
        set("svc.create.authType", svc.authType?.rawValue ?? "absent")
        set("svc.id.matchesModel", matches(#"svc-[0-9a-z]{17}"#, svcId))
        set("svc.id.hex", matches(#"svc-[0-9a-f]{17}"#, svcId))
        set("svc.arn.shape", shape(svcArn, [svcId]))
        set("svc.dns.inServiceDomain", svc.dnsEntry?.domainName?.hasSuffix(".vpc-lattice-svcs.us-east-1.on.aws"))
        set("svc.dns.hostedZoneId.present", svc.dnsEntry?.hostedZoneId != nil)
        set("svc.settled.status", try await settled { try await c.getService(GetServiceRequest(serviceIdentifier: svcId)).status?.rawValue })
        let gotSvc = try await c.getService(GetServiceRequest(serviceIdentifier: svcArn))
        set("svc.get.name", gotSvc.name)
        set("svc.get.dns.equalsCreate", gotSvc.dnsEntry == svc.dnsEntry)
        set("svc.list.contains", try await c.listServices(ListServicesRequest()).items?.contains { $0.id == svcId })
        let iam = try await c.createService(CreateServiceRequest(name: "iam-svc", authType: .awsIam))
        let iamId = try #require(iam.id)
        set("svc2.create.authType", iam.authType)

        // Target group.
        let health = HealthCheckConfig(enabled: true, protocol: .http, port: 8080, path: "/health", healthyThresholdCount: 2,
                                       unhealthyThresholdCount: 2, matcher: .httpCode("200"))
        let tg = try await c.createTargetGroup(CreateTargetGroupRequest(
            name: "provider-tg", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: vpc, healthCheck: health), tags: tags))
        let tgId = try #require(tg.id)
        let tgArn = try #require(tg.arn)
        set("tg.create.name", tg.name)
        set("tg.create.type", tg.type)
        set("tg.create.status", tg.status)
        set("tg.id.matchesModel", matches(#"tg-[0-9a-z]{17}"#, tgId))
        set("tg.id.hex", matches(#"tg-[0-9a-f]{17}"#, tgId))
        set("tg.arn.shape", shape(tgArn, [tgId]))
        for (label, config) in [("create", tg.config), ("get", try await c.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgId)).config)] {
            set("tg.\(label).config.port", config?.port)
            set("tg.\(label).config.protocol", config?.protocol)
            set("tg.\(label).config.vpcIdentifier", config?.vpcIdentifier)
            set("tg.\(label).config.protocolVersion", config?.protocolVersion)
            set("tg.\(label).config.ipAddressType", config?.ipAddressType)
            set("tg.\(label).healthCheck.enabled", config?.healthCheck?.enabled)
            set("tg.\(label).healthCheck.protocol", config?.healthCheck?.protocol)
            set("tg.\(label).healthCheck.port", config?.healthCheck?.port)
            set("tg.\(label).healthCheck.path", config?.healthCheck?.path)
            set("tg.\(label).healthCheck.thresholds", config?.healthCheck.map { "\($0.healthyThresholdCount ?? -1)/\($0.unhealthyThresholdCount ?? -1)" })
            set("tg.\(label).healthCheck.matcher", config?.healthCheck?.matcher.map(json))
            set("tg.\(label).healthCheck.interval", config?.healthCheck?.healthCheckIntervalSeconds)
        }
        set("tg.settled.status", try await settled { try await c.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgArn)).status?.rawValue })
        set("tg.list.contains", try await c.listTargetGroups(ListTargetGroupsRequest()).items?.contains { $0.id == tgId })

        // Listeners.
        let forward = RuleAction.forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tgId, weight: 1)]))
        let listener = try await c.createListener(CreateListenerRequest(serviceIdentifier: svcId, name: "http-80", protocol: .http, port: 80,
                                                                        defaultAction: forward, tags: tags))
        let listenerId = try #require(listener.id)
        let listenerArn = try #require(listener.arn)
        set("listener.create.name", listener.name)
        set("listener.create.protocol", listener.protocol)
        set("listener.create.port", listener.port)
        set("listener.create.defaultAction", shape(listener.defaultAction.map(json), [tgId]))
        set("listener.create.serviceId", listener.serviceId == svcId)
        set("listener.create.serviceArn", listener.serviceArn == svcArn)
        set("listener.arn.shape", shape(listenerArn, [svcId, listenerId]))
        let gotListener = try await c.getListener(GetListenerRequest(serviceIdentifier: svcId, listenerIdentifier: listenerId))
        set("listener.get.port", gotListener.port)
        set("listener.get.defaultAction", shape(gotListener.defaultAction.map(json), [tgId]))
        set("listener.list.ids", try await c.listListeners(ListListenersRequest(serviceIdentifier: svcId)).items.map { $0.id == listenerId })
        let defaultPort = try await c.createListener(CreateListenerRequest(serviceIdentifier: iamId, name: "http-default", protocol: .http,
                                                                           defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))
        set("listener.http.defaultPort", defaultPort.port)

        // Rule.
        let rule = try await c.createRule(CreateRuleRequest(
            serviceIdentifier: svcId, listenerIdentifier: listenerId, name: "internal-404",
            match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/internal")))), priority: 10,
            action: .fixedResponse(FixedResponseAction(statusCode: 404)), tags: tags))
        let ruleId = try #require(rule.id)
        let ruleArn = try #require(rule.arn)
        set("rule.create.name", rule.name)
        set("rule.create.priority", rule.priority)
        set("rule.create.match", rule.match.map(json))
        set("rule.create.action", rule.action.map(json))
        set("rule.arn.shape", shape(ruleArn, [svcId, listenerId, ruleId]))

        // Service network service association.
        let snsa = try await c.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
            serviceIdentifier: svcId, serviceNetworkIdentifier: snId, tags: tags))
        let snsaId = try #require(snsa.id)
        let snsaArn = try #require(snsa.arn)
        set("snsa.create.status", snsa.status)
        set("snsa.create.createdBy", snsa.createdBy)
        set("snsa.id.matchesModel", matches(#"snsa-[0-9a-z]{17}"#, snsaId))
        set("snsa.id.hex", matches(#"snsa-[0-9a-f]{17}"#, snsaId))
        set("snsa.arn.shape", shape(snsaArn, [snsaId]))
        set("snsa.dns.equalsService", snsa.dnsEntry == svc.dnsEntry)
        set("snsa.settled.status", try await settled {
            try await c.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsaId)).status?.rawValue
        })
        let gotSnsa = try await c.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsaArn))
        set("snsa.get.serviceId", gotSnsa.serviceId == svcId)
        set("snsa.get.serviceNetworkId", gotSnsa.serviceNetworkId == snId)
        set("snsa.get.createdBy", gotSnsa.createdBy)
        set("snsa.list.contains", try await c.listServiceNetworkServiceAssociations(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: snId)).items.contains { $0.id == snsaId })
        set("snsa.list.byService.contains", try await c.listServiceNetworkServiceAssociations(ListServiceNetworkServiceAssociationsRequest(serviceIdentifier: svcId)).items.contains { $0.id == snsaId })

        // Service network VPC associations, and paging through them.
        let snva = try await c.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
            serviceNetworkIdentifier: snId, vpcIdentifier: vpc, securityGroupIds: ["sg-0123456789abcdef0"], tags: tags))
        let snvaId = try #require(snva.id)
        let snvaArn = try #require(snva.arn)
        set("snva.create.status", snva.status)
        set("snva.create.createdBy", snva.createdBy)
        set("snva.create.securityGroupIds", snva.securityGroupIds.map(json))
        set("snva.id.matchesModel", matches(#"snva-[0-9a-z]{17}"#, snvaId))
        set("snva.id.hex", matches(#"snva-[0-9a-f]{17}"#, snvaId))
        set("snva.arn.shape", shape(snvaArn, [snvaId]))
        set("snva.settled.status", try await settled {
            try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId)).items.first { $0.id == snvaId }?.status?.rawValue
        })
        _ = try await c.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(serviceNetworkIdentifier: snId, vpcIdentifier: "vpc-0aaaaaaaaaaaaaaaa"))
        let page1 = try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId, maxResults: 1))
        set("snva.page1.count", page1.items.count)
        set("snva.page1.hasToken", page1.nextToken != nil)
        if let token = page1.nextToken {
            let page2 = try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId, maxResults: 1, nextToken: token))
            set("snva.page2.count", page2.items.count)
            set("snva.page2.hasToken", page2.nextToken != nil)
            set("snva.pages.distinct", page1.items.first?.id != page2.items.first?.id)
        }
        set("snva.list.byVpc.count", try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(vpcIdentifier: vpc)).items.count)
        set("snva.bogusToken", await outcome {
            _ = try await c.listServiceNetworkVpcAssociations(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: snId, nextToken: "bogus-token"))
        })

        // Service network resource association.
        let rcfgId = try await side.resourceConfiguration(c)
        let snra = try await c.createServiceNetworkResourceAssociation(CreateServiceNetworkResourceAssociationRequest(
            resourceConfigurationIdentifier: rcfgId, serviceNetworkIdentifier: snId, tags: tags))
        let snraId = try #require(snra.id)
        let snraArn = try #require(snra.arn)
        set("snra.create.status", snra.status)
        set("snra.create.createdBy", snra.createdBy)
        set("snra.id.matchesModel", matches(#"snra-[0-9a-f]{17}"#, snraId))
        set("snra.id.hex", matches(#"snra-[0-9a-f]{17}"#, snraId))
        set("snra.arn.shape", shape(snraArn, [snraId]))
        set("snra.settled.status", try await settled {
            try await c.getServiceNetworkResourceAssociation(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: snraId)).status?.rawValue
        })
        let gotSnra = try await c.getServiceNetworkResourceAssociation(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: snraId))
        set("snra.get.serviceNetworkId", gotSnra.serviceNetworkId == snId)
        set("snra.get.serviceNetworkName", gotSnra.serviceNetworkName)
        set("snra.get.resourceConfigurationId", gotSnra.resourceConfigurationId.map { $0 == rcfgId })
        set("snra.list.contains", try await c.listServiceNetworkResourceAssociations(ListServiceNetworkResourceAssociationsRequest(serviceNetworkIdentifier: snId)).items.contains { $0.id == snraId })

        // Access log subscription.
        let als = try await c.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: snId, destinationArn: "arn:aws:s3:::seed-access-logs", tags: tags))
        set("als.create.resourceId", als.resourceId == snId)
        set("als.create.resourceArn", als.resourceArn == snArn)
        set("als.create.destinationArn", als.destinationArn)
        set("als.create.logType", als.serviceNetworkLogType)
        set("als.id.matchesModel", matches(#"als-[0-9a-z]{17}"#, als.id))
        set("als.id.hex", matches(#"als-[0-9a-f]{17}"#, als.id))
        set("als.arn.shape", shape(als.arn, [als.id]))
        let gotAls = try await c.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.arn))
        set("als.get.destinationArn", gotAls.destinationArn)
        set("als.get.logType", gotAls.serviceNetworkLogType)
        set("als.list.count", try await c.listAccessLogSubscriptions(ListAccessLogSubscriptionsRequest(resourceIdentifier: snId)).items.count)
        set("als.list.byArn.count", try await c.listAccessLogSubscriptions(ListAccessLogSubscriptionsRequest(resourceIdentifier: snArn)).items.count)
        let updated = try await c.updateAccessLogSubscription(UpdateAccessLogSubscriptionRequest(
            accessLogSubscriptionIdentifier: als.id, destinationArn: "arn:aws:s3:::seed-access-logs-2"))
        set("als.update.destinationArn", updated.destinationArn)
        set("als.get.afterUpdate", try await c.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.id)).destinationArn)

        // Auth policies: state follows the resource's auth type.
        set("auth.put.svcWithoutAuthType.state", try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: svcId, policy: Self.policy)).state)
        let auth = try await c.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: svcArn))
        set("auth.get.policy", auth.policy == Self.policy)
        set("auth.get.svcWithoutAuthType.state", auth.state)
        set("auth.put.iamSvc.state", try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: iamId, policy: Self.policy)).state)
        set("auth.put.snNone.state", try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: snArn, policy: Self.policy)).state)
        set("auth.delete", await outcome { _ = try await c.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: svcId)) })
        set("auth.get.afterDelete", await outcome { _ = try await c.getAuthPolicy(GetAuthPolicyRequest(resourceIdentifier: svcId)) })
        set("auth.delete.again", await outcome { _ = try await c.deleteAuthPolicy(DeleteAuthPolicyRequest(resourceIdentifier: svcId)) })

        // Resource policy.
        set("resourcePolicy.put", await outcome { _ = try await c.putResourcePolicy(PutResourcePolicyRequest(resourceArn: snArn, policy: Self.policy)) })
        set("resourcePolicy.get", try await c.getResourcePolicy(GetResourcePolicyRequest(resourceArn: snArn)).policy == Self.policy)
        set("resourcePolicy.delete", await outcome { _ = try await c.deleteResourcePolicy(DeleteResourcePolicyRequest(resourceArn: snArn)) })
        set("resourcePolicy.get.afterDelete", await outcome { _ = try await c.getResourcePolicy(GetResourcePolicyRequest(resourceArn: snArn)) })

        // Tags, on every resource type: given at create, added, removed one key at a time.
        let tagged: [(String, String)] = [("sn", snArn), ("svc", svcArn), ("tg", tgArn), ("listener", listenerArn), ("rule", ruleArn),
                                          ("snsa", snsaArn), ("snva", snvaArn), ("snra", snraArn), ("als", als.arn)]
        for (name, arn) in tagged {
            set("tags.\(name).created", json(try await c.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags ?? [:]))
            _ = try await c.tagResource(TagResourceRequest(resourceArn: arn, tags: ["owner": "team-b"]))
            _ = try await c.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: ["env"]))
            set("tags.\(name).changed", json(try await c.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags ?? [:]))
        }
        _ = try await c.untagResource(UntagResourceRequest(resourceArn: snArn, tagKeys: ["owner", "team"]))
        set("tags.sn.afterUntaggingTwoKeys", json(try await c.listTagsForResource(ListTagsForResourceRequest(resourceArn: snArn)).tags ?? [:]))
        let unknownArn = "arn:aws:vpc-lattice:us-east-1:\(Self.account):servicenetwork/sn-0000000000000000a"
        set("tags.unknownArn.list", await outcome { _ = try await c.listTagsForResource(ListTagsForResourceRequest(resourceArn: unknownArn)) })
        set("tags.unknownArn.tag", await outcome { _ = try await c.tagResource(TagResourceRequest(resourceArn: unknownArn, tags: ["a": "b"])) })

        // Errors and the service's rules.
        do {
            _ = try await c.getService(GetServiceRequest(serviceIdentifier: "svc-0000000000000000a"))
            set("notFound.code", "none")
        } catch let e as ResourceNotFoundException {
            set("notFound.code", ResourceNotFoundException.code)
            set("notFound.status", e.serviceError?.httpStatus)
            set("notFound.resourceId", e.resourceId ?? "absent")
        }
        set("notFound.listener", await outcome { _ = try await c.getListener(GetListenerRequest(serviceIdentifier: iamId, listenerIdentifier: listenerId)) })
        set("duplicateName", await outcome { _ = try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network")) })
        let once = CreateServiceRequest(clientToken: "same-token", name: "token-svc")
        let first = try await c.createService(once)
        let retried = try await c.createService(once)
        set("clientToken.sameResource", first.id == retried.id)
        set("accessLog.badDestination", await outcome {
            _ = try await c.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(resourceIdentifier: svcId, destinationArn: "arn:aws:sqs:us-east-1:123456789012:queue"))
        })
        set("accessLog.delete", await outcome { _ = try await c.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.id)) })
        set("accessLog.list.afterDelete", try await c.listAccessLogSubscriptions(ListAccessLogSubscriptionsRequest(resourceIdentifier: snId)).items.count)
        set("accessLog.get.afterDelete", await outcome { _ = try await c.getAccessLogSubscription(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: als.id)) })

        // The HTTP status of each operation's first success (or first answer).
        for operation in try LocalLatticeMotoServer.implemented() {
            let statuses = side.recorder.statuses(operation)
            set("http.\(operation)", statuses.first { (200..<300).contains($0) } ?? statuses.first)
        }
        return o
    }
}
