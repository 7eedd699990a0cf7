import Foundation
import Logging
import Synchronization
import Testing
@testable import LatticeKit
import SigV4

/// Captures log records so tests can check what a client logs.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    static let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        Self.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }
}

@Suite struct LatticeClientTests {
    static let secret = "SECRETxSECRETxSECRETxSECRETxSECRETxSECRE"
    static let token = "TOKENyTOKENyTOKENyTOKEN"
    static let credentials = SigV4Credentials(accessKeyId: "AKIDCLIENTTEST", secretAccessKey: secret, sessionToken: token)

    /// Variables with no shared config files to find.
    static func variables(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
            .merging(extra) { $1 }
    }

    static func settings(_ c: LatticeConfiguration, _ vars: [String: String]) throws -> ResolvedSettings {
        try ResolvedSettings.resolve(c, environment: testEnvironment(variables(vars)))
    }

    // MARK: Endpoints and region

    @Test func endpointComesFromTheRulesForTheRegion() throws {
        let s = try Self.settings(LatticeConfiguration(region: "eu-west-3"), [:])
        #expect(s.endpoint.url == "https://vpc-lattice.eu-west-3.amazonaws.com")
        #expect(s.endpointSource == "the vpc-lattice endpoint rules")
    }

    @Test func fipsAndDualStackComeFromTheEnvironment() throws {
        let fips = try Self.settings(LatticeConfiguration(region: "us-east-1"), ["AWS_USE_FIPS_ENDPOINT": "true"])
        #expect(fips.endpoint.url == "https://vpc-lattice-fips.us-east-1.amazonaws.com")
        let both = try Self.settings(LatticeConfiguration(region: "us-east-1"), ["AWS_USE_FIPS_ENDPOINT": "TRUE", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
        #expect(both.endpoint.url == "https://vpc-lattice-fips.us-east-1.api.aws")
        // The configuration beats the environment.
        let off = try Self.settings(LatticeConfiguration(region: "us-east-1", useFIPS: false), ["AWS_USE_FIPS_ENDPOINT": "true"])
        #expect(off.endpoint.url == "https://vpc-lattice.us-east-1.amazonaws.com")
        #expect(throws: ConfigurationError.self) { try Self.settings(LatticeConfiguration(region: "us-east-1"), ["AWS_USE_FIPS_ENDPOINT": "yes"]) }
    }

    @Test func customEndpointPrecedence() throws {
        let dir = try TempDirectory()
        let config = try dir.write("config", """
            [default]
            region = us-west-2
            endpoint_url = http://profile-global:1
            services = local
            [services local]
            vpc-lattice =
              endpoint_url = http://profile-service:2
            """)
        var vars = ["AWS_CONFIG_FILE": config, "AWS_ENDPOINT_URL": "http://env-global:3", "AWS_ENDPOINT_URL_VPC_LATTICE": "http://env-service:4"]
        #expect(try Self.settings(LatticeConfiguration(endpoint: "http://explicit:5"), vars).endpoint.url == "http://explicit:5")
        #expect(try Self.settings(LatticeConfiguration(), vars).endpoint.url == "http://env-service:4")
        vars["AWS_ENDPOINT_URL_VPC_LATTICE"] = nil
        #expect(try Self.settings(LatticeConfiguration(), vars).endpoint.url == "http://env-global:3")
        vars["AWS_ENDPOINT_URL"] = nil
        #expect(try Self.settings(LatticeConfiguration(), vars).endpoint.url == "http://profile-service:2")
        let noServices = try dir.write("config2", "[default]\nregion = us-west-2\nendpoint_url = http://profile-global:1\n")
        #expect(try Self.settings(LatticeConfiguration(), ["AWS_CONFIG_FILE": noServices]).endpoint.url == "http://profile-global:1")
        // Configured endpoints can be ignored on request; the explicit one still counts.
        let ignored = try Self.settings(LatticeConfiguration(), ["AWS_CONFIG_FILE": noServices, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
        #expect(ignored.endpoint.url == "https://vpc-lattice.us-west-2.amazonaws.com")
    }

    @Test func fipsWithACustomEndpointIsAnErrorNamingTheSource() throws {
        do {
            _ = try Self.settings(LatticeConfiguration(region: "us-east-1", useFIPS: true), ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("FIPS"))
            #expect(error.message.contains("AWS_ENDPOINT_URL"))
        }
        #expect(throws: ConfigurationError.self) {
            try Self.settings(LatticeConfiguration(region: "us-east-1", endpoint: "http://127.0.0.1:9", useDualStack: true), [:])
        }
    }

    @Test func noRegionIsAConfigurationErrorSayingHowToSetOne() throws {
        do {
            _ = try Self.settings(LatticeConfiguration(), [:])
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.kind == .noRegion)
            #expect(error.message.contains("AWS_REGION"))
            // A Swift caller is told the property, not the CLI's flag (the CLI maps it).
            #expect(error.message.contains("LatticeConfiguration.region") && !error.message.contains("--region"), "\(error.message)")
        }
    }

    @Test func retrySettingsComeFromConfigurationEnvironmentOrProfile() throws {
        #expect(try Self.settings(LatticeConfiguration(region: "us-east-1"), [:]).retry == RetryConfiguration(maxAttempts: 3, mode: .standard))
        #expect(try Self.settings(LatticeConfiguration(region: "us-east-1"), ["AWS_MAX_ATTEMPTS": "7", "AWS_RETRY_MODE": "adaptive"]).retry
            == RetryConfiguration(maxAttempts: 7, mode: .adaptive))
        #expect(try Self.settings(LatticeConfiguration(region: "us-east-1", maxAttempts: 2), ["AWS_MAX_ATTEMPTS": "7"]).retry.maxAttempts == 2)
        let dir = try TempDirectory()
        let config = try dir.write("config", "[profile ci]\nregion = us-east-1\nmax_attempts = 5\nretry_mode = legacy\n")
        let fromProfile = try Self.settings(LatticeConfiguration(profile: "ci"), ["AWS_CONFIG_FILE": config])
        #expect(fromProfile.retry == RetryConfiguration(maxAttempts: 5, mode: .standard))
        #expect(throws: ConfigurationError.self) { try Self.settings(LatticeConfiguration(region: "us-east-1"), ["AWS_MAX_ATTEMPTS": "zero"]) }
    }

    @Test func transportSettingsComeFromTheEnvironment() throws {
        let s = try Self.settings(
            LatticeConfiguration(region: "us-east-1", timeouts: HTTPTimeouts(connect: 2, read: 7), verifyTLS: false),
            ["AWS_CA_BUNDLE": "/tmp/ca.pem", "HTTPS_PROXY": "http://proxy:3128"])
        #expect(s.transport.caBundlePath == "/tmp/ca.pem")
        #expect(s.transport.httpsProxy == "http://proxy:3128")
        #expect(s.transport.timeouts == HTTPTimeouts(connect: 2, read: 7))
        #expect(!s.transport.verifyTLS)
    }

    // MARK: The pipeline

    static func client(_ transport: any Transport, clock: TestClock = TestClock(testStart), vars: [String: String] = [:], logger: Logger? = nil) throws -> LatticeClient {
        var c = LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(credentials))
        if let logger { c.logger = logger }
        return try LatticeClient(c, transport: transport, environment: testEnvironment(variables(vars), clock: clock))
    }

