#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The desired state of a set of VPC Lattice resources: service networks, services and target
/// groups with what hangs under them. Written in Swift or read from a JSON file with
/// `Topology.load(contentsOfFile:)`, then planned, applied and destroyed with a `LatticeClient`
/// (`plan(_:options:)`, `apply(_:options:progress:)`, `planDestroy(_:options:)`).
///
/// Members reuse the API's shapes and names (`TargetGroupConfig`, `HealthCheckConfig`,
/// `RuleMatch`, `RuleAction`, `Target`, `AuthType`, ...), so their documentation applies.
/// References inside the topology are by name: a `WeightedTargetGroup`'s
/// `targetGroupIdentifier` names a target group of the topology, a service association's
/// `serviceIdentifier` a service of it. An identifier or ARN of a resource outside the topology
/// (`tg-…`, `svc-…`, `arn:…`) is accepted too and used as it is: names cannot start with those
/// prefixes, so the two never mix.
///
/// A member left out (nil) is not managed: the service's value stays, whatever it is, and no
/// difference is shown for it. Tags and lists of children are the exception: what is listed is
/// the whole set (see `TopologyPlan`).
public struct Topology: Codable, Sendable, Equatable {
    /// The topology's name: the value of the ownership tag apply writes on every resource it
    /// creates, and part of every client token. 1 to 64 letters, digits, `.`, `_` or `-`.
    public var name: String
    /// Tags for every resource of the topology; a resource's own tags win on the same key.
    public var tags: [String: String]?
    /// The service networks.
    public var serviceNetworks: [ServiceNetwork]?
    /// The services.
    public var services: [Service]?
    /// The target groups.
    public var targetGroups: [TargetGroup]?

    /// A topology; every list may be left empty.
    public init(name: String, tags: [String: String]? = nil, serviceNetworks: [ServiceNetwork]? = nil, services: [Service]? = nil,
                targetGroups: [TargetGroup]? = nil) {
        self.name = name
        self.tags = tags
        self.serviceNetworks = serviceNetworks
        self.services = services
        self.targetGroups = targetGroups
    }

    /// A service network, found by its name (unique in an account and region).
    public struct ServiceNetwork: Codable, Sendable, Equatable {
        /// The name (`CreateServiceNetwork`'s `name`).
        public var name: String
        /// NONE or AWS_IAM; updated in place.
        public var authType: AuthType?
        /// The network's own tags.
        public var tags: [String: String]?
        /// The VPCs associated with the network, one per VPC.
        public var vpcAssociations: [VpcAssociation]?
        /// The services associated with the network, one per service.
        public var serviceAssociations: [ServiceAssociation]?
        /// Where the network's access logs go, at most one per destination type and log type.
        public var accessLogSubscriptions: [AccessLogSubscription]?
        /// The auth policy (`PutAuthPolicy`); nil leaves whatever policy there is alone.
        public var authPolicy: PolicyDocument?
        /// The resource policy (`PutResourcePolicy`, for sharing); nil leaves it alone.
        public var resourcePolicy: PolicyDocument?

        /// A service network; only the name is required.
        public init(name: String, authType: AuthType? = nil, tags: [String: String]? = nil, vpcAssociations: [VpcAssociation]? = nil,
                    serviceAssociations: [ServiceAssociation]? = nil, accessLogSubscriptions: [AccessLogSubscription]? = nil,
                    authPolicy: PolicyDocument? = nil, resourcePolicy: PolicyDocument? = nil) {
            self.name = name
            self.authType = authType
            self.tags = tags
            self.vpcAssociations = vpcAssociations
            self.serviceAssociations = serviceAssociations
            self.accessLogSubscriptions = accessLogSubscriptions
            self.authPolicy = authPolicy
            self.resourcePolicy = resourcePolicy
        }
    }

    /// The association of a VPC with a service network, found by the VPC.
    public struct VpcAssociation: Codable, Sendable, Equatable {
        /// The VPC's ID (`vpc-…`).
        public var vpcIdentifier: String
        /// The security groups, as a set; updated in place (the API needs at least one, so
        /// going from some to none replaces the association).
        public var securityGroupIds: [String]?
        /// Private DNS; cannot change in place (a change replaces the association).
        public var privateDnsEnabled: Bool?
        /// DNS options; cannot change in place (a change replaces the association).
        public var dnsOptions: DnsOptions?
        /// The association's own tags.
        public var tags: [String: String]?

