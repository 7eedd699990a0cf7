/// The model's documentation, a small HTML dialect, read once and written as Markdown for `///`
/// comments or as plain text for the CLI's help.
///
/// Understood: `<p>`, `<code>`, `<a href>`, `<ul>`/`<ol>`/`<li>`, `<note>` and `<important>`
/// (DocC asides), `<b>`/`<strong>`, `<i>`/`<em>`, `<br>`, character entities. Any other tag is
/// dropped and its text kept. Text that Markdown would read as syntax is escaped, and wrapping
/// never starts a line with something Markdown would read as a block (a list marker, `>`, `#`).
struct Documentation {
    /// A block of the converted text.
    indirect enum Block: Equatable {
        case paragraph([Inline])
        case list(ordered: Bool, items: [[Block]])
        case aside(String, [Block])
    }

    /// Text inside a block.
    indirect enum Inline: Equatable {
        case text(String)
        case code(String)
        case strong([Inline])
        case emphasis([Inline])
        case link(String, [Inline])
    }

    let blocks: [Block]

    init(html: String) {
        blocks = Self.blocks(HTML.parse(html))
    }

    init(blocks: [Block]) {
        self.blocks = blocks
    }

    var isEmpty: Bool { blocks.isEmpty }

    // MARK: Output

    /// Markdown lines (without the `///`), wrapped so that none is longer than `width`
    /// columns unless a single word is.
    func markdown(width: Int) -> [String] {
        Self.layout(blocks, width: width)
    }

    /// The whole text, plain (no markup, no link targets), paragraphs joined by spaces.
    var plainText: String {
        Self.plain(blocks)
    }

    /// The first sentence of the first paragraph, as Markdown on one line (for a `- Parameter`
    /// line), or nil when there is no paragraph.
    var summaryMarkdown: String? {
        summaryInlines.map { Self.render($0).trimmed }
    }

    /// The first sentence of the first paragraph as plain text (for the CLI), or nil.
    var summary: String? {
        summaryInlines.map { Self.plain($0).trimmed }
    }

    private var summaryInlines: [Inline]? {
        guard let first = Self.firstParagraph(blocks) else { return nil }
        return Self.firstSentence(first)
    }

    /// What a list of the documentation says about each of its `code` or bold leads:
    /// `<li><code>DRAINING</code>: The target is being deregistered.</li>` gives
    /// `["DRAINING": "The target is being deregistered."]` (as Markdown). An enum value's
    /// documentation comes from here: the model documents values only in the members that
    /// take them.
    var itemDescriptions: [String: String] {
        var found: [String: String] = [:]
        func visit(_ blocks: [Block]) {
            for block in blocks {
                switch block {
                case let .list(_, items):
                    for item in items {
                        guard case let .paragraph(inlines)? = item.first else { continue }
                        var rest = inlines.drop { if case let .text(t) = $0 { return t.trimmed.isEmpty } else { return false } }
                        guard let lead = rest.first else { continue }
                        let key: String
                        switch lead {
                        case let .code(c): key = c
                        case let .strong(i): key = Self.plain(i).trimmed
                        default: continue
                        }
                        rest = rest.dropFirst()
                        // The separator after the lead: " - ", ": ", " – " or nothing.
                        if case let .text(t)? = rest.first {
                            var s = Substring(t).drop(while: \.isWhitespace)
                            if let c = s.first, c == "-" || c == ":" || c == "\u{2013}" { s = s.dropFirst() }
                            let stripped = String(s.drop(while: \.isWhitespace))
                            rest = [.text(stripped)] + rest.dropFirst()
                        }
                        let text = Self.render(Array(rest)).trimmed
                        if !key.isEmpty, !text.isEmpty, found[key] == nil { found[key] = text }
                    }
                case let .aside(_, inner):
                    visit(inner)
                case .paragraph:
                    break
                }
            }
        }
        visit(blocks)
        return found
    }

