/// The doc comments of the generated code: the model's documentation where it has some
/// (converted by `Documentation`), a short line of ours made from the shape where it has none,
/// and each member's constraints.
extension Generator {
    /// Generated lines stay within this many columns, unless one word is longer.
    static let lineWidth = 100

    /// `///` lines of Markdown at an indentation, wrapped to `lineWidth`.
    func comment(_ markdown: [String], indent: String = "") -> String {
        var out = ""
        for line in markdown {
            out += line.isEmpty ? "\(indent)///\n" : "\(indent)/// \(line)\n"
        }
        return out
    }

    /// The width left for text after `indent` and `/// `.
    func textWidth(_ indent: String) -> Int { Self.lineWidth - indent.count - 4 }

    /// Markdown paragraphs of our own, each wrapped; blank lines between them.
    func paragraphs(_ texts: [String], indent: String) -> [String] {
        var lines: [String] = []
        for text in texts where !text.isEmpty {
            if !lines.isEmpty { lines.append("") }
            lines += Documentation.wrap(text, width: textWidth(indent))
        }
        return lines
    }

    func documentation(_ html: String?) -> Documentation? {
        guard let html else { return nil }
        let doc = Documentation(html: html)
        return doc.isEmpty ? nil : doc
    }

    // MARK: Constraints

    /// The model's constraints on values of a shape, as phrases: `3 to 63 characters`,
    /// `pattern ...`, `1 to 10 items`, `0 to 65535`. `code` formats a pattern or value.
    func constraintPhrases(_ name: String, code: (String) -> String, values: Bool = true) -> [String] {
        let s = shape(name)
        func range(_ unit: String, _ units: String) -> String? {
            switch (s.min, s.max) {
            case let (min?, max?) where min == max: return "exactly \(max) \(max == 1 ? unit : units)"
            case let (min?, max?) where min > 0: return "\(min) to \(max) \(max == 1 ? unit : units)"
            case let (_, max?): return "at most \(max) \(max == 1 ? unit : units)"
            case let (min?, nil) where min > 0: return "at least \(min) \(min == 1 ? unit : units)"
            default: return nil
            }
        }
        var phrases: [String] = []
        switch s.type {
        case "string":
            if let r = range("character", "characters") { phrases.append(r) }
            if let p = s.pattern { phrases.append("pattern \(code(p))") }
        case "integer", "long":
            switch (s.min, s.max) {
            case let (min?, max?): phrases.append("\(min) to \(max)")
            case let (min?, nil): phrases.append("at least \(min)")
            case let (nil, max?): phrases.append("at most \(max)")
            default: break
            }
        case "list":
            if let r = range("item", "items") { phrases.append(r) }
            if let element = s.listMember {
                let inner = constraintPhrases(element, code: code, values: values) + (values ? valuePhrase(element, code: code).map { [$0] }.orEmpty : [])
                if !inner.isEmpty { phrases.append("each " + inner.joined(separator: ", ")) }
            }
        case "map":
            if let r = range("entry", "entries") { phrases.append(r) }
            if let key = s.mapKey {
                let inner = constraintPhrases(key, code: code, values: values)
                if !inner.isEmpty { phrases.append("keys " + inner.joined(separator: ", ")) }
            }
            if let value = s.mapValue {
                let inner = constraintPhrases(value, code: code, values: values) + (values ? valuePhrase(value, code: code).map { [$0] }.orEmpty : [])
                if !inner.isEmpty { phrases.append("values " + inner.joined(separator: ", ")) }
            }
        default:
            break
        }
        return phrases
    }

    /// `one of A, B, C` for an enum shape (or a list of one: then used after `each`).
    func valuePhrase(_ name: String, code: (String) -> String) -> String? {
        let s = shape(name)
        guard isEnum(s), let values = s.enumValues else { return nil }
        return "one of " + values.map(code).joined(separator: ", ")
    }

    /// The constraints line of a member's doc comment, or nil when the model gives none.
    func constraintsLine(_ member: Model.Member, of owner: Model.Shape) -> String? {
        var phrases: [String] = []
        // An error's fields are all optional in Swift: the service may send only the code.
        if owner.required.contains(member.name), !owner.isError { phrases.append("required") }
        phrases += constraintPhrases(member.shape, code: codeSpan)
        if let values = valuePhrase(member.shape, code: codeSpan) { phrases.append(values) }
        return phrases.isEmpty ? nil : "Constraints: " + phrases.joined(separator: "; ") + "."
    }

