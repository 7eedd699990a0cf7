import LatticeKit
import SigV4

/// What an error message can refer to: the command, its input, where the call went.
struct ErrorContext {
    var command: Command?
    var input: JSON
    var settings: ResolvedSettings?
}

/// Prints an error to stderr the way the aws CLI does and picks the exit status.
struct ErrorReporter {
    let context: ErrorContext

    func report(_ error: any Error) -> Int32 {
        switch error {
        case let e as UsageError:
            Console.err(Self.usageText(e))
            return ExitCode.usage
        case let e as LatticeValidationError:
            var text = "\nParameter validation failed (nothing was sent):\n"
            for issue in e.issues { text += "  - \(describe(issue))\n" }
            text += "Fix the values above, or relax client-side checks with --validation relaxed (no patterns) or --validation off.\n"
            Console.err(text)
            return ExitCode.usage
        case let e as ConfigurationError:
            Console.err("\n\(Self.inFlags(e.message))\n")
            return ExitCode.configuration
        case let e as AWSServiceError:
            Console.err(serviceErrorText(e))
            return ExitCode.serviceError
        case let e as TransportError:
            Console.err("\nCould not get an answer from the endpoint\(context.settings.map { " \($0.endpoint.url)" } ?? ""): \(e.message)\n")
            return ExitCode.other
        case let e as MalformedAnswer:
            Console.err(Self.malformedAnswerText(operation: e.operation, status: e.status, problem: e.problem, body: e.body))
            return ExitCode.other
        case let e as LatticeDecodingError:
            Console.err(Self.malformedAnswerText(operation: e.operation, status: e.status, problem: "it does not match the operation's output (\(e.detail))", body: Array(e.body.utf8)))
            return ExitCode.other
        case let e as LatticePaginationError:
            Console.err(paginationText(e))
            return ExitCode.other
        case let e as Pager.Failure:
            Console.err("\n\(e.description)\n")
            return ExitCode.other
        default:
            Console.err("\n\(Self.inFlags(String(describing: error)))\n")
            return ExitCode.other
        }
    }

    /// The library names its settings as Swift properties; the CLI's user sets them with flags.
    static let settingFlags: [(property: String, flag: String)] = [
        ("LatticeConfiguration.region", "--region"),
        ("LatticeConfiguration.profile", "--profile"),
        ("LatticeConfiguration.endpoint", "--endpoint-url"),
    ]

    /// A library message in the CLI's words: each setting's property replaced by its flag.
    static func inFlags(_ message: String) -> String {
        settingFlags.reduce(message) { $0.replacing($1.property, with: $1.flag) }
    }

    /// At most this many bytes of a body are shown.
    static let bodyExcerpt = 2_000

    /// A success answer that cannot be read: the call may have done what it asked, so say so,
    /// and how to find out, before the user runs it again.
    static func malformedAnswerText(operation: String, status: Int, problem: String, body: [UInt8]) -> String {
        var text = "\nThe \(operation) answer (HTTP \(status), a success) could not be read: \(problem).\n"
        if operation.hasPrefix("Get") || operation.hasPrefix("List") {
            text += "\(operation) only reads, so nothing was changed: run the command again (--debug shows the exchange).\n"
        } else {
            let check = checkCommand(operation).map { "check with 'lattice \($0)'" } ?? "check the resource's state"
            text += "The request may have taken effect: \(check) before running the command again (--debug shows the exchange).\n"
        }
        let shown = String(decoding: body.prefix(bodyExcerpt), as: UTF8.self)
        let size = body.count > bodyExcerpt ? "first \(bodyExcerpt) of \(body.count) bytes" : "\(body.count) bytes"
        return text + "Body (\(size)): \(shown)\n"
    }

    /// The read-only command that shows whether `operation` took effect: the list for a create
    /// (its identifier is in the answer that could not be read), else the get of the resource.
    static func checkCommand(_ operation: String) -> String? {
        if operation == "TagResource" || operation == "UntagResource" { return OperationDescriptor.named("ListTagsForResource")?.cliName }
        guard let verb = ["BatchUpdate", "Create", "Update", "Delete", "Put", "Register", "Deregister", "Start"].first(where: operation.hasPrefix) else { return nil }
        let noun = operation.dropFirst(verb.count)
        let lists = ["List\(noun)s", "List\(noun)"], get = ["Get\(noun)"]
        return (verb == "Create" ? lists + get : get + lists).lazy.compactMap { OperationDescriptor.named($0)?.cliName }.first
    }