    // MARK: HTML to blocks

    private static let blockElements: Set<String> = ["p", "ul", "ol", "li", "note", "important"]

    private static func blocks(_ nodes: [HTML.Node]) -> [Block] {
        var result: [Block] = []
        var run: [Inline] = []
        func flush() {
            let inlines = normalize(run)
            if !inlines.isEmpty { result.append(.paragraph(inlines)) }
            run = []
        }
        func walk(_ nodes: [HTML.Node]) {
            for node in nodes {
                switch node {
                case let .text(t):
                    run.append(.text(t))
                case let .element(name, attributes, children):
                    switch name {
                    case "p":
                        flush()
                        if children.contains(where: containsBlock) { walk(children) } else { run = inlines(children) }
                        flush()
                    case "ul", "ol":
                        flush()
                        let items = children.compactMap { child -> [Block]? in
                            if case let .element("li", _, inner) = child { return blocks(inner) }
                            // Text between items is white space; anything else is an item of its own.
                            if case let .text(t) = child, t.trimmed.isEmpty { return nil }
                            return blocks([child])
                        }.filter { !$0.isEmpty }
                        if !items.isEmpty { result.append(.list(ordered: name == "ol", items: items)) }
                    case "li":
                        // An item outside a list: a list of its own, merged with a preceding one.
                        flush()
                        let item = blocks(children)
                        if item.isEmpty { break }
                        if case let .list(false, items)? = result.last {
                            result[result.count - 1] = .list(ordered: false, items: items + [item])
                        } else {
                            result.append(.list(ordered: false, items: [item]))
                        }
                    case "note", "important":
                        flush()
                        let inner = blocks(children)
                        if !inner.isEmpty { result.append(.aside(name == "note" ? "Note" : "Important", inner)) }
                    default:
                        if children.contains(where: containsBlock) {
                            walk(children)  // an unknown wrapper around blocks: its blocks
                        } else {
                            run += inlines([.element(name, attributes, children)])
                        }
                    }
                }
            }
        }
        walk(nodes)
        flush()
        return result
    }

    private static func containsBlock(_ node: HTML.Node) -> Bool {
        guard case let .element(name, _, children) = node else { return false }
        return blockElements.contains(name) || children.contains(where: containsBlock)
    }

    private static func inlines(_ nodes: [HTML.Node]) -> [Inline] {
        var out: [Inline] = []
        for node in nodes {
            switch node {
            case let .text(t):
                out.append(.text(t))
            case let .element(name, attributes, children):
                switch name {
                case "code", "tt", "kbd", "samp":
                    out.append(.code(HTML.text(children)))
                case "b", "strong":
                    out.append(.strong(inlines(children)))
                case "i", "em":
                    out.append(.emphasis(inlines(children)))
                case "a":
                    let inner = inlines(children)
                    if let href = attributes["href"]?.trimmed, !href.isEmpty {
                        out.append(.link(href, inner))
                    } else {
                        out += inner
                    }
                case "br":
                    out.append(.text(" "))
                default:
                    // Unknown inline tags (and blocks met inside a paragraph): their text,
                    // apart from what comes before and after.
                    let isBlock = blockElements.contains(name)
                    if isBlock { out.append(.text(" ")) }
                    out += inlines(children)
                    if isBlock { out.append(.text(" ")) }
                }
            }
        }
        return out
    }

