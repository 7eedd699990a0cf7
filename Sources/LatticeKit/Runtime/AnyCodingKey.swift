/// A coding key made from any string: the one `CodingKey` for JSON objects whose member names
/// are data (unions, JSON values).
package struct AnyCodingKey: CodingKey, Sendable {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ s: String) { stringValue = s }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}
