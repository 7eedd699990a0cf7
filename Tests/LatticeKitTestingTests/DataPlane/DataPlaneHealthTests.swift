import Foundation
import LatticeKit
@testable import LatticeKitTesting
import Synchronization
import Testing

/// Health checks on a clock the test moves: statuses and reason codes as ListTargets shows
/// them, thresholds, intervals, and traffic going only to healthy targets (to all when none
/// is). https://docs.aws.amazon.com/vpc-lattice/latest/ug/target-group-health-checks.html
@Suite struct DataPlaneHealthTests {
    static let vpc = "vpc-0123456789abcdef0"

    /// The seed topology's target group (three targets, GET /health) behind a listener.
    struct Setup {
        let h = try! Harness(settle: 1, seconds: 3)
        var group = ""
        let targets = [9101, 9102, 9103]

        static func make(healthy: Int = 3, unhealthy: Int = 2, interval: Int = 10, matcher: String = "200") async throws -> Setup {
            var s = Setup()
            let c = s.h.client
            let g = try await c.createTargetGroup(CreateTargetGroupRequest(name: "provider-tg", type: .ip, config: TargetGroupConfig(
                port: 8080, protocol: .http, vpcIdentifier: vpc,
                healthCheck: HealthCheckConfig(path: "/health", healthCheckIntervalSeconds: interval, healthCheckTimeoutSeconds: 2,
                                               healthyThresholdCount: healthy, unhealthyThresholdCount: unhealthy, matcher: .httpCode(matcher)))))
            s.group = try #require(g.id)
            _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: s.group, targets: s.targets.map { Target(id: "127.0.0.1", port: $0) }))
            let svc = try await c.createService(CreateServiceRequest(name: "provider-svc"))
            _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: svc.id ?? "", name: "http", protocol: .http,
                                                                 defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: s.group)]))))
            return s
        }

        var snapshot: DataPlaneSnapshot { h.lattice.dataPlaneSnapshot() ?? DataPlaneSnapshot() }

        func key(_ port: Int) -> HealthBoard.Key { HealthBoard.Key(targetGroupId: group, targetId: "127.0.0.1", port: port) }

        func listed() async throws -> [String] {
            try await h.client.listTargets(ListTargetsRequest(targetGroupIdentifier: group)).items.map { item in
                "\(item.port ?? 0):\(item.status?.rawValue ?? "")" + (item.reasonCode.map { ":\($0)" } ?? "")
            }
        }
    }

    @Test func aFailingTargetLosesTrafficAfterTheUnhealthyThresholdAndReturnsAfterTheHealthyThreshold() async throws {
        let s = try await Setup.make(healthy: 3, unhealthy: 2, interval: 10)
        let monitor = HealthMonitor(board: s.h.lattice.health)
        let selector = TargetSelector()
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        let failing = Mutex<Set<Int>>([])
        let probed = Mutex<[String]>([])
        func step() {
            monitor.sync(s.snapshot, now: now)
            monitor.runDue(at: now) { probe in
                probed.withLock { $0.append("\(probe.port)\(probe.path)") }
                #expect(probe.path == "/health" && probe.timeout == 2)
                return failing.withLock { $0.contains(probe.port) } ? .responseCodeMismatch(503) : .passed
            }
        }
        func traffic(_ n: Int = 6) throws -> [Int] {
            let group = try #require(s.snapshot.targetGroups[s.group])
            return (0..<n).compactMap { _ in selector.choose(in: group, health: monitor)?.port }
        }

        #expect(try await s.listed() == ["9101:INITIAL:RegistrationInProgress", "9102:INITIAL:RegistrationInProgress", "9103:INITIAL:RegistrationInProgress"].map { $0 },
                "before any check, the control plane's own countdown")
        step()
        #expect(probed.withLock { $0 } == ["9101/health", "9102/health", "9103/health"], "the first checks run at once")
        #expect(try await s.listed() == ["9101:HEALTHY", "9102:HEALTHY", "9103:HEALTHY"], "one passed check makes a new target HEALTHY")
        #expect(try traffic() == [9101, 9102, 9103, 9101, 9102, 9103], "round robin over the healthy")

        failing.withLock { $0 = [9102] }
        now += 5
        step()
        #expect(probed.withLock { $0.count } == 3, "nothing is due before the interval has passed")
        now += 5
        step()
        #expect(try await s.listed() == ["9101:HEALTHY", "9102:HEALTHY", "9103:HEALTHY"], "one failure is below the threshold of 2")
        #expect(try traffic().contains(9102))
        now += 10
        step()
        #expect(try await s.listed() == ["9101:HEALTHY", "9102:UNHEALTHY:Target.ResponseCodeMismatch", "9103:HEALTHY"])
        #expect(try Set(traffic(12)) == [9101, 9103], "no traffic to the unhealthy target")

        failing.withLock { $0 = [] }
        for passes in 1...3 {
            now += 10
            step()
            let expected = passes < 3 ? "9102:UNHEALTHY:Target.ResponseCodeMismatch" : "9102:HEALTHY"
            #expect(try await s.listed()[1] == expected, "after \(passes) passing checks")
        }
        #expect(try Set(traffic(12)) == [9101, 9102, 9103], "back after the healthy threshold")
    }

    @Test func whenNoTargetIsHealthyTrafficGoesToAllAndReasonsNameTheFailure() async throws {
        let s = try await Setup.make(unhealthy: 1)
        let monitor = HealthMonitor(board: s.h.lattice.health)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        monitor.sync(s.snapshot, now: now)
        monitor.runDue(at: now) { probe in
            switch probe.port {
            case 9101: .timedOut
            case 9102: .failed("connection refused")
            default: .responseCodeMismatch(500)
            }
        }
        #expect(try await s.listed() == ["9101:UNHEALTHY:Target.Timeout", "9102:UNHEALTHY:Target.FailedHealthChecks", "9103:UNHEALTHY:Target.ResponseCodeMismatch"])
        let group = try #require(s.snapshot.targetGroups[s.group])
        let selector = TargetSelector()
        #expect(Set((0..<6).compactMap { _ in selector.choose(in: group, health: monitor)?.port }) == [9101, 9102, 9103], "the service fails open")
        #expect(monitor.lastFailure(s.key(9102)) == "its health check failed: connection refused")
    }

    @Test func unusedDisabledAndDrainingTargetsAreNotCheckedAndKeepTheirStatuses() async throws {
        let s = try await Setup.make()
        let c = s.h.client
        let monitor = HealthMonitor(board: s.h.lattice.health)
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        monitor.sync(s.snapshot, now: now)
        monitor.runDue(at: now) { _ in .passed }
        _ = try await c.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: s.group, targets: [Target(id: "127.0.0.1", port: 9103)]))
        now += 30
        monitor.sync(s.snapshot, now: now)
        #expect(monitor.dueProbes(at: now).map(\.port) == [9101, 9102], "a draining target is not checked")
        #expect(try await s.listed().last == "9103:DRAINING:DeregistrationInProgress")

        _ = try await c.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: s.group, healthCheck: HealthCheckConfig(enabled: false)))
        now += 30
        monitor.sync(s.snapshot, now: now)
        #expect(monitor.dueProbes(at: now).isEmpty)
        #expect(try await s.listed().first == "9101:UNAVAILABLE:HealthCheckDisabled")

        // A group no listener forwards to: UNUSED, and checks start over (INITIAL) when it is used again.
        let lonely = try await c.createTargetGroup(CreateTargetGroupRequest(name: "lonely", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: Self.vpc)))
        _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: lonely.id ?? "", targets: [Target(id: "127.0.0.1", port: 9200)]))
        monitor.sync(s.snapshot, now: now)
        #expect(monitor.dueProbes(at: now).isEmpty)
        #expect(try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: lonely.id ?? "")).items.map(\.status) == [.unused])
    }

    @Test func matchersListsAndRanges() {
        #expect(HealthMonitor.matcher("200", accepts: 200))
        #expect(!HealthMonitor.matcher("200", accepts: 204))
        #expect(HealthMonitor.matcher("200-299", accepts: 204))
        #expect(HealthMonitor.matcher("200,202, 300-399", accepts: 302))
        #expect(!HealthMonitor.matcher("200,202", accepts: 201))
        #expect(!HealthMonitor.matcher("abc", accepts: 200))
    }
}