    /// Collapses white space to single spaces, trims the ends, and moves white space at the
    /// edges of bold, italic and link text outside them (Markdown needs `**x**`, not `** x**`).
    private static func normalize(_ inlines: [Inline]) -> [Inline] {
        var out: [Inline] = []
        func appendText(_ t: String) {
            if case let .text(previous)? = out.last {
                out[out.count - 1] = .text(previous + t)
            } else {
                out.append(.text(t))
            }
        }
        for inline in inlines {
            switch inline {
            case let .text(t):
                appendText(collapse(t))
            case let .code(c):
                let c = collapse(c).trimmed
                if !c.isEmpty { out.append(.code(c)) }
            case let .strong(inner), let .emphasis(inner), let .link(_, inner):
                let raw = plain(inner)
                let leading = raw.first?.isWhitespace ?? false
                let trailing = raw.last?.isWhitespace ?? false
                let body = normalize(inner)
                if leading { appendText(" ") }
                if !body.isEmpty {
                    switch inline {
                    case .strong: out.append(.strong(body))
                    case .emphasis: out.append(.emphasis(body))
                    case let .link(url, _): out.append(.link(url, body))
                    default: break
                    }
                } else if case let .link(url, _) = inline {
                    out.append(.link(url, []))
                }
                if trailing { appendText(" ") }
            }
        }
        // One space between pieces, none at the ends.
        var merged: [Inline] = []
        for inline in out {
            if case let .text(t) = inline {
                var t = t
                while t.contains("  ") { t = t.replacingOccurrences(of: "  ", with: " ") }
                if t.isEmpty { continue }
                if case let .text(previous)? = merged.last {
                    merged[merged.count - 1] = .text(collapse(previous + t))
                } else {
                    merged.append(.text(t))
                }
            } else {
                merged.append(inline)
            }
        }
        return trimEdges(merged)
    }

    private static func collapse(_ s: String) -> String {
        var out = ""
        var space = false
        for c in s {
            if c.isWhitespace {
                if !space { out.append(" ") }
                space = true
            } else {
                out.append(c)
                space = false
            }
        }
        return out
    }

    private static func trimEdges(_ inlines: [Inline]) -> [Inline] {
        var body = inlines
        if case let .text(t)? = body.first {
            let s = String(t.drop { $0 == " " })
            if s.isEmpty { body.removeFirst() } else { body[0] = .text(s) }
        }
        if case let .text(t)? = body.last {
            var s = t
            while s.last == " " { s.removeLast() }
            if s.isEmpty { body.removeLast() } else { body[body.count - 1] = .text(s) }
        }
        return body
    }

    // MARK: Sentences

    private static func firstParagraph(_ blocks: [Block]) -> [Inline]? {
        for block in blocks {
            switch block {
            case let .paragraph(inlines): return inlines
            case let .aside(_, inner): if let p = firstParagraph(inner) { return p }
            case let .list(_, items): if let p = items.lazy.compactMap(firstParagraph).first { return p }
            }
        }
        return nil
    }

    /// Abbreviations whose period does not end a sentence.
    private static let abbreviations: Set<String> = ["e.g", "i.e", "etc", "vs", "approx", "no"]

