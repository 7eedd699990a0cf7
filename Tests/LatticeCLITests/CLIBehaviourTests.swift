import Foundation
import Testing
import LatticeTestSupport
import LatticeKit

/// The command line itself: option names and forms, help, exit statuses, --dry-run, --debug,
/// configuration from the environment and profiles. Option forms are checked against the aws
/// CLI (same command line, same request) where the aws CLI has the same form.
@Suite struct CLIBehaviourTests {
    /// A server that answers every request with `body` (200) and records it.
    static func server(_ body: String = "{}", status: Int = 200) throws -> LoopbackServer {
        try LoopbackServer { _ in .respond(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8)) }
    }

    /// The `--name` options help lists for a command.
    static func helpOptions(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("  --") && !$0.hasPrefix("  --cli-input-json") }.flatMap { line in
            line.split(separator: " ").filter { $0.hasPrefix("--") }.map(String.init)
        }
    }

    @Test func everyCommandAndOptionIsNamedAsTheAWSCLINamesIt() async throws {
        let sandbox = try CLI.Sandbox()
        let names = OperationDescriptor.all.flatMap { $0.spec.members.map(\.name) } + OperationDescriptor.all.map(\.spec.name)
        let botocore = try await Oracle.botocoreCLINames(Array(Set(names)))
        let globals: Set<String> = ["--region", "--profile", "--endpoint-url", "--output", "--debug", "--no-paginate", "--max-items", "--starting-token",
                                    "--page-size", "--cli-connect-timeout", "--cli-read-timeout", "--cli-attempt-timeout", "--cli-call-timeout", "--no-verify-ssl", "--validation", "--dry-run",
                                    "--color", "--version", "--cli-input-json", "--no-cli-pager", "--ca-bundle", "--cli-binary-format", "--reveal-secrets"]
        let top = try await CLI.lattice(["help"], sandbox)
        #expect(top.status == 0)
        let commandsSection = top.stdout.components(separatedBy: "Commands:\n").last?.components(separatedBy: "\n\n").first ?? ""
        // Each line: the command, then its one-line description (CLIHelpTests checks those).
        let listed = commandsSection.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed == OperationDescriptor.all.map(\.cliName))
        let helps = try await CLI.parallel(OperationDescriptor.all.count, width: 2) { i in try await CLI.lattice([OperationDescriptor.all[i].cliName, "help"], sandbox) }
        for (d, help) in zip(OperationDescriptor.all, helps) {
            #expect(d.cliName == botocore[d.spec.name], "\(d.spec.name)")
            var expected: [String] = []
            for m in d.spec.members.filter(\.required) + d.spec.members.filter({ !$0.required }) {
                let flag = "--" + (botocore[m.name] ?? "?")
                expected.append(flag)
                if m.type == "boolean" { expected.append("--no-" + flag.dropFirst(2)) }
                #expect(!globals.contains(flag), "\(d.cliName): \(flag) would shadow a global option")
            }
            #expect(help.status == 0)
            #expect(Self.helpOptions(help.stdout) == expected, "\(d.cliName) help:\n\(help.stdout)")
            // Required members first, each with its type and where it goes.
            if let required = help.stdout.range(of: "Required:"), let optional = help.stdout.range(of: "Optional:") {
                #expect(required.lowerBound < optional.lowerBound)
            }
            for m in d.spec.members {
                #expect(help.stdout.contains("\(m.name): "), "\(d.cliName): \(m.name)")
            }
        }
        #expect(try await CLI.lattice(["get-service", "--help"], sandbox).stdout.contains("--service-identifier <value>  serviceIdentifier: string, uri"))
        #expect(try await CLI.lattice(["--help"], sandbox).stdout == top.stdout)
        #expect(try await CLI.lattice(["help", "get-service"], sandbox).stdout == (try await CLI.lattice(["get-service", "help"], sandbox).stdout))
    }

    /// The same option forms through both CLIs give the same request.
    @Test func optionFormsSendWhatTheAWSCLISends() async throws {
        _ = try await CLI.requireAWS()
        let server = try Self.server()
        let sandbox = try CLI.Sandbox()
        let config = try sandbox.file("config.json", "{\"port\": 8080, \"protocol\": \"HTTP\", \"vpcIdentifier\": \"vpc-0123456789abcdef0\", \"healthCheck\": {\"enabled\": true, \"path\": \"/health\", \"matcher\": {\"httpCode\": \"200\"}}}")
        let policy = try sandbox.file("policy.json", "{\"Version\":\"2012-10-17\",\"Statement\":[]}")
        let sn = "sn-0123456789abcdef0", svc = "svc-0123456789abcdef0", tg = "tg-0123456789abcdef0"
        let arn = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"
        let lines: [[String]] = [
            ["create-service-network-vpc-association", "--service-network-identifier", sn, "--vpc-identifier", "vpc-0123456789abcdef0",
             "--security-group-ids", "sg-0123456789abcdef0", "sg-0123456789abcdef1", "--private-dns-enabled", "--tags", "team=platform,env=dev", "--client-token", "t1"],
            ["create-service-network-vpc-association", "--service-network-identifier", sn, "--vpc-identifier", "vpc-0123456789abcdef0",
             "--no-private-dns-enabled", "--client-token", "t2", "--security-group-ids", "[\"sg-0123456789abcdef0\"]"],
            ["create-listener", "--service-identifier", svc, "--name", "http-80", "--protocol", "HTTP", "--port", "80", "--client-token", "t3",
             "--default-action", "{\"forward\": {\"targetGroups\": [{\"targetGroupIdentifier\": \"\(tg)\", \"weight\": 1}]}}"],
            ["create-target-group", "--name", "provider-tg", "--type", "IP", "--config", "file://\(config)", "--client-token", "t4", "--tags", "{\"a\": \"b\"}"],
            ["register-targets", "--target-group-identifier", tg, "--targets", "[{\"id\":\"10.0.1.10\",\"port\":8080},{\"id\":\"10.0.1.11\"}]"],
            ["register-targets", "--target-group-identifier", tg, "--targets", "{\"id\":\"10.0.1.10\",\"port\":8080}", "{\"id\":\"10.0.1.11\"}"],
            ["untag-resource", "--resource-arn", arn, "--tag-keys", "team", "env", "a b"],
            ["put-auth-policy", "--resource-identifier", svc, "--policy", "file://\(policy)"],
            ["list-service-network-resource-associations", "--service-network-identifier", sn, "--include-children"],
            ["list-services", "--max-results", "5", "--next-token", "abc/def+=="],
            ["create-service-network", "--cli-input-json", "{\"name\": \"from-json\", \"authType\": \"NONE\", \"clientToken\": \"t5\"}", "--name", "from-option"],
            ["update-target-group", "--target-group-identifier", tg, "--health-check", "{\"path\": \"/healthz\", \"healthCheckIntervalSeconds\": 10}"],
            ["create-rule", "--service-identifier", svc, "--listener-identifier", "listener-0123456789abcdef0", "--name", "api-404", "--priority", "10",
             "--match", "{\"httpMatch\": {\"pathMatch\": {\"match\": {\"prefix\": \"/api\"}}}}", "--action", "{\"fixedResponse\": {\"statusCode\": 404}}", "--client-token", "t6"],
        ]
        let runs = try await CLI.parallel(lines.count, width: 3) { n in
            (try await CLI.lattice(lines[n] + ["--endpoint-url", "\(server.url)/c\(n)/lattice"], sandbox),
             try await CLI.aws(lines[n] + ["--endpoint-url", "\(server.url)/c\(n)/aws"], sandbox))
        }
        for (n, (ours, theirs)) in runs.enumerated() {
            let label = lines[n].prefix(1).joined()
            #expect(ours.status == 0 && theirs.status == 0, "\(label): \(ours.stderr) | \(theirs.stderr)")
            let mine = server.requests.filter { $0.target.hasPrefix("/c\(n)/lattice/") }.map { var r = $0; r.target = String(r.target.dropFirst("/c\(n)/lattice".count)); return r }
            let other = server.requests.filter { $0.target.hasPrefix("/c\(n)/aws/") }.map { var r = $0; r.target = String(r.target.dropFirst("/c\(n)/aws".count)); return r }
            let problems = try AWSParityTests.compareRequests(mine, other)
            #expect(problems.isEmpty, "\(label): \(problems)")
        }
    }

    /// The dry-run document of a command line.
    static func dryRun(_ arguments: [String], _ sandbox: CLI.Sandbox) async throws -> [String: Any] {
        let r = try await CLI.lattice(arguments + ["--dry-run"], sandbox)
        guard r.status == 0, let doc = try JSONText.parse(r.stdout) as? [String: Any] else { throw Failure("dry run failed (\(r.status)): \(r.stderr)") }
        return doc
    }

    static func body(_ doc: [String: Any]) throws -> [String: Any] {
        try JSONText.parse(doc["body"] as? String ?? "") as? [String: Any] ?? [:]
    }

    /// Forms the aws CLI does not have (or treats differently): documented lattice behaviour.
    @Test func listOptionsAccumulateAndBooleansTakeValues() async throws {
        let sandbox = try CLI.Sandbox()
        let base = ["create-service-network-vpc-association", "--service-network-identifier", "sn-0123456789abcdef0", "--vpc-identifier", "vpc-0123456789abcdef0",
                    "--endpoint-url", "http://127.0.0.1:9"]
        // Repeated list options add up (argparse would keep the last); --name=value is one value.
        let repeated = try await Self.body(Self.dryRun(base + ["--security-group-ids", "sg-0123456789abcdef0", "--security-group-ids=sg-0123456789abcdef1", "--security-group-ids", "sg-0123456789abcdef2"], sandbox))
        #expect(repeated["securityGroupIds"] as? [String] == ["sg-0123456789abcdef0", "sg-0123456789abcdef1", "sg-0123456789abcdef2"])
        // --name=value, --flag=false, and the last of --x / --no-x wins.
        let flags = try await Self.body(Self.dryRun(base + ["--private-dns-enabled=false"], sandbox))
        #expect(flags["privateDnsEnabled"] as? Bool == false)
        let last = try await Self.body(Self.dryRun(base + ["--no-private-dns-enabled", "--private-dns-enabled"], sandbox))
        #expect(last["privateDnsEnabled"] as? Bool == true)
        // Global options after the command, and the optional leading `vpc-lattice`.
        let doc = try await Self.dryRun(["vpc-lattice", "--region", "eu-west-1", "get-service", "--service-identifier", "svc-0123456789abcdef0"], sandbox)
        #expect(doc["url"] as? String == "https://vpc-lattice.eu-west-1.amazonaws.com/services/svc-0123456789abcdef0")
        // Quoted map shorthand values keep their commas.
        let tags = try await Self.body(Self.dryRun(base + ["--tags", "a=\"x,y\",b=z"], sandbox))
        #expect(tags["tags"] as? [String: String] == ["a": "x,y", "b": "z"])
        // A JSON null in --cli-input-json is "not given".
        let nulls = try await Self.body(Self.dryRun(base + ["--cli-input-json", "{\"tags\": null, \"privateDnsEnabled\": null}"], sandbox))
        #expect(nulls["tags"] == nil && nulls["privateDnsEnabled"] == nil)
    }

    @Test func invalidCommandLinesExit252AndSendNothing() async throws {
        let server = try Self.server()
        let sandbox = try CLI.Sandbox()
        let e = ["--endpoint-url", server.url]
        let svc = ["--service-identifier", "svc-0123456789abcdef0"]
        let cases: [(args: [String], says: String)] = [
            (["get-service"] + svc + ["--bogus", "1"] + e, "Unknown options: --bogus, 1"),
            (["get-servic"] + svc + e, "Invalid choice 'get-servic': did you mean get-service?"),
            (["get-service"] + e, "the following arguments are required: --service-identifier"),
            ([], "the following arguments are required: command"),
            (["get-service", "--cli-input-json", "{bad"] + e, "Error parsing parameter 'cli-input-json': Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            (["get-service", "--cli-input-json", "{\"serviceIdentifier\": \"svc-0123456789abcdef0\", \"bogus\": 1}"] + e, "Unknown parameter in input: \"bogus\", must be one of: serviceIdentifier"),
            (["get-service", "--cli-input-json", "file:///nonexistent/input.json"] + e, "Unable to load paramfile file:///nonexistent/input.json"),
            (["create-listener", "--service-identifier", "svc-0123456789abcdef0", "--name", "x", "--protocol", "HTTP", "--port", "eighty", "--default-action", "{}"] + e, "invalid literal for int() with base 10: 'eighty'"),
            (["create-target-group", "--name", "x", "--type", "IP", "--config", "port=80"] + e, "expected JSON text"),
            (["get-service", "--service-identifier", "svc-1"] + e, "Parameter validation failed"),
            (["get-service", "--service-identifier", "svc-01234567890abcdefXYZ"] + e, "does not match the pattern"),
            (["list-services", "--no-paginate", "--max-items", "2"] + e, "Cannot specify --no-paginate along with pagination arguments: --max-items"),
            (["list-services", "--next-token", "x", "--starting-token", "y"] + e, "Cannot specify --no-paginate along with pagination arguments: --starting-token"),
            (["get-service", "--max-items", "2"] + svc + e, "Unknown options: --max-items, 2"),
            (["get-service", "--output", "yaml"] + svc + e, "argument --output: Invalid choice 'yaml'"),
            (["get-service", "--validation", "lenient"] + svc + e, "argument --validation: Invalid choice"),
            (["get-service", "--service-identifier"] + e, "argument --service-identifier: expected one argument"),
            (["register-targets", "--target-group-identifier", "tg-0123456789abcdef0", "--targets"] + e, "argument --targets: expected at least one argument"),
            (["create-listener", "--service-identifier", "svc-0123456789abcdef0", "--name", "x", "--protocol", "HTTP", "--default-action", "{\"forward\": 3}"] + e, "Parameter validation failed"),
        ]
        let runs = try await CLI.parallel(cases.count, width: 2) { i in try await CLI.lattice(cases[i].args, sandbox) }
        for (c, r) in zip(cases, runs) {
            #expect(r.status == 252, "\(c.args): exit \(r.status): \(r.stderr)")
            #expect(r.stderr.contains(c.says), "\(c.args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(server.requests.isEmpty, "nothing is sent for an invalid command line")
        // Relaxed validation lets a pattern through, off lets a length through.
        #expect(try await CLI.lattice(["get-service", "--service-identifier", "svc-01234567890abcdefXYZ", "--validation", "relaxed"] + e, sandbox).status == 0)
        #expect(try await CLI.lattice(["get-service", "--service-identifier", "svc-1", "--validation", "off"] + e, sandbox).status == 0)
        #expect(server.requests.count == 2)
    }

    @Test func configurationProblemsExit253() async throws {
        let server = try Self.server()
        let noRegion = try CLI.Sandbox()
        noRegion.environment["AWS_DEFAULT_REGION"] = nil
        let r1 = try await CLI.lattice(["list-services", "--endpoint-url", server.url], noRegion)
        #expect(r1.status == 253 && r1.stderr.contains("No AWS region"), "\(r1.stderr)")
        #expect(r1.stderr.contains("Set one with --region") && !r1.stderr.contains("LatticeConfiguration"), "the CLI speaks in flags: \(r1.stderr)")
        let noCredentials = try CLI.Sandbox()
        noCredentials.environment["AWS_ACCESS_KEY_ID"] = nil
        noCredentials.environment["AWS_SECRET_ACCESS_KEY"] = nil
        let r2 = try await CLI.lattice(["list-services", "--endpoint-url", server.url], noCredentials)
        #expect(r2.status == 253, "\(r2.stderr)")
        let r3 = try await CLI.lattice(["list-services", "--endpoint-url", server.url, "--profile", "nosuchprofile"], try CLI.Sandbox())
        #expect(r3.status == 253 && r3.stderr.contains("nosuchprofile"), "\(r3.stderr)")
        let badSetting = try CLI.Sandbox(extra: ["AWS_USE_FIPS_ENDPOINT": "maybe"])
        #expect(try await CLI.lattice(["list-services", "--endpoint-url", server.url], badSetting).status == 253)
        #expect(server.requests.isEmpty)
    }

    @Test func networkFailuresExit255() async throws {
        let sandbox = try CLI.Sandbox(extra: ["AWS_MAX_ATTEMPTS": "1"])
        // Nothing listens on port 9 of the loopback (discard is not running here).
        let refused = try await CLI.lattice(["list-services", "--endpoint-url", "http://127.0.0.1:9"], sandbox)
        #expect(refused.status == 255, "\(refused.stderr)")
        #expect(refused.stderr.contains("127.0.0.1"))
        // --cli-read-timeout reaches the transport: a server that does not answer for 10 s.
        let gate = DispatchSemaphore(value: 0)
        let slow = try LoopbackServer { _ in .after(gate, .respond(status: 200, headers: [], body: Array("{}".utf8))) }
        let started = Date()
        let timedOut = try await CLI.lattice(["list-services", "--endpoint-url", slow.url, "--cli-read-timeout", "1"], sandbox)
        gate.signal()
        #expect(timedOut.status == 255, "\(timedOut.stderr)")
        #expect(Date().timeIntervalSince(started) < 8)
        // A service that hands back the same next token twice: botocore's PaginationError.
        let looping = try LoopbackServer { _ in .respond(status: 200, headers: [], body: Array("{\"items\":[],\"nextToken\":\"same\"}".utf8)) }
        let loop = try await CLI.lattice(["list-services", "--endpoint-url", looping.url], sandbox)
        #expect(loop.status == 255 && loop.stderr.contains("The same next token was received twice"), "\(loop.stderr)")
    }

    /// --dry-run prints the request signed at the current time, as botocore would sign it, and
    /// sends nothing; --reveal-secrets shows its token and signature.
    @Test func dryRunPrintsTheSignedRequestAndSendsNothing() async throws {
        let server = try Self.server()
        let sandbox = try CLI.Sandbox(extra: ["AWS_SESSION_TOKEN": "session/token+dry==run"])
        let doc = try await Self.dryRun(["create-service", "--name", "provider-svc", "--client-token", "c1", "--tags", "a=b", "--endpoint-url", server.url, "--reveal-secrets"], sandbox)
        #expect(server.requests.isEmpty)
        #expect(doc["method"] as? String == "POST")
        #expect(doc["url"] as? String == "\(server.url)/services")
        let headers = try #require(doc["headers"] as? [String: String])
        #expect(headers["host"] == "127.0.0.1:\(server.port)")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["x-amz-security-token"] == "session/token+dry==run")
        #expect(JSONText.same(try Self.body(doc), ["name": "provider-svc", "clientToken": "c1", "tags": ["a": "b"]]))
        let date = try #require(headers["x-amz-date"])
        let age = abs(Date().timeIntervalSince(try #require(Self.amzDate(date))))
        #expect(age < 120, "signed at the current time")
        let input = try JSONText.string([
            "method": "POST", "url": doc["url"]!, "headers": headers.filter { !["authorization", "x-amz-date", "x-amz-security-token", "host"].contains($0.key) }.map { [$0.key, $0.value] },
            "body_hex": Data((doc["body"] as? String ?? "").utf8).map { String(format: "%02x", $0) }.joined(),
            "access_key": sandbox.environment["AWS_ACCESS_KEY_ID"]!, "secret_key": sandbox.environment["AWS_SECRET_ACCESS_KEY"]!,
            "token": "session/token+dry==run", "region": "us-east-1", "service": "vpc-lattice", "time": date,
        ] as [String: Any])
        let oracle = try await CLI.run("/usr/bin/env", ["python3", CLI.repoRoot.appendingPathComponent("Tests/Oracles/botocore_sigv4.py").path], environment: ProcessInfo.processInfo.environment, input: input + "\n")
        let signed = try #require(try JSONText.parse(oracle.stdout) as? [String: Any], "\(oracle.stderr)")
        #expect(headers["authorization"] == signed["authorization"] as? String)
    }

    /// Without --reveal-secrets, --dry-run redacts what would let someone replay the request or
    /// use the session: the token, the access key id and the signature (as --debug does).
    @Test func dryRunRedactsTheTokenAndSignature() async throws {
        let sandbox = try CLI.Sandbox(extra: ["AWS_SESSION_TOKEN": "session/token+dry==run"])
        let args = ["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", "http://127.0.0.1:9"]
        let r = try await CLI.lattice(args + ["--dry-run"], sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        for secret in ["session/token+dry==run", sandbox.environment["AWS_ACCESS_KEY_ID"]!, sandbox.environment["AWS_SECRET_ACCESS_KEY"]!] {
            #expect(!r.stdout.contains(secret), "--dry-run printed a secret:\n\(r.stdout)")
        }
        let headers = try #require((try JSONText.parse(r.stdout) as? [String: Any])?["headers"] as? [String: String])
        #expect(headers["x-amz-security-token"] == "[redacted]")
        let authorization = try #require(headers["authorization"])
        let day = try #require(headers["x-amz-date"]?.prefix(8))
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=[redacted]/\(day)/us-east-1/vpc-lattice/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[redacted]", "\(authorization)")
        let revealed = try await Self.dryRun(args + ["--reveal-secrets"], sandbox)["headers"] as? [String: String]
        #expect(revealed?["x-amz-security-token"] == "session/token+dry==run")
        #expect(revealed?["authorization"]?.contains("Credential=AKIDCLIPARITYTEST/") == true)
        #expect(revealed?["authorization"]?.contains("Signature=[redacted]") == false)
        // --reveal-secrets is for --dry-run only: --debug never prints secrets.
        let misplaced = try await CLI.lattice(args + ["--debug", "--reveal-secrets"], sandbox)
        #expect(misplaced.status == 252 && misplaced.stderr.contains("--reveal-secrets only applies to --dry-run"), "\(misplaced.stderr)")
        #expect(try await CLI.lattice(["help"], sandbox).stdout.contains("--reveal-secrets"))
    }

    static func amzDate(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.date(from: s)
    }

    @Test func debugShowsTheExchangeWithSecretsRedacted() async throws {
        let server = try Self.server("{\"items\":[]}")
        let sandbox = try CLI.Sandbox(extra: ["AWS_SESSION_TOKEN": "session-token-secret-value"])
        let r = try await CLI.lattice(["list-services", "--debug", "--endpoint-url", server.url], sandbox)
        #expect(r.status == 0)
        #expect(JSONText.same(try JSONText.parse(r.stdout), ["items": [Any]()]))
        #expect(r.stderr.contains("[debug] request: GET \(server.url)/services"))
        #expect(r.stderr.contains("[debug] response: HTTP 200"))
        #expect(r.stderr.contains("x-amz-security-token: [redacted]"))
        #expect(r.stderr.contains("Signature=[redacted]"))
        for secret in ["session-token-secret-value", sandbox.environment["AWS_SECRET_ACCESS_KEY"]!, sandbox.environment["AWS_ACCESS_KEY_ID"]!] {
            #expect(!r.stderr.contains(secret), "--debug printed a secret")
        }
        let signature = server.requests.first?.header("authorization")?.components(separatedBy: "Signature=").last ?? "?"
        #expect(!r.stderr.contains(signature))
    }

    /// The profile's cli_timestamp_format and output, and AWS_DEFAULT_OUTPUT, as the aws CLI
    /// reads them.
    @Test func outputSettingsFromTheProfileAndEnvironmentMatchTheAWSCLI() async throws {
        _ = try await CLI.requireAWS()
        let body = "{\"id\":\"svc-0123456789abcdef0\",\"name\":\"s\",\"createdAt\":\"2026-11-21T12:34:56.789Z\",\"lastUpdatedAt\":\"2026-11-21T12:34:56Z\",\"dnsEntry\":{\"domainName\":\"d\"}}"
        let server = try Self.server(body)
        let args = ["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", server.url]
        var settings: [(String, [String: String], [String])] = [
            ("[default]\ncli_timestamp_format = iso8601\n", [:], []),
            ("[default]\noutput = text\n", [:], []),
            ("[profile other]\noutput = table\ncli_timestamp_format = iso8601\n", [:], ["--profile", "other"]),
            ("[default]\noutput = table\n", ["AWS_DEFAULT_OUTPUT": "text"], []),
            ("[default]\noutput = table\n", ["AWS_DEFAULT_OUTPUT": "text"], ["--output", "json"]),
        ]
        settings.append(("[default]\ncli_timestamp_format = none\n", [:], []))
        for (config, env, extra) in settings {
            let sandbox = try CLI.Sandbox(extra: env)
            _ = try sandbox.file("config", config)
            _ = try sandbox.file("credentials", "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n")
            let ours = try await CLI.lattice(args + extra, sandbox), theirs = try await CLI.aws(args + extra, sandbox)
            #expect(ours.status == 0 && theirs.status == 0, "\(config): \(ours.stderr) \(theirs.stderr)")
            #expect(ours.stdout == theirs.stdout, "\(config) \(env) \(extra):\n\(ours.stdout)\nvs the aws CLI's\n\(theirs.stdout)")
        }
        let iso = try CLI.Sandbox()
        _ = try iso.file("config", "[default]\ncli_timestamp_format = iso8601\n")
        #expect(try await CLI.lattice(args, iso).stdout.contains("\"createdAt\": \"2026-11-21T12:34:56.789000+00:00\""))
    }

    /// Region, endpoint and retry settings come from the library's configuration chain.
    @Test func theLibrarysConfigurationApplies() async throws {
        let sandbox = try CLI.Sandbox()
        sandbox.environment["AWS_DEFAULT_REGION"] = nil
        _ = try sandbox.file("config", "[default]\nregion = us-east-1\n[profile west]\nregion = us-west-2\n[profile local]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9/local\n")
        _ = try sandbox.file("credentials", "[west]\naws_access_key_id = AKIDWEST\naws_secret_access_key = west-secret\n[local]\naws_access_key_id = AKIDLOCAL\naws_secret_access_key = local-secret\n")
        let get = ["get-service", "--service-identifier", "svc-0123456789abcdef0"]
        #expect(try await Self.dryRun(get, sandbox)["url"] as? String == "https://vpc-lattice.us-east-1.amazonaws.com/services/svc-0123456789abcdef0")
        let west = try await Self.dryRun(get + ["--profile", "west", "--reveal-secrets"], sandbox)
        #expect(west["url"] as? String == "https://vpc-lattice.us-west-2.amazonaws.com/services/svc-0123456789abcdef0")
        // An explicit --profile uses the profile's keys, not the environment's (as botocore).
        let westHeaders = west["headers"] as? [String: String] ?? [:]
        let westAuthorization = westHeaders["authorization"] ?? ""
        #expect(westAuthorization.contains("Credential=AKIDWEST/"))
        let defaultHeaders = try await Self.dryRun(get + ["--reveal-secrets"], sandbox)["headers"] as? [String: String] ?? [:]
        let defaultAuthorization = defaultHeaders["authorization"] ?? ""
        #expect(defaultAuthorization.contains("Credential=AKIDCLIPARITYTEST/"))
        #expect(try await Self.dryRun(get + ["--profile", "local"], sandbox)["url"] as? String == "http://127.0.0.1:9/local/services/svc-0123456789abcdef0")
        let fips = try CLI.Sandbox(extra: ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_REGION": "us-east-2"])
        #expect(try await Self.dryRun(get, fips)["url"] as? String == "https://vpc-lattice-fips.us-east-2.amazonaws.com/services/svc-0123456789abcdef0")
        let env = try CLI.Sandbox(extra: ["AWS_ENDPOINT_URL_VPC_LATTICE": "http://127.0.0.1:9/env"])
        #expect(try await Self.dryRun(get, env)["url"] as? String == "http://127.0.0.1:9/env/services/svc-0123456789abcdef0")
        #expect(try await Self.dryRun(get + ["--endpoint-url", "http://127.0.0.1:9/flag"], env)["url"] as? String == "http://127.0.0.1:9/flag/services/svc-0123456789abcdef0")
        // AWS_MAX_ATTEMPTS: three attempts at a throttled call.
        let throttled = try LoopbackServer { _ in .respond(status: 429, headers: [("x-amzn-ErrorType", "ThrottlingException")], body: Array("{\"message\":\"slow down\"}".utf8)) }
        let three = try CLI.Sandbox(extra: ["AWS_MAX_ATTEMPTS": "3"])
        let r = try await CLI.lattice(get + ["--endpoint-url", throttled.url], three)
        #expect(r.status == 254 && r.errorLine == "An error occurred (ThrottlingException) when calling the GetService operation (reached max retries: 2): slow down", "\(r.stderr)")
        #expect(throttled.requests.count == 3)
    }

    @Test func versionAndNoFullFoundation() async throws {
        let sandbox = try CLI.Sandbox()
        let v = try await CLI.lattice(["--version"], sandbox)
        #expect(v.status == 0 && v.stdout.hasPrefix("lattice/") && v.stdout.contains("LatticeKit/"))
        let ldd = try await CLI.run("/usr/bin/ldd", [try CLI.requireLattice()], environment: ProcessInfo.processInfo.environment)
        #expect(ldd.status == 0)
        let libraries = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? "" }
        #expect(libraries.contains("libFoundationEssentials.so"))
        #expect(!libraries.contains { $0.hasPrefix("libFoundation.so") || $0.hasPrefix("libFoundationNetworking") || $0.hasPrefix("libFoundationInternationalization") || $0.hasPrefix("lib_FoundationICU") },
                "full Foundation is linked: \(libraries)")
    }
}
