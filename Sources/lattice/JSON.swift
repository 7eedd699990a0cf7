/// A JSON document as the CLI handles it: object members keep their order and numbers keep
/// their text, so what the service sent is printed back as the aws CLI prints it (member order,
/// `5` stays `5`, a timestamp string stays the string it was).
indirect enum JSON: Equatable {
    case null
    case bool(Bool)
    /// The number's text as written (valid JSON number syntax).
    case number(String)
    case string(String)
    case array([JSON])
    case object([Member])

    struct Member: Equatable {
        var key: String
        var value: JSON
    }

    /// The member's value (the first member of that name). A scan: for many lookups in one
    /// object, use `MemberIndex`.
    subscript(key: String) -> JSON? {
        guard case let .object(members) = self else { return nil }
        return MemberIndex.scan(members, key).map { members[$0].value }
    }

    var objectMembers: [Member]? {
        if case let .object(m) = self { return m }
        return nil
    }

    var arrayElements: [JSON]? {
        if case let .array(a) = self { return a }
        return nil
    }

    var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// Sets (replacing in place, or appending) an object member. A scan: to build an object of
    /// many members, use `MemberList`.
    mutating func set(_ key: String, _ value: JSON) {
        guard case var .object(members) = self else { return }
        self = .null  // so that `members` is the only reference and changes in place
        if let i = MemberIndex.scan(members, key) {
            members[i].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
        self = .object(members)
    }

    mutating func remove(_ key: String) {
        guard case var .object(members) = self else { return }
        self = .null
        KeyWork.count(members.count)
        members.removeAll { $0.key == key }
        self = .object(members)
    }
}

// MARK: - Objects of many members

/// An object's members as they are added, Python's dict semantics: a repeated key keeps its
/// first position and takes the last value. Past a few members, keys are found through a
/// dictionary, so adding N members costs O(N), not the O(N²) of a scan per key (a hostile
/// answer or input of 1M keys).
struct MemberList {
    private(set) var members: [JSON.Member] = []
    private var positions: [String: Int] = [:]

    /// Up to this many members, a scan is cheaper than hashing every key.
    static let scanLimit = 8

    mutating func set(_ key: String, _ value: JSON) {
        if members.count <= Self.scanLimit {
            if let k = MemberIndex.scan(members, key) {
                members[k].value = value
                return
            }
            members.append(JSON.Member(key: key, value: value))
            if members.count > Self.scanLimit {
                KeyWork.count(members.count)
                for (k, m) in members.enumerated() where positions[m.key] == nil { positions[m.key] = k }
            }
            return
        }
        KeyWork.count()
        if let k = positions[key] {
            members[k].value = value
        } else {
            positions[key] = members.count
            members.append(JSON.Member(key: key, value: value))
        }
    }

    var object: JSON { .object(members) }
}

/// Lookups by key in an object's members (the first member of a name, as `JSON.subscript`):
/// past a few members, through a dictionary built once, so N lookups in an object of N keys
/// cost O(N).
struct MemberIndex {
    let members: [JSON.Member]
    private let positions: [String: Int]?

    init(_ members: [JSON.Member]) {
        self.members = members
        if members.count > MemberList.scanLimit {
            KeyWork.count(members.count)
            var positions: [String: Int] = [:]
            positions.reserveCapacity(members.count)
            for (k, m) in members.enumerated() where positions[m.key] == nil { positions[m.key] = k }
            self.positions = positions
        } else {
            positions = nil
        }
    }

    subscript(key: String) -> JSON? {
        guard let positions else { return Self.scan(members, key).map { members[$0].value } }
        KeyWork.count()
        return positions[key].map { members[$0].value }
    }

    /// The position of the first member named `key`, by a scan.
    static func scan(_ members: [JSON.Member], _ key: String) -> Int? {
        for (k, m) in members.enumerated() {
            KeyWork.count()
            if m.key == key { return k }
        }
        return nil
    }
}

/// Counts key comparisons and lookups in objects, in debug builds only: the tests check that an
/// object of N keys costs O(N) by comparing these counts for growing N, not times. Every search
/// of an object's members by key goes through `MemberList`, `MemberIndex` or `JSON`'s
/// subscript, `set` and `remove`, which count here.
enum KeyWork {
    #if DEBUG
    final class Meter: @unchecked Sendable {
        var count = 0
    }

    @TaskLocal static var meter: Meter?
    #endif

    @inline(__always)
    static func count(_ n: Int = 1) {
        #if DEBUG
        meter?.count += n
        #endif
    }
}

// MARK: - Parsing

/// Why a text is not JSON, worded like Python's json module (which the aws CLI quotes):
/// `Expecting value: line 1 column 1 (char 0)`.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var problem: String
    var line: Int
    var column: Int
    var offset: Int
    var description: String { "\(problem): line \(line) column \(column) (char \(offset))" }
}

struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
        try parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSON {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let value = try p.value(depth: 0)
        p.skipSpace()
        if p.i < p.bytes.count { throw p.error("Extra data") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ problem: String, at position: Int? = nil) -> JSONSyntaxError {
        let at = min(position ?? i, bytes.count)
        var line = 1
        var lineStart = 0
        var chars = 0
        var k = 0
        // Python counts characters, not bytes.
        var charOffset = 0
        while k < at {
            if bytes[k] == 0x0A { line += 1; lineStart = chars + 1 }
            if bytes[k] & 0xC0 != 0x80 { chars += 1 }
            k += 1
        }
        charOffset = chars
        return JSONSyntaxError(problem: problem, line: line, column: charOffset - lineStart + 1, offset: charOffset)
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSON {
        guard depth < 512 else { throw error("Nesting too deep") }
        guard i < bytes.count else { throw error("Expecting value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("Expecting value")
        }
    }

    private mutating func literal(_ word: String, _ result: JSON) throws(JSONSyntaxError) -> JSON {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("Expecting value") }
        i += w.count
        return result
    }

    private mutating func number() throws(JSONSyntaxError) -> JSON {
        let start = i
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1 }
            return p.i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw error("Expecting value", at: start) }
        if bytes[i] == 0x30 { i += 1 } else { _ = digits(&self) }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            let dot = i
            i += 1
            if digits(&self) == 0 { i = dot; return .number(String(decoding: bytes[start..<i], as: UTF8.self)) }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            let e = i
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { i = e }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        let start = i
        i += 1
        // Most strings have no escape: one pass to the closing quote, one String.
        var end = i
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            defer { i = end + 1 }
            return String(decoding: bytes[i..<end], as: UTF8.self)
        }
        var out = Array(bytes[i..<end])
        i = end
        while true {
            guard i < bytes.count else { throw error("Unterminated string starting at", at: start) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw error("Invalid control character at") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw error("Unterminated string starting at", at: start) }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                // A lone surrogate cannot be UTF-8: it becomes U+FFFD.
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("Invalid \\escape", at: i - 2)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("Invalid \\uXXXX escape", at: i - 1) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("Invalid \\uXXXX escape", at: i - 1)
            }
            v = v * 16 + d
        }
        i += 4
        return v
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSON {
        i += 1
        var members = MemberList()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return members.object }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("Expecting property name enclosed in double quotes") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            let v = try value(depth: depth + 1)
            // Like Python's json.loads, a repeated key keeps the last value (at the first position).
            members.set(key, v)
            skipSpace()
            guard i < bytes.count else { throw error("Expecting ',' delimiter") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return members.object }
            throw error("Expecting ',' delimiter")
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSON {
        i += 1
        var elements: [JSON] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            skipSpace()
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw error("Expecting ',' delimiter") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            throw error("Expecting ',' delimiter")
        }
    }
}

// MARK: - Writing

extension JSON {
    /// Compact JSON (for request inputs): `{"a":1,"b":[true]}`.
    var compact: String {
        var out = ""
        writeCompact(&out)
        return out
    }