    func codeSpan(_ s: String) -> String {
        s.contains("`") ? "`` \(s) ``" : "`\(s)`"
    }

    // MARK: Members

    /// What a member is, in words of ours, when neither it nor its shape is documented.
    func fallbackAbout(_ member: Model.Member, of owner: Model.Shape) -> String {
        if owner.isError, member.name == "message" { return "The message the service sent with the error." }
        return "The `\(member.name)` member: \(typePhrase(member.shape))."
    }

    /// `a string`, `an integer`, `a list of ``Target```.
    func typePhrase(_ name: String) -> String {
        let s = shape(name)
        switch s.type {
        case "string": return isEnum(s) ? "a ``\(name)``" : "a string"
        case "integer", "long": return "an integer"
        case "boolean": return "a Boolean"
        case "timestamp": return "a date"
        case "list": return "a list of " + typePhrase(s.listMember!).replacingOccurrences(of: "a ", with: "", options: .anchored).replacingOccurrences(of: "an ", with: "", options: .anchored)
        case "map": return "a map of " + typePhrase(s.mapValue!).replacingOccurrences(of: "a ", with: "", options: .anchored).replacingOccurrences(of: "an ", with: "", options: .anchored)
        default: return "a ``\(name)``"
        }
    }

    /// The documentation of a member: its own, else its shape's.
    func memberDocumentation(_ member: Model.Member) -> Documentation? {
        documentation(member.documentation) ?? documentation(shape(member.shape).documentation)
    }

    /// A member's doc comment: the model's text (or ours), then the constraints line.
    func memberComment(_ member: Model.Member, of owner: Model.Shape, indent: String) -> String {
        var lines = memberDocumentation(member)?.markdown(width: textWidth(indent))
            ?? paragraphs([fallbackAbout(member, of: owner)], indent: indent)
        if let constraints = constraintsLine(member, of: owner) {
            lines += [""] + Documentation.wrap(constraints, width: textWidth(indent))
        }
        return comment(lines, indent: indent)
    }

    /// A member's one sentence, for a `- Parameter` line.
    func memberSummary(_ member: Model.Member, of owner: Model.Shape) -> String {
        memberDocumentation(member)?.summaryMarkdown ?? fallbackAbout(member, of: owner)
    }

    /// `- Parameters:` lines for members, each its first sentence.
    func parameterLines(_ members: [Model.Member], of owner: Model.Shape, indent: String) -> [String] {
        guard !members.isEmpty else { return [] }
        var lines = ["- Parameters:"]
        for m in members {
            let wrapped = Documentation.wrap("- \(m.name): " + memberSummary(m, of: owner), width: textWidth(indent) - 2)
            lines += wrapped.enumerated().map { $0.offset == 0 ? "  " + $0.element : "    " + $0.element }
        }
        return lines
    }

    // MARK: Shapes

    /// The operations a shape is the input or output of.
    func operations(input name: String) -> [Model.Operation] { model.operations.filter { $0.input == name } }
    func operations(output name: String) -> [Model.Operation] { model.operations.filter { $0.output == name } }

    /// ``LatticeClient/createService(_:)``
    func methodLink(_ op: Model.Operation) -> String { "``LatticeClient/\(Naming.lowerFirst(op.name))(_:)``" }

    /// A structure's or union's doc comment: the model's, else what it is the input or output of.
    func shapeComment(_ s: Model.Shape, indent: String = "") -> String {
        if let doc = documentation(s.documentation) { return comment(doc.markdown(width: textWidth(indent)), indent: indent) }
        var text: [String] = []
        let inputs = operations(input: s.name), outputs = operations(output: s.name)
        if !inputs.isEmpty { text.append("The input of " + listed(inputs.map(methodLink)) + (s.members.isEmpty ? ", which has no members." : ".")) }
        if !outputs.isEmpty { text.append("The output of " + listed(outputs.map(methodLink)) + (s.members.isEmpty ? ", which has no members." : ".")) }
        if text.isEmpty { text.append("The model's `\(s.name)` \(s.isUnion ? "union" : "structure").") }
        return comment(paragraphs([text.joined(separator: " ")], indent: indent), indent: indent)
    }

    /// `A` or `An`, as the name sounds (by its first letter: `An InternalServerException`).
    func article(_ name: String) -> String {
        name.first.map { "AEIOU".contains($0) } == true ? "An" : "A"
    }

    /// `a`, `a and b`, `a, b and c`.
    func listed(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " and " + last
    }

