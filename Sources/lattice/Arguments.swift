import LatticeKit

/// A mistake on the command line or in the input: exit 252, nothing sent.
struct UsageError: Error {
    var message: String
    /// Print the usage lines before the message, as the aws CLI does for argument errors.
    var showUsage = false
}

enum OutputFormat: String, CaseIterable {
    case json, text, table
}

/// The options every command takes (the aws CLI's global options, plus its paging options).
struct GlobalOptions {
    var region: String?
    var profile: String?
    var endpointURL: String?
    var output: OutputFormat?
    var debug = false
    var noPaginate = false
    var maxItems: Int?
    var startingToken: String?
    var pageSize: Int?
    var connectTimeout: Double?
    var readTimeout: Double?
    /// `--cli-attempt-timeout`, `--cli-call-timeout`: LatticeKit's attempt and call limits.
    var attemptTimeout: Double?
    var callTimeout: Double?
    var noVerifySSL = false
    var validation: ValidationMode?
    var dryRun = false
    /// `--reveal-secrets`: --dry-run prints the session token, access key id and signature.
    var revealSecrets = false
    /// `--color on|off|auto` (table output; auto: when standard output is a terminal).
    var color: String?
    /// `--ca-bundle`: the certificates to verify TLS with (as AWS_CA_BUNDLE).
    var caBundle: String?

    /// Flags without a value.
    static let flags: [String] = ["debug", "no-paginate", "no-verify-ssl", "dry-run", "reveal-secrets", "no-cli-pager"]
    /// Options that take one value.
    static let valued: [String] = [
        "region", "profile", "endpoint-url", "output", "max-items", "starting-token", "page-size",
        "cli-connect-timeout", "cli-read-timeout", "cli-attempt-timeout", "cli-call-timeout", "validation", "color", "ca-bundle", "cli-binary-format",
    ]
    /// Paging options: only for commands that page.
    static let paging: [String] = ["max-items", "starting-token", "page-size"]

    mutating func setFlag(_ name: String) {
        switch name {
        case "debug": debug = true
        case "no-paginate": noPaginate = true
        case "no-verify-ssl": noVerifySSL = true
        case "dry-run": dryRun = true
        case "reveal-secrets": revealSecrets = true
        default: break  // --no-cli-pager: lattice never pages its output
        }
    }

    mutating func set(_ name: String, _ value: String) throws(UsageError) {
        switch name {
        case "region": region = value
        case "profile": profile = value
        case "endpoint-url": endpointURL = value
        case "output":
            guard let f = OutputFormat(rawValue: value) else {
                throw UsageError(message: "argument --output: Invalid choice '\(value)', valid choices are: json, text, table", showUsage: true)
            }
            output = f
        case "max-items": maxItems = try Self.integer(name, value)
        case "page-size": pageSize = try Self.integer(name, value)
        case "starting-token": startingToken = value
        case "cli-connect-timeout": connectTimeout = try Self.seconds(name, value)
        case "cli-read-timeout": readTimeout = try Self.seconds(name, value)
        case "cli-attempt-timeout": attemptTimeout = try Self.seconds(name, value)
        case "cli-call-timeout": callTimeout = try Self.seconds(name, value)
        case "validation":
            guard let v = ValidationMode(rawValue: value) else {
                throw UsageError(message: "argument --validation: Invalid choice '\(value)', valid choices are: strict, relaxed, off", showUsage: true)
            }
            validation = v
        case "color":
            guard ["on", "off", "auto"].contains(value) else {
                throw UsageError(message: "argument --color: Invalid choice '\(value)', valid choices are: on, off, auto", showUsage: true)
            }
            color = value
        case "ca-bundle": caBundle = value
        case "cli-binary-format":
            // The aws CLI v2's option: no member of this API is binary, so both choices mean the same.
            guard ["base64", "raw-in-base64-out"].contains(value) else {
                throw UsageError(message: "argument --cli-binary-format: Invalid choice '\(value)', valid choices are: base64, raw-in-base64-out", showUsage: true)
            }
        default: break
        }
    }

    static func integer(_ name: String, _ value: String) throws(UsageError) -> Int {
        guard let n = Int(trimmed(value)) else {
            throw UsageError(message: "argument --\(name): invalid int value: '\(value)'", showUsage: true)
        }
        return n
    }

