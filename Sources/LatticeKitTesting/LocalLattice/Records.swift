#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// How a transitional status ends: after `observations` more observations (Gets and list
/// pages that show the resource), or at `until` on the local Lattice's clock (nil: only by
/// observation), whichever comes first.
struct Countdown: Sendable, Hashable {
    var observations: Int
    var until: Date?

    /// One observation fewer.
    var observed: Countdown { Countdown(observations: observations - 1, until: until) }
}

/// How long the transitional statuses of one call's changes last, from the configuration
/// and the call's time.
struct Settling: Sendable {
    var observations: Int
    /// Seconds on the local Lattice's clock; nil when only observations settle.
    var seconds: Double?
    var now: Date

    /// Whether a change settles within the call that makes it (0 observations or 0 seconds).
    var isImmediate: Bool { observations <= 0 || (seconds ?? 1) <= 0 }

    var countdown: Countdown { Countdown(observations: observations, until: seconds.map { now.addingTimeInterval($0) }) }
}

/// Where a resource that has a status is in its life. A transitional phase lasts until its
/// countdown ends, then moves on: creating and updating become active, deleting removes the
/// resource.
enum Phase: Sendable, Hashable {
    case creating(Countdown)
    case active
    case updating(Countdown)
    case deleting(Countdown)

    /// The phase of a resource just created (or updated, or being deleted); active (or, for
    /// deleting, nil: gone) when the change settles at once.
    static func creating(_ settle: Settling) -> Phase { settle.isImmediate ? .active : .creating(settle.countdown) }
    static func updating(_ settle: Settling) -> Phase { settle.isImmediate ? .active : .updating(settle.countdown) }
    static func deleting(_ settle: Settling) -> Phase? { settle.isImmediate ? nil : .deleting(settle.countdown) }

    /// The phase after one more observation; nil when the resource is gone.
    var advanced: Phase? {
        switch self {
        case .active: .active
        case let .creating(c): c.observations <= 1 ? settled : .creating(c.observed)
        case let .updating(c): c.observations <= 1 ? settled : .updating(c.observed)
        case let .deleting(c): c.observations <= 1 ? settled : .deleting(c.observed)
        }
    }

    /// What the phase becomes when it settles: active, or nil (gone) after deleting.
    var settled: Phase? {
        if case .deleting = self { return nil }
        return .active
    }

    /// When the phase settles by time, if it is transitional and has a time limit.
    var deadline: Date? {
        switch self {
        case .active: nil
        case let .creating(c), let .updating(c), let .deleting(c): c.until
        }
    }

    var isDeleting: Bool {
        if case .deleting = self { return true }
        return false
    }

    /// The status string the service's enums use.
    var status: String {
        switch self {
        case .creating: "CREATE_IN_PROGRESS"
        case .active: "ACTIVE"
        case .updating: "UPDATE_IN_PROGRESS"
        case .deleting: "DELETE_IN_PROGRESS"
        }
    }

    func status<E: LatticeEnum>(_: E.Type = E.self) -> E { E(rawValue: status) }
}

/// A stored resource: its ID, ARN and creation order (lists answer in creation order).
protocol LatticeRecord: Sendable {
    static var kind: ResourceKind { get }
    var id: String { get }
    var arn: String { get }
    var seq: Int { get }
}

/// A stored resource with a status.
protocol PhasedRecord: LatticeRecord {
    var phase: Phase { get set }
    /// Called when the resource settles into `active` at `time` (by observation or by time).
    mutating func didBecomeActive(at time: Date)
}

extension PhasedRecord {
    mutating func didBecomeActive(at time: Date) {}
}

/// The resources of one type, by ID.
struct Table<R: LatticeRecord>: Sendable {
    /// Written only through the subscript, which keeps `earliestDeadline`.
    private(set) var rows: [String: R] = [:]
    /// No row's transitional phase ends by time before this (nil: none can): a bound kept as
    /// rows are written, made exact again by settling, so a call that finds nothing due
    /// does not look at every row.
    private(set) var earliestDeadline: Date?
    /// Counts writes: what is derived from the rows can be kept until it changes.
    private(set) var version = 0

    /// Settling found that nothing ends before `deadline` (nil: nothing ends by time).
    mutating func settled(until deadline: Date?) { earliestDeadline = deadline }

    /// Every resource, oldest first.
    var ordered: [R] { rows.values.sorted { $0.seq < $1.seq } }
    var count: Int { rows.count }
    subscript(id: String) -> R? {
        get { rows[id] }
        set {
            rows[id] = newValue
            version &+= 1
            if let deadline = (newValue as? any PhasedRecord)?.phase.deadline, deadline < (earliestDeadline ?? .distantFuture) {
                earliestDeadline = deadline
            }
        }
    }

    func first(where predicate: (R) -> Bool) -> R? {
        rows.values.filter(predicate).min { $0.seq < $1.seq }
    }

    func filter(_ predicate: (R) -> Bool) -> [R] {
        rows.values.filter(predicate).sorted { $0.seq < $1.seq }
    }

    func contains(where predicate: (R) -> Bool) -> Bool { rows.values.contains(where: predicate) }
}

// MARK: Records