    /// The enum's doc comment: the model documents no enum, so the first sentence of the first
    /// documented member that takes it (in shape order), and its values.
    func enumComment(_ s: Model.Shape) -> String {
        let values = (s.enumValues ?? []).map(codeSpan)
        let known = values.count > 1 ? "One of " + values.dropLast().joined(separator: ", ") + " or " + (values.last ?? "") : values.joined()
        let text = known + ", or a value the service adds later (kept as it is, so it round-trips)."
        let takers = model.shapes.values.sorted(by: { $0.name < $1.name }).flatMap { owner in
            owner.members.filter { $0.shape == s.name || shape($0.shape).listMember == s.name }
        }
        let summary = takers.lazy.compactMap { self.documentation($0.documentation)?.summaryMarkdown }.first
        return comment(paragraphs([summary ?? "", text], indent: ""), indent: "")
    }

    /// What the members that take an enum say about each of its values (the model documents
    /// values only there), first found in shape and member order.
    func enumValueDescriptions(_ enumName: String) -> [String: String] {
        var found: [String: String] = [:]
        for s in model.shapes.values.sorted(by: { $0.name < $1.name }) {
            for m in s.members {
                let t = shape(m.shape)
                guard m.shape == enumName || t.listMember == enumName, let doc = documentation(m.documentation) else { continue }
                for (value, text) in doc.itemDescriptions where found[value] == nil { found[value] = text }
            }
        }
        return found
    }

    /// The doc comment of a generated `validate(_:)`.
    func validateComment(indent: String) -> String {
        comment(["Checks the members against the model's constraints (lengths, ranges, patterns, sizes),",
                 "nested values included; each one broken is an issue in `v`.", "",
                 "- Parameter v: Collects the issues, with each member's path."], indent: indent)
    }

    // MARK: Operations

    /// A client method's doc comment: the operation's documentation, its parameter, result
    /// and modeled errors.
    func operationComment(_ op: Model.Operation, indent: String) -> String {
        var lines = documentation(op.documentation)?.markdown(width: textWidth(indent)) ?? paragraphs(["Calls \(op.name)."], indent: indent)
        let errors = op.errors.sorted().map { "``\($0)``" }
        lines += [""]
        lines += Documentation.wrap("- Parameter input: The request, ``\(op.input!)``.", width: textWidth(indent))
        lines += Documentation.wrap("- Returns: The service's answer, ``\(op.output!)``.", width: textWidth(indent))
        let throwsLine = errors.isEmpty
            ? "- Throws: The client's errors (invalid input, configuration, transport, the service's)."
            : "- Throws: The service's " + listed(errors) + " when it answers with one; the client's other errors (invalid input, configuration, transport) otherwise."
        lines += Documentation.wrap(throwsLine, width: textWidth(indent) - 2).enumerated().map { $0.offset == 0 ? $0.element : "  " + $0.element }
        return comment(lines, indent: indent)
    }

    /// An operation spec's doc comment: the operation's first sentence and its HTTP binding.
    func specComment(_ op: Model.Operation, indent: String) -> String {
        var texts: [String] = []
        if let summary = documentation(op.documentation)?.summaryMarkdown { texts.append(summary) }
        texts.append("The HTTP binding and input members of \(methodLink(op)): `\(op.method) \(op.uri)`, \(op.successCode) on success.")
        return comment(paragraphs(texts, indent: indent), indent: indent)
    }
}

extension Generator {
    /// Every documentation string of the model converts cleanly (no tag left, no text lost,
    /// no line longer than it must be), or generation stops naming the ones that do not.
    func checkDocumentation() throws {
        var texts: [(String, String)] = model.documentation.map { [("the service", $0)] } ?? []
        for op in model.operations { if let d = op.documentation { texts.append((op.name, d)) } }
        for s in model.shapes.values.sorted(by: { $0.name < $1.name }) {
            if let d = s.documentation { texts.append((s.name, d)) }
            for m in s.members { if let d = m.documentation { texts.append(("\(s.name).\(m.name)", d)) } }
        }
        let problems = texts.flatMap { name, html in Documentation.problems(html: html).map { "\(name): \($0)" } }
        if !problems.isEmpty {
            throw GeneratorError("the model's documentation does not convert cleanly:\n" + problems.joined(separator: "\n"))
        }
    }
}

extension Optional where Wrapped == [String] {
    var orEmpty: [String] { self ?? [] }
}