    /// Seconds as the aws CLI takes them; 0 means no timeout (here: a year).
    static func seconds(_ name: String, _ value: String) throws(UsageError) -> Double {
        guard let n = Int(trimmed(value)), n >= 0 else {
            throw UsageError(message: "argument --\(name): invalid int value: '\(value)'", showUsage: true)
        }
        return n == 0 ? 365 * 86_400 : Double(n)
    }
}

/// Command-line text trimmed as the aws CLI trims it: Python's `str.strip()` and `int()` drop
/// Unicode white space too, so this is not the package's ASCII rule (`trimmedWhitespace`),
/// which is for what LatticeKit reads from the environment, files and the wire.
func trimmed(_ s: some StringProtocol) -> String {
    guard let a = s.firstIndex(where: { !$0.isWhitespace }), let b = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }
    return String(s[a...b])
}

/// A member's value as written on the command line.
enum GivenValue {
    case text(String)
    case list([String])
    case flag(Bool)
}

/// What the command line asks for.
enum Invocation {
    case version
    case help
    case commandHelp(Command)
    case run(Command, ParsedCommand)
    /// `lattice plan|apply|destroy` (TopologyCommands.swift).
    case topology(TopologyInvocation)
    case topologyHelp(TopologyVerb)
    /// `lattice invoke` (Invoke.swift).
    case invoke(InvokeInvocation)
    case invokeHelp
}

struct ParsedCommand {
    var globals: GlobalOptions
    /// `--cli-input-json` as given (text or file://).
    var cliInputJSON: String?
    /// Member values by model name, in the order first given.
    var values: [(member: MemberOption, value: GivenValue)] = []
    /// The flags the user typed for members (for `--next-token` turning paging off).
    var givenFlags: [String] = []
}

/// Hand-written parsing of `lattice [global options] <command> [options]`, following the aws
/// CLI's argparse rules: `--name value` or `--name=value`; a list option takes every value up
/// to the next `--option` and may be repeated; booleans are `--name` / `--no-name`; global
/// options may come before or after the command.
enum ArgumentParser {
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var globals = GlobalOptions()
        var i = 0
        var command: Command?
        var wantsHelp = false
        // Before the command: global options, `help`, `--version`, the optional `vpc-lattice`.
        while i < arguments.count {
            let token = arguments[i]
            if token == "--version" { return .version }
            if token == "--help" || token == "-h" { wantsHelp = true; i += 1; continue }
            if token.hasPrefix("--") {
                let (name, inline) = split(token)
                if GlobalOptions.flags.contains(name) {
                    globals.setFlag(name)
                    i += 1
                    continue
                }
                if GlobalOptions.valued.contains(name) {
                    let value = try single(name, inline, arguments, &i)
                    try globals.set(name, value)
                    continue
                }
                throw UsageError(message: unknownOptions([token], command: nil), showUsage: true)
            }
            if token == "vpc-lattice", command == nil { i += 1; continue }
            if token == "help" {
                // `lattice help <command>` is `lattice <command> help`.
                guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("-") else { return .help }
                if let verb = TopologyVerb(rawValue: arguments[i + 1]) { return .topologyHelp(verb) }
                if arguments[i + 1] == "invoke" { return .invokeHelp }
                guard let c = Command.named(arguments[i + 1]) else {
                    throw UsageError(message: invalidChoice(arguments[i + 1]), showUsage: true)
                }
                return .commandHelp(c)
            }
            if token == "invoke" {
                if wantsHelp { return .invokeHelp }
                return try InvokeInvocation.parse(arguments[(i + 1)...], globals: globals)
            }
            if let verb = TopologyVerb(rawValue: token) {
                if wantsHelp { return .topologyHelp(verb) }
                return try TopologyInvocation.parse(verb, arguments[(i + 1)...], globals: globals)
            }
            guard let found = Command.named(token) else {
                throw UsageError(message: invalidChoice(token), showUsage: true)
            }
            command = found
            i += 1
            break
        }
        guard let command else {
            if wantsHelp { return .help }
            throw UsageError(message: "the following arguments are required: command", showUsage: true)
        }
        if wantsHelp { return .commandHelp(command) }

