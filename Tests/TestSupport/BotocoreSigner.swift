import Foundation

/// Requests to Lattice services signed by botocore's SigV4Auth (signing name
/// vpc-lattice-svcs, x-amz-content-sha256: UNSIGNED-PAYLOAD), through
/// Tests/Oracles/lattice_sigv4_sign.py: what a Python client of a Lattice service sends.
public enum BotocoreSigner {
    public struct Request: Encodable, Sendable {
        public var method: String
        public var url: String
        public var headers: [[String]]
        public var region: String
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String?
        /// Whether to send x-amz-content-sha256: UNSIGNED-PAYLOAD, as Lattice requires.
        public var unsignedPayloadHeader: Bool

        public init(method: String, url: String, headers: [[String]] = [], region: String, accessKeyId: String, secretAccessKey: String,
                    sessionToken: String? = nil, unsignedPayloadHeader: Bool = true) {
            self.method = method
            self.url = url
            self.headers = headers
            self.region = region
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
            self.unsignedPayloadHeader = unsignedPayloadHeader
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The headers of each request once botocore has signed it (without Host, which botocore
    /// signs from the URL).
    public static func sign(_ requests: [Request]) throws -> [[(name: String, value: String)]] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let (input, output, errors) = (work.appendingPathComponent("in"), work.appendingPathComponent("out"), work.appendingPathComponent("err"))
        try JSONEncoder().encode(requests).write(to: input)
        let shell = try ProcessLaunch.run(URL(fileURLWithPath: "/bin/sh"), arguments: [
            "-c", #"python3 "$0" < "$1" > "$2" 2> "$3""#,
            BackgroundServer.repoRoot.appendingPathComponent("Tests/Oracles/lattice_sigv4_sign.py").path, input.path, output.path, errors.path,
        ])
        shell.waitUntilExit()
        guard shell.terminationStatus == 0 else {
            let problem = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw Failure(description: "botocore could not sign (\(shell.terminationStatus)): \(problem.suffix(2000)); run `make test`, which installs botocore")
        }
        let lists = try JSONDecoder().decode([[[String]]].self, from: Data(contentsOf: output))
        return lists.map { $0.compactMap { $0.count == 2 ? (name: $0[0], value: $0[1]) : nil } }
    }
}
