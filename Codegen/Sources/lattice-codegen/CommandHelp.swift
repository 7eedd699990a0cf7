/// The CLI's help text from the model (Sources/lattice/Generated/CommandHelp.swift): plain
/// text, looked up only when help or a suggestion is printed. The file compiles on its own
/// (no LatticeKit), as the CLI's other generated tables do.
extension Generator {
    func cliCommandHelp() -> String {
        var out = header + "\n"
        out += "/// The model's documentation for `lattice help` and `lattice <command> help`, as plain text:\n"
        out += "/// each operation's first sentence, and each input member's first sentence, constraints\n"
        out += "/// and allowed values.\n"
        out += "enum CommandHelp {\n"
        out += "    /// An input member: its model name, first sentence, constraints and allowed values.\n"
        out += "    struct Member {\n"
        out += "        let name: String\n"
        out += "        let about: String\n"
        out += "        let constraints: String\n"
        out += "        let values: [String]\n\n"
        out += "        init(_ name: String, _ about: String, _ constraints: String, _ values: [String]) {\n"
        out += "            self.name = name\n"
        out += "            self.about = about\n"
        out += "            self.constraints = constraints\n"
        out += "            self.values = values\n"
        out += "        }\n"
        out += "    }\n\n"
        out += "    /// The first sentence of an operation's documentation, by model name.\n"
        out += "    static func summary(_ operation: String) -> String? {\n"
        out += "        switch operation {\n"
        for op in model.operations {
            guard let summary = documentation(op.documentation)?.summary else { continue }
            out += "        case \"\(op.name)\": return \(swiftString(summary))\n"
        }
        out += "        default: return nil\n"
        out += "        }\n"
        out += "    }\n\n"
        out += "    /// An operation's input members in model order, by model name.\n"
        out += "    static func members(_ operation: String) -> [Member] {\n"
        out += "        switch operation {\n"
        for op in model.operations {
            guard let input = op.input.map(shape), !input.members.isEmpty else { continue }
            out += "        case \"\(op.name)\": return [\n"
            for m in input.members {
                let about = memberDocumentation(m)?.summary ?? fallbackAbout(m, of: input).replacingOccurrences(of: "`", with: "")
                let constraints = constraintPhrases(m.shape, code: { $0 }, values: false).joined(separator: "; ")
                let t = shape(m.shape)
                let values = shape(t.listMember ?? m.shape).enumValues ?? []
                out += "            Member(\(swiftString(m.name)), \(swiftString(about)), \(swiftString(constraints)), [\(values.map(swiftString).joined(separator: ", "))]),\n"
            }
            out += "        ]\n"
        }
        out += "        default: return []\n"
        out += "        }\n"
        out += "    }\n"
        out += "}\n"
        return out
    }

    /// A Swift string literal for `text`: raw (`#"..."#`) when it has a backslash or a quote.
    func swiftString(_ text: String) -> String {
        let oneLine = text.map { $0.isNewline ? " " : String($0) }.joined()
        guard oneLine.contains("\\") || oneLine.contains("\"") else { return "\"\(oneLine)\"" }
        var hashes = "#"
        while oneLine.contains("\"" + hashes) { hashes += "#" }
        return "\(hashes)\"\(oneLine)\"\(hashes)"
    }
}
