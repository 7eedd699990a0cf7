import Foundation
@testable import LatticeKit

/// A server a test starts through a script of Tests/Support whose interface is
/// `SCRIPT start PIDFILE` (prints how to reach the server on stdout, exits leaving it running,
/// its output in PIDFILE.log) and `SCRIPT stop PIDFILE`: moto.sh and h2_server.py.
///
/// Started through LatticeKit's posix_spawn runner, not Foundation's Process: the server
/// outlives the script that starts it, and Foundation's Process waits for a descriptor that
/// the backgrounded server inherits, so waitUntilExit would never return.
public struct BackgroundServer: Sendable {
    /// The repository's root, found from this file's path.
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private let command: String
    private let pidFile: String
    /// What the start command printed, trimmed.
    public let output: String

    /// Runs `COMMAND start PIDFILE ARGUMENTS`; `command` and `arguments` are shell words, such
    /// as `bash 'moto.sh'`. Throws with the script's stderr and `hint` when it fails.
    public init(_ command: String, arguments: String = "", name: String, hint: String) async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-\(name)-\(UUID().uuidString).pid").path
        let out = try await ProcessRunner.run("\(command) start '\(pidFile)' \(arguments)", variables: ProcessInfo.processInfo.environment, timeout: 300)
        guard out.exitCode == 0 else {
            throw BackgroundServerError(description: "\(name) did not start: \(String(decoding: out.stderr, as: UTF8.self)) (\(hint))")
        }
        self.command = command
        self.pidFile = pidFile
        output = String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `COMMAND stop PIDFILE` and removes the PID file and the log.
    public func stop() async {
        _ = try? await ProcessRunner.run("\(command) stop '\(pidFile)'", variables: ProcessInfo.processInfo.environment, timeout: 60)
        try? FileManager.default.removeItem(atPath: pidFile)
        try? FileManager.default.removeItem(atPath: pidFile + ".log")
    }
}

/// A server a test starts and must stop, whatever happens: MotoServer, H2Server.
public protocol StoppableServer: Sendable {
    func stop() async
}

extension StoppableServer {
    /// Runs `body` with this server, then stops the server, also when `body` throws.
    public func whileRunning<T>(_ body: (Self) async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            await stop()
            throw error
        }
        await stop()
        return result
    }
}

public struct BackgroundServerError: Error, CustomStringConvertible {
    public let description: String
}

/// The name the moto tests have always used.
public typealias MotoServerError = BackgroundServerError
