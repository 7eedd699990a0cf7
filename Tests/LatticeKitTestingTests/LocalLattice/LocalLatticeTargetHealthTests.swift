import Foundation
import LatticeKit
import LatticeKitTesting
import Synchronization
import Testing

/// Target registration and health states, target group types, injected faults and
/// concurrent use.
@Suite struct LocalLatticeTargetHealthTests {
    static let vpc = "vpc-0123456789abcdef0"

    func statuses(_ client: LatticeClient, _ group: String) async throws -> [String] {
        try await client.listTargets(ListTargetsRequest(targetGroupIdentifier: group)).items.map { "\($0.id ?? ""):\($0.status?.rawValue ?? "")" }
    }

    @Test func targetsGoFromUnusedToInitialToHealthyThenDrainAway() async throws {
        let h = try Harness(settle: 2)
        let c = h.client
        let group = try await c.createTargetGroup(CreateTargetGroupRequest(name: "web", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: Self.vpc)))
        let groupId = try #require(group.id)
        _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.0.1")]))
        #expect(try await statuses(c, groupId) == ["10.0.0.1:UNUSED"])
        #expect(try await statuses(c, groupId) == ["10.0.0.1:UNUSED"], "no listener: no health checks, no progress")

        let service = try await c.createService(CreateServiceRequest(name: "web-svc"))
        _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: service.id ?? "", name: "http", protocol: .http,
                                                             defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: groupId)]))))
        #expect(try await statuses(c, groupId) == ["10.0.0.1:INITIAL"])
        #expect(try await statuses(c, groupId) == ["10.0.0.1:INITIAL"])
        #expect(try await statuses(c, groupId) == ["10.0.0.1:HEALTHY"])

        // Registering again changes nothing; a second target starts INITIAL.
        let again = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.0.1"), Target(id: "10.0.0.2", port: 81)]))
        #expect(again.successful == [Target(id: "10.0.0.1", port: 80), Target(id: "10.0.0.2", port: 81)])
        #expect(try await statuses(c, groupId) == ["10.0.0.1:HEALTHY", "10.0.0.2:INITIAL"])

        // Deregistered: DRAINING for the settling observations, then gone; unknown ones fail.
        let out = try await c.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.0.1"), Target(id: "10.9.9.9")]))
        #expect(out.successful?.map(\.id) == ["10.0.0.1"])
        #expect(out.unsuccessful?.map(\.failureCode) == ["TargetNotFound"])
        let draining = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.0.1")]))
        #expect(draining.items.map(\.status) == [.draining])
        #expect(draining.items.map(\.reasonCode) == ["DeregistrationInProgress"])
        #expect(try await statuses(c, groupId) == ["10.0.0.1:DRAINING", "10.0.0.2:INITIAL"], "two observations each to settle")
        #expect(try await statuses(c, groupId) == ["10.0.0.2:HEALTHY"])

        // Health checks turned off: UNAVAILABLE.
        _ = try await c.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: groupId, healthCheck: HealthCheckConfig(enabled: false)))
        let off = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: groupId))
        #expect(off.items.map(\.status) == [.unavailable])
        #expect(off.items.map(\.reasonCode) == ["HealthCheckDisabled"])
        await #expect(throws: WaiterError.self, "the waiter fails fast on UNAVAILABLE") {
            try await c.waitUntilTargetsHealthy(ListTargetsRequest(targetGroupIdentifier: groupId), options: WaiterOptions(delay: 1, timeout: 30))
        }
        // An UNAVAILABLE target goes at once: nothing drains it.
        _ = try await c.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.0.2", port: 81)]))
        #expect(try await statuses(c, groupId).isEmpty)
    }

    @Test func eachTargetGroupTypeTakesItsOwnTargets() async throws {
        let h = try Harness(settle: 0)
        let c = h.client
        let ip = try await c.createTargetGroup(CreateTargetGroupRequest(name: "ips", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: Self.vpc)))
        let ipOut = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: ip.id ?? "", targets: [Target(id: "10.0.0.300"), Target(id: "i-0123456789abcdef0")]))
        #expect(ipOut.unsuccessful?.count == 2)
        #expect(ipOut.unsuccessful?.first?.failureCode == "InvalidParameter")

        let instances = try await c.createTargetGroup(CreateTargetGroupRequest(
            name: "instances", type: .instance, config: TargetGroupConfig(port: 443, protocol: .https, vpcIdentifier: Self.vpc)))
        #expect(instances.config?.healthCheck?.protocol == .https)
        let instanceOut = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: instances.id ?? "", targets: [Target(id: "i-0123456789abcdef0")]))
        #expect(instanceOut.successful == [Target(id: "i-0123456789abcdef0", port: 443)])

        let lambda = try await c.createTargetGroup(CreateTargetGroupRequest(name: "functions", type: .lambda, config: TargetGroupConfig(lambdaEventStructureVersion: .v2)))
        #expect(lambda.config?.lambdaEventStructureVersion == .v2)
        let function = "arn:aws:lambda:us-east-1:123456789012:function:hello"
        let lambdaOut = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: lambda.id ?? "", targets: [
            Target(id: function), Target(id: "arn:aws:lambda:us-east-1:123456789012:function:other"),
        ]))
        #expect(lambdaOut.successful == [Target(id: function)])
        #expect(lambdaOut.unsuccessful?.first?.failureCode == "TargetLimitExceeded")
        let lambdaTargets = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: lambda.id ?? ""))
        #expect(lambdaTargets.items.map(\.reasonCode) == ["HealthCheckNotSupported"])
        await #expect(throws: ValidationException.self, "LAMBDA groups take no port") {
            _ = try await c.createTargetGroup(CreateTargetGroupRequest(name: "bad-lambda", type: .lambda, config: TargetGroupConfig(port: 80)))
        }

        let alb = try await c.createTargetGroup(CreateTargetGroupRequest(name: "albs", type: .alb, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: Self.vpc)))
        #expect(alb.config?.healthCheck == nil)
        let albArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
        let albOut = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: alb.id ?? "", targets: [Target(id: albArn)]))
        #expect(albOut.successful?.map(\.id) == [albArn])

        // TCP groups go behind TLS_PASSTHROUGH listeners only.
        let tcp = try await c.createTargetGroup(CreateTargetGroupRequest(name: "tcp", type: .ip, config: TargetGroupConfig(port: 443, protocol: .tcp, vpcIdentifier: Self.vpc)))
        #expect(tcp.config?.healthCheck?.protocol == .tcp)
        let service = try await c.createService(CreateServiceRequest(name: "passthrough"))
        let toTcp = RuleAction.forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tcp.id ?? "")]))
        await #expect(throws: ValidationException.self) {
            _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: service.id ?? "", name: "http", protocol: .http, defaultAction: toTcp))
        }
        let tls = try await c.createListener(CreateListenerRequest(serviceIdentifier: service.id ?? "", name: "tls", protocol: .tlsPassthrough, defaultAction: toTcp))
        #expect(tls.port == 443)
        await #expect(throws: ValidationException.self, "TLS_PASSTHROUGH listeners have no rules") {
            _ = try await c.createRule(CreateRuleRequest(serviceIdentifier: service.id ?? "", listenerIdentifier: tls.id ?? "", name: "nope",
                                                         match: .httpMatch(HttpMatch(method: "GET")), priority: 1, action: toTcp))
        }
    }

    @Test func injectedThrottlingIsRetriedByTheClient() async throws {
        let calls = Mutex(0)
        let h = try Harness(injectFault: { operation in
            guard operation == "ListServices" else { return nil }
            return calls.withLock { n in
                n += 1
                return n <= 2 ? .throttling(retryAfterSeconds: 1) : nil
            }
        })
        let page = try await h.client.listServices(ListServicesRequest())
        #expect(page.items?.isEmpty == true)
        #expect(calls.withLock { $0 } == 3, "two throttled attempts, then a success")

        let denied = try Harness(injectFault: { _ in .accessDenied })
        await #expect(throws: AccessDeniedException.self) { _ = try await denied.client.listServices(ListServicesRequest()) }
        let broken = try Harness(injectFault: { _ in .internalError() })
        let error = await #expect(throws: InternalServerException.self) { _ = try await broken.client.listServices(ListServicesRequest()) }
        #expect(error?.serviceError?.attempts == 3)
    }

    @Test func concurrentCallsAreSafe() async throws {
        let h = try Harness(settle: 0)
        let client = h.client
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<40 {
                group.addTask { try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "parallel-\(n)")).id ?? "" }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 40)
        #expect(try await client.listServiceNetworksItems(ListServiceNetworksRequest(maxResults: 7)).collect().count == 40)
    }
}
