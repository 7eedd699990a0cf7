import Foundation
import Testing
@testable import lattice_codegen

/// The model's HTML documentation as Markdown doc comments and as the CLI's plain text.
@Suite struct DocumentationTests {
    static let modelDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Model")

    /// Every documentation string of the committed model, named by where it is.
    static func modelDocumentation() throws -> [(String, String)] {
        let model = try Model(directory: modelDirectory)
        var texts: [(String, String)] = model.documentation.map { [("service", $0)] } ?? []
        for op in model.operations { if let d = op.documentation { texts.append((op.name, d)) } }
        for s in model.shapes.values.sorted(by: { $0.name < $1.name }) {
            if let d = s.documentation { texts.append((s.name, d)) }
            for m in s.members { if let d = m.documentation { texts.append(("\(s.name).\(m.name)", d)) } }
        }
        return texts
    }

    static func markdown(_ html: String, width: Int = 92) -> String {
        Documentation(html: html).markdown(width: width).joined(separator: "\n")
    }

    @Test func everyDocumentationStringOfTheModelConvertsWithNoTagLeftAndNoTextLost() throws {
        let texts = try Self.modelDocumentation()
        #expect(texts.count > 900, "the model keeps its documentation (scripts/trim-model.py)")
        var tagsSeen: Set<String> = []
        for (name, html) in texts {
            #expect(Documentation.problems(html: html).isEmpty, "\(name): \(Documentation.problems(html: html))")
            let markdown = Self.markdown(html)
            #expect(!markdown.isEmpty, "\(name)")
            #expect(markdown.range(of: #"(?<!\\)</?[a-zA-Z]"#, options: .regularExpression) == nil, "\(name): \(markdown)")
            for line in markdown.split(separator: "\n") where line.count > 92 {
                // Only a single word (a long link target or pattern) may pass the width.
                #expect(!line.dropFirst(2).contains(" ") || line.split(separator: " ").contains { $0.count > 60 }, "\(name): \(line)")
            }
            for token in HTML.tokens(html) {
                if case let .start(tag, _, _) = token { tagsSeen.insert(tag) }
            }
            let plain = try #require(Documentation(html: html).summary, "\(name)")
            #expect(!plain.contains("<") && !plain.contains("`") && !plain.contains("**"), "\(name): \(plain)")
            #expect(Documentation(html: html).plainText.hasPrefix(plain), "\(name): the summary starts the text")
        }
        // What the model uses today; a new tag here needs a look at the converter.
        #expect(tagsSeen.isSubset(of: ["p", "code", "a", "ul", "li", "b", "i"]), "\(tagsSeen)")
    }

