import Foundation
import LatticeKit
import LatticeKitTesting
import SigV4
import Synchronization

/// A transport answering from a closure, counting what it was sent.
final class CassetteFakeTransport: Transport {
    let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse
    let sent = Mutex<[HTTPRequest]>([])

    init(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.handler = handler
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0.append(request) }
        return try await handler(request)
    }

    var requests: [HTTPRequest] { sent.withLock { $0 } }
}

/// A transport that fails the test if anything reaches it: the replay side of round trips.
struct CassetteNoNetwork: Transport {
    struct Reached: Error, CustomStringConvertible {
        var url: String
        var description: String { "a replay test reached the network: \(url)" }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw Reached(url: request.url)
    }
}

enum CassetteTestSupport {
    /// The repository's root, from this file's path.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The committed fixtures in the source tree (where record mode writes).
    static let sourceFixtures = repoRoot.appendingPathComponent("Tests/LatticeKitTestingTests/Fixtures")

    /// The fixtures as built into the test bundle (what replay reads).
    static func bundledFixtures() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CassetteError(.cassetteNotFound, "the test bundle has no Fixtures folder; check Package.swift's resources for LatticeKitTestingTests")
        }
        return url
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-cassette-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// No shared config files, fixed clock-free sleeper and random source.
    static func environment(_ extra: [String: String] = [:]) -> RuntimeEnvironment {
        RuntimeEnvironment(
            now: { Date() }, sleep: { _ in }, random: { 0.5 },
            variables: ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"].merging(extra) { $1 })
    }

    /// A client on `transport` with `credentials`, one attempt, relaxed validation (moto's IDs).
    static func client(_ transport: any Transport, credentials: AWSCredentials, endpoint: String = "http://127.0.0.1:9") throws -> LatticeClient {
        try LatticeClient(
            LatticeConfiguration(region: "us-east-1", endpoint: endpoint, credentials: credentials, validation: .relaxed, maxAttempts: 1),
            transport: transport, environment: environment())
    }

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")] + headers), body: Array(text.utf8))
    }

    static func request(_ method: String, _ url: String, body: String = "", headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    static func parse(_ bytes: [UInt8]) -> Cassette.JSONValue? {
        Cassette.JSONValue.parseDocument(bytes)
    }
}

/// Distinctive credentials for recording: every value is one a scan can find, and the secret
/// and token hold characters that percent-encoding changes (`/`, `+`, `=`).
enum RecordingCredentials {
    static let accessKeyId = "AKIDCASSETTERECORD01"
    static let secretAccessKey = "cassetteSecret/Key+With=Marks0123456789abcd"
    static let sessionToken = "IQoJb3JpZ2luX2VjECassetteSessionToken/+=zz9f3k2Lq8Wn4Rt7Yb1Xc6Vd0Ue5Sa"
    static let credentials = AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)

    /// Every spelling that would betray a secret in a file.
    static var leakForms: [String] {
        var forms: [String] = []
        for secret in [accessKeyId, secretAccessKey, sessionToken] {
            let encoded = PercentEncoding.encode(secret)
            forms += [secret, encoded, encoded.lowercased(), PercentEncoding.encode(encoded), secret.replacingOccurrences(of: "/", with: "\\/")]
        }
        return Array(Set(forms))
    }
}
