/// The CLI's help text from the model (Sources/lattice/Generated/CommandHelp.swift): plain
/// text, looked up only when help or a suggestion is printed. The file compiles on its own
/// (no LatticeKit), as the CLI's other generated tables do.
extension Generator {
    func cliCommandHelp() -> String {
        var summaries = ""
        var members = ""
        for op in model.operations {
            if let summary = documentation(op.documentation)?.summary {
                summaries += "        case \"\(op.name)\": return \(swiftString(summary))\n"
            }
            guard let input = op.input.map(shape), !input.members.isEmpty else { continue }
            members += "        case \"\(op.name)\": return [\n"
            for m in input.members {
                let about = memberDocumentation(m)?.summary ?? fallbackAbout(m, of: input).replacingOccurrences(of: "`", with: "")
                let constraints = constraintPhrases(m.shape, code: { $0 }, values: false).joined(separator: "; ")
                let values = shape(shape(m.shape).listMember ?? m.shape).enumValues ?? []
                members += "            Member(\(swiftString(m.name)), \(swiftString(about)), \(swiftString(constraints)), [\(values.map(swiftString).joined(separator: ", "))]),\n"
            }
            members += "        ]\n"
        }
        return header + """

            /// The model's documentation for `lattice help` and `lattice <command> help`, as plain text:
            /// each operation's first sentence, and each input member's first sentence, constraints
            /// and allowed values.
            enum CommandHelp {
                /// An input member: its model name, first sentence, constraints and allowed values.
                struct Member {
                    let name: String
                    let about: String
                    let constraints: String
                    let values: [String]

                    init(_ name: String, _ about: String, _ constraints: String, _ values: [String]) {
                        self.name = name
                        self.about = about
                        self.constraints = constraints
                        self.values = values
                    }
                }

                /// The first sentence of an operation's documentation, by model name.
                static func summary(_ operation: String) -> String? {
                    switch operation {
            \(summaries)        default: return nil
                    }
                }

                /// An operation's input members in model order, by model name.
                static func members(_ operation: String) -> [Member] {
                    switch operation {
            \(members)        default: return []
                    }
                }
            }

            """
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
