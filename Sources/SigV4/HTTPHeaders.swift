/// An ordered list of HTTP header fields. Names compare case-insensitively; a name may occur
/// more than once, and the order of fields is kept (it matters when duplicates are joined).
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header as it was added: its name with the caller's case, and its value.
    public struct Field: Sendable, Hashable {
        /// The name, as given (lookups ignore case).
        public var name: String
        /// The value, as given (signing trims it and collapses inner whitespace).
        public var value: String
        /// A header field.
        ///
        /// - Parameters:
        ///   - name: The header's name.
        ///   - value: The header's value.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in the order they were added, duplicates included.
    public private(set) var fields: [Field]

    /// No headers.
    public init() { fields = [] }

    /// Headers from name-value pairs, in order; a repeated name is kept as a second field.
    ///
    /// - Parameter pairs: The names and values.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields, duplicates counted.
    public var count: Int { fields.count }
    /// Whether there is no field.
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`, then appends one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        // Scan first: removeAll(where:) would copy a shared buffer even when nothing matches.
        guard contains(name) else { return }
        fields.removeAll { Self.equalIgnoringCase($0.name, name) }
    }

    /// Reserves room for `extra` more fields.
    public mutating func reserveCapacity(adding extra: Int) {
        fields.reserveCapacity(fields.count + extra)
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.equalIgnoringCase($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { Self.equalIgnoringCase($0.name, name) ? $0.value : nil }
    }

    /// Whether a field has this name, ignoring case.
    ///
    /// - Parameter name: The header name to look for.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.equalIgnoringCase($0.name, name) }
    }

    /// ASCII case-insensitive comparison (header names are ASCII tokens).
    public static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        var ia = a.utf8.makeIterator()
        var ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return true
            case let (x?, y?): if ASCII.lower(x) != ASCII.lower(y) { return false }
            default: return false
            }
        }
    }
}