    /// botocore's PaginationError for a repeated token, with the page numbers; the limit on pages.
    func paginationText(_ e: LatticePaginationError) -> String {
        let inputToken = context.command?.pagination?.inputToken ?? "nextToken"
        switch e.problem {
        case let .repeatedToken(firstPage):
            let before = firstPage == 0 ? "the token --starting-token started from" : "the next token of page \(firstPage)"
            return "\nError during pagination: The same next token was received twice: {'\(inputToken)': \(PythonNumber.reprString(e.tokenExcerpt))}\n"
                + "Page \(e.page) of \(e.operation) returned \(before), so its pages cycle and following them would never end. Nothing was printed. "
                + "Run the command again later; --debug shows each page's token, and --no-paginate prints the first page alone. If it persists, report the service's answers.\n"
        case .tooManyPages:
            return "\nError during pagination: \(e.operation) returned \(e.page) pages and still a next token, the most lattice follows in one command (a guard against a service whose tokens never end). Nothing was printed. "
                + "To list more, page in parts: --max-items N prints a NextToken to continue from with --starting-token.\n"
        }
    }

    static func usageText(_ e: UsageError) -> String {
        guard e.showUsage else { return "\n\(e.message)\n" }
        return """
        usage: lattice [options] <command> [parameters]
        To see help text, you can run:

          lattice help
          lattice <command> help

        lattice: error: \(e.message)

        """
    }

    /// `ValidationIssue` with the option that sets a top-level member: `serviceIdentifier
    /// (--service-identifier): ...`.
    private func describe(_ issue: ValidationIssue) -> String {
        let top = String(issue.path.prefix { $0 != "." && $0 != "[" })
        if let option = context.command?.options.first(where: { $0.member.name == top }) {
            return "\(issue.path) (--\(option.flag)): \(issue.problem) (\(issue.rule))"
        }
        return issue.description
    }

    /// `An error occurred (CODE) when calling the OPERATION operation: MESSAGE`, with
    /// botocore's retry note, then a hint for the errors users most often have to debug.
    func serviceErrorText(_ e: AWSServiceError) -> String {
        let code = e.code.hasPrefix("HTTP ") ? String(e.httpStatus) : e.code
        let operation = context.command?.operation ?? "unknown"
        var retry = ""
        if e.retryStopReason == .maxAttemptsReached { retry = " (reached max retries: \(max(0, e.attempts - 1)))" }
        var text = "\nAn error occurred (\(code)) when calling the \(operation) operation\(retry): \(e.message ?? "")\n"
        for hint in hints(code, e) { text += "Hint: \(hint)\n" }
        return text
    }

    func hints(_ code: String, _ e: AWSServiceError) -> [String] {
        let region = context.settings?.region ?? "(unknown)"
        switch code {
        case "ResourceNotFoundException":
            var named = identifiers().map { "\($0.0) '\($0.1)'" }
            if named.isEmpty, let body = try? JSONParser.parse(e.body), let id = body["resourceId"]?.stringValue {
                named = ["\(body["resourceType"]?.stringValue.map { $0 + " " } ?? "")'\(id)'"]
            }
            let what = named.isEmpty ? "the resource named in the request" : named.joined(separator: ", ")
            let endpoint = context.settings.map { " (endpoint \($0.endpoint.url))" } ?? ""
            return ["\(what) was not found in region \(region)\(endpoint). Check the identifier, and that the resource exists in this account and region: it may have been deleted, or created with another --region or --profile."]
        case "AccessDeniedException":
            let operation = context.command?.operation ?? "the operation"
            return ["the caller needs the IAM permission vpc-lattice:\(operation) (region \(region)). Grant it in the identity's IAM policy, and check permission boundaries, SCPs and, for shared resources, the resource policy."]
        default:
            return []
        }
    }

    /// The identifiers in the input: path members and members named like identifiers, ARNs
    /// or ids, in model order.
    func identifiers() -> [(String, String)] {
        guard let command = context.command else { return [] }
        var found: [(String, String)] = []
        for option in command.options {
            let name = option.member.name
            let looksLikeIdentifier = option.member.location == .uri || name.hasSuffix("Identifier") || name.hasSuffix("Arn") || name == "id"
            guard looksLikeIdentifier, let value = context.input[name]?.stringValue else { continue }
            found.append((name, value))
        }
        return found
    }
}
