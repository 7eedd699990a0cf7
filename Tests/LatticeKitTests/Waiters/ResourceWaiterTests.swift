import Foundation
import Testing
@testable import LatticeKit

/// One ACTIVE waiter: the path it polls, the statuses its enum fails on, and where the
/// service puts the failure text.
struct ActiveWaiterCase: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    let failures: [String]
    /// `failureMessage`, `failureReason`, or nil (the answer has none).
    let messageField: String?
    let run: @Sendable (LatticeClient, WaiterOptions) async throws -> String?

    var testDescription: String { name }

    static let all: [ActiveWaiterCase] = [
        ActiveWaiterCase(name: "service", path: "/services/svc-0123456789abcdef0", failures: ["CREATE_FAILED", "DELETE_FAILED"], messageField: "failureMessage") {
            try await $0.waitUntilServiceActive(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "target group", path: "/targetgroups/tg-0123456789abcdef0", failures: ["CREATE_FAILED", "DELETE_FAILED"], messageField: "failureMessage") {
            try await $0.waitUntilTargetGroupActive(GetTargetGroupRequest(targetGroupIdentifier: "tg-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "service network service association", path: "/servicenetworkserviceassociations/snsa-0123456789abcdef0",
                         failures: ["CREATE_FAILED", "DELETE_FAILED"], messageField: "failureMessage") {
            try await $0.waitUntilServiceNetworkServiceAssociationActive(
                GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: "snsa-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "service network VPC association", path: "/servicenetworkvpcassociations/snva-0123456789abcdef0",
                         failures: ["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"], messageField: "failureMessage") {
            try await $0.waitUntilServiceNetworkVpcAssociationActive(
                GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: "snva-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "service network resource association", path: "/servicenetworkresourceassociations/snra-0123456789abcdef0",
                         failures: ["CREATE_FAILED", "DELETE_FAILED"], messageField: "failureReason") {
            try await $0.waitUntilServiceNetworkResourceAssociationActive(
                GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: "snra-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "resource gateway", path: "/resourcegateways/rgw-0123456789abcdef0",
                         failures: ["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"], messageField: nil) {
            try await $0.waitUntilResourceGatewayActive(GetResourceGatewayRequest(resourceGatewayIdentifier: "rgw-0123456789abcdef0"), options: $1).status?.rawValue
        },
        ActiveWaiterCase(name: "resource configuration", path: "/resourceconfigurations/rcfg-0123456789abcdef0",
                         failures: ["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"], messageField: "failureReason") {
            try await $0.waitUntilResourceConfigurationActive(
                GetResourceConfigurationRequest(resourceConfigurationIdentifier: "rcfg-0123456789abcdef0"), options: $1).status?.rawValue
        },
    ]
}

@Suite struct ResourceWaiterTests {
    @Test(arguments: ActiveWaiterCase.all)
    func activeWaiterPollsItsGetUntilActive(_ c: ActiveWaiterCase) async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), status("ACTIVE")])
        let final = try await c.run(h.client, WaiterOptions(delay: 1))
        #expect(final == "ACTIVE")
        #expect(h.paths == [c.path, c.path])
        #expect(h.slept == [1])
    }

    @Test(arguments: ActiveWaiterCase.all)
    func activeWaiterFailsFastOnEachFailedStatusWithTheServiceText(_ c: ActiveWaiterCase) async throws {
        for failure in c.failures {
            let field = c.messageField.map { #""\#($0)":"subnet subnet-1 has no free addresses""# } ?? ""
            let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), status(failure, field), status("ACTIVE")])
            let error = try #require(await waiterError { _ = try await c.run(h.client, WaiterOptions(delay: 1)) })
            #expect(error.kind == .failureState)
            #expect(error.state == failure)
            #expect(error.subject.resourceType == c.name)
            #expect(error.attempts == 2)
            if c.messageField != nil {
                #expect(error.reason == "subnet subnet-1 has no free addresses")
                #expect(error.description.contains("subnet subnet-1 has no free addresses"))
            } else {
                #expect(error.reason == nil)
            }
        }
    }

    @Test(arguments: ActiveWaiterCase.all)
    func activeWaiterFailsFastWhileTheResourceIsBeingDeleted(_ c: ActiveWaiterCase) async throws {
        let h = try WaiterHarness([status("DELETE_IN_PROGRESS")])
        let error = await waiterError { _ = try await c.run(h.client, WaiterOptions(delay: 1)) }
        #expect(error?.state == "DELETE_IN_PROGRESS")
        #expect(error?.reason == "it is being deleted")
    }

    @Test(arguments: ActiveWaiterCase.all)
    func activeWaiterKeepsWaitingOnAStatusTheModelDoesNotKnow(_ c: ActiveWaiterCase) async throws {
        let h = try WaiterHarness([status("WARMING_UP"), status("ACTIVE")])
        #expect(try await c.run(h.client, WaiterOptions(delay: 1)) == "ACTIVE")
    }

    @Test func vpcAssociationWaitsThroughAnUpdate() async throws {
        let h = try WaiterHarness([status("UPDATE_IN_PROGRESS"), status("ACTIVE")])
        let out = try await h.client.waitUntilServiceNetworkVpcAssociationActive(
            GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: "snva-0123456789abcdef0"), options: WaiterOptions(delay: 1))
        #expect(out.status == .active)
    }

    @Test func aPartialResourceAssociationKeepsWaitingAndATimeoutSaysSo() async throws {
        let h = try WaiterHarness([status("PARTIAL")])
        let error = await waiterError {
            try await h.client.waitUntilServiceNetworkResourceAssociationActive(
                GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: "snra-0123456789abcdef0"),
                options: WaiterOptions(delay: 1, timeout: 3))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.state == "PARTIAL")
        #expect(error?.description.contains("only part of it is active") == true)
    }

    // MARK: Deleted

    @Test func serviceDeletedSucceedsOnResourceNotFound() async throws {
        let h = try WaiterHarness([status("DELETE_IN_PROGRESS"), status("DELETE_IN_PROGRESS"), notFound])
        let log = ProgressLog()
        try await h.client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: serviceId), options: WaiterOptions(delay: 4, progress: log.callback))
        #expect(log.all.map(\.state) == ["DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS", "deleted"])
        #expect(h.slept == [4, 4])
    }

    @Test func serviceDeletedFailsFastOnDeleteFailed() async throws {
        let h = try WaiterHarness([status("DELETE_FAILED", #""failureMessage":"the service is still associated with sn-1""#)])
        let error = try #require(await waiterError { try await h.client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: serviceId)) })
        #expect(error.kind == .failureState)
        #expect(error.subject.goal == "deleted")
        #expect(error.description.contains("service \(serviceId) reached DELETE_FAILED while waiting for it to be deleted"))
        #expect(error.description.contains("still associated with sn-1"))
    }

    @Test func deletedWaiterTimesOutNamingTheStateStillSeen() async throws {
        let h = try WaiterHarness([status("ACTIVE")])
        let error = await waiterError {
            try await h.client.waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: targetGroupId), options: WaiterOptions(delay: 1, timeout: 2))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.state == "ACTIVE")
    }

    @Test func deletedWaitersWithoutAStatusWaitWhileTheResourceExists() async throws {
        let existing = ok(#"{"id":"x","arn":"arn:x"}"#)
        let cases: [(String, @Sendable (LatticeClient, WaiterOptions) async throws -> Void)] = [
            ("/servicenetworks/sn-0123456789abcdef0", { try await $0.waitUntilServiceNetworkDeleted(GetServiceNetworkRequest(serviceNetworkIdentifier: "sn-0123456789abcdef0"), options: $1) }),
            ("/services/\(serviceId)/listeners/listener-0123456789abcdef0", {
                try await $0.waitUntilListenerDeleted(GetListenerRequest(serviceIdentifier: serviceId, listenerIdentifier: "listener-0123456789abcdef0"), options: $1)
            }),
            ("/services/\(serviceId)/listeners/listener-0123456789abcdef0/rules/rule-0123456789abcdef0", {
                try await $0.waitUntilRuleDeleted(
                    GetRuleRequest(serviceIdentifier: serviceId, listenerIdentifier: "listener-0123456789abcdef0", ruleIdentifier: "rule-0123456789abcdef0"), options: $1)
            }),
        ]
        for (path, run) in cases {
            let h = try WaiterHarness([existing, existing, notFound])
            let log = ProgressLog()
            try await run(h.client, WaiterOptions(delay: 1, progress: log.callback))
            #expect(h.paths == [path, path, path])
            #expect(log.all.map(\.state) == ["exists", "exists", "deleted"])
        }
    }

    @Test func accessLogSubscriptionDeleted() async throws {
        let existing = ok(#"{"id":"als-0123456789abcdef0","arn":"a","resourceId":"svc","resourceArn":"r","destinationArn":"d","createdAt":"2024-05-01T12:00:00.000Z","lastUpdatedAt":"2024-05-01T12:00:00.000Z"}"#)
        let h = try WaiterHarness([existing, notFound])
        try await h.client.waitUntilAccessLogSubscriptionDeleted(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: "als-0123456789abcdef0"), options: WaiterOptions(delay: 1))
        #expect(h.paths == ["/accesslogsubscriptions/als-0123456789abcdef0", "/accesslogsubscriptions/als-0123456789abcdef0"])
    }

    @Test func deletedWaitersWithAStatusFailOnDeleteFailed() async throws {
        let cases: [@Sendable (LatticeClient) async throws -> Void] = [
            { try await $0.waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: targetGroupId)) },
            { try await $0.waitUntilServiceNetworkServiceAssociationDeleted(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: "snsa-0123456789abcdef0")) },
            { try await $0.waitUntilServiceNetworkVpcAssociationDeleted(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: "snva-0123456789abcdef0")) },
            { try await $0.waitUntilServiceNetworkResourceAssociationDeleted(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: "snra-0123456789abcdef0")) },
            { try await $0.waitUntilResourceGatewayDeleted(GetResourceGatewayRequest(resourceGatewayIdentifier: "rgw-0123456789abcdef0")) },
            { try await $0.waitUntilResourceConfigurationDeleted(GetResourceConfigurationRequest(resourceConfigurationIdentifier: "rcfg-0123456789abcdef0")) },
        ]
        for run in cases {
            let h = try WaiterHarness([status("DELETE_IN_PROGRESS"), status("DELETE_FAILED"), notFound])
            let error = await waiterError { try await run(h.client) }
            #expect(error?.state == "DELETE_FAILED")
            #expect(error?.attempts == 2)
            let ok = try WaiterHarness([status("DELETE_IN_PROGRESS"), notFound])
            try await run(ok.client)
            #expect(ok.transport.requests.count == 2)
        }
    }

    @Test func otherErrorsEndADeletedWaiter() async throws {
        let h = try WaiterHarness([serviceError(403, "AccessDeniedException", "denied")])
        await #expect(throws: AccessDeniedException.self) { try await h.client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: serviceId)) }
    }
}
