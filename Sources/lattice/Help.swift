import LatticeKit

enum Help {
    static let globalOptions: [(String, String)] = [
        ("--region <region>", "the AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)"),
        ("--profile <name>", "a profile of the shared config and credentials files (else AWS_PROFILE, default)"),
        ("--endpoint-url <url>", "send requests to this URL (else AWS_ENDPOINT_URL_VPC_LATTICE, AWS_ENDPOINT_URL, the profile)"),
        ("--output json|text|table", "the output format (else AWS_DEFAULT_OUTPUT, the profile's output, json)"),
        ("--debug", "print each request and response to stderr (signatures and tokens redacted)"),
        ("--no-paginate", "make one request only for list commands (they follow every page by default)"),
        ("--max-items <n>", "list commands: stop after n items and print a NextToken to continue from"),
        ("--starting-token <token>", "list commands: continue from a NextToken printed by --max-items"),
        ("--page-size <n>", "list commands: ask for n items per request"),
        ("--cli-connect-timeout <s>", "seconds to wait for a connection (0: no limit)"),
        ("--cli-read-timeout <s>", "seconds to wait for data (0: no limit)"),
        ("--cli-attempt-timeout <s>", "seconds for one request and its whole answer (default 120; 0: no limit)"),
        ("--cli-call-timeout <s>", "seconds for the whole call, retries and waits included (default 300; 0: no limit)"),
        ("--no-verify-ssl", "do not verify TLS certificates"),
        ("--ca-bundle <path>", "verify TLS certificates with this CA bundle (else AWS_CA_BUNDLE, the profile's ca_bundle)"),
        ("--validation strict|relaxed|off", "client-side checks of the input against the model (relaxed: no patterns)"),
        ("--dry-run", "print the signed request as JSON {method, url, headers, body} and send nothing (the session token, access key id and signature redacted)"),
        ("--reveal-secrets", "with --dry-run: print the session token, access key id and signature in clear (the request can then be replayed for minutes: keep it private)"),
        ("--color on|off|auto", "colors in table output (auto: on a terminal)"),
        ("--cli-binary-format <f>", "accepted for aws CLI v2 scripts (no member of this API is binary)"),
        ("--no-cli-pager", "accepted for aws CLI v2 scripts (lattice never pages its output)"),
        ("--version", "print the version"),
    ]

    static func top() -> String {
        var text = """
        lattice: Amazon VPC Lattice from the shell, a drop-in for `aws vpc-lattice` (\(Version.line))

        usage: lattice [options] <command> [parameters]
               lattice <command> help

        Commands:

        """
        // One line a command, so that `lattice help | grep listener` finds it whole.
        let width = (OperationDescriptor.all.map(\.cliName.count).max() ?? 0) + 2
        for d in OperationDescriptor.all {
            let summary = CommandHelp.summary(d.spec.name) ?? ""
            text += summary.isEmpty ? "  \(d.cliName)\n" : "  " + d.cliName + String(repeating: " ", count: width - d.cliName.count) + summary + "\n"
        }
        text += "\nTopology as code (a JSON file of service networks, services, target groups; lattice plan help):\n"
        text += "  plan --file F, apply --file F, destroy --file F\n"
        text += "\nCalling a Lattice service (the data plane, signed for vpc-lattice-svcs; lattice invoke help):\n"
        text += "  invoke --url URL [--method M] [--header H] [--body B] [--region-set R]\n"
        text += "\nOptions (before or after the command):\n"
        text += table(globalOptions)
        text += """

        Parameters are the operation's members as --kebab-case options, or a JSON object of them
        with --cli-input-json '{...}' (or file://path); options win over the JSON. Exit status:
        0 success, 252 invalid command line or input (nothing sent), 253 configuration (no region,
        no credentials), 254 the service answered with an error, 255 anything else.

        """
        return text
    }

    static func command(_ c: Command) -> String {
        let spec = c.descriptor.spec
        let required = c.options.filter(\.member.required)
        let optional = c.options.filter { !$0.member.required }
        var text = "lattice \(c.name): the \(spec.name) operation (\(spec.method) \(spec.path))\n"
        if let summary = CommandHelp.summary(spec.name) { text += wrap(summary, indent: "") }
        text += "\n"
        text += "usage: lattice \(c.name)"
        for o in required { text += " " + o.usage }
        if !optional.isEmpty { text += " [options]" }
        text += " [--cli-input-json <json>] [global options]\n"
        let documented = CommandHelp.members(spec.name)
        // Each option: its line (flag, model name, type, where it goes), then the model's first
        // sentence about it, its constraints and its allowed values.
        func section(_ options: [MemberOption]) -> String {
            let width = columnWidth(options.map(\.usage))
            var out = ""
            for o in options {
                let location = o.member.location == .body ? "body" : (o.member.location == .uri ? "uri" : o.member.location.rawValue)
                out += table([(o.usage, "\(o.member.name): \(o.typeDescription), \(location)")], width: width)
                guard let doc = documented.first(where: { $0.name == o.member.name }) else { continue }
                if !doc.about.isEmpty { out += wrap(doc.about, indent: detailIndent) }
                if !doc.constraints.isEmpty { out += wrap(doc.constraints, indent: detailIndent) }
                if !doc.values.isEmpty { out += wrap("Allowed values: " + doc.values.joined(separator: " | "), indent: detailIndent) }
            }
            return out
        }
        if !required.isEmpty {
            text += "\nRequired:\n" + section(required)
        }
        if !optional.isEmpty {
            text += "\nOptional:\n" + section(optional)
        }
        text += "\nInput:\n" + table([("--cli-input-json <json>", "the members above as one JSON object, by model name (text or file://path); options override its members")])
        if let p = c.pagination {
            text += """

            Paging: \(c.name) follows every page (\(p.outputToken) → \(p.inputToken)) and prints the \(p.resultKey) of all of
            them; --max-items, --starting-token and --page-size control it, --no-paginate (or
            --\(CLIName.kebab(p.inputToken))\(p.limitKey.map { " / --" + CLIName.kebab($0) } ?? "")) makes one request.

            """
        }
        text += """

        Values: strings as text; integers as digits; lists as several values after the option
        (or the option repeated, or a JSON list); structures and unions as JSON; maps as JSON or
        key=value,key2=value2; booleans as --name / --no-name. file://path reads a value from a file.
        Run 'lattice help' for the global options.

        """
        return text
    }

    /// Where an option's description, constraints and values start.
    static let detailIndent = "      "

    /// Help text is wrapped at this many columns (a word longer than the rest, such as a
    /// pattern, stays whole).
    static let textWidth = 100

    /// Text wrapped at spaces to `textWidth`, each line after `indent`.
    static func wrap(_ text: String, indent: String) -> String {
        var out = ""
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent.count + line.count + 1 + word.count > textWidth {
                out += indent + line + "\n"
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        return line.isEmpty ? out : out + indent + line + "\n"
    }

    /// The left column's width for these left cells: the longest and two spaces, at most 40.
    static func columnWidth(_ left: [String]) -> Int {
        min(40, (left.map(\.count).max() ?? 0) + 2)
    }

    static func table(_ rows: [(String, String)], width: Int? = nil) -> String {
        let width = width ?? columnWidth(rows.map(\.0))
        var text = ""
        for (left, right) in rows {
            if left.count + 2 > width {
                text += "  \(left)\n" + String(repeating: " ", count: width + 2) + right + "\n"
            } else {
                text += "  " + left + String(repeating: " ", count: width - left.count) + right + "\n"
            }
        }
        return text
    }
}
