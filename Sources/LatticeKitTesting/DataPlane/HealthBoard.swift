import LatticeKit
import Synchronization

/// Where real health checks leave their results for ListTargets: each registered target's
/// status and reason code, by target group, target and port. Until a prober first publishes,
/// the board is off and ListTargets settles targets by its countdown, as before.
package final class HealthBoard: Sendable {
    /// A registered target: its group, its ID (an IP address or an instance ID) and its port.
    package struct Key: Sendable, Hashable, CustomStringConvertible {
        package var targetGroupId: String
        package var targetId: String
        package var port: Int?

        package init(targetGroupId: String, targetId: String, port: Int?) {
            self.targetGroupId = targetGroupId
            self.targetId = targetId
            self.port = port
        }

        /// `tg-0123.../10.0.1.10:8080`.
        package var description: String { "\(targetGroupId)/\(targetId)\(port.map { ":\($0)" } ?? "")" }
    }

    /// What ListTargets shows for a target.
    package struct Report: Sendable, Hashable {
        package var status: TargetStatus
        package var reasonCode: String?

        package init(status: TargetStatus, reasonCode: String? = nil) {
            self.status = status
            self.reasonCode = reasonCode
        }
    }

    private let state = Mutex<[Key: Report]?>(nil)
    private let checked = Mutex<(@Sendable (_ targetId: String, _ port: Int?) -> Bool)?>(nil)

    package init() {}

    /// Turns the board on before the first checks report: a target that `willCheck` says
    /// will be checked (its address is reachable) shows INITIAL until its checks decide,
    /// instead of the countdown's HEALTHY, between its registration and the prober's next pass.
    package func expectChecks(where willCheck: @escaping @Sendable (_ targetId: String, _ port: Int?) -> Bool) {
        checked.withLock { $0 = willCheck }
        state.withLock { if $0 == nil { $0 = [:] } }
    }

    /// Whether real checks will decide this target's health (see `expectChecks(where:)`).
    package func willCheck(_ targetId: String, port: Int?) -> Bool {
        checked.withLock { $0 }?(targetId, port) ?? false
    }

    /// Replaces every report (turning the board on).
    package func publish(_ reports: [Key: Report]) {
        state.withLock { $0 = reports }
    }

    /// The reports, or nil while no prober has published.
    package func reports() -> [Key: Report]? {
        state.withLock { $0 }
    }
}
