import Foundation
@testable import SigV4

/// One case of the AWS signing test suite (Tests/SigV4Tests/Resources, Apache-2.0, see LICENSE
/// and NOTICE there), read from its folder.
struct SuiteCase: CustomStringConvertible, Sendable {
    struct Context: Decodable, Sendable {
        struct Creds: Decodable, Sendable {
            let access_key_id: String
            let secret_access_key: String
            let token: String?
        }
        let credentials: Creds
        let expiration_in_seconds: Int
        let normalize: Bool
        let region: String
        let service: String
        let sign_body: Bool
        let timestamp: String
        let omit_session_token: Bool?
    }

    let name: String
    let folder: URL
    let context: Context
    let request: SigV4Request
    let body: [UInt8]

    var description: String { name }

    static let root: URL = Bundle.module.url(forResource: "Resources", withExtension: nil)!

    /// Every case of one suite; a case that cannot be read stops the run with its name.
    static func all(_ suite: String) -> [SuiteCase] {
        let dir = root.appendingPathComponent(suite)
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            return try names.sorted().map { try SuiteCase(folder: dir.appendingPathComponent($0)) }
        } catch {
            fatalError("cannot read the signing test suite at \(dir.path): \(error)")
        }
    }

    init(folder: URL) throws {
        self.folder = folder
        name = folder.lastPathComponent
        context = try JSONDecoder().decode(Context.self, from: Data(contentsOf: folder.appendingPathComponent("context.json")))
        (request, body) = try Self.parseRequest(String(decoding: Data(contentsOf: folder.appendingPathComponent("request.txt")), as: UTF8.self))
    }

    func text(_ file: String) -> String? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    var timestamp: Date {
        let f = ISO8601DateFormatter()
        return f.date(from: context.timestamp)!
    }

    var credentials: SigV4Credentials {
        SigV4Credentials(
            accessKeyId: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token
        )
    }

    /// The suite signs every header it sends, content-length included.
    var options: SigV4Options {
        SigV4Options(
            normalizePath: context.normalize,
            doubleEncodePath: true,
            signedHeaders: .allExcept(["authorization", "user-agent", "expect", "x-amzn-trace-id"]),
            addContentSHA256Header: context.sign_body,
            omitSessionTokenFromSigning: context.omit_session_token ?? false
        )
    }

    var payload: SigV4Payload { body.isEmpty ? .empty : .bytes(body) }

    /// Parses the suite's raw HTTP/1.1 request: a request line whose path may hold spaces,
    /// header lines (a line starting with white space continues the previous value), a blank
    /// line and the body.
    static func parseRequest(_ raw: String) throws -> (SigV4Request, [UInt8]) {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let (head, body): (Substring, Substring)
        if let split = normalized.range(of: "\n\n") {
            head = normalized[..<split.lowerBound]
            body = normalized[split.upperBound...]
        } else {
            head = normalized[...]
            body = ""
        }
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let firstSpace = requestLine.firstIndex(of: " ")!
        let lastSpace = requestLine.lastIndex(of: " ")!
        let method = String(requestLine[..<firstSpace])
        let path = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].1 += "\n" + line
            } else {
                let colon = line.firstIndex(of: ":")!
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let host = headers.first { $0.0.lowercased() == "host" }!.1
        let request = SigV4Request(method: method, url: "https://\(host)\(path)", headers: HTTPHeaders(headers))
        return (request, Array(body.utf8))
    }
}
