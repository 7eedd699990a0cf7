import Foundation
import Testing
@testable import LatticeKit

/// A ListTargets page: `(id, port, status)` triples, and a next token.
func page(_ targets: [(String, Int, String)], next: String? = nil, reason: String? = nil) -> HTTPResponse {
    let items = targets.map { t in
        #"{"id":"\#(t.0)","port":\#(t.1),"status":"\#(t.2)""# + (reason.map { #","reasonCode":"\#($0)""# } ?? "") + "}"
    }
    let token = next.map { #","nextToken":"\#($0)""# } ?? ""
    return ok(#"{"items":[\#(items.joined(separator: ","))]\#(token)}"#)
}

@Suite struct TargetWaiterTests {
    let input = ListTargetsRequest(targetGroupIdentifier: targetGroupId)
    let listPath = "/targetgroups/\(targetGroupId)/listtargets"

    @Test func healthyReadsEveryPageOfEveryPoll() async throws {
        let h = try WaiterHarness([
            page([("10.0.0.1", 80, "INITIAL")], next: "p2"), page([("10.0.0.2", 80, "HEALTHY")]),
            page([("10.0.0.1", 80, "HEALTHY")], next: "p2"), page([("10.0.0.2", 80, "HEALTHY")]),
        ])
        let log = ProgressLog()
        let healthy = try await h.client.waitUntilTargetsHealthy(input, options: WaiterOptions(delay: 5, progress: log.callback))
        #expect(healthy.map(\.id) == ["10.0.0.1", "10.0.0.2"])
        #expect(h.slept == [5])
        #expect(h.paths == [listPath, listPath + "?nextToken=p2", listPath, listPath + "?nextToken=p2"])
        #expect(log.all.map(\.state) == ["1 HEALTHY, 1 INITIAL", "HEALTHY"])
    }

    @Test func healthyChecksOnlyTheChosenTargetsMatchingIdAndPort() async throws {
        let h = try WaiterHarness([
            page([("10.0.0.1", 80, "INITIAL"), ("10.0.0.1", 8080, "UNHEALTHY")], next: "p2"), page([("10.0.0.2", 80, "UNHEALTHY")]),
            page([("10.0.0.1", 80, "HEALTHY"), ("10.0.0.1", 8080, "UNHEALTHY")], next: "p2"), page([("10.0.0.2", 80, "UNHEALTHY")]),
        ])
        let healthy = try await h.client.waitUntilTargetsHealthy(input, targets: [Target(id: "10.0.0.1", port: 80)], options: WaiterOptions(delay: 1))
        #expect(healthy == [TargetSummary(id: "10.0.0.1", port: 80, status: .healthy)])
    }

    @Test func theRequestsTargetsChooseWhenTheArgumentIsNil() async throws {
        let h = try WaiterHarness([page([("i-1", 80, "HEALTHY"), ("i-2", 80, "INITIAL")])])
        var filtered = input
        filtered.targets = [Target(id: "i-1")]
        let healthy = try await h.client.waitUntilTargetsHealthy(filtered)
        #expect(healthy.map(\.id) == ["i-1"])
        let body = String(decoding: try #require(h.transport.requests.first).body, as: UTF8.self)
        #expect(body.contains(#""targets":[{"id":"i-1"}]"#))
    }

    @Test func unhealthyKeepsWaitingUntilTheTimeoutWithAdvice() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "UNHEALTHY")], reason: "HealthCheckFailed")])
        let error = try #require(await waiterError { try await h.client.waitUntilTargetsHealthy(input, options: WaiterOptions(delay: 2, timeout: 6)) })
        #expect(error.kind == .timedOut)
        #expect(error.state == "UNHEALTHY")
        #expect(error.attempts == 4)
        #expect(error.description.contains("target 10.0.0.1:80 (HealthCheckFailed) UNHEALTHY"))
        #expect(error.description.contains("targets of target group \(targetGroupId) to be HEALTHY after 6 s"))
    }

    @Test func unusedKeepsWaitingAndATimeoutSaysNothingForwardsToTheGroup() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "UNUSED")]), page([("10.0.0.1", 80, "UNUSED")]), page([("10.0.0.1", 80, "INITIAL")]), page([("10.0.0.1", 80, "HEALTHY")])])
        #expect(try await h.client.waitUntilTargetsHealthy(input, options: WaiterOptions(delay: 1)).count == 1)
        let stuck = try WaiterHarness([page([("10.0.0.1", 80, "UNUSED")])])
        let error = await waiterError { try await stuck.client.waitUntilTargetsHealthy(input, options: WaiterOptions(delay: 1, timeout: 1)) }
        #expect(error?.state == "UNUSED")
        #expect(error?.description.contains("no listener or rule forwards to the target group") == true)
    }

    @Test func unavailableAndDrainingFailFast() async throws {
        for state in ["UNAVAILABLE", "DRAINING"] {
            let h = try WaiterHarness([page([("10.0.0.1", 80, "HEALTHY"), ("10.0.0.2", 80, state)])])
            let error = try #require(await waiterError { try await h.client.waitUntilTargetsHealthy(input) })
            #expect(error.kind == .failureState)
            #expect(error.state == state)
            #expect(error.attempts == 1)
            #expect(error.description.contains("target 10.0.0.2:80 \(state)"))
        }
    }

    @Test func aChosenTargetNotListedYetKeepsWaiting() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "HEALTHY")]), page([("10.0.0.1", 80, "HEALTHY"), ("10.0.0.2", 80, "HEALTHY")])])
        let log = ProgressLog()
        let chosen = [Target(id: "10.0.0.1", port: 80), Target(id: "10.0.0.2", port: 80)]
        let healthy = try await h.client.waitUntilTargetsHealthy(input, targets: chosen, options: WaiterOptions(delay: 1, progress: log.callback))
        #expect(healthy.count == 2)
        #expect(log.all.map(\.state) == ["1 HEALTHY, 1 not listed", "HEALTHY"])
    }

    @Test func anEmptyGroupKeepsWaiting() async throws {
        let h = try WaiterHarness([page([])])
        let error = await waiterError { try await h.client.waitUntilTargetsHealthy(input, options: WaiterOptions(delay: 1, timeout: 1)) }
        #expect(error?.state == "no targets")
        #expect(error?.description.contains("register them with RegisterTargets") == true)
    }

    // MARK: Deregistered

    @Test func deregisteredWaitsUntilTheChosenTargetsLeaveEveryPage() async throws {
        let h = try WaiterHarness([
            page([("10.0.0.1", 80, "DRAINING")], next: "p2"), page([("10.0.0.2", 80, "HEALTHY")]),
            page([("10.0.0.3", 80, "HEALTHY")], next: "p2"), page([("10.0.0.2", 80, "HEALTHY")]),
        ])
        let log = ProgressLog()
        try await h.client.waitUntilTargetsDeregistered(input, targets: [Target(id: "10.0.0.1", port: 80)], options: WaiterOptions(delay: 10, progress: log.callback))
        #expect(log.all.map(\.state) == ["DRAINING", "deregistered"])
        #expect(h.slept == [10])
        #expect(h.transport.requests.count == 4)
    }

    @Test func deregisteredWithoutChosenTargetsWaitsForAnEmptyGroup() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "DRAINING"), ("10.0.0.2", 80, "HEALTHY")]), page([("10.0.0.2", 80, "DRAINING")]), page([])])
        try await h.client.waitUntilTargetsDeregistered(input, options: WaiterOptions(delay: 1))
        #expect(h.transport.requests.count == 3)
    }

    @Test func deregisteredTimesOutOnAStillRegisteredTargetWithAdvice() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "HEALTHY")])])
        let error = try #require(await waiterError {
            try await h.client.waitUntilTargetsDeregistered(input, targets: [Target(id: "10.0.0.1")], options: WaiterOptions(delay: 1, timeout: 2))
        })
        #expect(error.state == "HEALTHY")
        #expect(error.description.contains("still registered: deregister with DeregisterTargets"))
    }

    @Test func deregisteredDefaultsToTenMinutesForTheDrainingDelay() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "DRAINING")])])
        let error = await waiterError { try await h.client.waitUntilTargetsDeregistered(input) }
        #expect(error?.elapsed == 600)
        #expect(error?.state == "DRAINING")
    }

    @Test func aDeletedTargetGroupHasNoTargetsLeft() async throws {
        let h = try WaiterHarness([page([("10.0.0.1", 80, "DRAINING")]), notFound])
        try await h.client.waitUntilTargetsDeregistered(input, options: WaiterOptions(delay: 1))
        #expect(h.transport.requests.count == 2)
    }

    @Test func aDeletedTargetGroupEndsAHealthyWaiterWithTheError() async throws {
        let h = try WaiterHarness([notFound])
        await #expect(throws: ResourceNotFoundException.self) { try await h.client.waitUntilTargetsHealthy(input) }
    }

    @Test func stateTextCountsMixedStatusesInModelOrder() {
        let listed = [TargetSummary(id: "a", status: .initial), TargetSummary(id: "b", status: .healthy), TargetSummary(id: "c", status: "NEW"),
                      TargetSummary(id: "d", status: .healthy)]
        #expect(LatticeClient.stateText(listed, missing: 2) == "2 HEALTHY, 1 INITIAL, 1 NEW, 2 not listed")
        #expect(LatticeClient.stateText([], missing: 1) == "not listed")
    }
}