        /// A VPC association.
        public init(vpcIdentifier: String, securityGroupIds: [String]? = nil, privateDnsEnabled: Bool? = nil, dnsOptions: DnsOptions? = nil,
                    tags: [String: String]? = nil) {
            self.vpcIdentifier = vpcIdentifier
            self.securityGroupIds = securityGroupIds
            self.privateDnsEnabled = privateDnsEnabled
            self.dnsOptions = dnsOptions
            self.tags = tags
        }
    }

    /// The association of a service with a service network, found by the service.
    public struct ServiceAssociation: Codable, Sendable, Equatable {
        /// The name of a service of the topology, or the ID or ARN of another service.
        public var serviceIdentifier: String
        /// The association's own tags.
        public var tags: [String: String]?

        /// A service association.
        public init(serviceIdentifier: String, tags: [String: String]? = nil) {
            self.serviceIdentifier = serviceIdentifier
            self.tags = tags
        }
    }

    /// An access log subscription, found by its destination's type (S3, CloudWatch Logs or
    /// Firehose, read from the ARN) and, on a service network, its log type.
    public struct AccessLogSubscription: Codable, Sendable, Equatable {
        /// The destination's ARN; another destination of the same type is an update in place.
        public var destinationArn: String
        /// SERVICE (the default) or RESOURCE; service networks only.
        public var serviceNetworkLogType: ServiceNetworkLogType?
        /// The subscription's own tags.
        public var tags: [String: String]?

        /// An access log subscription.
        public init(destinationArn: String, serviceNetworkLogType: ServiceNetworkLogType? = nil, tags: [String: String]? = nil) {
            self.destinationArn = destinationArn
            self.serviceNetworkLogType = serviceNetworkLogType
            self.tags = tags
        }
    }

    /// A service, found by its name (unique in an account and region).
    public struct Service: Codable, Sendable, Equatable {
        /// The name (`CreateService`'s `name`).
        public var name: String
        /// NONE or AWS_IAM; updated in place.
        public var authType: AuthType?
        /// The custom domain; cannot change in place (a change replaces the service).
        public var customDomainName: String?
        /// The certificate for the custom domain; updated in place.
        public var certificateArn: String?
        /// The service's own tags.
        public var tags: [String: String]?
        /// The listeners, by name.
        public var listeners: [Listener]?
        /// Where the service's access logs go, at most one per destination type.
        public var accessLogSubscriptions: [AccessLogSubscription]?
        /// The auth policy (`PutAuthPolicy`); nil leaves whatever policy there is alone.
        public var authPolicy: PolicyDocument?
        /// The resource policy (`PutResourcePolicy`, for sharing); nil leaves it alone.
        public var resourcePolicy: PolicyDocument?

        /// A service; only the name is required.
        public init(name: String, authType: AuthType? = nil, customDomainName: String? = nil, certificateArn: String? = nil, tags: [String: String]? = nil,
                    listeners: [Listener]? = nil, accessLogSubscriptions: [AccessLogSubscription]? = nil, authPolicy: PolicyDocument? = nil,
                    resourcePolicy: PolicyDocument? = nil) {
            self.name = name
            self.authType = authType
            self.customDomainName = customDomainName
            self.certificateArn = certificateArn
            self.tags = tags
            self.listeners = listeners
            self.accessLogSubscriptions = accessLogSubscriptions
            self.authPolicy = authPolicy
            self.resourcePolicy = resourcePolicy
        }
    }

    /// A listener of a service, found by its name.
    public struct Listener: Codable, Sendable, Equatable {
        /// The name, unique in the service.
        public var name: String
        /// HTTP, HTTPS or TLS_PASSTHROUGH; cannot change in place (a change replaces the listener).
        public var `protocol`: ListenerProtocol
        /// The port; nil takes the service's default (80 for HTTP, 443 otherwise) and is not
        /// compared. Cannot change in place (a change replaces the listener).
        public var port: Int?
        /// What requests no rule matches get; updated in place.
        public var defaultAction: RuleAction
        /// The rules, by name.
        public var rules: [Rule]?
        /// The listener's own tags.
        public var tags: [String: String]?

