import Foundation
import LatticeTestSupport
import Testing

/// Runs the built `lattice` binary and the installed `aws` CLI as subprocesses, with an
/// environment that reads no real configuration.
enum CLI {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `lattice` next to the running test executable (same build configuration), else
    /// the debug or release build.
    static let latticePath: String? = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("lattice").path)
        }
        candidates.append(repoRoot.appendingPathComponent(".build/debug/lattice").path)
        candidates.append(repoRoot.appendingPathComponent(".build/release/lattice").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The aws CLI next to python3's interpreter (skipping a pyenv shim, which costs a bash and
    /// a pyenv per call), else the first on PATH; looked up once.
    static func findAWS() async -> String? {
        if let known = awsPath.withLock({ $0 }) { return known }
        var found: String?
        let code = "import os,sys; print(os.path.join(os.path.dirname(os.path.realpath(sys.executable)), 'aws'))"
        if let r = try? await run("/usr/bin/env", ["python3", "-c", code], environment: ProcessInfo.processInfo.environment),
           r.status == 0 {
            let p = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.isExecutableFile(atPath: p) { found = p }
        }
        if found == nil {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":") {
                let p = "\(dir)/aws"
                if FileManager.default.isExecutableFile(atPath: p) { found = p; break }
            }
        }
        let result = found
        awsPath.withLock { $0 = result }
        return result
    }

    private static let awsPath = Locked<String?>(nil)

    static func requireLattice() throws -> String {
        guard let latticePath else {
            throw Failure("the lattice binary is not built: run `swift build --product lattice` before `swift test`")
        }
        return latticePath
    }

    static func requireAWS() async throws -> String {
        guard let awsPath = await findAWS() else { throw Failure("the aws CLI oracle is not installed: pip install awscli==1.45.11 (it pins botocore 1.43.11, as Tests/requirements.txt does)") }
        return awsPath
    }

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The `An error occurred ...` line, or the first non-empty line of stderr.
        var errorLine: String {
            let lines = stderr.split(separator: "\n").map(String.init)
            return lines.first { $0.hasPrefix("An error occurred") } ?? lines.first ?? ""
        }
    }

    /// A temporary HOME with empty config and credentials files, and the variables both CLIs
    /// need: dummy static credentials, us-east-1, no instance metadata, two attempts.
    final class Sandbox: @unchecked Sendable {
        let directory: URL
        var environment: [String: String]

        init(extra: [String: String] = [:]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lattice-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("config")
            let credentials = directory.appendingPathComponent("credentials")
            try Data().write(to: config)
            try Data().write(to: credentials)
            let inherited = ProcessInfo.processInfo.environment
            environment = [
                "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                "HOME": directory.path,
                "AWS_CONFIG_FILE": config.path,
                "AWS_SHARED_CREDENTIALS_FILE": credentials.path,
                "AWS_ACCESS_KEY_ID": "AKIDCLIPARITYTEST",
                "AWS_SECRET_ACCESS_KEY": "cli/parity+secret/key/0123456789abcdefgh",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_MAX_ATTEMPTS": "2",
                "AWS_RETRY_MODE": "standard",
                "PYTHONUTF8": "1",
                "LANG": "C.UTF-8",
            ]
            if let pyenv = inherited["PYENV_ROOT"] { environment["PYENV_ROOT"] = pyenv }
            for (k, v) in extra { environment[k] = v }
        }

        func file(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs a program to completion; stdout and stderr go through files (no pipe deadlock).
    /// Waits without blocking a thread: Swift Testing runs tests on the cooperative pool (two
    /// threads on a two-core machine), and a test blocked on a process would starve the
    /// asynchronous tests running beside it.
    /// With `stdoutTo`, standard output goes to that file, kept, and `stdout` is empty.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], input: String? = nil, timeout: TimeInterval = 60, stdoutTo: URL? = nil) async throws -> Result {
        let dir = FileManager.default.temporaryDirectory
        let inURL = dir.appendingPathComponent("cli-in-\(UUID().uuidString)")
        try Data((input ?? "").utf8).write(to: inURL)
        defer { try? FileManager.default.removeItem(at: inURL) }
        let outURL = stdoutTo ?? dir.appendingPathComponent("cli-out-\(UUID().uuidString)")
        let errURL = dir.appendingPathComponent("cli-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            if stdoutTo == nil { try? FileManager.default.removeItem(at: outURL) }
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let exited: Bool = try await withCheckedThrowingContinuation { continuation in
            // Resumed once: by the exit, by the deadline, or by a failure to start.
            let pending = Locked(true)
            let finish: @Sendable (Swift.Result<Bool, any Error>) -> Void = { outcome in
                if pending.withLock({ let first = $0; $0 = false; return first }) { continuation.resume(with: outcome) }
            }
            process.terminationHandler = { _ in finish(.success(true)) }
            do { try ProcessLaunch.run(process) } catch { finish(.failure(error)); return }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { finish(.success(false)) }
        }
        if !exited {
            process.terminate()
            throw Failure("\(executable) \(arguments.prefix(3).joined(separator: " ")) ran longer than \(Int(timeout)) s")
        }
        return Result(
            status: process.terminationStatus,
            stdout: stdoutTo != nil ? "" : String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        )
    }

    static func lattice(_ arguments: [String], _ sandbox: Sandbox, stdoutTo: URL? = nil) async throws -> Result {
        try await run(try requireLattice(), arguments, environment: sandbox.environment, stdoutTo: stdoutTo)
    }

    static func aws(_ arguments: [String], _ sandbox: Sandbox) async throws -> Result {
        try await run(try requireAWS(), ["vpc-lattice"] + arguments, environment: sandbox.environment)
    }

    /// Runs `body` for every index, `width` at a time (the aws CLI is CPU-bound at start-up;
    /// this machine has two cores); the results in index order.
    static func parallel<T: Sendable>(_ count: Int, width: Int = 4, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            while next < min(width, count) {
                let i = next
                group.addTask { (i, try await body(i)) }
                next += 1
            }
            while let (i, value) = try await group.next() {
                results[i] = value
                if next < count {
                    let k = next
                    group.addTask { (k, try await body(k)) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}

final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// JSON helpers for comparing what the two CLIs print and send.
enum JSONText {
    /// The parsed document; nil for empty text (an operation with empty output prints nothing).
    static func parse(_ text: String) throws -> Any? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        return try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
    }

    static func data(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    static func string(_ value: Any) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// Parsed-JSON equality: key order and formatting ignored, 1 == 1.0.
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x as [String: Any], y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (x as String, y as String):
            return x == y
        case let (x as NSNumber, y as NSNumber):
            return x == y
        case (is NSNull, is NSNull):
            return true
        default:
            return false
        }
    }
}

/// Runs the Python oracles in Tests/Oracles.
enum Oracle {
    static func lines(_ script: String, _ arguments: [String]) async throws -> [[String: Any]] {
        let result = try await CLI.run("/usr/bin/env", ["python3", CLI.repoRoot.appendingPathComponent(script).path] + arguments, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw Failure("python3 \(script) failed: \(result.stderr.suffix(1500))") }
        return try result.stdout.split(separator: "\n").map {
            guard let o = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else { throw Failure("\(script): not a JSON object line") }
            return o
        }
    }

    /// botocore's `xform_name(name, '-')` for each name.
    static func botocoreCLINames(_ names: [String]) async throws -> [String: String] {
        let code = "import json,sys\nfrom botocore import xform_name\nnames=json.loads(sys.argv[1])\nprint(json.dumps({n: xform_name(n, '-') for n in names}))"
        let r = try await CLI.run("/usr/bin/env", ["python3", "-c", code, try JSONText.string(names)], environment: ProcessInfo.processInfo.environment)
        guard r.status == 0, let map = try JSONText.parse(r.stdout) as? [String: String] else { throw Failure("botocore xform_name failed: \(r.stderr)") }
        return map
    }
}

/// The path, and the query as sorted decoded `name=value` pairs, of a request target.
func splitTarget(_ target: String) -> (path: String, query: [String]) {
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let query = parts.count > 1 ? parts[1].split(separator: "&").map { pair -> String in
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(kv[0]).removingPercentEncoding ?? String(kv[0])
        let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
        return name + "=" + value
    }.sorted() : []
    return (String(parts[0]), query)
}
