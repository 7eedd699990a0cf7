import Foundation
import LatticeKit
import LatticeTestSupport
import SigV4
import Testing

/// The built local-lattice binary, started for one test on a port the system chooses, and
/// stopped when the test is done (also when it throws).
final class LocalLatticeProcess: @unchecked Sendable {
    let url: String
    let port: UInt16
    let process: Process
    private let directory: URL

    /// `LOCAL_LATTICE` names another binary (to run these tests against an older build);
    /// otherwise the one next to the test executable, else the debug or release build.
    static let binary: String? = {
        if let path = ProcessInfo.processInfo.environment["LOCAL_LATTICE"] { return path }
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("local-lattice").path)
        }
        for configuration in ["debug", "release"] {
            candidates.append(BackgroundServer.repoRoot.appendingPathComponent(".build/\(configuration)/local-lattice").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Starts local-lattice with `arguments`; with `openFiles`, under that RLIMIT_NOFILE (set
    /// by the shell that then becomes the server); with `environment`, with exactly those
    /// variables (else the test's own).
    init(_ arguments: [String] = [], openFiles: Int? = nil, environment: [String: String]? = nil) throws {
        guard let binary = Self.binary else {
            throw Failure("local-lattice is not built: run `swift build --build-tests` before `swift test`")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("local-lattice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("url").path
        process = Process()
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", binary, "--port-file", portFile] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--port-file", portFile] + arguments
        }
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: Self.emptyFile(directory.appendingPathComponent("stderr")))
        try ProcessLaunch.run(process)
        // Bounded: the server writes the file as soon as it listens.
        var text = ""
        for _ in 0..<1000 where process.isRunning {
            text = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if !text.isEmpty { break }
            usleep(10_000)
        }
        guard let port = text.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            let stderr = String(decoding: (try? Data(contentsOf: directory.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
            Self.halt(process)
            try? FileManager.default.removeItem(at: directory)
            throw Failure("local-lattice did not start: \(stderr)")
        }
        url = text
        self.port = port
    }

    private static func emptyFile(_ url: URL) -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    /// What the server wrote on stderr so far.
    var stderr: String {
        String(decoding: (try? Data(contentsOf: directory.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
    }

    /// Whether the server runs, and if not, how it ended.
    var state: String {
        process.isRunning ? "running" : "exited with \(process.terminationStatus) (\(process.terminationReason == .uncaughtSignal ? "signal" : "exit")); stderr: \(stderr.prefix(2000))"
    }

    /// Stops the server with SIGTERM (SIGKILL if it is still running 5 s later); whether
    /// SIGTERM alone stopped it.
    @discardableResult
    func stop() -> Bool {
        defer { try? FileManager.default.removeItem(at: directory) }
        return Self.halt(process)
    }

    @discardableResult
    private static func halt(_ process: Process) -> Bool {
        guard process.isRunning else { return true }
        process.terminate()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        return false
    }

    /// Runs `body` with this server, then stops it, also when `body` throws.
    func whileRunning<T>(_ body: (LocalLatticeProcess) async throws -> T) async throws -> T {
        defer { stop() }
        return try await body(self)
    }

    /// A client on this server: dummy static credentials, no configuration files, the
    /// service's retries.
    func client(region: String = "us-east-1", maxAttempts: Int? = nil) throws -> LatticeClient {
        let variables = ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        var environment = RuntimeEnvironment.live
        environment.variables = variables
        return try LatticeClient(
            LatticeConfiguration(region: region, endpoint: url, credentials: AWSCredentials(accessKeyId: "AKIDLOCALLATTICE", secretAccessKey: "local-lattice-test-secret"),
                                 maxAttempts: maxAttempts),
            environment: environment)
    }

    /// CPU seconds the server has used (user and system), from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// One raw TCP connection to 127.0.0.1, for bytes no HTTP client would send.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: UInt16) throws {
        guard let fd = LoopbackSocket.connect(port: port) else { throw Failure("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        self.fd = fd
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends every byte; false when the server closed or reset the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends `bytes` from another thread, all at once or one byte at a time with a pause (in
    /// microseconds) after each; stops when the server closes the connection.
    func sendInBackground(_ bytes: [UInt8], pauseAfterEachByte pause: UInt32? = nil) {
        Thread { [self] in
            guard let pause else {
                send(bytes)
                return
            }
            for byte in bytes {
                guard send([byte]) else { return }
                usleep(pause)
            }
        }.start()
    }

    /// Reads until the server closes the connection or `seconds` pass without a byte; what
    /// arrived.
    func readToEnd(seconds: Int = 20) -> [UInt8] {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return out }
            out += chunk[0..<n]
        }
    }

    /// Whether the server closed the connection (a read sees the end, not a timeout).
    func isClosedByServer(seconds: Int = 20) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n < 0, errno == EINTR { continue }
            return n == 0 || (n < 0 && errno == ECONNRESET)
        }
    }
}

/// The status code of the first response in `bytes` (`HTTP/1.1 400 ...`), or nil.
func statusCode(_ bytes: [UInt8]) -> Int? {
    let line = bytes.prefix { $0 != 0x0D }
    let words = String(decoding: line, as: UTF8.self).split(separator: " ")
    guard words.count >= 2, words[0].hasPrefix("HTTP/1.") else { return nil }
    return Int(words[1])
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
