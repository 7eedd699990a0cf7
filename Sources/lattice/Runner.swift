#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

/// Exit statuses of the aws CLI v2.
enum ExitCode {
    static let success: Int32 = 0
    /// The service answered with an error.
    static let serviceError: Int32 = 254
    /// The command line or the input is wrong; nothing was sent.
    static let usage: Int32 = 252
    /// No region, no credentials, a bad profile or setting.
    static let configuration: Int32 = 253
    /// Anything else (the network, an unreadable answer).
    static let other: Int32 = 255
}

/// Runs one command: input, configuration, the call (every page), the output.
struct Runner {
    let command: Command
    let parsed: ParsedCommand
    let environment: RuntimeEnvironment

    var globals: GlobalOptions { parsed.globals }

    func run() async -> Int32 {
        var context = ErrorContext(command: command, input: .object([]))
        do {
            let input = try InputBuilder(command: command, environment: environment.variables).build(parsed)
            context.input = input
            let pager = try pager()
            let display = try displaySettings()
            let client = try makeClient()
            context.settings = client.settings
            if globals.dryRun {
                return try await dryRun(client, pager.map { try $0.firstInput(input).0 } ?? input)
            }
            let printer = Printer(format: display.format, operation: command.operation, color: display.color)
            if let pager {
                let result = try await pager.run(input) { try await call(client, $0, display.timestamps) }
                printer.printPages(result, spec: pager.spec)
            } else {
                printer.print(try await call(client, input, display.timestamps))
            }
            return ExitCode.success
        } catch {
            return ErrorReporter(context: context).report(error)
        }
    }

    /// The pager when the command pages: not with `--no-paginate`, nor when the user passed
    /// the service's own token or page size options (as the aws CLI turns paging off then).
    func pager() throws(UsageError) -> Pager? {
        let pagingArguments = [("max-items", globals.maxItems != nil), ("starting-token", globals.startingToken != nil), ("page-size", globals.pageSize != nil)]
            .filter(\.1).map { "--" + $0.0 }
        guard let spec = command.pagination else { return nil }
        let manual = [spec.inputToken, spec.limitKey].compactMap { $0 }.contains { parsed.givenFlags.contains(CLIName.kebab($0)) }
        if globals.noPaginate || manual {
            if !pagingArguments.isEmpty {
                throw UsageError(message: "Error during pagination: Cannot specify --no-paginate along with pagination arguments: \(pagingArguments.joined(separator: ", "))")
            }
            return nil
        }
        return Pager(operation: command.operation, spec: spec, maxItems: globals.maxItems, startingToken: globals.startingToken, pageSize: globals.pageSize)
    }

    struct Display {
        var format: OutputFormat
        var timestamps: TimestampFormat
        var color: Bool
    }

    /// `--output`, else `AWS_DEFAULT_OUTPUT`, else the profile's `output`, else json; the
    /// profile's `cli_timestamp_format` (none or iso8601).
    func displaySettings() throws(UsageError) -> Display {
        var format = globals.output
        var timestamps = TimestampFormat.none
        let variables = environment.variables
        if format == nil, let v = variables["AWS_DEFAULT_OUTPUT"], !v.isEmpty {
            guard let f = OutputFormat(rawValue: v) else { throw UsageError(message: "AWS_DEFAULT_OUTPUT is '\(v)': use json, text or table") }
            format = f
        }
        // The profile is read again by the client; a missing one is reported from there.
        if let config = try? SharedConfig.load(environment: environment), let section = try? config.profile(explicit: globals.profile, environment: environment) {
            if format == nil, let v = section["output"], !v.isEmpty {
                guard let f = OutputFormat(rawValue: v) else { throw UsageError(message: "the profile's output is '\(v)': use json, text or table") }
                format = f
            }
            if let v = section["cli_timestamp_format"], !v.isEmpty {
                guard let t = TimestampFormat(rawValue: v) else { throw UsageError(message: "the profile's cli_timestamp_format is '\(v)': use none or iso8601") }
                timestamps = t
            }
        }
        let color: Bool
        switch parsed.globals.color {
        case "on": color = true
        case "off": color = false
        default: color = Console.stdoutIsTerminal
        }
        return Display(format: format ?? .json, timestamps: timestamps, color: color)
    }

