import Foundation
import LatticeTestSupport
import Testing

/// Runs the Python oracles under Tests/Oracles (botocore pinned in Tests/requirements.txt).
enum PythonOracle {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `python3 script args` with `input` on stdin; returns stdout's JSON lines.
    static func lines(_ script: String, _ arguments: [String] = [], input: [Data] = []) throws -> [[String: Any]] {
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-oracle-\(UUID().uuidString).jsonl")
        var joined = Data()
        for line in input {
            joined.append(line)
            joined.append(0x0a)
        }
        try joined.write(to: inputURL)
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
            throw OracleFailure(description: "python3 \(script) exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self).suffix(2000))\nRun `make test`, which installs the pinned Python tools (Tests/requirements.txt).")
        }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw OracleFailure(description: "\(script) printed a line that is not a JSON object: \($0.prefix(200))")
            }
            return object
        }
    }

    static func json(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    }

    /// Parsed-JSON equality (key order and formatting ignored).
    static func sameJSON(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x as [String: Any], y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { sameJSON(v, $0) } ?? false }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        case let (x as NSNumber, y as NSNumber):
            return x == y
        case let (x as String, y as String):
            return x == y
        case (is NSNull, is NSNull):
            return true
        default:
            return false
        }
    }
}

struct OracleFailure: Error, CustomStringConvertible {
    let description: String
}