    /// The inlines up to and including the first sentence's period: a `.`, `?` or `!` in text
    /// (not in code or a link) followed by a space and an uppercase letter or a digit, or the
    /// paragraph's end.
    static func firstSentence(_ inlines: [Inline]) -> [Inline] {
        var out: [Inline] = []
        for (k, inline) in inlines.enumerated() {
            guard case let .text(t) = inline else {
                out.append(inline)
                continue
            }
            let chars = Array(t)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == "." || c == "?" || c == "!" {
                    let next = i + 1 < chars.count ? chars[i + 1] : nil
                    let after = i + 2 < chars.count ? chars[i + 2] : nil
                    var ends = false
                    if next == " " {
                        if let after { ends = after.isUppercase || after.isNumber }
                        else { ends = k + 1 < inlines.count }  // a sentence ends before code or a link
                    }
                    if ends, c == "." {
                        var start = i
                        while start > 0, chars[start - 1].isLetter || chars[start - 1] == "." { start -= 1 }
                        if abbreviations.contains(String(chars[start..<i]).lowercased()) { ends = false }
                    }
                    if ends {
                        out.append(.text(String(chars[...i])))
                        return out
                    }
                }
                i += 1
            }
            out.append(inline)
        }
        return out
    }

    // MARK: Markdown

    /// One paragraph's inlines as Markdown on one line.
    static func render(_ inlines: [Inline]) -> String {
        var out = ""
        for inline in inlines {
            switch inline {
            case let .text(t):
                out += escape(t)
            case let .code(c):
                out += codeSpan(c)
            case let .strong(inner):
                out += "**" + render(inner) + "**"
            case let .emphasis(inner):
                out += "*" + render(inner) + "*"
            case let .link(url, inner):
                let target = url.contains(where: { $0 == " " || $0 == "(" || $0 == ")" }) ? "<\(url.replacingOccurrences(of: " ", with: "%20"))>" : url
                out += inner.isEmpty ? "<\(url)>" : "[" + render(inner) + "](\(target))"
            }
        }
        return out
    }

    /// A code span: as many backticks as it takes, padded if the code starts or ends with one.
    private static func codeSpan(_ code: String) -> String {
        var longest = 0, run = 0
        for c in code {
            run = c == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = code.first == "`" || code.last == "`" ? " " : ""
        return fence + pad + code + pad + fence
    }

    /// Text with Markdown's inline syntax escaped: `\`, `` ` ``, `*`, `[`, `]`, `<`, an `_` at
    /// a word's edge, an `&` that would start an entity.
    static func escape(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        for (i, c) in chars.enumerated() {
            switch c {
            case "\\", "`", "*", "[", "]", "<":
                out += "\\" + String(c)
            case "_":
                let before = i > 0 ? chars[i - 1] : " "
                let after = i + 1 < chars.count ? chars[i + 1] : " "
                out += before.isLetter || before.isNumber ? (after.isLetter || after.isNumber ? "_" : "\\_") : "\\_"
            case "&":
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "#" { j += 1 }
                out += j < chars.count && chars[j] == ";" && j > i + 1 ? "\\&" : "&"
            default:
                out.append(c)
            }
        }
        return out
    }

    // MARK: Layout

    private static func layout(_ blocks: [Block], width: Int) -> [String] {
        var lines: [String] = []
        for (n, block) in blocks.enumerated() {
            if n > 0 { lines.append("") }
            switch block {
            case let .paragraph(inlines):
                lines += wrap(render(inlines), width: width)
            case let .list(ordered, items):
                for (k, item) in items.enumerated() {
                    let marker = ordered ? "\(k + 1). " : "- "
                    let indent = String(repeating: " ", count: marker.count)
                    let inner = layout(item, width: max(20, width - marker.count))
                    for (j, line) in inner.enumerated() {
                        lines.append(j == 0 ? marker + line : (line.isEmpty ? "" : indent + line))
                    }
                }
            case let .aside(kind, inner):
                // DocC's aside: `> Note: text`, the label wrapped with the first paragraph.
                var labelled = inner
                if case let .paragraph(first)? = inner.first {
                    labelled[0] = .paragraph([.text("\(kind): ")] + first)
                } else {
                    labelled.insert(.paragraph([.text("\(kind):")]), at: 0)
                }
                for line in layout(labelled, width: max(20, width - 2)) {
                    lines.append(line.isEmpty ? ">" : "> " + line)
                }
            }
        }
        return lines
    }

    /// Words that would begin a Markdown block at the start of a line (a list item, a quote,
    /// a heading, a fence, a thematic break): wrapping keeps them after the word before.
    private static func startsBlock(_ word: Substring) -> Bool {
        if word.first == ">" || word.hasPrefix("```") || word.hasPrefix("~~~") { return true }
        if ["-", "+", "*"].contains(word) { return true }
        if word.allSatisfy({ $0 == "#" }) || word.allSatisfy({ $0 == "=" }) || word.allSatisfy({ $0 == "-" }) { return true }
        if let last = word.last, last == "." || last == ")", word.count > 1, word.dropLast().allSatisfy(\.isNumber) { return true }
        return false
    }

    /// Greedy wrapping at spaces. A word that would start a Markdown block stays on the line
    /// before, past the width if it must, and so does a word inside a code span (a code span
    /// may span lines, but `GET /path` reads better whole).
    static func wrap(_ text: String, width: Int) -> [String] {
        // Units that no line may start inside of: a word and the words it must keep.
        let words = text.split(separator: " ")
        var units: [String] = []
        for (word, canBreak) in zip(words, breaks(words)) {
            if canBreak || units.isEmpty { units.append(String(word)) } else { units[units.count - 1] += " " + word }
        }
        var lines: [String] = []
        var line = ""
        for unit in units {
            if line.isEmpty {
                line = unit
            } else if line.count + 1 + unit.count <= width {
                line += " " + unit
            } else {
                lines.append(line)
                line = unit
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// For each word, whether a line may start with it: not with one that would start a
    /// Markdown block, nor inside a code span.
    static func breaks(_ words: [Substring]) -> [Bool] {
        var fence = 0  // the open code span's backtick count, 0 outside one
        return words.map { word in
            let inCode = fence > 0
            fence = codeFence(after: word, open: fence)
            return !inCode && !startsBlock(word)
        }
    }

    /// The code span state after `word`: runs of backticks open a span (the run's length) or
    /// close the open one (a run of the same length); an escaped backtick is text.
    private static func codeFence(after word: Substring, open: Int) -> Int {
        var fence = open
        var chars = word.makeIterator()
        var previous: Character = " "
        var run = 0
        func endRun() {
            if run > 0 {
                if fence == 0 { fence = run } else if run == fence { fence = 0 }
            }
            run = 0
        }
        while let c = chars.next() {
            if c == "`", fence > 0 || previous != "\\" || run > 0 {
                run += 1
            } else {
                endRun()
            }
            previous = c
        }
        endRun()
        return fence
    }

    // MARK: Plain text

    private static func plain(_ blocks: [Block]) -> String {
        blocks.map { block -> String in
            switch block {
            case let .paragraph(inlines): return plain(inlines)
            case let .list(_, items): return items.map(plain).joined(separator: " ")
            case let .aside(kind, inner): return "\(kind): " + plain(inner)
            }
        }.joined(separator: " ")
    }

    static func plain(_ inlines: [Inline]) -> String {
        inlines.map { inline -> String in
            switch inline {
            case let .text(t): return t
            case let .code(c): return c
            case let .strong(i), let .emphasis(i), let .link(_, i): return plain(i)
            }
        }.joined()
    }
}

extension Documentation {
    /// What is wrong with the conversion of `html`, if anything: a tag left in the Markdown,
    /// text lost or reordered on the way (the words of the HTML, tags taken out by a separate
    /// reading, against the words of the Markdown, syntax taken out), a link target lost, or a
    /// line past `width` that could have been broken.
    static func problems(html: String, width: Int = 92) -> [String] {
        problems(html: html, lines: Documentation(html: html).markdown(width: width), width: width)
    }

    /// The check of `problems(html:width:)` on given Markdown lines.
    static func problems(html: String, lines: [String], width: Int) -> [String] {
        var problems: [String] = []
        let markdown = lines.joined(separator: "\n")
        // A tag left: `<` followed by a name or `/`, not escaped.
        let chars = Array(markdown)
        for (i, c) in chars.enumerated() where c == "<" && (i == 0 || chars[i - 1] != "\\") {
            let next = i + 1 < chars.count ? chars[i + 1] : " "
            let isAutolink = markdown[markdown.index(markdown.startIndex, offsetBy: i)...].hasPrefix("<http")
            if (next.isLetter || next == "/" || next == "!") && !isAutolink {
                problems.append("a tag is left in the Markdown: \(String(chars[i..<min(chars.count, i + 30)]))")
            }
        }
        // The text, in order.
        let expected = comparable(HTML.strippedText(html))
        var shown = lines.map { line -> Substring in
            var s = Substring(line)
            while let first = s.first, first == " " { s = s.dropFirst() }
            for marker in ["> Note: ", "> Important: ", "> ", ">"] where s.hasPrefix(marker) {
                s = s.dropFirst(marker.count)
                break
            }
            if s.hasPrefix("- ") { s = s.dropFirst(2) }
            if let dot = s.firstIndex(of: "."), s[..<dot].allSatisfy(\.isNumber), !s[..<dot].isEmpty, s[s.index(after: dot)...].hasPrefix(" ") {
                s = s[s.index(dot, offsetBy: 2)...]
            }
            return s
        }.joined(separator: " ")
        // Link targets out: `](url)` and `<url>`.
        for href in HTML.hrefs(html) {
            let forms = ["](\(href))", "](<\(href.replacingOccurrences(of: " ", with: "%20"))>)", "<\(href)>"]
            guard let form = forms.first(where: shown.contains) else {
                problems.append("the link to \(href) is lost")
                continue
            }
            shown = shown.replacingOccurrences(of: form, with: form.hasPrefix("<") ? "" : "]")
        }
        if comparable(shown) != expected {
            problems.append("the text differs: expected \(expected.prefix(200)) ... got \(comparable(shown).prefix(200))")
        }
        // Wrapping may pass the width only with a word that cannot start a line.
        for line in lines where line.count > width {
            let words = line.split(separator: " ")
            var length = words.first?.count ?? 0
            for (word, canBreak) in zip(words, breaks(words)).dropFirst() {
                length += 1 + word.count
                if length > width, canBreak {
                    problems.append("a line is \(line.count) columns although it could break before \(word): \(line)")
                    break
                }
            }
        }
        return problems
    }

    /// Text as the check compares it: no white space, no Markdown syntax characters, no escapes.
    private static func comparable(_ s: String) -> String {
        String(s.filter { !$0.isWhitespace && !"*`[]\\".contains($0) })
    }
}

/// The model's HTML: a tolerant reader that makes a tree of elements and decoded text.
enum HTML {
    indirect enum Node: Equatable {
        case text(String)
        case element(String, [String: String], [Node])
    }

    private static let voidElements: Set<String> = ["br", "hr", "img", "wbr"]

    static func parse(_ html: String) -> [Node] {
        // The stack of open elements: name, attributes, children so far.
        var stack: [(String, [String: String], [Node])] = [("", [:], [])]
        func append(_ node: Node) { stack[stack.count - 1].2.append(node) }
        func close() {
            let (name, attributes, children) = stack.removeLast()
            append(.element(name, attributes, children))
        }
        for token in tokens(html) {
            switch token {
            case let .text(t):
                append(.text(t))
            case let .start(name, attributes, selfClosing):
                if selfClosing || voidElements.contains(name) {
                    append(.element(name, attributes, []))
                } else {
                    stack.append((name, attributes, []))
                }
            case let .end(name):
                // Close up to the matching element; an end tag nothing opened is ignored.
                guard let k = stack.lastIndex(where: { $0.0 == name }), k > 0 else { continue }
                while stack.count > k { close() }
            }
        }
        while stack.count > 1 { close() }
        return stack[0].2
    }

    enum Token {
        case text(String)
        case start(String, [String: String], selfClosing: Bool)
        case end(String)
    }

    /// Tags, comments (dropped) and text. A `<` that does not begin a tag is text.
    static func tokens(_ html: String) -> [Token] {
        let s = Array(html)
        var out: [Token] = []
        var text = ""
        var i = 0
        func flush() {
            if !text.isEmpty { out.append(.text(decode(text))) }
            text = ""
        }
        while i < s.count {
            if s[i] == "<", i + 1 < s.count {
                if s[(i + 1)...].starts(with: "!--") {
                    flush()
                    var j = i + 4
                    while j + 2 < s.count, !(s[j] == "-" && s[j + 1] == "-" && s[j + 2] == ">") { j += 1 }
                    i = min(s.count, j + 3)
                    continue
                }
                let isEnd = s[i + 1] == "/"
                let nameStart = isEnd ? i + 2 : i + 1
                if nameStart < s.count, s[nameStart].isLetter, let close = s[nameStart...].firstIndex(of: ">") {
                    flush()
                    var body = String(s[nameStart..<close])
                    let selfClosing = body.hasSuffix("/")
                    if selfClosing { body.removeLast() }
                    let name = String(body.prefix { !$0.isWhitespace }).lowercased()
                    if isEnd {
                        out.append(.end(name))
                    } else {
                        out.append(.start(name, attributes(String(body.dropFirst(name.count))), selfClosing: selfClosing))
                    }
                    i = close + 1
                    continue
                }
            }
            text.append(s[i])
            i += 1
        }
        flush()
        return out
    }

    /// `name="value"`, `name='value'`, `name=value` and bare `name`, values decoded.
    static func attributes(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        let s = Array(text)
        var i = 0
        while i < s.count {
            while i < s.count, s[i].isWhitespace { i += 1 }
            let start = i
            while i < s.count, !s[i].isWhitespace, s[i] != "=" { i += 1 }
            let name = String(s[start..<i]).lowercased()
            guard !name.isEmpty else { i += 1; continue }
            var value = ""
            if i < s.count, s[i] == "=" {
                i += 1
                if i < s.count, s[i] == "\"" || s[i] == "'" {
                    let quote = s[i]
                    i += 1
                    let v = i
                    while i < s.count, s[i] != quote { i += 1 }
                    value = String(s[v..<min(i, s.count)])
                    i += 1
                } else {
                    let v = i
                    while i < s.count, !s[i].isWhitespace { i += 1 }
                    value = String(s[v..<i])
                }
            }
            result[name] = decode(value)
        }
        return result
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "rsquo": "\u{2019}", "lsquo": "\u{2018}",
        "rdquo": "\u{201D}", "ldquo": "\u{201C}", "copy": "\u{A9}", "reg": "\u{AE}", "trade": "\u{2122}",
    ]

    /// Character references: the named ones above, `&#NN;` and `&#xHH;`; anything else stays.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semi]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[String(name)]
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }

    /// All text of some nodes, tags dropped.
    static func text(_ nodes: [Node]) -> String {
        nodes.map { node -> String in
            switch node {
            case let .text(t): return t
            case let .element(_, _, children): return text(children)
            }
        }.joined()
    }

    /// The text of a document by a reading separate from `parse`: every `<...>` that starts
    /// with a letter, `/` or `!` removed, entities decoded. The conversion's check compares
    /// against it.
    static func strippedText(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let lt = rest.firstIndex(of: "<") {
            out += rest[..<lt]
            let next = rest.index(after: lt)
            if next < rest.endIndex, rest[next].isLetter || rest[next] == "/" || rest[next] == "!",
               let gt = rest[next...].firstIndex(of: ">") {
                out += " "
                rest = rest[rest.index(after: gt)...]
            } else {
                out += "<"
                rest = rest[next...]
            }
        }
        return decode(out + rest)
    }

    /// Every `href` in the document.
    static func hrefs(_ html: String) -> [String] {
        func collect(_ nodes: [Node]) -> [String] {
            nodes.flatMap { node -> [String] in
                guard case let .element(name, attributes, children) = node else { return [] }
                let own = name == "a" ? [attributes["href"]?.trimmed].compactMap { $0 }.filter { !$0.isEmpty } : []
                return own + collect(children)
            }
        }
        return collect(parse(html))
    }
}

extension StringProtocol {
    /// Without white space at either end.
    var trimmed: String {
        guard let a = firstIndex(where: { !$0.isWhitespace }), let b = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[a...b])
    }
}