    func makeClient() throws -> LatticeClient {
        try Self.makeClient(globals: globals, environment: environment, describing: "\(command.name) → \(command.operation)")
    }

    /// The client the global options describe; `describing` names the command for --debug.
    static func makeClient(globals: GlobalOptions, environment: RuntimeEnvironment, describing: String) throws -> LatticeClient {
        var configuration = LatticeConfiguration(region: globals.region, endpoint: globals.endpointURL, profile: globals.profile)
        configuration.validation = globals.validation ?? .strict
        if let c = globals.connectTimeout { configuration.timeouts.connect = c }
        if let r = globals.readTimeout { configuration.timeouts.read = r }
        if let a = globals.attemptTimeout { configuration.timeouts.attempt = a }
        if let c = globals.callTimeout { configuration.callTimeout = c }
        if globals.noVerifySSL { configuration.verifyTLS = false }
        var environment = environment
        if let caBundle = globals.caBundle { environment.variables["AWS_CA_BUNDLE"] = caBundle }
        // As botocore does, an explicit --profile means that profile's credentials, not the
        // access keys in the environment (AWS_PROFILE does not have that effect).
        if globals.profile != nil {
            for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] { environment.variables[name] = nil }
        }
        guard globals.debug else { return try LatticeClient(configuration, environment: environment) }
        let settings = try ResolvedSettings.resolve(configuration, environment: environment)
        Debug.log("lattice \(Version.cli) (\(LatticeClient.userAgent)), \(describing)")
        Debug.log("region \(settings.region), endpoint \(settings.endpoint.url) (from \(settings.endpointSource)), profile \(settings.profileName), retries \(settings.retry.mode.rawValue) with at most \(settings.retry.maxAttempts) attempts, validation \(configuration.validation.rawValue)")
        let transport = DebugTransport(inner: try CurlTransport(configuration: settings.transport))
        return try LatticeClient(configuration, transport: transport, environment: environment)
    }

    /// Builds and signs the first request at the current time and prints it; sends nothing.
    /// The session token, the access key id and the signature are redacted, as --debug does
    /// (with them, the request can be replayed for a few minutes), unless --reveal-secrets.
    func dryRun(_ client: LatticeClient, _ input: JSON) async throws -> Int32 {
        let request = try command.descriptor.request(client, Data(input.compact.utf8))
        let signed = try await client.signedRequest(request, date: environment.now())
        var headers: [JSON.Member] = []
        // The signature covers `host`; the HTTP library adds the header from the URL.
        if !signed.headers.contains("host"), let host = Self.authority(signed.url) {
            headers.append(.init(key: "host", value: .string(host)))
        }
        for field in signed.headers.fields {
            let value = globals.revealSecrets ? field.value : Redaction.header(field.name, field.value)
            if let k = headers.firstIndex(where: { $0.key == field.name }), case let .string(old) = headers[k].value {
                headers[k].value = .string(old + "," + value)
            } else {
                headers.append(.init(key: field.name, value: .string(value)))
            }
        }
        let document = JSON.object([
            .init(key: "method", value: .string(signed.method)),
            .init(key: "url", value: .string(signed.url)),
            .init(key: "headers", value: .object(headers)),
            .init(key: "body", value: .string(String(decoding: signed.body, as: UTF8.self))),
        ])
        Console.out(document.pythonIndented + "\n")
        return ExitCode.success
    }

    /// `host[:port]` of a URL.
    static func authority(_ url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : String(host)
    }

    /// One request: bind (validating), send through the client's retries, and shape the answer.
    func call(_ client: LatticeClient, _ input: JSON, _ timestamps: TimestampFormat) async throws -> JSON {
        let request = try command.descriptor.request(client, Data(input.compact.utf8))
        let response = try await client.send(request)
        let document = try OutputShaper.document(operation: command.operation, status: response.status, body: response.body)
        return OutputShaper(timestamps: timestamps).shape(operation: command.operation, document: document)
    }
}

