/// The local Lattice reads and writes bodies with the cassettes' JSON value type, so the module
/// has one JSON document type.
typealias JSONValue = Cassette.JSONValue

extension Cassette.JSONValue {
    /// The member `key` of an object.
    subscript(key: String) -> Cassette.JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }
}
