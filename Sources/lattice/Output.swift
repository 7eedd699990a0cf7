import SigV4

/// How timestamps are printed: `none` prints them as the service sent them (the aws CLI v1
/// default, and what the installed `aws` prints), `iso8601` as Python's `isoformat()` of the
/// parsed time (`2026-11-21T12:34:56.789000+00:00`, the aws CLI v2 default). Set with
/// `cli_timestamp_format` in the profile, as for the aws CLI.
enum TimestampFormat: String {
    case none, iso8601
}

/// Makes the printed document from a response body as botocore's rest-json parser does for the
/// aws CLI: the output shape's members in model order, absent and null members left out,
/// members the model does not know dropped, an unknown union member as `SDK_UNKNOWN_MEMBER`,
/// values as sent (timestamps too, unless `cli_timestamp_format` is iso8601).
struct OutputShaper {
    let timestamps: TimestampFormat

    /// The output of `operation` from the document of a success answer (`document(...)`).
    func shape(operation: String, document: JSON) -> JSON {
        guard let name = Self.lookup(OutputShapes.operations, operation) else { return document }
        return shape(document, as: name) ?? .object([])
    }

    /// The document of a success answer: a JSON object, or no members for an empty body. Any
    /// other body is `MalformedAnswer`: botocore reads a body that is not JSON as
    /// `{"message": body}` (meant for error answers) and the aws CLI prints nothing and exits 0,
    /// which hides that a create or delete may have happened.
    static func document(operation: String, status: Int, body: [UInt8]) throws(MalformedAnswer) -> JSON {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([]) }
        let parsed: JSON
        do {
            parsed = try JSONParser.parse(body)
        } catch {
            throw MalformedAnswer(operation: operation, status: status, problem: "it is not JSON (\(error))", body: body)
        }
        guard case .object = parsed else {
            throw MalformedAnswer(operation: operation, status: status, problem: "it is JSON but not an object", body: body)
        }
        return parsed
    }

    func shape(_ value: JSON, as type: String) -> JSON? {
        if value == .null { return nil }
        switch type {
        case "t":
            if timestamps == .iso8601, let iso = Timestamps.isoformat(value) { return .string(iso) }
            return value
        case "s", "i", "l", "b", "d", "B":
            return value
        default:
            break
        }
        guard let definition = Self.lookup(OutputShapes.shapes, type) else { return value }
        let parts = definition.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "L":
            guard case let .array(items) = value else { return value }
            return .array(items.map { shape($0, as: parts[1]) ?? .null })
        case "M":
            guard case let .object(members) = value else { return value }
            return .object(members.map { .init(key: $0.key, value: shape($0.value, as: parts[1]) ?? .null) })
        default:
            guard case let .object(given) = value else { return value }
            let members = parts.dropFirst().map { m -> (String, String) in
                let colon = m.firstIndex(of: ":") ?? m.endIndex
                return (String(m[..<colon]), colon < m.endIndex ? String(m[m.index(after: colon)...]) : "s")
            }
            if parts[0] == "U" {
                let set = given.filter { $0.key != "__type" && $0.value != .null }
                if set.count == 1, !members.contains(where: { $0.0 == set[0].key }), let first = given.first {
                    return .object([.init(key: "SDK_UNKNOWN_MEMBER", value: .object([.init(key: "name", value: .string(first.key))]))])
                }
            }
            // The service may send many members the model does not know: find the model's by key.
            let index = MemberIndex(given)
            var out: [JSON.Member] = []
            for (name, memberType) in members {
                guard let raw = index[name], let v = shape(raw, as: memberType) else { continue }
                out.append(.init(key: name, value: v))
            }
            return .object(out)
        }
    }

    /// Binary search in a table sorted by name.
    static func lookup(_ table: [(String, String)], _ name: String) -> String? {
        var lo = 0, hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let key = table[mid].0
            if key == name { return table[mid].1 }
            if key.utf8.lexicographicallyPrecedes(name.utf8) { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }
}

/// A success answer whose body is not a JSON object (`OutputShaper.document`); ErrorReporter words it.
struct MalformedAnswer: Error {
    var operation: String
    var status: Int
    /// What is wrong with the body: `it is not JSON (Unterminated string ...)`.
    var problem: String
    var body: [UInt8]
}

