/// An IAM policy document, read and checked as IAM reads it, that evaluates requests as IAM
/// does: a VPC Lattice auth policy (attached to a service network or a service), or an
/// identity-based policy.
///
/// Check an auth policy in a unit test before you deploy it:
///
/// ```swift
/// let policy = try AuthPolicy(json: policyText)
/// let request = AuthRequest.invoke(
///     serviceArn: "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0",
///     method: "GET", path: "/rates",
///     caller: try #require(AuthRequest.Caller(arn: "arn:aws:sts::123456789012:assumed-role/rates-client/s1")))
/// let result = policy.evaluate(request)
/// #expect(result.outcome == .allow, "\(result)")
/// ```
///
/// For the whole Lattice decision (the service network's policy, then the service's, each
/// skipped when its auth type is NONE), see ``AuthDecision``.
///
/// What is read: `Version` (2012-10-17, or 2008-10-17 where policy variables are plain text),
/// `Id`, and `Statement` (one object or a list) with `Sid`, `Effect`, `Principal` or
/// `NotPrincipal`, `Action` or `NotAction`, `Resource` or `NotResource`, and `Condition`;
/// every value may be a string or a list of strings. A document that IAM would refuse, or
/// that cannot mean what it says (a member written twice, a number operator given a word),
/// is refused with a ``ParseError`` that names the place (`Statement[1].Condition.StringEquals`).
///
/// Sources: https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html and
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
public struct AuthPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Which grammar the document follows.
    public enum Kind: Sendable, Hashable {
        /// A resource-based policy, such as a Lattice auth policy: every statement names its
        /// principals (`Principal` or `NotPrincipal`).
        case resourceBased
        /// An identity-based policy (attached to a user or role): no statement names principals.
        case identityBased
    }

    /// A statement's effect.
    public enum Effect: String, Sendable, Hashable {
        /// The statement allows what it matches.
        case allow = "Allow"
        /// The statement denies what it matches, whatever else allows it.
        case deny = "Deny"
    }

    /// A document that cannot be used, with the place in it (`Statement[1].Condition.StringEquals`,
    /// empty for the document as a whole) and what is wrong there.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Where in the document: statements are numbered from 0, as in `Statement[0]`.
        public var path: String
        /// What is wrong, and what to write instead.
        public var problem: String
        /// `path: problem`.
        public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
    }

    /// The largest document read, in bytes. Lattice takes auth policies of up to 10,240
    /// characters; this leaves room for identity-based policies and for characters that take
    /// more than one byte, and no more.
    public static let maximumSize = 20_480
    /// The deepest nesting read: a policy needs seven levels (document, Statement list,
    /// statement, Condition, operator, key, value list).
    static let maximumDepth = 10

    /// The document's `Version`, nil when it has none (IAM then reads it as 2008-10-17).
    public let version: String?
    /// The document's `Id`, if any.
    public let id: String?
    /// Which grammar the document was read with.
    public let kind: Kind
    let statements: [Statement]

    /// The number of statements.
    public var statementCount: Int { statements.count }

    /// Reads a policy document from its JSON text.
    public init(json: String, kind: Kind = .resourceBased) throws(ParseError) {
        try self.init(json: Array(json.utf8), kind: kind)
    }

    /// Reads a policy document from its JSON bytes (UTF-8), at most ``maximumSize`` of them.
    public init(json: some Collection<UInt8>, kind: Kind = .resourceBased) throws(ParseError) {
        guard json.count <= Self.maximumSize else {
            throw ParseError(path: "", problem: "the policy is \(json.count) bytes; Lattice auth policies are at most 10,240 characters, and this reader takes at most \(Self.maximumSize) bytes")
        }
        let value: PolicyJSON
        do {
            value = try PolicyJSON.parse(Array(json), maximumDepth: Self.maximumDepth)
        } catch {
            throw ParseError(path: "", problem: "not JSON at line \(error.line), column \(error.column): \(error.problem); write it as {\"Version\": \"2012-10-17\", \"Statement\": [...]}")
        }
        let document = try PolicyReader(kind: kind).document(value)
        version = document.version
        id = document.id
        self.kind = kind
        statements = document.statements
    }

    /// One line: the statements by name and effect.
    public var description: String {
        let names = statements.map { "\($0.name) \($0.effect.rawValue)" }
        return "policy (\(version ?? "no Version")) with \(statements.count) statement\(statements.count == 1 ? "" : "s"): \(names.joined(separator: ", "))"
    }

    /// One statement as read: everything evaluation needs, checked.
    struct Statement: Hashable, Sendable {
        var index: Int
        var sid: String?
        var effect: Effect
        /// Nil when the statement names no principals (identity-based policies).
        var principals: Principals?
        var actions: [String]
        var actionPatterns: [PolicyPattern]
        var isNotAction: Bool
        var resources: [PolicyTemplate]
        var isNotResource: Bool
        var conditions: [ConditionTest]

        /// `"Sid" (Statement[1])`, or `Statement[1]` without a Sid.
        var name: String { Self.name(index: index, sid: sid) }

        static func name(index: Int, sid: String?) -> String {
            sid.map { "\(PolicyText.quoted($0)) (Statement[\(index)])" } ?? "Statement[\(index)]"
        }
    }

    /// `Principal` or `NotPrincipal`.
    struct Principals: Hashable, Sendable {
        var isNot: Bool
        var entries: [PrincipalEntry]
        /// The entries as written, for explanations (`AWS: 123456789012`).
        var written: [String]
    }

    /// One principal a statement names.
    enum PrincipalEntry: Hashable, Sendable {
        /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
        case everyone
        /// An account (`123456789012` or `arn:aws:iam::123456789012:root`): every principal in it.
        case account(String)
        /// A user, role, role session or federated user ARN.
        case arn(String)
        /// A unique ID (`AIDA…`, `AROA…`), as IAM shows a principal that was deleted.
        case uniqueID(String)
        /// A `Service`, `Federated` or `CanonicalUser` principal: never a Lattice caller.
        case other(type: String, value: String)
    }
}

