/// An open enumeration of the model: a string that has well-known values as static members,
/// but keeps any other value the service sends, so a value added to the service later decodes
/// and round-trips instead of failing.
public protocol LatticeEnum: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String {
    /// A value from its raw string; any string is accepted, known or not.
    ///
    /// - Parameter rawValue: The value as the service spells it.
    init(rawValue: String)
    /// The values the model knows.
    static var knownValues: [Self] { get }
}

extension LatticeEnum {
    /// A value from a string literal, such as `"ACTIVE"`.
    ///
    /// - Parameter value: The value as the service spells it.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Decodes any string, known or not.
    ///
    /// - Parameter decoder: The decoder to read from.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the raw value as a string.
    ///
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// The raw value, as the service spells it.
    public var description: String { rawValue }

    /// Whether the model knows this value.
    public var isKnown: Bool { Self.knownValues.contains(self) }
}