enum Timestamps {
    /// Python's `datetime.isoformat()` of a timestamp as botocore parses it: an ISO 8601 text
    /// keeps its offset (`Z` is `+00:00`), epoch seconds are UTC; microseconds only when not 0.
    static func isoformat(_ value: JSON) -> String? {
        switch value {
        case let .number(text):
            guard let seconds = Double(text), seconds.isFinite else { return nil }
            var whole = seconds.rounded(.down)
            var micros = Int(((seconds - whole) * 1_000_000).rounded())
            if micros >= 1_000_000 { whole += 1; micros -= 1_000_000 }
            let (y, mo, d, h, mi, s) = civil(Int64(whole))
            return format(y, mo, d, h, mi, s, micros, "+00:00")
        case let .string(text):
            return isoformat(text)
        default:
            return nil
        }
    }

    static func isoformat(_ text: String) -> String? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for k in from..<(from + count) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        guard b.count >= 19, let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"),
              let d = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let h = num(11, 2), b[13] == UInt8(ascii: ":"), let mi = num(14, 2), b[16] == UInt8(ascii: ":"), let s = num(17, 2)
        else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<6 where digits < 6 { micros *= 10 }
        }
        var offset = "+00:00"
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "+") ? "+" : "-"
                guard let oh = num(i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
                let om = num(j, 2) ?? 0
                if num(j, 2) != nil { j += 2 }
                offset = sign + two(oh) + ":" + two(om)
                if oh == 0, om == 0 { offset = "+00:00" }
                i = j
            }
        }
        guard i == b.count else { return nil }
        return format(y, mo, d, h, mi, s, micros, offset)
    }

    private static func format(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ micros: Int, _ offset: String) -> String {
        var out = pad(y, 4) + "-" + two(mo) + "-" + two(d) + "T" + two(h) + ":" + two(mi) + ":" + two(s)
        if micros != 0 { out += "." + pad(micros, 6) }
        return out + offset
    }

    private static func two(_ v: Int) -> String { pad(v, 2) }
    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Civil UTC date and time of epoch seconds.
    static func civil(_ t: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let f = CivilDate.fields(secondsSince1970: Int(t))
        return (f.year, f.month, f.day, f.hour, f.minute, f.second)
    }
}

// MARK: - text

/// The aws CLI's `--output text` (awscli/text.py): scalars of an object on one tab-separated
/// line in key order, nested lists and objects on lines of their own prefixed by their key in
/// capitals.
enum TextFormatter {
    static func format(_ value: JSON) -> String {
        var out = ""
        formatText(value, identifier: nil, scalarKeys: nil, &out)
        return out
    }

    private static func formatText(_ item: JSON, identifier: String?, scalarKeys: [String]?, _ out: inout String) {
        switch item {
        case let .object(members): formatDict(scalarKeys, members, identifier, &out)
        case let .array(elements): formatList(elements, identifier, &out)
        default: out += item.pythonString + "\n"
        }
    }

    private static func formatList(_ item: [JSON], _ identifier: String?, _ out: inout String) {
        if item.isEmpty { return }
        if item.contains(where: { if case .object = $0 { return true } else { return false } }) {
            let allKeys = allScalarKeys(item)
            for element in item { formatText(element, identifier: identifier, scalarKeys: allKeys, &out) }
        } else if item.contains(where: { if case .array = $0 { return true } else { return false } }) {
            let scalars = item.filter(\.isScalar)
            let nonScalars = item.filter { !$0.isScalar }
            if !scalars.isEmpty { formatScalarList(scalars, identifier, &out) }
            for n in nonScalars { formatText(n, identifier: identifier, scalarKeys: nil, &out) }
        } else {
            formatScalarList(item, identifier, &out)
        }
    }

    private static func formatScalarList(_ elements: [JSON], _ identifier: String?, _ out: inout String) {
        if let identifier {
            for e in elements { out += upper(identifier) + "\t" + e.pythonString + "\n" }
        } else {
            out += elements.map(\.pythonString).joined(separator: "\t") + "\n"
        }
    }

