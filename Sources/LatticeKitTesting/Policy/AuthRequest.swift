#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One request as IAM sees it when it evaluates a policy: who calls (the caller), what they do
/// (the action, `vpc-lattice-svcs:Invoke`), on what (the resource ARN), and the condition keys
/// of the request context.
///
/// Build it with ``invoke(serviceArn:serviceNetworkArn:method:path:headers:query:port:caller:sourceVpc:sourceVpcOwnerAccount:sourceIp:secureTransport:resourceTags:now:)``
/// for an HTTP or gRPC request to a Lattice service, or ``connect(serviceArn:serviceNetworkArn:port:caller:sourceVpc:sourceVpcOwnerAccount:sourceIp:resourceTags:now:)``
/// for a TCP connection; the initializer takes any action and keys.
///
/// Keys set from the caller and the clock (IAM's global keys, see ``init(action:resource:caller:keys:now:)``)
/// and the Lattice keys the Service Authorization Reference lists for `vpc-lattice-svcs`:
/// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonvpclatticeservices.html
/// https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html#auth-policies-condition-keys
public struct AuthRequest: Sendable, Hashable {
    /// The action, such as `vpc-lattice-svcs:Invoke`.
    public var action: String
    /// The resource ARN: for Invoke the service ARN followed by the request path
    /// (`arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/api/items`).
    public var resource: String
    /// Who sends the request.
    public var caller: Caller
    /// The request context: each condition key (lowercased, see ``normalizedKey(_:)``) with its
    /// values; a key that is absent is not in the request.
    public private(set) var conditionKeys: [String: [String]]