/// What a condition operator is made of: the comparison, the set qualifier, `IfExists`.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
struct ConditionOperator: Hashable, Sendable {
    enum Base: String, CaseIterable, Sendable {
        case stringEquals = "StringEquals", stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase", stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike", stringNotLike = "StringNotLike"
        case numericEquals = "NumericEquals", numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan", numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan", numericGreaterThanEquals = "NumericGreaterThanEquals"
        case dateEquals = "DateEquals", dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan", dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan", dateGreaterThanEquals = "DateGreaterThanEquals"
        case bool = "Bool"
        case binaryEquals = "BinaryEquals"
        case ipAddress = "IpAddress", notIpAddress = "NotIpAddress"
        case arnEquals = "ArnEquals", arnLike = "ArnLike", arnNotEquals = "ArnNotEquals", arnNotLike = "ArnNotLike"
        case null = "Null"

        /// Negated operators match when no policy value matches, and when the key is missing.
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals,
                 .notIpAddress, .arnNotEquals, .arnNotLike:
                return true
            default:
                return false
            }
        }

        enum Family { case string, numeric, date, bool, binary, ip, arn, null }

        var family: Family {
            switch self {
            case .stringEquals, .stringNotEquals, .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .stringLike, .stringNotLike:
                return .string
            case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan, .numericGreaterThanEquals:
                return .numeric
            case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
                return .date
            case .bool: return .bool
            case .binaryEquals: return .binary
            case .ipAddress, .notIpAddress: return .ip
            case .arnEquals, .arnLike, .arnNotEquals, .arnNotLike: return .arn
            case .null: return .null
            }
        }
    }

    enum Qualifier: String, Sendable {
        case forAllValues = "ForAllValues"
        case forAnyValue = "ForAnyValue"
    }

    var base: Base
    var qualifier: Qualifier?
    var ifExists: Bool
    /// The operator as written.
    var name: String
}

/// One key of one operator in a `Condition` block, with its values, checked and typed.
struct ConditionTest: Hashable, Sendable {
    enum Value: Hashable, Sendable {
        /// String and ARN operators: text that may hold policy variables.
        case template(PolicyTemplate)
        case number(Double)
        case date(Double)
        case bool(Bool)
        case ip(IPRange)
        case binary(String)
    }

    var op: ConditionOperator
    var key: String
    var values: [Value]
    /// The values as written, for explanations.
    var written: [String]
}

/// Short, bounded renderings of policy and request text for explanations.
enum PolicyText {
    /// `"text"`, cut to 120 characters.
    static func quoted(_ text: String) -> String {
        let cut = text.count > 120 ? String(text.prefix(117)) + "..." : text
        return "\"" + cut + "\""
    }

    /// `["a", "b"]`, at most eight items shown.
    static func list(_ items: [String]) -> String {
        let shown = items.prefix(8).map(quoted)
        let more = items.count > 8 ? ", and \(items.count - 8) more" : ""
        return "[" + shown.joined(separator: ", ") + more + "]"
    }
}