        var parsed = ParsedCommand(globals: globals)
        var unknown: [String] = []
        while i < arguments.count {
            let token = arguments[i]
            if token == "help" || token == "--help" || token == "-h" { return .commandHelp(command) }
            if token == "--version" { return .version }
            guard token.hasPrefix("--") else {
                unknown.append(token)
                i += 1
                continue
            }
            let (name, inline) = split(token)
            if name == "cli-input-json" {
                parsed.cliInputJSON = try single(name, inline, arguments, &i)
                continue
            }
            if let (option, negated) = command.option(flag: name) {
                if !parsed.givenFlags.contains(option.flag) { parsed.givenFlags.append(option.flag) }
                if option.isBoolean {
                    var value = !negated
                    if let inline {
                        guard let b = Bool(inline.lowercased()) else {
                            throw UsageError(message: "argument --\(name): expected true or false, got '\(inline)'", showUsage: true)
                        }
                        value = negated ? !b : b
                    }
                    parsed.set(option, .flag(value))
                    i += 1
                } else if option.isList {
                    var values: [String] = []
                    if let inline {
                        values.append(inline)
                        i += 1
                    } else {
                        i += 1
                        while i < arguments.count, !arguments[i].hasPrefix("--") {
                            values.append(arguments[i])
                            i += 1
                        }
                    }
                    if values.isEmpty { throw UsageError(message: "argument --\(name): expected at least one argument", showUsage: true) }
                    parsed.append(option, values)
                } else {
                    parsed.set(option, .text(try single(name, inline, arguments, &i)))
                }
                continue
            }
            if GlobalOptions.flags.contains(name) {
                parsed.globals.setFlag(name)
                i += 1
                continue
            }
            if GlobalOptions.valued.contains(name) {
                let value = try single(name, inline, arguments, &i)
                if GlobalOptions.paging.contains(name), command.pagination == nil {
                    unknown.append(token)
                    if inline == nil { unknown.append(value) }
                    continue
                }
                try parsed.globals.set(name, value)
                continue
            }
            unknown.append(token)
            i += 1
            // Like argparse, the values after an unknown option are reported with it.
            while i < arguments.count, !arguments[i].hasPrefix("--") {
                unknown.append(arguments[i])
                i += 1
            }
        }
        if !unknown.isEmpty {
            throw UsageError(message: unknownOptions(unknown, command: command), showUsage: true)
        }
        if parsed.globals.revealSecrets, !parsed.globals.dryRun {
            throw UsageError(message: "--reveal-secrets only applies to --dry-run (--debug never prints secrets): add --dry-run, or leave --reveal-secrets out", showUsage: true)
        }
        return .run(command, parsed)
    }

    /// `--name=value` → ("name", "value"); `--name` → ("name", nil).
    static func split(_ token: String) -> (String, String?) {
        let body = token.dropFirst(2)
        if let eq = body.firstIndex(of: "=") {
            return (String(body[..<eq]), String(body[body.index(after: eq)...]))
        }
        return (String(body), nil)
    }

    /// The one value of an option: inline, or the next argument (which cannot be an option).
    static func single(_ name: String, _ inline: String?, _ arguments: [String], _ i: inout Int) throws(UsageError) -> String {
        if let inline {
            i += 1
            return inline
        }
        guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
            throw UsageError(message: "argument --\(name): expected one argument", showUsage: true)
        }
        i += 2
        return arguments[i - 1]
    }

    /// `argument command: Invalid choice 'list-service': did you mean list-services?`, and
    /// where the list of commands is.
    static func invalidChoice(_ name: String) -> String {
        let close = Suggestions.closest(to: name, in: OperationDescriptor.all.map(\.cliName))
        var text = "argument command: Invalid choice '\(name)'"
        text += close.isEmpty ? "." : ": did you mean \(Suggestions.phrase(close))?"
        return text + " Run 'lattice help' for the list of commands."
    }

    /// `Unknown options: --service-identifer, x. Did you mean --service-identifier?`: the words
    /// not understood (argparse's list), the closest options to each unknown `--name`, and
    /// where the options are listed.
    static func unknownOptions(_ unknown: [String], command: Command?) -> String {
        var valid = GlobalOptions.flags + GlobalOptions.valued
        if let command {
            valid += ["cli-input-json"] + command.options.flatMap { $0.isBoolean ? [$0.flag, "no-" + $0.flag] : [$0.flag] }
            if command.pagination == nil { valid.removeAll { GlobalOptions.paging.contains($0) } }
        }
        var hints: [String] = []
        let options = unknown.filter { $0.hasPrefix("--") }.map { split($0).0 }
        for name in options {
            if GlobalOptions.paging.contains(name), let command, command.pagination == nil {
                hints.append("--\(name) applies only to the commands that page (the list commands), not to \(command.name).")
                continue
            }
            let close = Suggestions.closest(to: name, in: valid).map { "--" + $0 }
            guard !close.isEmpty else { continue }
            hints.append(options.count == 1
                ? "Did you mean \(Suggestions.phrase(close))?"
                : "For --\(name), did you mean \(Suggestions.phrase(close))?")
        }
        let listed = command.map { "Run 'lattice \($0.name) help' for its options." } ?? "Run 'lattice help' for the options."
        return (["Unknown options: \(unknown.joined(separator: ", "))."] + hints + [listed]).joined(separator: " ")
    }
}