    /// A request context. `keys` are added to the global keys this sets from `caller` and
    /// `now`, and replace them where they name the same key:
    /// `aws:PrincipalType` (`Anonymous`, `Account`, `User`, `AssumedRole`, `FederatedUser`),
    /// `aws:PrincipalAccount`, `aws:PrincipalArn` (for a role session, the role's ARN),
    /// `aws:userid`, `aws:username` (IAM users), `aws:PrincipalTag/KEY`, `aws:PrincipalOrgID`,
    /// `aws:PrincipalOrgPaths`, `aws:PrincipalIsAWSService` (`false`),
    /// `aws:MultiFactorAuthPresent` and `aws:TokenIssueTime` (when the caller says),
    /// `aws:CurrentTime` and `aws:EpochTime` (from `now`), `aws:ResourceAccount` and
    /// `aws:RequestedRegion` (from the resource ARN). An anonymous caller has only
    /// `aws:PrincipalType`, as IAM gives it.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    public init(action: String, resource: String, caller: Caller, keys: [String: [String]] = [:], now: Date = Date()) {
        self.action = action
        self.resource = resource
        self.caller = caller
        var context: [String: [String]] = [:]
        func set(_ key: String, _ value: String?) {
            if let value { context[Self.normalizedKey(key)] = [value] }
        }
        set("aws:PrincipalType", caller.kind.rawValue)
        let seconds = now.timeIntervalSince1970
        set("aws:CurrentTime", PolicyValues.iso8601(seconds))
        set("aws:EpochTime", String(Int(seconds.rounded(.down))))
        let resourceFields = resource.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        if resourceFields.count == 6, resourceFields[0] == "arn" {
            set("aws:ResourceAccount", resourceFields[4].isEmpty ? nil : String(resourceFields[4]))
            set("aws:RequestedRegion", resourceFields[3].isEmpty ? nil : String(resourceFields[3]))
        }
        if caller.kind != .anonymous {
            set("aws:PrincipalAccount", caller.account)
            set("aws:PrincipalArn", caller.principalArn)
            set("aws:userid", caller.userID)
            set("aws:username", caller.userName)
            set("aws:PrincipalIsAWSService", "false")
            set("aws:PrincipalOrgID", caller.orgID)
            if !caller.orgPaths.isEmpty { context[Self.normalizedKey("aws:PrincipalOrgPaths")] = caller.orgPaths }
            for (key, value) in caller.tags { set("aws:PrincipalTag/\(key)", value) }
            set("aws:MultiFactorAuthPresent", caller.multiFactorAuthPresent.map { $0 ? "true" : "false" })
            set("aws:TokenIssueTime", caller.tokenIssueTime.map { PolicyValues.iso8601($0.timeIntervalSince1970) })
        }
        for (key, values) in keys { context[Self.normalizedKey(key)] = values }
        conditionKeys = context
    }

    /// The values of a condition key in this request, nil when the request has none. Key
    /// names compare as ``normalizedKey(_:)`` says.
    public func values(of key: String) -> [String]? {
        conditionKeys[Self.normalizedKey(key)]
    }

    /// How condition keys compare: IAM's key names ignore case (`aws:username` is
    /// `AWS:UserName`), and so do HTTP header names; the part after
    /// `vpc-lattice-svcs:RequestQueryString/` is a query parameter name and keeps its case.
    public static func normalizedKey(_ key: String) -> String {
        guard let slash = key.firstIndex(of: "/") else { return key.lowercased() }
        let head = key[..<slash].lowercased()
        return head == "vpc-lattice-svcs:requestquerystring" ? head + key[slash...] : key.lowercased()
    }

    /// An HTTP (or gRPC) request to a Lattice service, as Lattice authorizes it with the
    /// action `vpc-lattice-svcs:Invoke`: the resource is the service ARN followed by the request
    /// path (`.../service/svc-0123456789abcdef0/api/items`; give the path without its query),
    /// and the request context has `vpc-lattice-svcs:ServiceArn`, `ServiceNetworkArn`,
    /// `RequestMethod`, `RequestPath`, `Port`, `SourceVpc`, `SourceVpcOwnerAccount`,
    /// `RequestHeader/NAME` (names lowercased; repeated headers joined with `, `) and
    /// `RequestQueryString/KEY` (every value of the key, decoded, in order), plus
    /// `aws:SourceIp`, `aws:SecureTransport` and `aws:ResourceTag/KEY` when given.
    /// For gRPC, pass method `POST` and no query, as Lattice does.
    /// https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html#auth-policies-resource-format
    public static func invoke(
        serviceArn: String, serviceNetworkArn: String? = nil, method: String, path: String,
        headers: [(name: String, value: String)] = [], query: [(name: String, value: String)] = [],
        port: Int? = nil, caller: Caller, sourceVpc: String? = nil, sourceVpcOwnerAccount: String? = nil,
        sourceIp: String? = nil, secureTransport: Bool? = nil, resourceTags: [String: String] = [:], now: Date = Date()
    ) -> AuthRequest {
        var keys = commonKeys(serviceArn: serviceArn, serviceNetworkArn: serviceNetworkArn, port: port, sourceVpc: sourceVpc,
                              sourceVpcOwnerAccount: sourceVpcOwnerAccount, sourceIp: sourceIp, resourceTags: resourceTags)
        keys["vpc-lattice-svcs:RequestMethod"] = [method]
        keys["vpc-lattice-svcs:RequestPath"] = [path]
        if let secureTransport { keys["aws:SecureTransport"] = [secureTransport ? "true" : "false"] }
        var headerValues: [String: [String]] = [:]
        for (name, value) in headers { headerValues[name.lowercased(), default: []].append(value) }
        for (name, values) in headerValues { keys["vpc-lattice-svcs:RequestHeader/\(name)"] = [values.joined(separator: ", ")] }
        for (name, value) in query { keys["vpc-lattice-svcs:RequestQueryString/\(name)", default: []].append(value) }
        let resource = path.hasPrefix("/") ? serviceArn + path : serviceArn + "/" + path
        return AuthRequest(action: "vpc-lattice-svcs:Invoke", resource: resource, caller: caller, keys: keys, now: now)
    }

    /// A TCP connection to a Lattice service, authorized with the action
    /// `vpc-lattice-svcs:Connect` on the service ARN (the Service Authorization Reference's
    /// "TCP Service" resource); the keys are those of ``invoke(serviceArn:serviceNetworkArn:method:path:headers:query:port:caller:sourceVpc:sourceVpcOwnerAccount:sourceIp:secureTransport:resourceTags:now:)``
    /// that a connection has (no method, path, headers or query).
    public static func connect(
        serviceArn: String, serviceNetworkArn: String? = nil, port: Int? = nil, caller: Caller,
        sourceVpc: String? = nil, sourceVpcOwnerAccount: String? = nil, sourceIp: String? = nil,
        resourceTags: [String: String] = [:], now: Date = Date()
    ) -> AuthRequest {
        let keys = commonKeys(serviceArn: serviceArn, serviceNetworkArn: serviceNetworkArn, port: port, sourceVpc: sourceVpc,
                              sourceVpcOwnerAccount: sourceVpcOwnerAccount, sourceIp: sourceIp, resourceTags: resourceTags)
        return AuthRequest(action: "vpc-lattice-svcs:Connect", resource: serviceArn, caller: caller, keys: keys, now: now)
    }

    private static func commonKeys(
        serviceArn: String, serviceNetworkArn: String?, port: Int?, sourceVpc: String?, sourceVpcOwnerAccount: String?,
        sourceIp: String?, resourceTags: [String: String]
    ) -> [String: [String]] {
        var keys: [String: [String]] = ["vpc-lattice-svcs:ServiceArn": [serviceArn]]
        keys["vpc-lattice-svcs:ServiceNetworkArn"] = serviceNetworkArn.map { [$0] }
        keys["vpc-lattice-svcs:Port"] = port.map { [String($0)] }
        keys["vpc-lattice-svcs:SourceVpc"] = sourceVpc.map { [$0] }
        keys["vpc-lattice-svcs:SourceVpcOwnerAccount"] = sourceVpcOwnerAccount.map { [$0] }
        keys["aws:SourceIp"] = sourceIp.map { [$0] }
        for (key, value) in resourceTags { keys["aws:ResourceTag/\(key)"] = [value] }
        return keys
    }

    /// Who sends a request: an IAM user, a role session, an account's root user, a federated
    /// user, or nobody (an unsigned request). IAM matches a role session to its role in
    /// `Principal`, and to its account; see
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    public struct Caller: Sendable, Hashable, CustomStringConvertible {
        /// The kind of principal, named as `aws:PrincipalType` names it.
        public enum Kind: String, Sendable, Hashable {
            /// An unsigned request.
            case anonymous = "Anonymous"
            /// The account's root user.
            case account = "Account"
            /// An IAM user.
            case user = "User"
            /// A role session (AssumeRole, web identity, SAML).
            case assumedRole = "AssumedRole"
            /// A GetFederationToken session.
            case federatedUser = "FederatedUser"
        }

        /// The kind of principal.
        public var kind: Kind
        /// The caller's ARN: the user's, the session's (`arn:aws:sts::…:assumed-role/ROLE/SESSION`),
        /// the root user's (`arn:aws:iam::…:root`); nil for anonymous.
        public var arn: String?
        /// The caller's 12-digit account; nil for anonymous.
        public var account: String?
        /// For a role session, the role's ARN with its path (`arn:aws:iam::…:role/path/ROLE`):
        /// `Principal` entries and `aws:PrincipalArn` name the role this way.
        public var roleArn: String?
        /// The unique ID IAM gives the caller (`aws:userid`: `AIDA…` for a user,
        /// `AROA…:session` for a role session), when known.
        public var userID: String?
        /// The principal's tags (`aws:PrincipalTag/KEY`).
        public var tags: [String: String] = [:]
        /// The caller's organization (`aws:PrincipalOrgID`, e.g. `o-123456example`).
        public var orgID: String?
        /// The caller's organization paths (`aws:PrincipalOrgPaths`, e.g. `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`).
        public var orgPaths: [String] = []
        /// `aws:MultiFactorAuthPresent`; nil leaves the key out, as for long-term access keys.
        public var multiFactorAuthPresent: Bool?
        /// When the session's credentials were issued (`aws:TokenIssueTime`), for temporary credentials.
        public var tokenIssueTime: Date?

        /// A caller that does not sign its requests.
        public static let anonymous = Caller(kind: .anonymous)

        /// A caller of the given kind; prefer ``init(arn:roleArn:)``, which fills the account
        /// and the role from the ARN.
        public init(kind: Kind, arn: String? = nil, account: String? = nil, roleArn: String? = nil) {
            self.kind = kind
            self.arn = arn
            self.account = account
            self.roleArn = roleArn
        }

        /// The caller an IAM principal ARN names: `arn:aws:iam::123456789012:user/path/name`,
        /// `arn:aws:sts::123456789012:assumed-role/ROLE/SESSION` (give `roleArn` when the role
        /// has a path; otherwise it is `arn:aws:iam::123456789012:role/ROLE`),
        /// `arn:aws:iam::123456789012:root`, or `arn:aws:sts::123456789012:federated-user/NAME`.
        /// Nil for any other string.
        public init?(arn: String, roleArn: String? = nil) {
            let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, fields[0] == "arn", !fields[1].isEmpty, fields[3].isEmpty,
                  fields[4].count == 12, fields[4].allSatisfy(\.isASCIIDigit)
            else { return nil }
            let partition = fields[1], account = String(fields[4]), resource = fields[5]
            switch fields[2] {
            case "iam" where resource == "root":
                self.init(kind: .account, arn: arn, account: account)
                userID = account
            case "iam" where resource.hasPrefix("user/") && resource.count > 5:
                self.init(kind: .user, arn: arn, account: account)
            case "sts" where resource.hasPrefix("assumed-role/"):
                let parts = resource.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
                self.init(kind: .assumedRole, arn: arn, account: account,
                          roleArn: roleArn ?? "arn:\(partition):iam::\(account):role/\(parts[1])")
            case "sts" where resource.hasPrefix("federated-user/") && resource.count > 15:
                self.init(kind: .federatedUser, arn: arn, account: account)
                userID = "\(account):\(resource.dropFirst(15))"
            default:
                return nil
            }
        }

        /// `aws:PrincipalArn`: the caller's ARN, but the role's for a role session.
        var principalArn: String? {
            switch kind {
            case .anonymous: return nil
            case .assumedRole: return roleArn
            case .account: return arn ?? account.map { "arn:aws:iam::\($0):root" }
            case .user, .federatedUser: return arn
            }
        }

        /// `aws:username`: an IAM user's friendly name (the last part of its ARN).
        var userName: String? {
            guard kind == .user, let arn, let slash = arn.lastIndex(of: "/") else { return nil }
            return String(arn[arn.index(after: slash)...])
        }

        /// What the caller is, for explanations.
        public var description: String {
            kind == .anonymous ? "anonymous caller" : "\(arn ?? account ?? "?") (\(kind.rawValue))"
        }
    }
}
