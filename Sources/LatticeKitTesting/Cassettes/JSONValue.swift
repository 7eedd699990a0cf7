public import LatticeKit

extension Cassette {
    /// A JSON document as a value: how cassettes keep JSON bodies, so that a recorded body
    /// reads as JSON in the file and compares by meaning, not by bytes. LatticeKit's one JSON
    /// value type, under the name cassettes have always used.
    public typealias JSONValue = LatticeKit.JSONValue
}