    private func writeCompact(_ out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(n): out += n
        case let .string(s): JSON.quote(s, into: &out, asciiOnly: false)
        case let .array(a):
            out += "["
            for (k, e) in a.enumerated() {
                if k > 0 { out += "," }
                e.writeCompact(&out)
            }
            out += "]"
        case let .object(m):
            out += "{"
            for (k, e) in m.enumerated() {
                if k > 0 { out += "," }
                JSON.quote(e.key, into: &out, asciiOnly: false)
                out += ":"
                e.value.writeCompact(&out)
            }
            out += "}"
        }
    }

    /// What Python's `json.dump(value, indent=4, ensure_ascii=False)` writes, which is what the
    /// aws CLI prints for `--output json` (without the final newline).
    var pythonIndented: String {
        var out = ""
        writeIndented(&out, level: 0)
        return out
    }

    private func writeIndented(_ out: inout String, level: Int) {
        switch self {
        case let .array(a) where !a.isEmpty:
            out += "[\n"
            let indent = String(repeating: " ", count: 4 * (level + 1))
            for (k, e) in a.enumerated() {
                if k > 0 { out += ",\n" }
                out += indent
                e.writeIndented(&out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 4 * level) + "]"
        case let .object(m) where !m.isEmpty:
            out += "{\n"
            let indent = String(repeating: " ", count: 4 * (level + 1))
            for (k, e) in m.enumerated() {
                if k > 0 { out += ",\n" }
                out += indent
                JSON.quote(e.key, into: &out, asciiOnly: false)
                out += ": "
                e.value.writeIndented(&out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 4 * level) + "}"
        case let .number(n):
            out += PythonNumber.repr(n)
        default:
            writeCompact(&out)
        }
    }

    /// A JSON string literal as Python's json module writes it: `"`, `\`, and control characters
    /// escaped (`\n`, `\u001b`); everything else as is, or `\uXXXX` when `asciiOnly`. Unlike
    /// Python (and the aws CLI), DEL, the C1 controls and the bidi and line-breaking characters
    /// of `TerminalText.isControl` are escaped too (`\u007f`, `\u009b`, `\u202e`): the same
    /// JSON value, but nothing in it acts on a terminal.
    static func quote(_ s: String, into out: inout String, asciiOnly: Bool) {
        out += "\""
        // Most strings need no escape: appended whole.
        if !s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || (asciiOnly && $0 > 0x7E) || TerminalText.mayStartControl($0) }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (asciiOnly && u.value > 0x7E) || TerminalText.isControl(u.value) {
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += "\\u" + TerminalText.hex(0xD800 + (v >> 10), digits: 4) + "\\u" + TerminalText.hex(0xDC00 + (v & 0x3FF), digits: 4)
                    } else {
                        out += "\\u" + TerminalText.hex(u.value, digits: 4)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// The value as Python's `str()` shows it, which the aws CLI's text and table output use.
    var pythonString: String {
        switch self {
        case .null: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .number(n): return PythonNumber.repr(n)
        case let .string(s): return s
        case .array, .object: return pythonRepr
        }
    }

    /// Python's `repr()` of the parsed value (nested values in text output).
    var pythonRepr: String {
        switch self {
        case .null, .bool, .number: return pythonString
        case let .string(s): return PythonNumber.reprString(s)
        case let .array(a): return "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .object(m): return "{" + m.map { PythonNumber.reprString($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        }
    }
}

/// How Python prints numbers that came from JSON: integers as written, other numbers as the
/// shortest repr of the double (`1.7e9` prints `1700000000.0`).
enum PythonNumber {
    static func repr(_ text: String) -> String {
        let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if isInteger {
            // Python ints print without a leading minus on zero and without leading zeros; JSON
            // allows neither anyway, except "-0".
            return text == "-0" ? "0" : text
        }
        guard let d = Double(text) else { return text }
        return reprDouble(d)
    }

    /// `repr(float)`: the shortest digits that read back as the same double, positional when
    /// 1e-4 <= |x| < 1e16, else scientific with a two-digit exponent at least.
    static func reprDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-tripping digits; take them apart.
        var text = "\(abs(d))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var pointPosition = intPart.count + exponent  // digits before the decimal point
        // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); pointPosition -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let decimalExponent = pointPosition - 1  // x = d.ddd * 10^decimalExponent
        if decimalExponent >= -5 && decimalExponent < 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let idx = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<idx] + "." + digits[idx...]
        }
        let mantissa = digits.count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        let expSign = decimalExponent < 0 ? "-" : "+"
        let expDigits = String(abs(decimalExponent))
        return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
    }

    /// Python's repr of a str: single quotes unless the text has a single quote and no double.
    static func reprString(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(u) == q { out += "\\" + String(q) } else if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + TerminalText.hex(u.value, digits: 2)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append(q)
        return out
    }
}
