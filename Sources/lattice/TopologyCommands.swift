#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// `lattice plan|apply|destroy --file F`: a topology file planned, applied or destroyed, as
/// `terraform plan|apply|destroy` do for HCL (LatticeKit's Topology on the command line).
enum TopologyVerb: String, CaseIterable {
    case plan, apply, destroy
}

/// A topology command as parsed.
struct TopologyInvocation {
    var verb: TopologyVerb
    var globals: GlobalOptions
    var file: String?
    var autoApprove = false
    var detailedExitCode = false
    var adopt = false
    var allowReplacement = false
    var maxConcurrentCalls: Int?
    var requestsPerSecond: Double?

    /// The options of a topology command besides the global ones: (flag, takes a value, help).
    static let options: [(String, Bool, String)] = [
        ("file", true, "the topology, a JSON file (required)"),
        ("auto-approve", false, "apply and destroy: do not ask (required when standard input is not a terminal)"),
        ("detailed-exitcode", false, "plan: exit 0 when nothing would change, 2 when something would"),
        ("adopt", false, "manage resources with a described name that lack the ownership tag (the plan says which)"),
        ("allow-replacement", false, "delete and create again what cannot change in place (the plan says what)"),
        ("max-concurrent-calls", true, "at most this many requests in flight (default 128; 1: one step at a time)"),
        ("requests-per-second", true, "a cap of your own: at most this many requests a second on average (default: none; without it apply sends freely until the service throttles, then follows its signal as the SDKs' adaptive retry mode does; 0: no cap)"),
    ]

    static func parse(_ verb: TopologyVerb, _ arguments: ArraySlice<String>, globals: GlobalOptions) throws(UsageError) -> Invocation {
        var invocation = TopologyInvocation(verb: verb, globals: globals)
        var globals = globals
        let parsed = try SubcommandOptions.parse(
            arguments, globals: &globals, admitsGlobal: { _ in true },
            unknown: { "Unknown options: \($0); lattice \(verb.rawValue) takes --\(options.map(\.0).joined(separator: ", --")) and the global options" }
        ) { (name, value) throws(UsageError) -> Bool in
            switch name {
            case "file": invocation.file = try value()
            case "auto-approve": invocation.autoApprove = true
            case "detailed-exitcode": invocation.detailedExitCode = true
            case "adopt": invocation.adopt = true
            case "allow-replacement": invocation.allowReplacement = true
            case "max-concurrent-calls":
                let text = try value()
                guard let n = Int(text), n >= 1 else { throw UsageError(message: "argument --max-concurrent-calls: expected a whole number of at least 1, got '\(text)'", showUsage: true) }
                invocation.maxConcurrentCalls = n
            case "requests-per-second":
                let text = try value()
                guard let n = Double(text), n >= 0, n.isFinite else { throw UsageError(message: "argument --requests-per-second: expected a number of at least 0, got '\(text)'", showUsage: true) }
                invocation.requestsPerSecond = n
            default: return false
            }
            return true
        }
        invocation.globals = globals
        guard parsed else { return .topologyHelp(verb) }
        if invocation.globals.dryRun {
            throw UsageError(message: "--dry-run does not apply to lattice \(verb.rawValue): lattice plan shows what would be sent, without sending it")
        }
        if invocation.detailedExitCode, verb != .plan {
            throw UsageError(message: "--detailed-exitcode applies to lattice plan only")
        }
        return .topology(invocation)
    }

    static func help(_ verb: TopologyVerb) -> String {
        let what: String
        switch verb {
        case .plan: what = "shows what apply would change to make the live state match the topology file; changes nothing"
        case .apply: what = "plans, shows the plan, asks, then makes the changes (independent ones at once)"
        case .destroy: what = "deletes every resource the topology owns (its ownership tag), in reverse order of dependency"
        }
        var text = "lattice \(verb.rawValue): \(what)\n\nusage: lattice \(verb.rawValue) --file <topology.json> [options]\n\nOptions:\n"
        text += Help.table(options.map { flag, valued, help in ("--\(flag)" + (valued ? " <value>" : ""), help) })
        text += """
              and the global options (--region, --profile, --endpoint-url, --output json for a
              machine-readable plan, --debug, ...; see lattice help).

            Exit status: 0 success (plan: also without changes); plan --detailed-exitcode: 2 when
            something would change; 252 a bad command line or topology file, or a plan that is
            refused (nothing sent); 253 configuration; 254 the service answered with an error;
            255 anything else.

            """
        return text
    }
}

/// Runs a topology command.
struct TopologyCommand {
    let invocation: TopologyInvocation
    let environment: RuntimeEnvironment