/// The valid names closest to a mistyped one, for "did you mean": by edit distance (a typo, a
/// missing or extra letter, two letters swapped), else the names it begins or is part of.
enum Suggestions {
    /// At most `limit` names: those at the least distance when it is small for the name's
    /// length (at most 2, or a third of its length), else those that start with it (3
    /// characters or more) or contain it (4 or more), shortest first.
    static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let typed = name.lowercased()
        guard !typed.isEmpty else { return [] }
        let threshold = max(2, typed.count / 3)
        let scored = candidates.map { ($0, distance(typed, $0.lowercased())) }.filter { $0.1 <= threshold }
        if let best = scored.map(\.1).min() {
            return Array(scored.filter { $0.1 == best }.map(\.0).sorted().prefix(limit))
        }
        let partial = candidates.filter {
            let c = $0.lowercased()
            return (typed.count >= 3 && c.hasPrefix(typed)) || (typed.count >= 4 && c.contains(typed))
        }
        return Array(partial.sorted { ($0.count, $0) < ($1.count, $1) }.prefix(limit))
    }

    /// `a`, `a or b`, `a, b or c`.
    static func phrase(_ names: [String]) -> String {
        guard let last = names.last else { return "" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The optimal string alignment distance: insertions, deletions, substitutions and swaps
    /// of two adjacent characters each count one.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var before = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + [Int](repeating: 0, count: y.count)
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            before = previous
            previous = current
        }
        return previous[y.count]
    }
}

extension ParsedCommand {
    /// A scalar given twice keeps the last value (argparse's rule).
    mutating func set(_ option: MemberOption, _ value: GivenValue) {
        if let k = values.firstIndex(where: { $0.member.member.name == option.member.name }) {
            values[k].value = value
        } else {
            values.append((option, value))
        }
    }

    /// A list given twice keeps every value.
    mutating func append(_ option: MemberOption, _ more: [String]) {
        if let k = values.firstIndex(where: { $0.member.member.name == option.member.name }), case let .list(old) = values[k].value {
            values[k].value = .list(old + more)
        } else {
            values.append((option, .list(more)))
        }
    }
}

/// The option loop of the commands that are not API operations (`plan`, `apply`, `destroy`,
/// `invoke`): `--name value` or `--name=value`, `help`/`--help`/`-h`, the command's own options
/// through `option`, and the global options `admitsGlobal` lets through.
enum SubcommandOptions {
    /// Reads `arguments`; false when help was asked for. `option` gets each option's name and a
    /// way to read its value, and returns false for a name it does not take; `unknown` is the
    /// message for an option neither it nor the admitted global ones take.
    static func parse(
        _ arguments: ArraySlice<String>,
        globals: inout GlobalOptions,
        admitsGlobal: (String) -> Bool,
        unknown: (_ token: String) -> String,
        option: (_ name: String, _ value: () throws(UsageError) -> String) throws(UsageError) -> Bool
    ) throws(UsageError) -> Bool {
        var rest = arguments
        while let token = rest.popFirst() {
            if token == "help" || token == "--help" || token == "-h" { return false }
            guard token.hasPrefix("--") else { throw UsageError(message: "Unknown options: \(token)", showUsage: true) }
            let (name, inline) = ArgumentParser.split(token)
            func value() throws(UsageError) -> String {
                if let inline { return inline }
                guard let next = rest.first, !next.hasPrefix("--") else { throw UsageError(message: "argument --\(name): expected one argument", showUsage: true) }
                rest.removeFirst()
                return next
            }
            if try option(name, value) { continue }
            if GlobalOptions.flags.contains(name), admitsGlobal(name) {
                globals.setFlag(name)
            } else if GlobalOptions.valued.contains(name), !GlobalOptions.paging.contains(name), admitsGlobal(name) {
                try globals.set(name, try value())
            } else {
                throw UsageError(message: unknown(token), showUsage: true)
            }
        }
        return true
    }
}