    private static func formatDict(_ scalarKeys: [String]?, _ item: [JSON.Member], _ identifier: String?, _ out: inout String) {
        var scalars: [String] = []
        var nonScalars: [(String, JSON)] = []
        if let scalarKeys {
            let index = MemberIndex(item)
            for key in scalarKeys { scalars.append(index[key]?.pythonString ?? "") }
            let scalarSet = Set(scalarKeys)
            let remaining = sortedKeys(item.map(\.key).filter { !scalarSet.contains($0) })
            for key in remaining { if let v = index[key] { nonScalars.append((key, v)) } }
        } else {
            for m in item.sorted(by: { keyOrder($0.key, $1.key) }) {
                if m.value.isScalar { scalars.append(m.value.pythonString) } else { nonScalars.append((m.key, m.value)) }
            }
        }
        if !scalars.isEmpty {
            if let identifier { scalars.insert(upper(identifier), at: 0) }
            out += scalars.joined(separator: "\t") + "\n"
        }
        for (key, value) in nonScalars { formatText(value, identifier: key, scalarKeys: nil, &out) }
    }

    private static func allScalarKeys(_ list: [JSON]) -> [String] {
        var seen: Set<String> = []
        for case let .object(members) in list {
            for m in members where m.value.isScalar { seen.insert(m.key) }
        }
        return sortedKeys(Array(seen))
    }

    static func upper(_ s: String) -> String { s.uppercased() }
}

/// Python's sort order for strings: by code point, which is the order of their UTF-8 bytes.
func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
func sortedKeys(_ keys: [String]) -> [String] { keys.sorted(by: keyOrder) }

// MARK: - table

/// The aws CLI's `--output table` (awscli/formatter.py TableFormatter and awscli/table.py):
/// a titled section per object, scalar members as columns sorted by name, nested objects and
/// lists as indented sections; switched to two-column rows when too wide for the terminal.
struct TableFormatter {
    var terminalWidth: Int
    var color: Bool

    final class Section {
        let title: String
        var headers: [String] = []
        var rows: [[String]] = []
        let indentLevel: Int
        var maxWidths: [Int] = []

        // Titles, headers and cells are the service's text: escaped here, before their widths
        // are counted (the table's own colors are written as is).
        init(title: String = "", indentLevel: Int = 0) {
            self.title = TerminalText.escape(title)
            self.indentLevel = indentLevel
        }

        func addHeader(_ h: [String]) {
            let h = h.map(TerminalText.escape)
            updateMaxWidths(h)
            headers = h
        }

        func addRow(_ row: [String]) {
            let row = row.map(TerminalText.escape)
            rows.append(row)
            updateMaxWidths(row)
        }

        func updateMaxWidths(_ row: [String]) {
            if maxWidths.isEmpty {
                maxWidths = row.map(TableFormatter.textLength)
            } else {
                for (i, e) in row.enumerated() where i < maxWidths.count { maxWidths[i] = max(TableFormatter.textLength(e), maxWidths[i]) }
            }
        }

        func columnWidths(padding: Int, maxWidth: Int?) -> [Int] {
            let unscaled = maxWidths.map { $0 + padding }
            guard let maxWidth, !unscaled.isEmpty else { return unscaled }
            let total = unscaled.reduce(0, +)
            guard total > 0 else { return unscaled }
            let factor = Double(maxWidth) / Double(total)
            var scaled = unscaled.map { Int((factor * Double($0)).rounded(.toNearestOrEven)) }
            var offBy = scaled.reduce(0, +) - maxWidth
            while offBy != 0 {
                let order: [Int] = offBy < 0 ? Array(scaled.indices.reversed()) : Array(scaled.indices)
                for i in order {
                    if offBy > 0 { scaled[i] -= 1; offBy -= 1 } else { scaled[i] += 1; offBy += 1 }
                    if offBy == 0 { break }
                }
            }
            return scaled
        }

        func totalWidth(padding: Int, outerPadding: Int) -> Int {
            let total = columnWidths(padding: 0, maxWidth: nil).reduce(0) { $0 + $1 + padding } + 2 + 2 * outerPadding
            return max(TableFormatter.textLength(title) + 2 + 2 * outerPadding, total)
        }
    }

