/// Decoding and encoding of the model's unions: a JSON object with exactly one member set.
enum UnionCoding {
    /// The one member present (explicit nulls are ignored) and the container to decode it
    /// from. No member at all is a decoding error naming the union.
    static func member(_ decoder: any Decoder, union: String) throws -> (String, KeyedDecodingContainer<AnyCodingKey>) {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in c.allKeys where !((try? c.decodeNil(forKey: key)) ?? false) {
            return (key.stringValue, c)
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(union) needs exactly one member set; found none"))
    }

    static func encode<T: Encodable>(_ value: T, as key: String, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(value, forKey: AnyCodingKey(key))
    }
}
