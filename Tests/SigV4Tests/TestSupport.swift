import Foundation
import LatticeTestSupport
import Testing

enum Oracle {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The botocore version pinned in Tests/requirements.txt.
    static var pinnedBotocore: String? {
        guard let text = try? String(contentsOf: repoRoot.appendingPathComponent("Tests/requirements.txt"), encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("botocore==") {
            return String(line.dropFirst("botocore==".count))
        }
        return nil
    }

    /// Runs a Python oracle script with `input` on stdin and returns its stdout. Fails the
    /// calling test (with the way to fix it) when python3 or the script fails.
    static func runPython(_ script: String, arguments: [String] = [], input: Data) throws -> Data {
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-oracle-\(UUID().uuidString).jsonl")
        try input.write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot.appendingPathComponent(script).path] + arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try ProcessLaunch.run(process)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleError(message: "python3 \(script) exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self).suffix(2000))\nRun `make test`, which installs the pinned Python tools (Tests/requirements.txt).")
        }
        return data
    }
}

struct OracleError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