    @Test func requestsAreSignedForVpcLatticeAndGoToTheEndpoint() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        let client = try Self.client(transport)
        let body = Array(#"{"name":"provider-svc"}"#.utf8)
        _ = try await client.send(OperationRequest(
            method: "POST", path: "/services", query: [("maxResults", "10"), ("tag keys", "a/b")],
            headers: ["content-type": "application/json"], body: body))
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=10&tag%20keys=a%2Fb")
        #expect(sent.body == body)
        #expect(sent.headers["user-agent"] == LatticeClient.userAgent)
        #expect(sent.headers["x-amz-security-token"] == Self.token)
        // An independent signature over what was sent agrees.
        var check = SigV4Request(method: sent.method, url: sent.url, headers: HTTPHeaders(sent.headers.fields.filter {
            !["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased())
        }.map { ($0.name, $0.value) }))
        try SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "vpc-lattice").sign(&check, payload: .bytes(body), date: testStart)
        #expect(sent.headers["authorization"] == check.headers["authorization"])
        #expect(sent.headers["authorization"]?.contains("/us-east-1/vpc-lattice/aws4_request") == true)
    }

    @Test func everyAttemptIsSignedAfreshWithTheSameBody() async throws {
        let clock = TestClock(testStart)
        let calls = Mutex(0)
        let transport = FakeTransport { _ in
            let n = calls.withLock { $0 += 1; return $0 }
            clock.advance(1)  // time moves between attempts
            return n < 3 ? HTTPResponse(status: 500, body: Array(#"{"message":"try again"}"#.utf8)) : HTTPResponse(status: 200)
        }
        let client = try Self.client(transport, clock: clock)
        let token = UUID().uuidString
        _ = try await client.send(OperationRequest(method: "POST", path: "/services", body: Array(#"{"clientToken":"\#(token)"}"#.utf8)))
        let sent = transport.requests
        #expect(sent.count == 3)
        #expect(Set(sent.map { $0.headers["x-amz-date"] ?? "" }).count == 3)
        #expect(Set(sent.map { $0.headers["authorization"] ?? "" }).count == 3)
        #expect(Set(sent.map(\.body)).count == 1)
        #expect(sent.allSatisfy { $0.headers.values(for: "authorization").count == 1 })
    }

    @Test func clockSkewIsCorrectedFromTheServiceDateHeader() async throws {
        let clock = TestClock(testStart)
        let serverTime = testStart.addingTimeInterval(3600)  // our clock is an hour slow
        let calls = Mutex(0)
        let transport = FakeTransport { _ in
            let n = calls.withLock { $0 += 1; return $0 }
            if n == 1 {
                return HTTPResponse(status: 403, headers: ["x-amzn-ErrorType": "InvalidSignatureException", "Date": httpDate(serverTime)],
                                    body: Array(#"{"message":"Signature expired"}"#.utf8))
            }
            return HTTPResponse(status: 200)
        }
        let client = try Self.client(transport, clock: clock)
        _ = try await client.send(OperationRequest(method: "GET", path: "/services"))
        let dates = transport.requests.map { $0.headers["x-amz-date"] ?? "" }
        #expect(dates == ["20240501T120000Z", "20240501T130000Z"])
    }

    @Test func serviceErrorsReachTheCallerWithCodeAndRequestId() async throws {
        let transport = FakeTransport { _ in
            HTTPResponse(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException", "x-amzn-RequestId": "rid-9"],
                         body: Array(#"{"message":"Service not found","resourceId":"svc-123"}"#.utf8))
        }
        let client = try Self.client(transport)
        do {
            _ = try await client.send(OperationRequest(method: "GET", path: "/services/svc-123"))
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "ResourceNotFoundException")
            #expect(error.requestId == "rid-9")
            #expect(error.httpStatus == 404)
            #expect(transport.requests.count == 1)  // a 404 is not retried
        }
    }

    @Test func missingCredentialsAreAConfigurationError() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200) }
        let client = try LatticeClient(LatticeConfiguration(region: "us-east-1"), transport: transport,
                                       environment: testEnvironment(Self.variables(["AWS_EC2_METADATA_DISABLED": "true"])))
        do {
            _ = try await client.send(OperationRequest(method: "GET", path: "/services"))
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.kind == .noCredentials)
            #expect(error.message.contains("AWS_ACCESS_KEY_ID"))
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func secretsNeverReachTheLogsOrErrors() async throws {
        LoggingSystem.bootstrapOnce()
        var logger = Logger(label: "test") { _ in CapturingLogHandler() }
        logger.logLevel = .trace
        let transport = FakeTransport { _ in HTTPResponse(status: 400, headers: ["x-amzn-ErrorType": "ValidationException"], body: Array(#"{"message":"bad"}"#.utf8)) }
        let client = try Self.client(transport, logger: logger)
        var texts: [String] = []
        do {
            _ = try await client.send(OperationRequest(method: "GET", path: "/services"))
        } catch {
            texts.append("\(error)")
            texts.append(String(reflecting: error))
        }
        texts.append(contentsOf: CapturingLogHandler.lines.withLock { $0 })
        texts.append("\(client.configuration)")
        texts.append(dumped(client.configuration))
        #expect(!texts.isEmpty)
        for text in texts {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
    }
}

extension LoggingSystem {
    /// Tests build their loggers directly; nothing global needs bootstrapping.
    static func bootstrapOnce() {}
}
