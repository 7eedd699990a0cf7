import Foundation
import Testing
import LatticeTestSupport

/// Hostile input the CLI hands to the library: dot-segment identifiers, files that are not
/// regular files or are too big, servers that trickle, commands that never end.
@Suite struct CLILibraryBoundsTests {
    @Test func deleteRuleWithADotDotIdentifierNeverReachesTheListener() async throws {
        let server = try LoopbackServer { _ in .respond(status: 204, headers: [], body: []) }
        let sandbox = try CLI.Sandbox()
        let arguments = ["delete-rule", "--service-identifier", "svc-1", "--listener-identifier", "listener-1", "--rule-identifier", "..",
                         "--validation", "off", "--endpoint-url", server.url]
        let r = try await CLI.lattice(arguments, sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(server.requests.map(\.target) == ["/services/svc-1/listeners/listener-1/rules/%2E%2E"])
        // --dry-run shows exactly what went on the wire.
        let dry = try await CLI.lattice(arguments + ["--dry-run"], sandbox)
        let doc = try JSONText.parse(dry.stdout) as? [String: Any]
        #expect(doc?["url"] as? String == server.url + "/services/svc-1/listeners/listener-1/rules/%2E%2E")
    }

    /// `lattice` with a bound: a command that blocks fails the test instead of hanging it.
    static func lattice(_ arguments: [String], _ sandbox: CLI.Sandbox, timeout: TimeInterval = 20) async throws -> CLI.Result {
        try await CLI.run(try CLI.requireLattice(), arguments, environment: sandbox.environment, timeout: timeout)
    }

    static func fifo(_ sandbox: CLI.Sandbox) throws -> String {
        let path = sandbox.directory.appendingPathComponent("pipe").path
        try #require(mkfifo(path, 0o600) == 0)
        return path
    }

    /// file:// values and --cli-input-json naming a FIFO, a device, a directory or a file over
    /// the cap: exit 252 at once, with the reason, nothing sent.
    @Test func fileValuesThatAreNotSmallRegularFilesAreRefused() async throws {
        let sandbox = try CLI.Sandbox()
        let fifo = try Self.fifo(sandbox)
        let big = try sandbox.file("big.json", "")
        try #require(truncate(big, off_t(16 * 1024 * 1024 + 1)) == 0)  // sparse
        let nowhere = ["--endpoint-url", "http://127.0.0.1:9"]
        let cases: [([String], String, String)] = [
            (["create-service-network", "--cli-input-json", "file://\(fifo)"], "cli-input-json", "it is a FIFO (named pipe), not a regular file"),
            (["create-service-network", "--cli-input-json", "file:///dev/zero"], "cli-input-json", "it is a character device, not a regular file"),
            (["put-auth-policy", "--resource-identifier", "svc-1", "--policy", "file://\(fifo)"], "policy", "it is a FIFO (named pipe), not a regular file"),
            (["put-auth-policy", "--resource-identifier", "svc-1", "--policy", "file:///dev/zero"], "policy", "it is a character device, not a regular file"),
            (["create-service-network", "--name", "fileb://\(sandbox.directory.path)"], "name", "it is a directory, not a regular file"),
            (["create-service-network", "--cli-input-json", "file://\(big)"], "cli-input-json", "the file is larger than the limit of 16 MiB"),
        ]
        for (arguments, option, reason) in cases {
            let r = try await Self.lattice(arguments + nowhere, sandbox)
            #expect(r.status == 252, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("Error parsing parameter '--\(option)': Unable to load paramfile "), "\(r.stderr)")
            #expect(r.stderr.contains(": \(reason). Give a readable regular file of at most 16 MiB."), "\(r.stderr)")
        }
    }

    /// AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE naming a FIFO or a device: exit 253 at
    /// once, naming the file and the variable.
    @Test func configFilesThatAreNotRegularFilesAreConfigurationErrors() async throws {
        let sandbox = try CLI.Sandbox()
        let fifo = try Self.fifo(sandbox)
        for (variable, path, kind) in [("AWS_CONFIG_FILE", fifo, "a FIFO (named pipe)"), ("AWS_SHARED_CREDENTIALS_FILE", fifo, "a FIFO (named pipe)"),
                                       ("AWS_CONFIG_FILE", "/dev/zero", "a character device")] {
            let saved = sandbox.environment[variable]
            sandbox.environment[variable] = path
            defer { sandbox.environment[variable] = saved }
            let r = try await Self.lattice(["list-services", "--endpoint-url", "http://127.0.0.1:9"], sandbox)
            #expect(r.status == 253, "\(variable)=\(path): \(r.stderr)")
            #expect(r.stderr.contains("Cannot read \(path): it is \(kind), not a regular file. Fix the file (a readable regular file of at most 16 MiB), or point \(variable) at another file."), "\(r.stderr)")
        }
    }

    /// A server that announces 2 GiB and sends 20 bytes a second never trips the read
    /// timeout; --cli-attempt-timeout and --cli-call-timeout end the command, each naming
    /// itself.
    @Test func aTricklingServerEndsAtTheAttemptAndCallTimeouts() async throws {
        let server = try LoopbackServer { _ in
            .trickle(head: "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\nContent-Type: application/json\r\n\r\n", bytes: 100_000, interval: 0.05)
        }
        let sandbox = try CLI.Sandbox()  // AWS_MAX_ATTEMPTS=2
        let base = ["list-services", "--endpoint-url", server.url, "--cli-read-timeout", "5"]

        var start = Date()
        let attempt = try await Self.lattice(base + ["--cli-attempt-timeout", "1"], sandbox, timeout: 30)
        var elapsed = Date().timeIntervalSince(start)
        #expect(attempt.status == 255, "\(attempt.stderr)")
        #expect(attempt.stderr.contains("no complete response from \(server.url) within 1 s (attempt timeout)"), "\(attempt.stderr)")
        #expect(attempt.stderr.contains("--cli-attempt-timeout"))
        #expect(attempt.stderr.contains("gave up after 2 attempts"))
        #expect(elapsed < 25, "ended after \(elapsed) s")   // the trickle alone would take 12 days; the bound is loose for a loaded machine

        start = Date()
        let call = try await Self.lattice(base + ["--cli-call-timeout", "1"], sandbox, timeout: 30)
        elapsed = Date().timeIntervalSince(start)
        #expect(call.status == 255, "\(call.stderr)")
        #expect(call.stderr.contains("(call timeout)"), "\(call.stderr)")
        #expect(call.stderr.contains("--cli-call-timeout"))
        #expect(elapsed < 25, "ended after \(elapsed) s")   // the trickle alone would take 12 days; the bound is loose for a loaded machine
    }
}