    private var sections: [Section] = []
    private var current: Section?

    init(terminalWidth: Int, color: Bool) {
        self.terminalWidth = terminalWidth
        self.color = color
    }

    /// The table for `response` under `title` (the operation's name); empty for an empty response.
    mutating func format(title: String, _ response: JSON) -> String {
        sections = []
        current = nil
        guard build(title: title, response, indent: 0) else { return "" }
        return render()
    }

    private static func truthy(_ v: JSON) -> Bool {
        switch v {
        case .null: return false
        case let .bool(b): return b
        case let .number(n): return Double(n) != 0
        case let .string(s): return !s.isEmpty
        case let .array(a): return !a.isEmpty
        case let .object(m): return !m.isEmpty
        }
    }

    private mutating func newSection(_ title: String, indent: Int) {
        let s = Section(title: title, indentLevel: indent)
        sections.append(s)
        current = s
    }

    private mutating func section() -> Section {
        if let current { return current }
        let s = Section()
        sections.append(s)
        current = s
        return s
    }

    @discardableResult
    private mutating func build(title: String?, _ value: JSON, indent: Int) -> Bool {
        guard Self.truthy(value) else { return false }
        if let title { newSection(title, indent: indent) }
        if case let .array(list) = value {
            if case .object = list[0] {
                buildFromList(list, indent: indent, title: title)
            } else {
                for item in list {
                    switch item {
                    case let .array(inner) where inner.allSatisfy(\.isScalar):
                        section().addRow(inner.map(\.pythonString))
                    case let .object(members):
                        // Iterating a dict gives its keys, all scalars.
                        section().addRow(members.map(\.key))
                    case .array:
                        build(title: nil, item, indent: 0)
                    default:
                        section().addRow([item.pythonString])
                    }
                }
            }
        }
        if case let .object(members) = value {
            buildFromDict(members, indent: indent)
        }
        return true
    }

    private mutating func buildFromDict(_ members: [JSON.Member], indent: Int) {
        let (headers, more) = Self.groupScalarKeys(members)
        let index = MemberIndex(members)
        if headers.count == 1 {
            section().addRow([headers[0], (index[headers[0]] ?? .null).pythonString])
        } else if !headers.isEmpty {
            section().addHeader(headers)
            section().addRow(headers.map { (index[$0] ?? .null).pythonString })
        }
        for key in more { build(title: key, index[key] ?? .null, indent: indent + 1) }
    }

    private mutating func buildFromList(_ list: [JSON], indent: Int, title: String?) {
        var headerSet: Set<String> = []
        var moreSet: Set<String> = []
        for case let .object(members) in list {
            for m in members {
                if m.value.isScalar { headerSet.insert(m.key) } else { moreSet.insert(m.key) }
            }
        }
        let headers = sortedKeys(Array(headerSet))
        let more = sortedKeys(Array(moreSet))
        section().addHeader(headers)
        var first = true
        for element in list {
            let index = MemberIndex(element.objectMembers ?? [])
            if !first, !more.isEmpty {
                newSection(title ?? "", indent: indent)
                section().addHeader(headers)
            }
            first = false
            section().addRow(headers.map { key in index[key]?.pythonString ?? "" })
            for key in more {
                if let v = index[key] { build(title: key, v, indent: indent + 1) }
            }
        }
    }

    private static func groupScalarKeys(_ members: [JSON.Member]) -> ([String], [String]) {
        (sortedKeys(members.filter { $0.value.isScalar }.map(\.key)), sortedKeys(members.filter { !$0.value.isScalar }.map(\.key)))
    }

    // MARK: rendering

    private mutating func render() -> String {
        var maxWidth = sections.map { $0.totalWidth(padding: 4, outerPadding: $0.indentLevel) }.max() ?? 0
        if maxWidth > terminalWidth {
            for (i, s) in sections.enumerated() where s.rows.count == 1 && !s.headers.isEmpty {
                let v = Section(title: s.title, indentLevel: s.indentLevel)
                for (h, e) in zip(s.headers, s.rows[0]) { v.addRow([h, e]) }
                sections[i] = v
            }
            maxWidth = sections.map { $0.totalWidth(padding: 4, outerPadding: $0.indentLevel) }.max() ?? 0
        }
        var out = String(repeating: "-", count: maxWidth) + "\n"
        for s in sections { renderSection(s, maxWidth, &out) }
        return out
    }

