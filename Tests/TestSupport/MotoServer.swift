import Foundation
@testable import LatticeKit

/// A moto_server on 127.0.0.1 for the length of one test (Tests/Support/moto.sh).
///
/// Started through LatticeKit's posix_spawn runner, not Foundation's Process: moto outlives
/// the script that starts it, and Foundation's Process waits for a descriptor that the
/// backgrounded moto inherits, so waitUntilExit would never return.
public final class MotoServer: Sendable {
    public let url: String
    private let pidFile: String
    /// The repository's root, found from this file's path.
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("Tests/Support/moto.sh").path

    public init() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-moto-\(UUID().uuidString).pid").path
        let out = try await ProcessRunner.run("bash '\(Self.script)' start '\(pidFile)'", variables: ProcessInfo.processInfo.environment)
        guard out.exitCode == 0 else {
            throw MotoServerError(description: "moto did not start: \(String(decoding: out.stderr, as: UTF8.self)) (make test installs the pinned moto)")
        }
        self.pidFile = pidFile
        url = String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func stop() async {
        _ = try? await ProcessRunner.run("bash '\(Self.script)' stop '\(pidFile)'", variables: ProcessInfo.processInfo.environment)
        try? FileManager.default.removeItem(atPath: pidFile)
        try? FileManager.default.removeItem(atPath: pidFile + ".log")
    }
}

public struct MotoServerError: Error, CustomStringConvertible {
    public let description: String
}
