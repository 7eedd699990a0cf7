import Foundation
import LatticeTestSupport
import SigV4
import Synchronization
import Testing
@testable import LatticeKit

/// Answers a loopback server's requests in turn from a list (the last answer repeats).
final class ScriptedAnswers: Sendable {
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    private let answers: [Answer]
    private let served = Mutex(0)

    init(_ answers: [Answer]) { self.answers = answers }

    func next() -> LoopbackServer.Action {
        let index = served.withLock { count in
            defer { count += 1 }
            return count
        }
        let answer = answers[min(index, answers.count - 1)]
        return .respond(status: answer.status, headers: answer.headers, body: answer.body)
    }

    static func server(_ answers: [Answer]) throws -> LoopbackServer {
        let script = ScriptedAnswers(answers)
        return try LoopbackServer { _ in script.next() }
    }
}

/// A credentials source that hands out new temporary keys on every fetch: ASIA1, ASIA2...
final class NumberedCredentials: CredentialsProvider {
    private let fetched = Mutex(0)
    let expires: Bool

    init(expires: Bool = true) { self.expires = expires }

    var fetches: Int { fetched.withLock { $0 } }

    func credentials() async throws -> AWSCredentials {
        let n = fetched.withLock { count in
            count += 1
            return count
        }
        return AWSCredentials(
            accessKeyId: "ASIA\(n)", secretAccessKey: "secret\(n)", sessionToken: expires ? "token\(n)" : nil,
            expiration: expires ? testStart.addingTimeInterval(3600) : nil
        )
    }
}

/// Adds a header before signing, so that it is signed.
struct TraceHeader: Interceptor {
    func beforeSigning(_ request: inout HTTPRequest, context: InterceptorContext) async throws {
        request.headers.add(name: "x-trace-id", value: "trace-\(context.attempt)")
    }
}

/// Records every attempt: the metrics example of `Interceptor`'s documentation, as a test.
final class AttemptRecorder: Interceptor {
    struct Row: Sendable, Equatable {
        var service: String
        var operation: String
        var attempt: Int
        var status: Int?
        var latency: Double
        var signed: Bool
    }

    private let rows = Mutex<[Row]>([])
    private let signedAttempts = Mutex<Set<Int>>([])

    var recorded: [Row] { rows.withLock { $0 } }

    func afterSigning(_ request: HTTPRequest, context: InterceptorContext) {
        if request.headers["authorization"] != nil { signedAttempts.withLock { _ = $0.insert(context.attempt) } }
    }

    func attemptFinished(_ attempt: AttemptResult) {
        let signed = signedAttempts.withLock { $0.contains(attempt.context.attempt) }
        rows.withLock {
            $0.append(Row(
                service: attempt.context.service, operation: attempt.context.operation, attempt: attempt.context.attempt,
                status: attempt.status, latency: attempt.latency, signed: signed
            ))
        }
    }
}

@Suite("The request pipeline: STS and SSO retried and skew-corrected, interceptors, expired credentials")
struct PipelineTests {
    static let roleArn = "arn:aws:iam::123456789012:role/Deploy"
    static let source = AWSCredentials(accessKeyId: "AKIDSOURCE", secretAccessKey: "sourceSecret")
    /// An hour after `testStart`, as an HTTP date.
    static let serverDate = "Wed, 01 May 2024 13:00:00 GMT"

    static func curl() throws -> CurlTransport {
        try CurlTransport(configuration: .init(timeouts: HTTPTimeouts(connect: 5, read: 10), allowHTTP2: false))
    }

    static func stsAnswer(_ response: HTTPResponse, headers: [(String, String)] = []) -> ScriptedAnswers.Answer {
        ScriptedAnswers.Answer(status: response.status, headers: headers, body: response.body)
    }

    static func assumeRole(_ server: LoopbackServer, _ variables: [String: String] = [:]) async throws -> AWSCredentials {
        try await AssumeRoleCredentialsProvider(
            roleArn: roleArn, source: StaticCredentialsProvider(source), region: "us-west-2",
            transport: try curl(), environment: testEnvironment(["AWS_ENDPOINT_URL_STS": server.url].merging(variables) { $1 })
        ).credentials()
    }

    static let stsOK = stsSuccess("AssumeRole", keyId: "ASIAROLE", secret: "roleSecret", token: "roleToken", expiration: "2024-05-01T13:00:00Z")

    // MARK: - STS and SSO on the pipeline, against servers on 127.0.0.1