    @Test func paragraphsCodeLinksAndEmphasis() {
        let html = #"<p>Updates the rules in a batch.</p> <p> <b>Required permissions:</b> <code>vpc-lattice:UpdateRule</code> </p> <p>For more information, see <a href="https://docs.aws.amazon.com/x.html">How it works</a> in the <i>User Guide</i>.</p>"#
        #expect(Self.markdown(html, width: 100) == """
            Updates the rules in a batch.

            **Required permissions:** `vpc-lattice:UpdateRule`

            For more information, see [How it works](https://docs.aws.amazon.com/x.html) in the *User Guide*.
            """)
        #expect(Documentation(html: html).summary == "Updates the rules in a batch.")
        #expect(Documentation(html: html).plainText.hasSuffix("see How it works in the User Guide."))
    }

    @Test func listsAreMarkdownListsAndTheirItemsDescribeValues() {
        let html = "<p>The type:</p> <ul> <li> <p> <code>NONE</code>: No policy. This is the default.</p> </li> <li> <p> <b>AWS_IAM</b> - An IAM policy.</p> </li> </ul>"
        #expect(Self.markdown(html) == """
            The type:

            - `NONE`: No policy. This is the default.
            - **AWS_IAM** - An IAM policy.
            """)
        #expect(Documentation(html: html).itemDescriptions == ["NONE": "No policy. This is the default.", "AWS_IAM": "An IAM policy."])
        #expect(Self.markdown("<ol><li>First</li><li>Second</li></ol>") == "1. First\n2. Second")
    }

    @Test func notesAndImportantAreDocCAsides() {
        #expect(Self.markdown("<p>Text.</p><note><p>Mind this.</p></note><important>Really.</important>") == """
            Text.

            > Note: Mind this.

            > Important: Really.
            """)
        // A long aside wraps with its `>` on every line.
        let long = Self.markdown("<note>" + String(repeating: "word ", count: 40) + "</note>", width: 40)
        #expect(long.split(separator: "\n").allSatisfy { $0.hasPrefix("> ") && $0.count <= 40 })
    }

    @Test func entitiesUnknownTagsAndMarkdownSyntaxInText() {
        #expect(Self.markdown("<p>A &amp; B &lt;tag&gt; &#65;&#x42; &nbsp;x</p>") == #"A & B \<tag> AB x"#)
        #expect(Self.markdown("<p>Keep <fullname>this text</fullname> and <span class=\"x\">that</span>.</p>") == "Keep this text and that.")
        #expect(Self.markdown("<div><p>One.</p><p>Two.</p></div>") == "One.\n\nTwo.")
        #expect(Self.markdown("<p>Use * or _x_ or [a] or `b`, snake_case stays.</p>") == #"Use \* or \_x\_ or \[a\] or \`b\`, snake_case stays."#)
        #expect(Self.markdown("<p>A <code>x`y</code> span.</p>") == "A ``x`y`` span.")
        #expect(Self.markdown("<p>x<br/>y</p>") == "x y")
        #expect(Self.markdown("<p>Bold<b> with space </b>inside.</p>") == "Bold **with space** inside.")
        #expect(Self.markdown("<p>1 < 2, and a stray </p> tag.</p>") == #"1 \< 2, and a stray"# + "\n\ntag.")
        #expect(Self.markdown("<p><!-- a comment -->Text.</p>") == "Text.")
    }

    @Test func wrappingNeverStartsALineWithMarkdownBlockSyntax() {
        // At width 12, "-" and "1." would start lines: a list item and an ordered list.
        let lines = Documentation.wrap("SINGLE - A single resource, 1. then # and > quote", width: 12)
        for line in lines.dropFirst() {
            #expect(!line.hasPrefix("- ") && !line.hasPrefix("1. ") && !line.hasPrefix("# ") && !line.hasPrefix(">"), "\(lines)")
        }
        #expect(lines.joined(separator: " ") == "SINGLE - A single resource, 1. then # and > quote")
        #expect(Documentation.wrap("short words here", width: 100) == ["short words here"])
        // A code span stays on one line; an escaped backtick opens none.
        #expect(Documentation.wrap("see `GET /a b` now", width: 6) == ["see", "`GET /a b`", "now"])
        #expect(Documentation.wrap("a \\` b c", width: 3) == ["a", "\\`", "b c"])
        #expect(Documentation.wrap("x ``a ` b`` y", width: 3) == ["x", "``a ` b``", "y"])
        // A span that would not fit moves whole to the next line.
        #expect(Documentation.wrap("see it `GET /a b`", width: 10) == ["see it", "`GET /a b`"])
    }

    @Test func theFirstSentenceSkipsAbbreviationsAndStopsAtAPeriodBeforeACapital() {
        #expect(Documentation(html: "<p>Use a name, e.g. my-name. Then more.</p>").summary == "Use a name, e.g. my-name.")
        #expect(Documentation(html: "<p>Ports (for example: 1-65535). You can separate.</p>").summary == "Ports (for example: 1-65535).")
        #expect(Documentation(html: "<p>Version 1.2 is out. Yes.</p>").summary == "Version 1.2 is out.")
        #expect(Documentation(html: "<p>No period</p><p>Second.</p>").summary == "No period")
        #expect(Documentation(html: "<ul><li>Only a list. Here.</li></ul>").summary == "Only a list.")
        #expect(Documentation(html: "<p>Set <code>a.b</code>. Then.</p>").summaryMarkdown == "Set `a.b`.")
        #expect(Documentation(html: "").summary == nil)
    }

    @Test func theCheckFindsLostTextLeftoverTagsLostLinksAndLongLines() {
        let html = #"<p>Fine <code>x</code>, see <a href="https://a/b">this</a>.</p>"#
        #expect(Documentation.problems(html: html).isEmpty)
        #expect(Documentation.problems(html: html, lines: ["Fine `x`, see [this](https://a/b)."], width: 92).isEmpty)
        let lost = Documentation.problems(html: html, lines: ["Fine, see [this](https://a/b)."], width: 92)
        #expect(lost.count == 1 && lost[0].hasPrefix("the text differs"), "\(lost)")
        let reordered = Documentation.problems(html: html, lines: ["`x` Fine, see [this](https://a/b)."], width: 92)
        #expect(reordered.count == 1, "\(reordered)")
        let tag = Documentation.problems(html: html, lines: ["Fine <code>x</code>, see [this](https://a/b)."], width: 92)
        #expect(tag.contains { $0.hasPrefix("a tag is left") }, "\(tag)")
        let link = Documentation.problems(html: html, lines: ["Fine `x`, see this."], width: 92)
        #expect(link.contains { $0.hasPrefix("the link to https://a/b is lost") }, "\(link)")
        let long = Documentation.problems(html: html, lines: ["Fine `x`,", "see [this](https://a/b)."], width: 5)
        #expect(long.contains { $0.hasPrefix("a line is") }, "\(long)")
        #expect(HTML.hrefs(#"<a href="https://a/b">x</a> <a name="y">z</a>"#) == ["https://a/b"])
    }
}
