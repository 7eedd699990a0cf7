#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

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
        var (configuration, environment) = configuration(globals: globals, environment: environment)
        guard globals.debug else { return try LatticeClient(configuration, environment: environment) }
        configuration.interceptors.append(DebugInterceptor())
        let client = try LatticeClient(configuration, environment: environment)
        let settings = client.settings
        Debug.log("lattice \(Version.cli) (\(LatticeClient.userAgent)), \(describing)")
        Debug.log("region \(settings.region), endpoint \(settings.endpoint.url) (from \(settings.endpointSource)), profile \(settings.profileName), retries \(settings.retry.mode.rawValue) with at most \(settings.retry.maxAttempts) attempts, validation \(configuration.validation.rawValue)")
        return client
    }

    /// The configuration the global options describe, and the environment they adjust.
    static func configuration(globals: GlobalOptions, environment: RuntimeEnvironment) -> (LatticeConfiguration, RuntimeEnvironment) {
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
        return (configuration, environment)
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
        ParsedURL(url).map { String($0.authority) }
    }

    /// One request: bind (validating), send through the client's retries, and shape the answer.
    func call(_ client: LatticeClient, _ input: JSON, _ timestamps: TimestampFormat) async throws -> JSON {
        let request = try command.descriptor.request(client, Data(input.compact.utf8))
        let response = try await client.send(request)
        let document = try OutputShaper.document(operation: command.operation, status: response.status, body: response.body)
        return OutputShaper(timestamps: timestamps).shape(operation: command.operation, document: document)
    }
}