    var json: Bool { invocation.globals.output == .json }

    var options: TopologyOptions {
        var options = TopologyOptions(adopt: invocation.adopt, allowReplacement: invocation.allowReplacement)
        if let n = invocation.maxConcurrentCalls { options.maxConcurrentCalls = n }
        if let r = invocation.requestsPerSecond { options.requestsPerSecond = r > 0 ? r : nil }
        return options
    }

    func run() async -> Int32 {
        do {
            guard let file = invocation.file else {
                throw UsageError(message: "the following arguments are required: --file", showUsage: true)
            }
            let topology = try Topology.load(contentsOfFile: file)
            let client = try Runner.makeClient(globals: invocation.globals, environment: environment, describing: invocation.verb.rawValue)
            let options = self.options
            let plan = invocation.verb == .destroy
                ? try await client.planDestroy(topology, options: options)
                : try await client.plan(topology, options: options)
            if invocation.verb == .plan {
                show(plan)
                if !plan.refusals.isEmpty { return ExitCode.usage }
                return invocation.detailedExitCode && !plan.isEmpty ? 2 : ExitCode.success
            }
            guard !plan.isEmpty else {
                show(plan)
                return ExitCode.success
            }
            guard plan.refusals.isEmpty else {
                show(plan)
                return ExitCode.usage
            }
            if !json { Console.out(plan.text + "\n") }
            guard try confirmed() else {
                Console.out("\(invocation.verb == .destroy ? "Destroy" : "Apply") cancelled; nothing was changed.\n")
                return 1
            }
            let json = self.json
            let result = try await client.apply(plan, options: options) { event in
                guard !json, event.kind != .started else { return }
                Console.out(Self.line(event))
            }
            if json {
                Console.out(Self.jsonText(["plan": Self.encoded(plan), "result": Self.encoded(result)]) + "\n")
            } else {
                Console.out("\n" + result.summary)
            }
            if result.succeeded { return ExitCode.success }
            return result.errors.values.contains { $0 is any LatticeModeledError || $0 is AWSServiceError } ? ExitCode.serviceError : ExitCode.other
        } catch {
            return report(error)
        }
    }

    func show(_ plan: TopologyPlan) {
        Console.out(json ? Self.jsonText(Self.encoded(plan)) + "\n" : plan.text)
    }

    /// `--auto-approve`, or `yes` typed on a terminal.
    func confirmed() throws(UsageError) -> Bool {
        if invocation.autoApprove { return true }
        guard isatty(STDIN_FILENO) != 0 else {
            throw UsageError(message: "lattice \(invocation.verb.rawValue) asks before it changes anything, and standard input is not a terminal: review the plan (lattice plan), then run again with --auto-approve")
        }
        Console.out("Do you want to \(invocation.verb == .destroy ? "destroy these resources" : "perform these actions")? Only 'yes' is accepted: ")
        return readLine().map(trimmed) == "yes"
    }

    /// `  finished service.provider-svc: create (0.4s)`.
    static func line(_ event: TopologyEvent) -> String {
        let seconds = (event.elapsed * 10).rounded() / 10
        let kind = event.kind.rawValue
        var text = "  \(kind)\(String(repeating: " ", count: max(1, 9 - kind.count)))\(event.address): \(event.step) (\(seconds)s)"
        if let detail = event.detail { text += ": \(detail)" }
        return text + "\n"
    }

    static func encoded(_ value: some Encodable) -> JSON {
        let encoder = LatticeJSON.encoder()
        guard let data = try? encoder.encode(value), let parsed = try? JSONParser.parse(String(decoding: data, as: UTF8.self)) else { return .null }
        return parsed
    }

    static func jsonText(_ members: [String: JSON]) -> String {
        jsonText(.object(members.keys.sorted().compactMap { key in members[key].map { JSON.Member(key: key, value: $0) } }))
    }

    static func jsonText(_ value: JSON) -> String { value.pythonIndented }

    /// Prints the error as the other commands do and picks the exit status.
    func report(_ error: any Error) -> Int32 {
        switch error {
        case let e as TopologyError:
            Console.err("\n\(e)\n")
            return ExitCode.usage
        case let e as TopologyPlanRefused:
            Console.err("\n\(e)\n")
            return ExitCode.usage
        case let e as any LatticeModeledError:
            Console.err("\nAn error occurred (\(type(of: e).code)) while planning: \(e.message ?? "")\n")
            return ExitCode.serviceError
        default:
            return ErrorReporter(context: ErrorContext(command: nil, input: .object([]))).report(error)
        }
    }
}