        /// A listener.
        public init(name: String, protocol: ListenerProtocol, port: Int? = nil, defaultAction: RuleAction, rules: [Rule]? = nil, tags: [String: String]? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.defaultAction = defaultAction
            self.rules = rules
            self.tags = tags
        }
    }

    /// A listener rule, found by its name; match, priority and action are updated in place.
    public struct Rule: Codable, Sendable, Equatable {
        /// The name, unique in the listener.
        public var name: String
        /// 1 to 2000, unique in the listener; lower matches first.
        public var priority: Int
        /// What requests the rule takes.
        public var match: RuleMatch
        /// What happens to them.
        public var action: RuleAction
        /// The rule's own tags.
        public var tags: [String: String]?

        /// A rule.
        public init(name: String, priority: Int, match: RuleMatch, action: RuleAction, tags: [String: String]? = nil) {
            self.name = name
            self.priority = priority
            self.match = match
            self.action = action
            self.tags = tags
        }
    }

    /// A target group, found by its name (unique in an account and region).
    public struct TargetGroup: Codable, Sendable, Equatable {
        /// The name (`CreateTargetGroup`'s `name`).
        public var name: String
        /// IP, INSTANCE, LAMBDA or ALB; cannot change in place (a change replaces the group).
        public var type: TargetGroupType
        /// Port, protocol, protocol version, IP address type and VPC cannot change in place (a
        /// change replaces the group); the health check is updated in place. Members left out
        /// are not compared, so the service's defaults never show as differences.
        public var config: TargetGroupConfig?
        /// The registered targets, as a set; a target without a port takes the group's port.
        public var targets: [Target]?
        /// The group's own tags.
        public var tags: [String: String]?

        /// A target group.
        public init(name: String, type: TargetGroupType, config: TargetGroupConfig? = nil, targets: [Target]? = nil, tags: [String: String]? = nil) {
            self.name = name
            self.type = type
            self.config = config
            self.targets = targets
            self.tags = tags
        }
    }
}

/// A JSON policy document (an auth policy or a resource policy). In a topology file it is the
/// document itself, a JSON object (a JSON string holding the document is read too). Two
/// documents are equal when their JSON is, whatever the spacing and order of members.
public struct PolicyDocument: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The document as compact JSON text with sorted member names: what is sent.
    public let text: String

    /// A document from its JSON text; throws `TopologyError` when the text is not a JSON object.
    public init(_ json: String) throws {
        guard let value = try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(json.utf8)), case .object = value else {
            throw TopologyError(issues: [TopologyIssue(path: "policy", problem: "is not a JSON object")])
        }
        text = Self.canonical(value)
    }

    init(value: JSONValue) {
        text = Self.canonical(value)
    }

    /// The document as read back from the service: its JSON made canonical, or the text as
    /// it is when it is not JSON.
    static func live(_ text: String) -> PolicyDocument {
        if let value = try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(text.utf8)) { return PolicyDocument(value: value) }
        return PolicyDocument(raw: text)
    }

    private init(raw: String) { text = raw }

    static func canonical(_ value: JSONValue) -> String {
        (try? String(decoding: LatticeJSON.sharedEncoder.encode(value), as: UTF8.self)) ?? ""
    }

    /// Reads a JSON object, or a JSON string that holds one.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        switch value {
        case .object:
            self.init(value: value)
        case let .string(text):
            guard let inner = try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(text.utf8)), case .object = inner else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "the policy text is not a JSON object"))
            }
            self.init(value: inner)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a policy is a JSON object, not \(value.typeName)"))
        }
    }

    /// Writes the document as a JSON object.
    public func encode(to encoder: any Encoder) throws {
        let value = (try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        try value.encode(to: encoder)
    }

    /// The JSON text.
    public var description: String { text }
}
