/// A structure of the vpc-lattice model: every request, response and nested type that
/// LatticeKit generates conforms.
///
/// The model marks most output members optional (an ID, an ARN, a status), so their Swift
/// types are optional too. Where your code needs one, ``require(_:)`` says so and turns an
/// absent value into an error that names the member, instead of a force unwrap's crash:
///
/// ```swift
/// let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network"))
/// let networkId = try network.require(\.id)
/// ```
public protocol LatticeShape: Sendable {}

extension LatticeShape {
    /// The value of an optional member, or ``MissingMemberError`` when the answer lacks it.
    ///
    /// - Parameter member: the member, as a key path (`\.id`, `\.dnsEntry?.domainName`).
    /// - Returns: the member's value.
    /// - Throws: ``MissingMemberError`` naming the structure and the member.
    public func require<Value>(_ member: KeyPath<Self, Value?>) throws -> Value {
        guard let value = self[keyPath: member] else {
            throw MissingMemberError(shape: String(describing: Self.self), member: Self.memberName(member))
        }
        return value
    }

    /// `\CreateServiceResponse.id` -> `id`; a nested path keeps its dots (`dnsEntry?.domainName`).
    static func memberName(_ keyPath: AnyKeyPath) -> String {
        let text = String(describing: keyPath)
        let prefix = "\\" + String(describing: Self.self) + "."
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}

/// A member that the caller required (``LatticeShape/require(_:)``) is absent from a value,
/// usually an answer of the service.
public struct MissingMemberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The structure's name, e.g. `CreateServiceResponse`.
    public let shape: String
    /// The member's path inside it, e.g. `id` or `dnsEntry?.domainName`.
    public let member: String

    /// An error for `member` of `shape`.
    public init(shape: String, member: String) {
        self.shape = shape
        self.member = member
    }

    public var description: String {
        "\(shape).\(member) is absent: the model marks it optional and the answer did not carry it. "
            + "Check the operation's documentation for when it is left out, or read the resource again with its Get operation."
    }
}
