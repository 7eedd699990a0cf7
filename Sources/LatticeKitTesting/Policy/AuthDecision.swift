import LatticeKit

/// Whether VPC Lattice lets a request through to a service, and why: the service network's
/// auth policy and then the service's each must allow it (a level whose auth type is NONE is
/// skipped), an explicit deny in any policy wins, and a level with auth type AWS_IAM but no
/// auth policy denies everything.
///
/// ```swift
/// let decision = AuthDecision(
///     for: request,
///     serviceNetwork: .init(authType: .awsIam, policy: networkPolicy),
///     service: .init(authType: .awsIam, policy: servicePolicy))
/// #expect(decision.isAllowed, "\(decision)")
/// ```
///
/// An anonymous (unsigned) request is evaluated like any other, as the principal that only
/// `"Principal": "*"` (or `{"AWS": "*"}`) names, with `aws:PrincipalType` `Anonymous`: Lattice
/// lets it through where the policies allow it, and refuses it where they do not.
///
/// The identity-based policies of the caller may be given too: Lattice requires them to allow
/// the request as well (they do not apply to anonymous callers, who have none).
/// https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html#auth-policies-evaluation-logic
public struct AuthDecision: Sendable, Hashable, CustomStringConvertible {
    /// The auth settings of a service network or a service.
    public struct Level: Sendable, Hashable {
        /// `AWS_IAM` evaluates `policy`; `NONE` lets every request through this level.
        public var authType: AuthType
        /// The auth policy attached, if any.
        public var policy: AuthPolicy?

        /// The settings of one level.
        public init(authType: AuthType, policy: AuthPolicy? = nil) {
            self.authType = authType
            self.policy = policy
        }
    }

    /// Which policy a check is about.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// One of the caller's identity-based policies (its place in the list given).
        case identity(Int)
        /// The service network's auth policy.
        case serviceNetwork
        /// The service's auth policy.
        case service

        /// `service network policy`, `service policy`, `identity policy 1`.
        public var description: String {
            switch self {
            case let .identity(i): return "identity policy \(i)"
            case .serviceNetwork: return "service network policy"
            case .service: return "service policy"
            }
        }
    }

    /// One level of the decision.
    public struct Check: Sendable, Hashable, CustomStringConvertible {
        /// Whose policy.
        public let source: Source
        /// What this level says: nil when it was skipped (auth type NONE).
        public let outcome: AuthOutcome?
        /// The policy's evaluation; nil when skipped or when the level has no policy.
        public let evaluation: AuthPolicy.Evaluation?
        /// Why the level was skipped, or why it denies without an evaluation.
        public let note: String?

        /// `service policy: allowed by "AllowGet" (Statement[0])`.
        public var description: String {
            if let evaluation { return "\(source): \(evaluation)" }
            return "\(source): \(note ?? "-")"
        }
    }

    /// The decision: allow only when every applicable level allows and none denies.
    public let outcome: AuthOutcome
    /// Every level in the order Lattice evaluates them: identity policies, the service
    /// network's, the service's.
    public let checks: [Check]

    /// Whether the request goes through.
    public var isAllowed: Bool { outcome == .allow }

    /// The check that decided a denial: the first explicit deny, else the first level that
    /// did not allow; nil when the request is allowed.
    public var decidingCheck: Check? {
        switch outcome {
        case .allow: return nil
        case .explicitDeny: return checks.first { $0.outcome == .explicitDeny }
        case .implicitDeny: return checks.first { $0.outcome == .implicitDeny }
        }
    }

    /// Evaluates a request through the levels Lattice applies, in its order.
    public init(for request: AuthRequest, serviceNetwork: Level?, service: Level, identityPolicies: [AuthPolicy]? = nil) {
        var checks: [Check] = []
        if let identityPolicies, request.caller.kind != .anonymous {
            if identityPolicies.isEmpty {
                checks.append(Check(source: .identity(0), outcome: .implicitDeny, evaluation: nil,
                                    note: "the caller has no identity-based policy, so nothing allows the request"))
            }
            for (i, policy) in identityPolicies.enumerated() {
                let e = policy.evaluate(request)
                checks.append(Check(source: .identity(i), outcome: e.outcome, evaluation: e, note: nil))
            }
        }
        if let serviceNetwork { checks.append(Self.check(serviceNetwork, .serviceNetwork, request)) }
        checks.append(Self.check(service, .service, request))
        let outcomes = checks.compactMap(\.outcome)
        if outcomes.contains(.explicitDeny) {
            outcome = .explicitDeny
        } else if outcomes.contains(.implicitDeny) {
            outcome = .implicitDeny
        } else {
            outcome = .allow
        }
        self.checks = checks
    }

    static func check(_ level: Level, _ source: Source, _ request: AuthRequest) -> Check {
        guard level.authType != .noAuth else {
            return Check(source: source, outcome: nil, evaluation: nil, note: "auth type NONE: not evaluated")
        }
        guard level.authType == .awsIam else {
            return Check(source: source, outcome: .implicitDeny, evaluation: nil,
                         note: "auth type \(level.authType.rawValue) is not one Lattice knows (NONE or AWS_IAM)")
        }
        guard let policy = level.policy else {
            return Check(source: source, outcome: .implicitDeny, evaluation: nil,
                         note: "auth type AWS_IAM with no auth policy: every request is denied")
        }
        let e = policy.evaluate(request)
        return Check(source: source, outcome: e.outcome, evaluation: e, note: nil)
    }

    /// Every level, one per line.
    public var description: String {
        ([summary] + checks.map { "  " + $0.description }).joined(separator: "\n")
    }

    /// One line naming the outcome and what decided it: for a denial, the policy and its
    /// deciding statement (or, for an implicit deny, that no statement allowed and why each
    /// Allow statement did not apply); for an allow, the statements that allowed. Fit for a log
    /// line and, through ``headerValue(maximumLength:)``, an HTTP header.
    public var summary: String {
        switch outcome {
        case .allow:
            let allowed = checks.compactMap { check in
                check.evaluation?.decidingStatement.map { "\(check.source) \($0.name)" }
            }
            return allowed.isEmpty ? "Allow: no level evaluates auth policies" : "Allow: " + allowed.joined(separator: ", ")
        case .explicitDeny, .implicitDeny:
            guard let check = decidingCheck else { return "Deny" }
            let kind = outcome == .explicitDeny ? "explicit deny" : "implicit deny"
            return "Deny (\(kind)) by the \(check.description)"
        }
    }

    /// ``summary`` made safe for an HTTP header value: printable ASCII only (anything else as
    /// `\u{…}`), on one line, at most `maximumLength` characters (cut with `...`).
    public func headerValue(maximumLength: Int = 1024) -> String {
        var out = ""
        for scalar in summary.unicodeScalars {
            if scalar.value >= 0x20, scalar.value < 0x7F {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            }
            if out.count > maximumLength { break }
        }
        let limit = max(maximumLength, 3)
        return out.count > limit ? String(out.prefix(limit - 3)) + "..." : out
    }
}