    @Test("STS AssumeRole is retried on throttling and on a 5xx, each attempt signed afresh")
    func stsRetried() async throws {
        let server = try ScriptedAnswers.server([
            Self.stsAnswer(stsError(status: 400, code: "Throttling", message: "Rate exceeded")),
            Self.stsAnswer(stsError(status: 503, code: "ServiceUnavailable", message: "try again")),
            Self.stsAnswer(Self.stsOK),
        ])
        defer { server.stop() }
        let creds = try await Self.assumeRole(server)
        #expect(creds.accessKeyId == "ASIAROLE")
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.target == "/" })
        #expect(requests.allSatisfy { $0.header("authorization")?.contains("Credential=AKIDSOURCE/20240501/us-west-2/sts/aws4_request") == true })
        #expect(requests.allSatisfy { $0.header("user-agent") == RequestPipeline.userAgent })
    }

    @Test("STS AssumeRole gives up after AWS_MAX_ATTEMPTS, and the error says how many attempts were made")
    func stsRetriesAreBounded() async throws {
        let server = try ScriptedAnswers.server([Self.stsAnswer(stsError(status: 500, code: "InternalFailure", message: "oops"))])
        defer { server.stop() }
        let error = await configurationError { _ = try await Self.assumeRole(server, ["AWS_MAX_ATTEMPTS": "2"]) }
        #expect(server.requests.count == 2)
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message.contains("InternalFailure") == true)
        #expect(error?.message.contains("2 attempts") == true)
    }

    @Test("STS AssumeRole is retried once with the clock corrected from the Date header of a skew error")
    func stsSkewCorrected() async throws {
        let server = try ScriptedAnswers.server([
            Self.stsAnswer(stsError(status: 400, code: "RequestExpired", message: "Request has expired."), headers: [("Date", Self.serverDate)]),
            Self.stsAnswer(Self.stsOK),
        ])
        defer { server.stop() }
        let creds = try await Self.assumeRole(server)
        #expect(creds.accessKeyId == "ASIAROLE")
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.first?.header("x-amz-date") == "20240501T120000Z")
        #expect(requests.last?.header("x-amz-date") == "20240501T130000Z")
    }

    static func ssoCredentials(_ server: LoopbackServer) async throws -> AWSCredentials {
        let home = try SSOCredentialsTests.Home(variables: ["AWS_ENDPOINT_URL_SSO": server.url])
        try home.writeToken(SSOCredentialsTests.corpFile, SSOCredentialsTests.sessionToken(expiresIn: 3600))
        return try await ProfileCredentialsProvider(profile: "dev", transport: try curl(), environment: home.environment).credentials()
    }

    static let ssoOK = ScriptedAnswers.Answer(status: 200, body: SSOCredentialsTests.roleCredentials().body)

    static func ssoError(_ status: Int, _ code: String, headers: [(String, String)] = []) -> ScriptedAnswers.Answer {
        ScriptedAnswers.Answer(status: status, headers: [("x-amzn-ErrorType", code)] + headers, body: Array(#"{"message":"no"}"#.utf8))
    }

    @Test("SSO GetRoleCredentials is retried on throttling and on a 5xx")
    func ssoRetried() async throws {
        let server = try ScriptedAnswers.server([
            Self.ssoError(429, "TooManyRequestsException"), Self.ssoError(500, "InternalServerException"), Self.ssoOK,
        ])
        defer { server.stop() }
        let creds = try await Self.ssoCredentials(server)
        #expect(creds == SSOCredentialsTests.expectedCredentials)
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.method == "GET" && $0.target.hasPrefix("/federation/credentials?account_id=123456789012") })
        #expect(requests.allSatisfy { $0.header("x-amz-sso_bearer_token") == SSOCredentialsTests.accessToken })
    }

    @Test("SSO GetRoleCredentials is retried once after a clock-skew error that carries the service's Date")
    func ssoSkewCorrected() async throws {
        let server = try ScriptedAnswers.server([
            Self.ssoError(400, "RequestTimeTooSkewed", headers: [("Date", Self.serverDate)]), Self.ssoOK,
        ])
        defer { server.stop() }
        let creds = try await Self.ssoCredentials(server)
        #expect(creds == SSOCredentialsTests.expectedCredentials)
        #expect(server.requests.count == 2)

        // Without a Date to correct by, the skew error is final.
        let noDate = try ScriptedAnswers.server([Self.ssoError(400, "RequestTimeTooSkewed"), Self.ssoOK])
        defer { noDate.stop() }
        let error = await configurationError { _ = try await Self.ssoCredentials(noDate) }
        #expect(error?.message.contains("RequestTimeTooSkewed") == true)
        #expect(noDate.requests.count == 1)
    }

    // MARK: - Interceptors

    static func client(_ transport: any Transport, clock: TestClock = TestClock(testStart), credentials: (any CredentialsProvider)? = nil, interceptors: [any Interceptor]) throws -> LatticeClient {
        let configuration = LatticeConfiguration(
            region: "us-east-1",
            credentials: credentials == nil ? AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "exampleSecret") : nil,
            credentialsProvider: credentials,
            interceptors: interceptors
        )
        let variables = ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        return try LatticeClient(configuration, transport: transport, environment: testEnvironment(variables, clock: clock))
    }

    @Test("a header added before signing is sent and signed")
    func interceptorAddsASignedHeader() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        let client = try Self.client(transport, interceptors: [TraceHeader()])
        _ = try await client.listServices()
        let request = try #require(transport.requests.first)
        #expect(request.headers["x-trace-id"] == "trace-1")
        let authorization = try #require(request.headers["authorization"])
        let signedHeaders = authorization.split(separator: " ").first { $0.hasPrefix("SignedHeaders=") }
        #expect(signedHeaders?.contains("x-trace-id") == true)

        // The signature is the one SigV4 computes over the request with the header in it.
        var unsigned = HTTPHeaders()
        for field in request.headers.fields where !["authorization", "x-amz-date"].contains(field.name.lowercased()) {
            unsigned.add(name: field.name, value: field.value)
        }
        var signable = SigV4Request(method: request.method, url: request.url, headers: unsigned)
        try SigV4Signer(credentials: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "exampleSecret"), region: "us-east-1", service: "vpc-lattice")
            .sign(&signable, payload: .empty, date: testStart)
        #expect(signable.headers["authorization"] == authorization)

        // --dry-run's path runs the same hook.
        let dry = try await client.signedRequest(OperationRequest(method: "GET", path: "/services", operation: "ListServices"), date: testStart)
        #expect(dry.headers["x-trace-id"] == "trace-1")
        #expect(dry.headers["authorization"]?.contains("x-trace-id") == true)
    }

    @Test("an interceptor sees every attempt: its number, the operation, the status or failure, the latency")
    func interceptorRecordsAttempts() async throws {
        let clock = TestClock(testStart)
        let calls = Mutex(0)
        let transport = FakeTransport { _ in
            clock.advance(0.25)
            let n = calls.withLock { count in
                count += 1
                return count
            }
            switch n {
            case 1: throw TransportError(.connectFailed, "connection refused")
            case 2: return HTTPResponse(status: 503, headers: ["x-amzn-ErrorType": "ServiceUnavailableException"], body: Array("{}".utf8))
            default: return HTTPResponse(status: 200, body: Array(#"{"items":[]}"#.utf8))
            }
        }
        let recorder = AttemptRecorder()
        let client = try Self.client(transport, clock: clock, interceptors: [recorder])
        _ = try await client.listServices()
        #expect(recorder.recorded == [
            AttemptRecorder.Row(service: "vpc-lattice", operation: "ListServices", attempt: 1, status: nil, latency: 0.25, signed: true),
            AttemptRecorder.Row(service: "vpc-lattice", operation: "ListServices", attempt: 2, status: 503, latency: 0.25, signed: true),
            AttemptRecorder.Row(service: "vpc-lattice", operation: "ListServices", attempt: 3, status: 200, latency: 0.25, signed: true),
        ])
    }

    @Test("interceptors of the configuration also see the STS call of the default chain")
    func interceptorsSeeCredentialCalls() async throws {
        let recorder = AttemptRecorder()
        let transport = FakeTransport { _ in Self.stsOK }
        var provider = AssumeRoleCredentialsProvider(
            roleArn: Self.roleArn, source: StaticCredentialsProvider(Self.source), region: "us-west-2",
            transport: transport, environment: testEnvironment([:])
        )
        provider.interceptors = [recorder]
        _ = try await provider.credentials()
        #expect(recorder.recorded == [AttemptRecorder.Row(service: "sts", operation: "AssumeRole", attempt: 1, status: 200, latency: 0, signed: true)])
    }

    @Test("an interceptor that throws before signing ends the call with its error; nothing is sent")
    func interceptorThrows() async throws {
        struct Refuse: Interceptor {
            struct Refused: Error {}
            func beforeSigning(_ request: inout HTTPRequest, context: InterceptorContext) async throws { throw Refused() }
        }
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        let client = try Self.client(transport, interceptors: [Refuse()])
        await #expect(throws: Refuse.Refused.self) { _ = try await client.listServices() }
        #expect(transport.requests.isEmpty)
    }

    // MARK: - Expired credentials

    /// Answers ExpiredTokenException to requests signed with ASIA1, 200 to the others.
    static func rejectingFirstKeys() -> FakeTransport {
        FakeTransport { request in
            if request.headers["authorization"]?.contains("Credential=ASIA1/") == true {
                return HTTPResponse(status: 403, headers: ["x-amzn-ErrorType": "ExpiredTokenException"], body: Array(#"{"message":"The security token included in the request is expired"}"#.utf8))
            }
            return HTTPResponse(status: 200, body: Array(#"{"items":[]}"#.utf8))
        }
    }

    @Test("credentials rejected as expired are dropped from the cache and the call is retried once with fresh ones")
    func expiredCredentialsRetriedOnce() async throws {
        let source = NumberedCredentials()
        let transport = Self.rejectingFirstKeys()
        let client = try Self.client(transport, credentials: CachingCredentialsProvider(source, environment: testEnvironment([:])), interceptors: [])
        _ = try await client.listServices()
        #expect(source.fetches == 2)
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests[0].headers["authorization"]?.contains("Credential=ASIA1/") == true)
        #expect(requests[1].headers["authorization"]?.contains("Credential=ASIA2/") == true)
        #expect(requests[1].headers["x-amz-security-token"] == "token2")

        // The fresh credentials stay cached: the next call does not fetch again.
        _ = try await client.listServices()
        #expect(source.fetches == 2)
    }

    @Test("credentials rejected again after the refresh are final: one retry, not a loop")
    func expiredCredentialsRetriedOnlyOnce() async throws {
        let source = NumberedCredentials()
        let transport = FakeTransport { _ in
            HTTPResponse(status: 403, headers: ["x-amzn-ErrorType": "ExpiredTokenException"], body: Array(#"{"message":"expired"}"#.utf8))
        }
        let client = try Self.client(transport, credentials: CachingCredentialsProvider(source, environment: testEnvironment([:])), interceptors: [])
        let error = await #expect(throws: AWSServiceError.self) { _ = try await client.send(OperationRequest(method: "GET", path: "/services", operation: "ListServices")) }
        #expect(error?.code == "ExpiredTokenException")
        #expect(error?.attempts == 2)
        #expect(transport.requests.count == 2)
        #expect(source.fetches == 2)
    }

    @Test("credentials that cannot be refreshed are not retried: static keys, and keys without an expiration")
    func staticCredentialsNotRetried() async throws {
        let reject = FakeTransport { _ in
            HTTPResponse(status: 403, headers: ["x-amzn-ErrorType": "ExpiredTokenException"], body: Array(#"{"message":"expired"}"#.utf8))
        }
        let client = try Self.client(reject, interceptors: [])
        await #expect(throws: AWSServiceError.self) { _ = try await client.listServices() }
        #expect(reject.requests.count == 1)

        let permanent = NumberedCredentials(expires: false)
        let cached = try Self.client(reject, credentials: CachingCredentialsProvider(permanent, environment: testEnvironment([:])), interceptors: [])
        await #expect(throws: AWSServiceError.self) { _ = try await cached.listServices() }
        #expect(reject.requests.count == 2)
        #expect(permanent.fetches == 1)
    }

    @Test("STS answering InvalidClientTokenId to a refreshable source's keys gets one retry with fresh source keys")
    func stsExpiredSourceRetried() async throws {
        let source = NumberedCredentials()
        let transport = FakeTransport { request in
            if request.headers["authorization"]?.contains("Credential=ASIA1/") == true {
                return stsError(status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid.")
            }
            return Self.stsOK
        }
        let provider = AssumeRoleCredentialsProvider(
            roleArn: Self.roleArn, source: CachingCredentialsProvider(source, environment: testEnvironment([:])), region: "us-west-2",
            transport: transport, environment: testEnvironment([:])
        )
        let creds = try await provider.credentials()
        #expect(creds.accessKeyId == "ASIAROLE")
        #expect(transport.requests.count == 2)
        #expect(source.fetches == 2)
    }
}
