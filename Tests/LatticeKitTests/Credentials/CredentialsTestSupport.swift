import Foundation
import LatticeKit
import SigV4
import Synchronization

/// A transport that records every request and answers from a handler.
final class FakeTransport: Transport {
    private let handler: @Sendable (HTTPRequest) throws -> HTTPResponse
    private let log = Mutex<[HTTPRequest]>([])

    init(_ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.handler = handler
    }

    /// Answers by "METHOD URL"; anything else is a connection failure.
    convenience init(routes: [String: HTTPResponse]) {
        self.init { request in
            if let response = routes["\(request.method) \(request.url)"] { return response }
            throw TransportError(.connectFailed, "no route for \(request.method) \(request.url)")
        }
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        log.withLock { $0.append(request) }
        return try handler(request)
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// 2024-05-01T12:00:00Z
let testStart = Date(timeIntervalSince1970: 1_714_564_800)

func testEnvironment(_ variables: [String: String], clock: TestClock = TestClock(testStart)) -> RuntimeEnvironment {
    RuntimeEnvironment(now: { clock.now }, sleep: { _ in }, random: { 0.5 }, variables: variables)
}

/// A temporary directory removed when the value is released.
final class TempDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ contents: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        let dir = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

/// Runs `body` and returns the ConfigurationError it throws (nil when it throws nothing or
/// something else).
func configurationError(_ body: () async throws -> Void) async -> ConfigurationError? {
    do {
        try await body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        return nil
    }
}

func stsSuccess(_ action: String, keyId: String, secret: String, token: String, expiration: String) -> HTTPResponse {
    HTTPResponse(status: 200, body: Array("""
        <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(action)Result>
            <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>
            <Credentials>
              <AccessKeyId>\(keyId)</AccessKeyId>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <SessionToken>\(token)</SessionToken>
              <Expiration>\(expiration)</Expiration>
            </Credentials>
          </\(action)Result>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </\(action)Response>
        """.utf8))
}

func stsError(status: Int = 403, code: String, message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Array("""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
          <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
        </ErrorResponse>
        """.utf8))
}

/// The form body as name → decoded value.
func formFields(_ request: HTTPRequest) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        fields[String(parts[0])] = PercentEncoding.decode(parts.count > 1 ? String(parts[1]) : "")
    }
    return fields
}

/// Re-signs `request` as STS would check it and returns the expected authorization header.
func expectedAuthorization(_ request: HTTPRequest, credentials: SigV4Credentials, region: String, date: Date) throws -> String? {
    var headers = HTTPHeaders()
    for field in request.headers where !HTTPHeaders.equalIgnoringCase(field.name, "authorization") {
        if HTTPHeaders.equalIgnoringCase(field.name, "x-amz-date") || HTTPHeaders.equalIgnoringCase(field.name, "x-amz-security-token") { continue }
        headers.add(name: field.name, value: field.value)
    }
    var signable = SigV4Request(method: request.method, url: request.url, headers: headers)
    try SigV4Signer(credentials: credentials, region: region, service: "sts").sign(&signable, payload: .bytes(request.body), date: date)
    return signable.headers["authorization"]
}

func dumped(_ value: Any) -> String {
    var out = ""
    dump(value, to: &out)
    return out
}
