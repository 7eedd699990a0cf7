/// An open enumeration of the model: a string that has well-known values as static members,
/// but keeps any other value the service sends, so a value added to the service later decodes
/// and round-trips instead of failing.
public protocol LatticeEnum: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
    /// The values the model knows.
    static var knownValues: [Self] { get }
}

extension LatticeEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Whether the model knows this value.
    public var isKnown: Bool { Self.knownValues.contains(self) }
}
