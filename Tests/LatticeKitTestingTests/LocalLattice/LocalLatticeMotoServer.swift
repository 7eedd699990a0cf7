import Foundation
@testable import LatticeKit

/// A moto_server on 127.0.0.1 for the length of one test (Tests/Support/moto.sh), started
/// through LatticeKit's posix_spawn runner (Foundation's Process would wait for the
/// descriptor the backgrounded moto inherits). A copy of the one in LatticeKitTests.
final class LocalLatticeMotoServer: Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("Tests/Support/moto.sh").path

    let url: String
    private let pidFile: String

    init() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-local-moto-\(UUID().uuidString).pid").path
        let out = try await ProcessRunner.run("bash '\(Self.script)' start '\(pidFile)'", variables: ProcessInfo.processInfo.environment)
        guard out.exitCode == 0 else {
            throw Failure(description: "moto did not start: \(String(decoding: out.stderr, as: UTF8.self))")
        }
        self.pidFile = pidFile
        url = String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() async {
        _ = try? await ProcessRunner.run("bash '\(Self.script)' stop '\(pidFile)'", variables: ProcessInfo.processInfo.environment)
        try? FileManager.default.removeItem(atPath: pidFile)
        try? FileManager.default.removeItem(atPath: pidFile + ".log")
    }

    /// The operations moto implements (Tests/Oracles/moto_coverage.json).
    static func implemented() throws -> Set<String> {
        struct Coverage: Decodable { let implemented: [String] }
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Tests/Oracles/moto_coverage.json"))
        return Set(try JSONDecoder().decode(Coverage.self, from: data).implemented)
    }
}