struct ServiceNetworkRecord: LatticeRecord {
    static let kind = ResourceKind.serviceNetwork
    let id: String, arn: String, seq: Int
    var name: String
    var authType: AuthType
    var sharingConfig: SharingConfig?
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct ServiceRecord: PhasedRecord {
    static let kind = ResourceKind.service
    let id: String, arn: String, seq: Int
    var name: String
    var authType: AuthType
    var customDomainName: String?
    var certificateArn: String?
    var dnsEntry: DnsEntry
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

/// A registered target. Registered: INITIAL while its group is in use, for `left` more
/// observations or until `healthyAt` (set when the group is first seen in use: health checks
/// start then), then HEALTHY (`left` 0). Draining: DRAINING for `left` more observations or
/// until `goneAt`, then gone.
struct TargetRecord: Sendable, Hashable {
    enum State: Sendable, Hashable {
        case registered(left: Int, healthyAt: Date?)
        case draining(left: Int, goneAt: Date?)
    }

    var id: String
    var port: Int?
    var state: State
    var seq: Int

    /// Whether settling at `now` may change it: registered and not yet healthy (its health
    /// checks may start, stop or end), or draining with its time up.
    func canSettle(by now: Date) -> Bool {
        switch state {
        case let .registered(left, _): left > 0
        case let .draining(_, goneAt?): goneAt <= now
        case .draining: false
        }
    }
}

struct TargetGroupRecord: PhasedRecord {
    static let kind = ResourceKind.targetGroup
    let id: String, arn: String, seq: Int
    var name: String
    var type: TargetGroupType
    var config: TargetGroupConfig?
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
    var targets: [TargetRecord] = []
}

struct ListenerRecord: LatticeRecord {
    static let kind = ResourceKind.listener
    let id: String, arn: String, seq: Int
    var name: String
    var `protocol`: ListenerProtocol
    var port: Int
    var serviceId: String
    var serviceArn: String
    var defaultAction: RuleAction
    var defaultRuleId: String
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct RuleRecord: LatticeRecord {
    static let kind = ResourceKind.rule
    let id: String, arn: String, seq: Int
    var name: String
    var serviceId: String
    var listenerId: String
    var isDefault: Bool
    var priority: Int?
    var match: RuleMatch?
    var action: RuleAction
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct ServiceAssociationRecord: PhasedRecord {
    static let kind = ResourceKind.serviceNetworkServiceAssociation
    let id: String, arn: String, seq: Int
    var serviceId: String
    var serviceNetworkId: String
    var createdBy: String
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct VpcAssociationRecord: PhasedRecord {
    static let kind = ResourceKind.serviceNetworkVpcAssociation
    let id: String, arn: String, seq: Int
    var serviceNetworkId: String
    var vpcId: String
    var securityGroupIds: [String]?
    var privateDnsEnabled: Bool?
    var dnsOptions: DnsOptions?
    var createdBy: String
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct ResourceAssociationRecord: PhasedRecord {
    static let kind = ResourceKind.serviceNetworkResourceAssociation
    let id: String, arn: String, seq: Int
    var serviceNetworkId: String
    var resourceConfigurationId: String
    var privateDnsEnabled: Bool?
    var dnsEntry: DnsEntry
    var createdBy: String
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct AccessLogRecord: LatticeRecord {
    static let kind = ResourceKind.accessLogSubscription
    let id: String, arn: String, seq: Int
    var resourceId: String
    var resourceArn: String
    var destinationArn: String
    var logType: ServiceNetworkLogType?
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct GatewayRecord: PhasedRecord {
    static let kind = ResourceKind.resourceGateway
    let id: String, arn: String, seq: Int
    var name: String
    var vpcId: String
    var subnetIds: [String]
    var securityGroupIds: [String]?
    var ipAddressType: ResourceGatewayIpAddressType
    var ipv4AddressesPerEni: Int?
    var dnsResolution: ResourceConfigDnsResolution?
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct ConfigurationRecord: PhasedRecord {
    static let kind = ResourceKind.resourceConfiguration
    let id: String, arn: String, seq: Int
    var name: String
    var type: ResourceConfigurationType
    var portRanges: [String]?
    var `protocol`: ProtocolType?
    var gatewayId: String?
    var groupId: String?
    var definition: ResourceConfigurationDefinition?
    var allowShareable: Bool?
    var customDomainName: String?
    var groupDomain: String?
    var domainVerificationId: String?
    var phase: Phase
    let createdAt: Date
    var lastUpdatedAt: Date
}

struct EndpointAssociationRecord: LatticeRecord {
    static let kind = ResourceKind.resourceEndpointAssociation
    let id: String, arn: String, seq: Int
    var resourceConfigurationId: String
    var vpcEndpointId: String
    var vpcEndpointOwner: String
    let createdAt: Date
}

struct VerificationRecord: PhasedRecord {
    static let kind = ResourceKind.domainVerification
    let id: String, arn: String, seq: Int
    var domainName: String
    var txt: TxtMethodConfig
    /// creating: PENDING; active: VERIFIED.
    var phase: Phase
    var lastVerifiedTime: Date?
    let createdAt: Date

    mutating func didBecomeActive(at time: Date) {
        if lastVerifiedTime == nil { lastVerifiedTime = time }
    }
}

/// A VPC endpoint of type service network (made through EC2, simulated here).
struct NetworkEndpointRecord: LatticeRecord {
    static let kind = ResourceKind.serviceNetworkEndpointAssociation
    let id: String, arn: String, seq: Int
    var serviceNetworkId: String
    var vpcId: String
    var owner: String
    let createdAt: Date
}

struct AuthPolicyRecord: Sendable {
    var policy: String
    let createdAt: Date
    var lastUpdatedAt: Date
}

/// A create call made with a client token: the input it carried and the answer it got, so a
/// retry gets the same answer and a different input with the same token is refused.
struct IdempotentCall: Sendable {
    var input: JSONValue
    /// The first call's output as it was then (a value: later changes to the resource do
    /// not show in a replay, as on the service).
    var output: (any Encodable & Sendable)?
}

/// Where a list's next page starts: the operation and filters it belongs to, and the
/// creation order of the last item shown.
struct PageCursor: Sendable, Hashable {
    var operation: String
    var filter: String
    var afterSeq: Int
}
