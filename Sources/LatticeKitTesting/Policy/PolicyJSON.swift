/// The JSON reader for policy documents.
///
/// The module's JSON type (`Cassette.JSONValue`) is read through `JSONDecoder`, which keeps the
/// first of two members with the same name without a word; IAM does not read a policy that
/// way, and a checker that silently drops `"StringEquals"` written twice would approve a policy
/// that means something else. This reader keeps object members in order, duplicates included,
/// so the policy reader can name them; it bounds nesting, and reports where the text is wrong.
enum PolicyJSON {
    case null
    case bool(Bool)
    /// The number as written (valid JSON number syntax).
    case number(String)
    case string(String)
    case array([PolicyJSON])
    case object([(key: String, value: PolicyJSON)])

    /// What the value is, in a policy author's words ("a string", "an object").
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// Text that is not JSON, with the line and column (from 1) where reading stopped.
    struct SyntaxError: Error {
        var problem: String
        var line: Int
        var column: Int
    }

    /// Parses `bytes` as one JSON value. Nesting deeper than `maximumDepth` is refused, so a
    /// hostile document cannot exhaust the stack.
    static func parse(_ bytes: [UInt8], maximumDepth: Int) throws(SyntaxError) -> PolicyJSON {
        var reader = Reader(bytes: bytes, maximumDepth: maximumDepth)
        reader.skipSpace()
        let value = try reader.value(depth: 1)
        reader.skipSpace()
        guard reader.offset == bytes.count else { throw reader.error("text continues after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        let maximumDepth: Int
        var offset = 0

        init(bytes: [UInt8], maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        func error(_ problem: String) -> SyntaxError {
            var line = 1, column = 1
            for byte in bytes[..<min(offset, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1  // count characters, not UTF-8 continuation bytes
                }
            }
            return SyntaxError(problem: problem, line: line, column: column)
        }

        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        /// The one-character escapes: `\"`, `\\`, `\/`, and the control characters b, f, n, r, t.
        static let escapes: [UInt8: UInt8] = [
            0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09,
        ]

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { offset += 1 }
        }

        mutating func expect(_ literal: String, _ value: PolicyJSON) throws(SyntaxError) -> PolicyJSON {
            let text = Array(literal.utf8)
            guard bytes.count - offset >= text.count, Array(bytes[offset..<offset + text.count]) == text else {
                throw error("expected a JSON value (a string, number, object, list, true, false or null)")
            }
            offset += text.count
            return value
        }

        mutating func value(depth: Int) throws(SyntaxError) -> PolicyJSON {
            guard let b = current else { throw error("the document ends where a value was expected") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth <= maximumDepth else {
                    throw error("nested more than \(maximumDepth) levels deep; a policy needs far fewer")
                }
                return b == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("expected a JSON value (a string, number, object, list, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(SyntaxError) -> PolicyJSON {
            offset += 1
            var members: [(key: String, value: PolicyJSON)] = []
            skipSpace()
            if current == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
                let key = try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after the member name \"\(key)\"") }
                offset += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"):
                    offset += 1
                    return .object(members)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> PolicyJSON {
            offset += 1
            var items: [PolicyJSON] = []
            skipSpace()
            if current == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"):
                    offset += 1
                    return .array(items)
                default: throw error("expected ',' or ']' in a list")
                }
            }
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = offset
            if current == UInt8(ascii: "-") { offset += 1 }
            func digits(_ r: inout Reader) -> Int {
                let s = r.offset
                while let b = r.current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { r.offset += 1 }
                return r.offset - s
            }
            let integer = offset
            guard digits(&self) > 0 else { throw error("a number needs digits") }
            if bytes[integer] == UInt8(ascii: "0"), offset - integer > 1 { throw error("a number cannot start with 0") }
            if current == UInt8(ascii: ".") {
                offset += 1
                guard digits(&self) > 0 else { throw error("a number needs digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                offset += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
                guard digits(&self) > 0 else { throw error("a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard bytes.count - offset >= 4 else { throw error("\\u needs four hex digits") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[offset]
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
                default: throw error("\\u needs four hex digits")
                }
                v = v << 4 | UInt32(d)
                offset += 1
            }
            return v
        }

        mutating func string() throws(SyntaxError) -> String {
            offset += 1
            var out: [UInt8] = []
            while true {
                guard let b = current else { throw error("a string is not closed with '\"'") }
                offset += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: out, as: UTF8.self) else {
                        throw error("a string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    guard let e = current else { throw error("a string ends inside an escape") }
                    offset += 1
                    if let simple = Self.escapes[e] {
                        out.append(simple)
                        continue
                    }
                    guard e == UInt8(ascii: "u") else { throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))' in a string") }
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - offset >= 2, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw error("a \\u escape of a high surrogate needs its low surrogate")
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a \\u escape has an unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let s = Unicode.Scalar(scalar) else { throw error("a \\u escape has an unpaired surrogate") }
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                default:
                    guard b >= 0x20 else { throw error("a control character must be escaped inside a string") }
                    out.append(b)
                }
            }
        }
    }
}
