import Foundation
import Testing
@testable import LatticeKit

/// credential_process with real shell commands that never end, leave children holding the
/// output pipe, or flood it: every call ends, within its limit, with a message that names the
/// profile and the setting to change and never quotes the output.
@Suite("credential_process bounds")
struct ProcessBoundsTests {
    struct TimedOut: Error, CustomStringConvertible {
        var description: String
    }

    /// `body`'s result, or an error after `seconds` if it has not finished (the body keeps
    /// running: a hung call fails the test instead of hanging it).
    static func bounded<T: Sendable>(_ seconds: Double = 20, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let results = Recorder<Result<T, any Error>>()
        let done = Signal()
        Task {
            do { results.append(.success(try await body())) } catch { results.append(.failure(error)) }
            done.fire()
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            done.fire()
        }
        await done.wait()
        timer.cancel()
        guard let result = results.all.first else { throw TimedOut(description: "the call did not end within \(seconds) s") }
        return try result.get()
    }

    static func provider(_ command: String, timeout: Double? = nil, variables: [String: String] = [:]) -> ProcessCredentialsProvider {
        ProcessCredentialsProvider(command: command, profileName: "slow", environment: testEnvironment(variables), timeout: timeout)
    }

    static func error(_ provider: ProcessCredentialsProvider) async throws -> ConfigurationError? {
        try await bounded { await configurationError { _ = try await provider.credentials() } }
    }

    /// True once `pid` is gone or a zombie (dead, not yet reaped by init).
    static func isDead(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Observes `pid` until it is dead (a SIGKILL is delivered asynchronously), at most ~5 s.
    static func becomesDead(_ pid: Int32) async throws -> Bool {
        for _ in 0..<5_000 where !isDead(pid) {
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        return isDead(pid)
    }

    static func pid(in file: String) throws -> Int32 {
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int32(text), "no pid in \(file): '\(text)'")
    }

    @Test("a command that never ends is stopped at the time limit, with every process it started")
    func neverEndingCommand() async throws {
        let dir = try TempDirectory()
        let pidFile = dir.path + "/child.pid"
        let error = try await Self.error(Self.provider("sleep 1000 & echo $! > '\(pidFile)'; wait", timeout: 0.5))
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message == "The credential_process of profile 'slow' did not finish within 0.5 s and was stopped, with every process it started. Fix: make the command answer sooner (it gets no terminal input), or allow it more time with credentialProcessTimeout (LatticeConfiguration) or ProcessCredentialsProvider.timeout.")
        // The background child was in the command's process group: killed too.
        #expect(try await Self.becomesDead(try Self.pid(in: pidFile)))
    }

    @Test("the time limit comes from LATTICE_CREDENTIAL_PROCESS_TIMEOUT when not set in code, and the message says so")
    func timeoutFromTheEnvironment() async throws {
        let error = try await Self.error(Self.provider("sleep 1000", variables: ["LATTICE_CREDENTIAL_PROCESS_TIMEOUT": "0.3"]))
        #expect(error?.message.contains("did not finish within 0.3 s") == true)
        #expect(error?.message.contains("LatticeConfiguration.credentialProcessTimeout or the LATTICE_CREDENTIAL_PROCESS_TIMEOUT environment variable (seconds)") == true)
        #expect(try Self.provider("true").resolvedTimeout().seconds == 60)
        for bad in ["soon", "0", "-1", "nan"] {
            let invalid = try await Self.error(Self.provider("true", variables: ["LATTICE_CREDENTIAL_PROCESS_TIMEOUT": bad]))
            #expect(invalid?.kind == .invalidConfiguration)
            #expect(invalid?.message.hasPrefix("LATTICE_CREDENTIAL_PROCESS_TIMEOUT is '\(bad)': set it to a number of seconds above 0") == true)
        }
    }

    @Test("LatticeConfiguration.credentialProcessTimeout reaches a profile's credential_process through the default chain")
    func timeoutFromTheConfiguration() async throws {
        let dir = try TempDirectory()
        let config = try dir.write("config", "[default]\ncredential_process = sleep 1000\n")
        let variables = ["HOME": dir.path, "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"]
        let configuration = LatticeConfiguration(region: "us-east-1", credentialProcessTimeout: 0.3)
        let provider = configuration.makeCredentialsProvider(transport: FakeTransport(routes: [:]), environment: testEnvironment(variables))
        let error = try await Self.bounded { await configurationError { _ = try await provider.credentials() } }
        #expect(error?.message.contains("The credential_process of profile 'default' did not finish within 0.3 s") == true, "\(String(describing: error))")
    }

    @Test("a command that exits while a child it started holds its output still answers at once")
    func childHoldingTheOutputPipe() async throws {
        let dir = try TempDirectory()
        let pidFile = dir.path + "/child.pid"
        let json = #"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "\#(secretMarker)"}"#
        // The default limit (60 s) is far away: only seeing the exit ends this read.
        let provider = Self.provider("(sleep 1000 & echo $! > '\(pidFile)'); echo '\(json)'")
        let credentials = try await Self.bounded { try await provider.credentials() }
        #expect(credentials.accessKeyId == "AKIDPROC")
        #expect(credentials.secretAccessKey == secretMarker)
        // The child was left running (the command exited normally); end it here.
        kill(try Self.pid(in: pidFile), SIGKILL)
    }

    @Test("a command that closes its output and keeps running is stopped at the time limit")
    func closedOutputButStillRunning() async throws {
        let error = try await Self.error(Self.provider("exec >&- 2>&-; sleep 1000", timeout: 0.3))
        #expect(error?.message.contains("did not finish within 0.3 s") == true)
    }

    @Test("a flood on standard output is capped and stopped, and the message quotes none of it")
    func outputFlood() async throws {
        let error = try await Self.error(Self.provider("yes '\(secretMarker)'"))
        #expect(error?.message == "The credential_process of profile 'slow' printed more than 1 MiB and was stopped. Fix: the command must print only the credentials JSON.")
        #expect(error?.message.contains(secretMarker) == false)
    }
}

extension ProcessBoundsTests {
    @Test("the command starts with no signal blocked or ignored, whatever the calling thread blocks")
    func cleanSignalState() async throws {
        // SigBlk and SigIgn of the shell that runs the command, as hex masks.
        let command = #"sed -n 's/^SigBlk:[[:space:]]*//p; s/^SigIgn:[[:space:]]*//p' /proc/$$/status | tr '\n' ' ' >&2; exit 1"#
        let error = try await Self.error(Self.provider(command, timeout: 10))
        let words = (error?.message ?? "").split(whereSeparator: { $0 == " " || $0 == "." || $0 == ":" })
        let masks = words.filter { $0.count == 16 && $0.allSatisfy(\.isHexDigit) }.map(String.init)
        #expect(masks.count == 2, "\(String(describing: error))")
        // Signals 1-31 only: 32 and 33 are glibc's own, which no program can set or reset.
        for mask in masks { #expect((UInt64(mask, radix: 16) ?? .max) & 0x7FFF_FFFF == 0, "\(masks)") }
    }
}