    private func indentChar() -> String { color ? "\u{1B}[2m\u{1B}[33m|\u{1B}[0m" : "|" }
    private func styleRow(_ s: String) -> String { color ? "\u{1B}[1m\u{1B}[34m" + s + "\u{1B}[0m" : s }

    private func write(_ line: String, _ level: Int, _ out: inout String) {
        let edge = String(repeating: indentChar(), count: level)
        out += edge + line + edge + "\n"
    }

    private func renderSection(_ s: Section, _ fullWidth: Int, _ out: inout String) {
        let maxWidth = fullWidth - s.indentLevel * 2
        let level = s.indentLevel
        if !s.title.isEmpty {
            write(Self.center(s.title, maxWidth, "|", "|", Self.textLength(s.title)), level, &out)
            if s.headers.isEmpty, s.rows.isEmpty {
                write("+" + String(repeating: "-", count: max(0, maxWidth - 2)) + "+", level, &out)
            }
        }
        if !s.headers.isEmpty {
            let widths = s.columnWidths(padding: 4, maxWidth: maxWidth)
            var line = ""
            for (k, (w, h)) in zip(widths, s.headers).enumerated() {
                line += Self.center(h, w, k == 0 ? "|" : "", "|", Self.textLength(h))
            }
            write(Self.lineBreak(widths), level, &out)
            write(line, level, &out)
        }
        guard !s.rows.isEmpty else { return }
        let widths = s.columnWidths(padding: 4, maxWidth: maxWidth)
        guard !widths.isEmpty else { return }
        write(Self.lineBreak(widths), level, &out)
        for row in s.rows {
            var line = ""
            for (k, (w, e)) in zip(widths, row).enumerated() {
                line += Self.alignLeft(styleRow(e), w, k == 0 ? "|" : "", "|", Self.textLength(e))
            }
            write(line, level, &out)
        }
        write(Self.lineBreak(widths), level, &out)
    }

    private static func lineBreak(_ widths: [Int]) -> String {
        var parts = ""
        for (k, w) in widths.enumerated() {
            parts += k == 0 ? "+" + String(repeating: "-", count: max(0, w - 2)) + "+" : String(repeating: "-", count: max(0, w - 1)) + "+"
        }
        return parts
    }

    private static func center(_ text: String, _ length: Int, _ left: String, _ right: String, _ textLength: Int) -> String {
        let charStart = floorDiv(length, 2) - floorDiv(textLength, 2) - 1
        var out = left + String(repeating: " ", count: max(0, charStart)) + text
        let soFar = Self.textLength(left) + charStart + textLength
        out += String(repeating: " ", count: max(0, length - Self.textLength(right) - soFar))
        return out + right
    }

    private static func alignLeft(_ text: String, _ length: Int, _ left: String, _ right: String, _ textLength: Int) -> String {
        let computed = textLength + 2 + Self.textLength(left) + Self.textLength(right)
        let padding = length - computed >= 0 ? 2 : 0
        let soFar = left.count + padding + textLength
        return left + String(repeating: " ", count: padding) + text + String(repeating: " ", count: max(0, length - soFar - right.count)) + right
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Display width as the aws CLI counts it: code points whose East Asian Width is W, F or
    /// A count 2, the others 1.
    static func textLength(_ s: String) -> Int {
        var n = 0
        for u in s.unicodeScalars {
            n += u.value < 0xA1 ? 1 : (isDoubleWidth(u.value) ? 2 : 1)
        }
        return n
    }

    private static func isDoubleWidth(_ v: UInt32) -> Bool {
        let table = EastAsianWidth.doubleWidth
        var lo = 0, hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < table[mid].0 { hi = mid - 1 } else if v > table[mid].1 { lo = mid + 1 } else { return true }
        }
        return false
    }
}
