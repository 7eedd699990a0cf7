#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import Synchronization

/// The health of every registered target, from real health checks run on a clock the caller
/// drives: `sync` with the control plane's state, `dueProbes(at:)` for the checks whose time
/// has come, `record` each result. Nothing here waits or reads a clock, so a test steps time
/// by hand; local-lattice calls it with wall time and runs the probes over the network.
///
/// As the service documents (https://docs.aws.amazon.com/vpc-lattice/latest/ug/target-group-health-checks.html):
/// a target is probed every `healthCheckIntervalSeconds` with the group's protocol, port,
/// path and matcher, a probe that takes longer than `healthCheckTimeoutSeconds` fails; a new
/// target is INITIAL until it passes one check (HEALTHY), or fails `unhealthyThresholdCount`
/// in a row (UNHEALTHY); a HEALTHY target that fails `unhealthyThresholdCount` checks in a
/// row becomes UNHEALTHY, and an UNHEALTHY one that passes `healthyThresholdCount` in a row
/// becomes HEALTHY again. Groups not in use, with checks disabled, or of type LAMBDA or ALB
/// (which have none), and draining targets, are not probed.
package final class HealthMonitor: Sendable {
    /// One health check to perform.
    package struct Probe: Sendable, Hashable {
        package var key: HealthBoard.Key
        /// HTTP, HTTPS or TCP.
        package var `protocol`: TargetGroupProtocol
        /// The target's ID (an IP address or instance ID): the caller maps it to an address.
        package var targetId: String
        package var port: Int
        /// The request target (path and query) of an HTTP or HTTPS check.
        package var path: String
        /// Seconds after which the check counts as timed out.
        package var timeout: Double
        /// The status codes that pass: `200`, `200-299`, `200,202`.
        package var matcher: String

        /// Whether `status` passes the matcher (a list of codes and ranges, as the API takes).
        package func accepts(_ status: Int) -> Bool {
            HealthMonitor.matcher(matcher, accepts: status)
        }
    }

    /// What a check found.
    package enum Outcome: Sendable, Hashable {
        case passed
        /// An answer whose status the matcher does not accept.
        case responseCodeMismatch(Int)
        case timedOut
        /// No connection, or an answer that is not HTTP.
        case failed(String)

        /// The reason code ListTargets gives an UNHEALTHY target for this failure.
        package var reasonCode: String? {
            switch self {
            case .passed: nil
            case .responseCodeMismatch: "Target.ResponseCodeMismatch"
            case .timedOut: "Target.Timeout"
            case .failed: "Target.FailedHealthChecks"
            }
        }
    }

    private struct Entry {
        var probe: Probe?
        var interval: Double
        var healthyThreshold: Int
        var unhealthyThreshold: Int
        var report: HealthBoard.Report
        var successes = 0
        var failures = 0
        var nextDue: Date
        var inFlight = false
        var lastOutcome: Outcome?
    }

    private let state = Mutex<[HealthBoard.Key: Entry]>([:])
    private let board: HealthBoard?

    /// A monitor that publishes every change to `board` (ListTargets reads it).
    package init(board: HealthBoard? = nil) {
        self.board = board
    }

    /// Takes in the targets and health check settings of `snapshot` at `now`: a target is
    /// checked while its group is in use, has checks on, and the target is registered (not
    /// draining) and `reachable`; a new one starts INITIAL with a check due at once, one no
    /// longer checked is dropped (and starts over, INITIAL, when checked again), changed
    /// settings apply from the next check. The targets not checked here keep the control
    /// plane's own statuses (UNUSED, UNAVAILABLE, DRAINING, and its simulated settling).
    package func sync(_ snapshot: DataPlaneSnapshot, now: Date, reachable: (String, Int) -> Bool = { _, _ in true }) {
        let reports = state.withLock { entries -> [HealthBoard.Key: HealthBoard.Report] in
            var seen = Set<HealthBoard.Key>()
            for group in snapshot.targetGroups.values where group.inUse && group.type != .lambda && group.type != .alb {
                let check = group.config?.healthCheck
                if check?.enabled == false { continue }
                for target in group.targets where !target.draining {
                    let probe = Self.probe(HealthBoard.Key(targetGroupId: group.id, targetId: target.id, port: target.port), group, target, check)
                    guard reachable(target.id, probe.port) else { continue }
                    seen.insert(probe.key)
                    var entry = entries[probe.key] ?? Entry(probe: probe, interval: 30, healthyThreshold: 5, unhealthyThreshold: 2,
                                                            report: HealthBoard.Report(status: .initial, reasonCode: "RegistrationInProgress"), nextDue: now)
                    entry.probe = probe
                    entry.interval = Double(max(1, check?.healthCheckIntervalSeconds ?? 30))
                    entry.healthyThreshold = max(1, check?.healthyThresholdCount ?? 5)
                    entry.unhealthyThreshold = max(1, check?.unhealthyThresholdCount ?? 2)
                    entries[probe.key] = entry
                }
            }
            for key in entries.keys where !seen.contains(key) { entries[key] = nil }
            return entries.mapValues(\.report)
        }
        board?.publish(reports)
    }

    /// The checks due at `now`, each marked in flight until its result is recorded; the next
    /// one of each target falls due an interval after this one starts.
    package func dueProbes(at now: Date) -> [Probe] {
        state.withLock { entries in
            var due: [Probe] = []
            for (key, entry) in entries {
                guard let probe = entry.probe, !entry.inFlight, entry.nextDue <= now else { continue }
                entries[key]?.inFlight = true
                entries[key]?.nextDue = now.addingTimeInterval(entry.interval)
                due.append(probe)
            }
            return due.sorted { $0.key.description < $1.key.description }
        }
    }

    /// Records a check's result and moves the target's status as the thresholds say.
    package func record(_ outcome: Outcome, for key: HealthBoard.Key) {
        let reports = state.withLock { entries -> [HealthBoard.Key: HealthBoard.Report]? in
            guard var e = entries[key] else { return nil }
            e.inFlight = false
            guard e.probe != nil else {
                entries[key] = e
                return nil
            }
            e.lastOutcome = outcome
            if outcome == .passed {
                e.successes += 1
                e.failures = 0
                switch e.report.status {
                case .initial: e.report = HealthBoard.Report(status: .healthy)
                case .unhealthy where e.successes >= e.healthyThreshold: e.report = HealthBoard.Report(status: .healthy)
                default: break
                }
            } else {
                e.failures += 1
                e.successes = 0
                if e.failures >= e.unhealthyThreshold, e.report.status == .initial || e.report.status == .healthy {
                    e.report = HealthBoard.Report(status: .unhealthy, reasonCode: outcome.reasonCode)
                } else if e.report.status == .unhealthy {
                    e.report.reasonCode = outcome.reasonCode
                }
            }
            entries[key] = e
            return entries.mapValues(\.report)
        }
        if let reports { board?.publish(reports) }
    }

    /// Runs every check due at `now` through `check` and records the results: for tests,
    /// where a check's outcome is decided in place.
    package func runDue(at now: Date, _ check: (Probe) -> Outcome) {
        for probe in dueProbes(at: now) { record(check(probe), for: probe.key) }
    }

    /// What ListTargets shows for a target, nil when it is not registered.
    package func report(_ key: HealthBoard.Key) -> HealthBoard.Report? {
        state.withLock { $0[key]?.report }
    }

    /// Why the target is unhealthy, in words (the last failed check), for error messages.
    package func lastFailure(_ key: HealthBoard.Key) -> String? {
        state.withLock { entries in
            switch entries[key]?.lastOutcome {
            case let .responseCodeMismatch(code)?: "its health check answered \(code)"
            case .timedOut?: "its health check timed out"
            case let .failed(why)?: "its health check failed: \(why)"
            default: nil
            }
        }
    }

    static func probe(_ key: HealthBoard.Key, _ group: DataPlaneSnapshot.TargetGroup, _ target: DataPlaneSnapshot.Target, _ check: HealthCheckConfig?) -> Probe {
        let proto = check?.protocol ?? group.config?.protocol ?? .http
        let port = check?.port ?? target.port ?? group.config?.port ?? 80
        var matcher = "200"
        if case let .httpCode(code)? = check?.matcher { matcher = code }
        let path = check?.path.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        return Probe(key: key, protocol: proto, targetId: target.id, port: port, path: path,
                     timeout: Double(max(1, check?.healthCheckTimeoutSeconds ?? 5)), matcher: matcher)
    }

    /// Whether a matcher (`200`, `200-299`, `200,202,300-399`) accepts `status`.
    static func matcher(_ text: String, accepts status: Int) -> Bool {
        text.split(separator: ",").contains { part in
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int(String($0.filter { $0 != " " })) }
            switch bounds.count {
            case 1: return bounds[0] == status
            case 2: if let low = bounds[0], let high = bounds[1] { return (low...max(low, high)).contains(status) } else { return false }
            default: return false
            }
        }
    }
}

/// Chooses the target of a request within a target group: round robin over the HEALTHY
/// targets; when none is, over every target not draining, as the service fails open; when
/// the group's checks are off (or not supported), over every target not draining.
package final class TargetSelector: Sendable {
    private let next = Mutex<[String: Int]>([:])

    package init() {}

    /// The next target of `group`, or nil when it has none to send to.
    package func choose(in group: DataPlaneSnapshot.TargetGroup, health: HealthMonitor?) -> DataPlaneSnapshot.Target? {
        let live = group.targets.filter { !$0.draining }
        guard !live.isEmpty else { return nil }
        var candidates = live
        if let health {
            let healthy = live.filter { t in
                // A target without a report is not checked here (checks off): it takes traffic.
                let status = health.report(HealthBoard.Key(targetGroupId: group.id, targetId: t.id, port: t.port))?.status
                return status == nil || status == .healthy
            }
            if !healthy.isEmpty { candidates = healthy }
        }
        let n = next.withLock { counters in
            let n = counters[group.id, default: 0]
            counters[group.id] = n &+ 1
            return n
        }
        return candidates[Int(UInt(bitPattern: n) % UInt(candidates.count))]
    }
}