struct Printer {
    let format: OutputFormat
    let operation: String
    let color: Bool

    func print(_ response: JSON) {
        switch format {
        case .json:
            if response != .object([]) { Console.out(response.pythonIndented + "\n") }
        case .text:
            Console.out(TextFormatter.format(response))
        case .table:
            var table = TableFormatter(terminalWidth: Console.terminalWidth, color: color)
            // The table escapes what the service sent; its colors are control sequences.
            let text = table.format(title: operation, response)
            if color { Console.outStyled(text) } else { Console.out(text) }
        }
    }

    /// Paged output: json and table print the merged result; text prints page by page and the
    /// resume token last, as the aws CLI's text formatter does.
    func printPages(_ result: Pager.Result, spec: PaginationSpec) {
        guard format == .text else {
            print(result.merged(resultKey: spec.resultKey))
            return
        }
        var out = ""
        for page in result.pages {
            out += TextFormatter.format(.object([.init(key: spec.resultKey, value: page[spec.resultKey] ?? .null)]))
        }
        if let token = result.resumeToken {
            out += TextFormatter.format(.object([.init(key: "NextToken", value: .object([.init(key: "NextToken", value: .string(token))]))]))
        }
        Console.out(out)
    }
}

enum Version {
    static let cli = "0.1.0"
    /// `lattice/0.1.0 LatticeKit/0.1 vpc-lattice/2022-11-30`.
    static var line: String {
        let library = LatticeClient.userAgent.split(separator: " ").first.map(String.init) ?? LatticeClient.userAgent
        return "lattice/\(cli) \(library) vpc-lattice/2022-11-30"
    }
}

// MARK: - --debug

enum Debug {
    static func log(_ line: String) { Console.err("[debug] " + line + "\n") }
}

/// What --debug and --dry-run print of header values.
enum Redaction {
    /// The value with secrets taken out: signatures, tokens, anything that looks like a secret.
    /// An Authorization header keeps its scheme, scope and signed headers (what was signed, for
    /// which date, region and service) without the access key id and the signature.
    static func header(_ name: String, _ value: String) -> String {
        let n = name.lowercased()
        if n == "authorization" {
            let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            var scope = ""
            if let r = value.firstRange(of: "Credential=") {
                let credential = value[r.upperBound...].prefix { $0 != "," && $0 != " " }
                if let slash = credential.firstIndex(of: "/") { scope = String(credential[slash...]) }
            }
            var signed = ""
            if let r = value.firstRange(of: "SignedHeaders=") {
                signed = String(value[r.lowerBound...].prefix { $0 != "," })
            }
            return "\(scheme) Credential=[redacted]\(scope), \(signed), Signature=[redacted]"
        }
        if n.contains("token") || n.contains("secret") || n.contains("password") || n.contains("cookie") || n.contains("credential") {
            return "[redacted]"
        }
        return value
    }
}

/// Prints each request and response (or transport failure) to stderr for `--debug`.
final class DebugTransport: Transport {
    let inner: any Transport

    init(inner: any Transport) { self.inner = inner }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        Debug.log("request: \(request.method) \(request.url)")
        for f in request.headers.fields { Debug.log("  \(f.name): \(Redaction.header(f.name, f.value))") }
        if !request.body.isEmpty { Debug.log("  body: \(String(decoding: request.body, as: UTF8.self))") }
        do {
            let response = try await inner.send(request)
            Debug.log("response: HTTP \(response.status)")
            for f in response.headers.fields { Debug.log("  \(f.name): \(Redaction.header(f.name, f.value))") }
            if !response.body.isEmpty { Debug.log("  body: \(response.bodyText)") }
            return response
        } catch {
            Debug.log("no response: \(error)")
            throw error
        }
    }
}
