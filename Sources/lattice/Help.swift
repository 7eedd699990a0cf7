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
        for d in OperationDescriptor.all {
            text += "  \(d.cliName)\n"
        }
        text += "\nTopology as code (a JSON file of service networks, services, target groups; lattice plan help):\n"
        text += "  plan --file F, apply --file F, destroy --file F\n"
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
        var text = "lattice \(c.name): the \(spec.name) operation (\(spec.method) \(spec.path))\n\n"
        text += "usage: lattice \(c.name)"
        for o in required { text += " " + o.usage }
        if !optional.isEmpty { text += " [options]" }
        text += " [--cli-input-json <json>] [global options]\n"
        func rows(_ options: [MemberOption]) -> [(String, String)] {
            options.map { o in
                let location = o.member.location == .body ? "body" : (o.member.location == .uri ? "uri" : o.member.location.rawValue)
                return (o.usage, "\(o.member.name): \(o.typeDescription), \(location)")
            }
        }
        if !required.isEmpty {
            text += "\nRequired:\n" + table(rows(required))
        }
        if !optional.isEmpty {
            text += "\nOptional:\n" + table(rows(optional))
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

    static func table(_ rows: [(String, String)]) -> String {
        let width = min(40, (rows.map(\.0.count).max() ?? 0) + 2)
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
