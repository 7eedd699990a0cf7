import Foundation
import SigV4
import Testing
@testable import LatticeKit

/// IAM Identity Center profiles, offline: a temporary HOME holds ~/.aws/config and the token
/// cache, a FakeTransport answers the portal, sso-oidc and STS, and the clock is fixed at
/// `testStart` (2024-05-01T12:00:00Z).
@Suite("SSO credentials (IAM Identity Center)")
struct SSOCredentialsTests {
    static let startURL = "https://d-90670ca891.awsapps.com/start"
    static let legacyURL = "https://legacy.awsapps.com/start#/"
    // The cache file names are Python's hashlib.sha1(key.encode("utf-8")).hexdigest(),
    // computed once with python3 (as botocore's SSOTokenLoader names the files):
    static let corpFile = "ee0bfd2552fbd840c02cc48b6e823320543c450f" // key "corp" (a session name)
    static let startURLFile = "440b9063ae86fbadcfd28aafa71a9d5b13341467" // key startURL
    static let legacyFile = "ac60cfe620e0b9d4aa02d26761573a831bdae14f" // key legacyURL

    static let accessToken = "ACCESSzzSSOtoken42"
    static let refreshToken = "REFRESHzzSSOtoken42"
    static let clientSecret = "CLIENTzzSECRETsso42"
    static let newAccessToken = "NEWACCESSzzSSOtoken42"
    static let rotatedRefreshToken = "ROTATEDzzREFRESH42"
    /// Everything an error message must never show (secretMarker is the returned secret key).
    static let secrets = [accessToken, refreshToken, clientSecret, newAccessToken, rotatedRefreshToken, secretMarker, tokenMarker]

    static let portal = "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=123456789012&role_name=Admin%2BOps%40corp"
    static let oidc = "https://oidc.eu-west-1.amazonaws.com/token"

    static let config = """
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Admin+Ops@corp
        region = us-west-2

        [sso-session corp]
        sso_start_url = \(startURL)
        sso_region = eu-west-1
        sso_registration_scopes = sso:account:access

        [profile legacy]
        sso_start_url = \(legacyURL)
        sso_region = cn-north-1
        sso_account_id = 210987654321
        sso_role_name = ReadOnly
        """

    /// A temporary HOME with `config` as ~/.aws/config (no credentials file).
    struct Home {
        let dir: TempDirectory
        let environment: RuntimeEnvironment

        init(config: String = SSOCredentialsTests.config, variables: [String: String] = [:], clock: TestClock = TestClock(testStart)) throws {
            dir = try TempDirectory()
            try dir.write(".aws/config", config)
            environment = testEnvironment(["HOME": dir.path].merging(variables) { $1 }, clock: clock)
        }

        var cacheDirectory: String { dir.path + "/.aws/sso/cache" }
        func cachePath(_ name: String) -> String { cacheDirectory + "/" + name + ".json" }

        @discardableResult
        func writeToken(_ name: String, _ fields: [String: Any]) throws -> String {
            let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            let path = try dir.write(".aws/sso/cache/\(name).json", String(decoding: data, as: UTF8.self))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            return path
        }

        func readToken(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: cachePath(name)))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func credentials(_ profile: String, _ transport: FakeTransport) async throws -> AWSCredentials {
            try await ProfileCredentialsProvider(profile: profile, transport: transport, environment: environment).credentials()
        }

        func error(_ profile: String, _ transport: FakeTransport) async -> ConfigurationError? {
            await configurationError { _ = try await credentials(profile, transport) }
        }
    }

    /// What `aws sso login` caches for a session, expiring `expiresIn` seconds after testStart.
    static func sessionToken(expiresIn: Double, registrationExpiresIn: Double = 90 * 86_400) -> [String: Any] {
        [
            "startUrl": startURL, "region": "eu-west-1",
            "accessToken": accessToken, "expiresAt": RFC3339.format(testStart.addingTimeInterval(expiresIn)),
            "clientId": "client-1", "clientSecret": clientSecret,
            "registrationExpiresAt": RFC3339.format(testStart.addingTimeInterval(registrationExpiresIn)),
            "refreshToken": refreshToken,
        ]
    }

    static func roleCredentials(keyId: String = "ASIASSO", expirationMillis: Int64 = 1_714_568_400_123) -> HTTPResponse {
        HTTPResponse(status: 200, body: Array("""
            {"roleCredentials":{"accessKeyId":"\(keyId)","secretAccessKey":"\(secretMarker)","sessionToken":"\(tokenMarker)","expiration":\(expirationMillis)}}
            """.utf8))
    }

    static let expectedCredentials = AWSCredentials(
        accessKeyId: "ASIASSO", secretAccessKey: secretMarker, sessionToken: tokenMarker,
        expiration: Date(timeIntervalSince1970: 1_714_568_400.123)
    )

    static let createTokenAnswer = HTTPResponse(status: 200, body: Array("""
        {"accessToken":"\(newAccessToken)","expiresIn":28800,"refreshToken":"\(rotatedRefreshToken)","tokenType":"Bearer"}
        """.utf8))

    func expectNoSecrets(_ error: ConfigurationError?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("expected a ConfigurationError", sourceLocation: sourceLocation)
            return
        }
        for secret in Self.secrets {
            #expect(!error.message.contains(secret), "leaked a secret: \(error.message)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Cache file names

    @Test("cache file names are the SHA-1 hex of the session name or start URL, as Python's hashlib computes")
    func cacheFileNames() throws {
        #expect(SHA1.hex(Array("corp".utf8)) == Self.corpFile)
        #expect(SHA1.hex(Array(Self.startURL.utf8)) == Self.startURLFile)
        #expect(SHA1.hex(Array(Self.legacyURL.utf8)) == Self.legacyFile)
        // hashlib.sha1(b"").hexdigest() and hashlib.sha1("éé session".encode()).hexdigest()
        #expect(SHA1.hex([]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hex(Array("éé session".utf8)) == "7ec6e1fbf0d8f66b3b427470069b6ade21636880")
        let cache = try SSOTokenCache(key: "corp", variables: ["HOME": "/home/dev/"])
        #expect(cache.path == "/home/dev/.aws/sso/cache/\(Self.corpFile).json")
        let noHome = #expect(throws: ConfigurationError.self) { try SSOTokenCache(key: "corp", variables: [:]) }
        #expect(noHome?.message.contains("HOME is not set") == true)
    }

    @Test("expiresAt is read as RFC 3339 and in botocore's older ...UTC form")
    func tokenTimes() {
        #expect(SSOTokenCache.parseTime("2024-05-01T13:00:00Z") == testStart.addingTimeInterval(3600))
        #expect(SSOTokenCache.parseTime("2024-05-01T13:00:00UTC") == testStart.addingTimeInterval(3600))
        #expect(SSOTokenCache.parseTime("2024-05-01T15:00:00+02:00") == testStart.addingTimeInterval(3600))
        #expect(SSOTokenCache.parseTime("tomorrow") == nil)
    }

    // MARK: - Getting role credentials

    @Test("sso-session form: a valid token goes to GetRoleCredentials as an unsigned GET; the keys carry their expiration")
    func sessionForm() async throws {
        let home = try Home()
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 3600))
        let transport = FakeTransport(routes: ["GET \(Self.portal)": Self.roleCredentials()])
        let creds = try await home.credentials("dev", transport)
        #expect(creds == Self.expectedCredentials)

        #expect(transport.requests.count == 1)
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == Self.portal)
        #expect(request.headers["x-amz-sso_bearer_token"] == Self.accessToken)
        #expect(request.headers["authorization"] == nil)
        #expect(request.headers["x-amz-date"] == nil)
        #expect(request.headers.count == 1)
        #expect(request.body.isEmpty)
    }

    @Test("the default chain reaches an SSO profile named by AWS_PROFILE, and caching fetches again before the keys expire")
    func chainAndCaching() async throws {
        let clock = TestClock(testStart)
        let home = try Home(variables: ["AWS_PROFILE": "dev", "AWS_EC2_METADATA_DISABLED": "true"], clock: clock)
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 8 * 3600))
        let transport = FakeTransport(routes: ["GET \(Self.portal)": Self.roleCredentials()])
        let cached = CachingCredentialsProvider(DefaultCredentialsChain(transport: transport, environment: home.environment), environment: home.environment)
        #expect(try await cached.credentials() == Self.expectedCredentials)
        clock.advance(600)
        _ = try await cached.credentials()
        #expect(transport.requests.count == 1)
        clock.advance(2701) // 12:55:01: within 5 minutes of the keys' 13:00:00.123 expiration
        _ = try await cached.credentials()
        #expect(transport.requests.count == 2)
    }

    @Test("legacy form: the token cached under the start URL, China's .com.cn portal, the ...UTC expiry form, never refreshed")
    func legacyForm() async throws {
        let home = try Home()
        // Five minutes left, and refresh fields present: a legacy token is still not refreshed.
        var token = Self.sessionToken(expiresIn: 300)
        token["expiresAt"] = "2024-05-01T12:05:00UTC"
        try home.writeToken(Self.legacyFile, token)
        let url = "https://portal.sso.cn-north-1.amazonaws.com.cn/federation/credentials?account_id=210987654321&role_name=ReadOnly"
        let transport = FakeTransport(routes: ["GET \(url)": Self.roleCredentials()])
        #expect(try await home.credentials("legacy", transport) == Self.expectedCredentials)
        #expect(transport.requests.map(\.url) == [url])
        #expect(transport.requests.first?.headers["x-amz-sso_bearer_token"] == Self.accessToken)
    }

    @Test("legacy form: an expired token is an error advising aws sso login, and nothing is sent")
    func legacyExpired() async throws {
        let home = try Home()
        try home.writeToken(Self.legacyFile, ["accessToken": Self.accessToken, "expiresAt": "2024-05-01T12:00:00Z", "startUrl": Self.legacyURL, "region": "cn-north-1"])
        let transport = FakeTransport(routes: [:])
        let error = await home.error("legacy", transport)
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message.contains("expired at 2024-05-01T12:00:00Z") == true)
        #expect(error?.message.contains("`aws sso login --profile legacy`") == true)
        #expect(transport.requests.isEmpty)
        expectNoSecrets(error)
    }

    @Test("AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC replace the portal and OIDC endpoints")
    func endpointOverrides() async throws {
        let home = try Home(variables: ["AWS_ENDPOINT_URL_SSO": "http://localhost:4566/", "AWS_ENDPOINT_URL_SSO_OIDC": "http://127.0.0.1:9000/oidc"])
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 60))
        let transport = FakeTransport(routes: [
            "POST http://127.0.0.1:9000/oidc/token": Self.createTokenAnswer,
            "GET http://localhost:4566/federation/credentials?account_id=123456789012&role_name=Admin%2BOps%40corp": Self.roleCredentials(),
        ])
        _ = try await home.credentials("dev", transport)
        #expect(transport.requests.count == 2)
    }

    // MARK: - Refresh

    @Test("a session token within 15 minutes of expiry is refreshed with CreateToken, the cache rewritten (0600, other fields kept), then used")
    func refresh() async throws {
        let home = try Home()
        var token = Self.sessionToken(expiresIn: 14 * 60)
        token["scopes"] = ["sso:account:access"]
        token["schemaVersion"] = 2
        try home.writeToken(Self.corpFile, token)
        let transport = FakeTransport(routes: ["POST \(Self.oidc)": Self.createTokenAnswer, "GET \(Self.portal)": Self.roleCredentials()])
        #expect(try await home.credentials("dev", transport) == Self.expectedCredentials)

        let requests = transport.requests
        try #require(requests.count == 2)
        #expect(requests[0].method == "POST")
        #expect(requests[0].url == Self.oidc)
        #expect(requests[0].headers["content-type"] == "application/json")
        #expect(requests[0].headers["authorization"] == nil)
        #expect(String(decoding: requests[0].body, as: UTF8.self)
            == #"{"clientId":"client-1","clientSecret":"\#(Self.clientSecret)","grantType":"refresh_token","refreshToken":"\#(Self.refreshToken)"}"#)
        #expect(requests[1].url == Self.portal)
        #expect(requests[1].headers["x-amz-sso_bearer_token"] == Self.newAccessToken)

        let saved = try home.readToken(Self.corpFile)
        #expect(saved["accessToken"] as? String == Self.newAccessToken)
        #expect(saved["expiresAt"] as? String == "2024-05-01T20:00:00Z")
        #expect(saved["refreshToken"] as? String == Self.rotatedRefreshToken)
        for key in ["startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"] {
            #expect(saved[key] as? String == token[key] as? String, "\(key) changed")
        }
        #expect(saved["scopes"] as? [String] == ["sso:account:access"])
        #expect(saved["schemaVersion"] as? Int == 2)
        #expect(saved.count == token.count)
        let mode = try FileManager.default.attributesOfItem(atPath: home.cachePath(Self.corpFile))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.cacheDirectory) == ["\(Self.corpFile).json"])

        // The next call reads the refreshed token: no second refresh.
        _ = try await home.credentials("dev", transport)
        #expect(transport.requests.count == 3)
        #expect(transport.requests.last?.headers["x-amz-sso_bearer_token"] == Self.newAccessToken)
    }

    @Test("a refresh answer without refreshToken keeps the cached one")
    func refreshKeepsRefreshToken() async throws {
        let home = try Home()
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 60))
        let answer = HTTPResponse(status: 200, body: Array(#"{"accessToken":"\#(Self.newAccessToken)","expiresIn":3600}"#.utf8))
        let transport = FakeTransport(routes: ["POST \(Self.oidc)": answer, "GET \(Self.portal)": Self.roleCredentials()])
        _ = try await home.credentials("dev", transport)
        let saved = try home.readToken(Self.corpFile)
        #expect(saved["refreshToken"] as? String == Self.refreshToken)
        #expect(saved["expiresAt"] as? String == "2024-05-01T13:00:00Z")
    }

    @Test("a failed refresh of a token that is still valid uses the old token and leaves the cache alone")
    func refreshFailsTokenValid() async throws {
        let home = try Home()
        let path = try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 5 * 60))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for failure in [HTTPResponse(status: 400, body: Array(#"{"error":"invalid_grant"}"#.utf8)), nil] {
            let transport = FakeTransport { request in
                if request.url == Self.oidc {
                    guard let failure else { throw TransportError(.connectFailed, "connection refused") }
                    return failure
                }
                return Self.roleCredentials()
            }
            #expect(try await home.credentials("dev", transport) == Self.expectedCredentials)
            #expect(transport.requests.map(\.method) == ["POST", "GET"])
            #expect(transport.requests.last?.headers["x-amz-sso_bearer_token"] == Self.accessToken)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a failed refresh of an expired token is an error advising aws sso login, without secrets the service echoed")
    func refreshFailsTokenExpired() async throws {
        let home = try Home()
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: -60))
        let echo = HTTPResponse(status: 400, body: Array(#"{"error":"invalid_grant","error_description":"refresh token \#(Self.refreshToken) for client secret \#(Self.clientSecret) is revoked"}"#.utf8))
        let transport = FakeTransport(routes: ["POST \(Self.oidc)": echo])
        let error = await home.error("dev", transport)
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message.contains("The SSO session 'corp'") == true)
        #expect(error?.message.contains("HTTP 400") == true)
        #expect(error?.message.contains("invalid_grant") == true)
        #expect(error?.message.contains("<redacted>") == true)
        #expect(error?.message.contains("`aws sso login --profile dev`") == true)
        #expect(transport.requests.count == 1)
        expectNoSecrets(error)
    }

    @Test("no refresh once the client registration expired or without the refresh fields (botocore's rules)")
    func noRefresh() async throws {
        let home = try Home()
        // Registration over, token still valid for 5 minutes: used without a CreateToken call.
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 300, registrationExpiresIn: -1))
        let transport = FakeTransport(routes: ["GET \(Self.portal)": Self.roleCredentials()])
        _ = try await home.credentials("dev", transport)
        #expect(transport.requests.map(\.method) == ["GET"])

        // Registration over and token expired: the error says why there was no refresh.
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: -1, registrationExpiresIn: -1))
        let expired = await home.error("dev", transport)
        #expect(expired?.message.contains("client registration expired at 2024-05-01T11:59:59Z") == true)
        expectNoSecrets(expired)

        // No clientSecret (a token cached by an older CLI): nothing sent, the error names what is missing.
        var partial = Self.sessionToken(expiresIn: -1)
        partial["clientSecret"] = nil
        try home.writeToken(Self.corpFile, partial)
        let missing = await home.error("dev", transport)
        #expect(missing?.message.contains("has no clientSecret") == true)
        #expect(missing?.message.contains("aws sso login --profile dev") == true)
        #expect(transport.requests.count == 1)
        expectNoSecrets(missing)
    }

    // MARK: - Errors

    @Test("no cached token, or one without accessToken, is an error advising aws sso login")
    func missingToken() async throws {
        let home = try Home()
        let transport = FakeTransport(routes: [:])
        let none = await home.error("dev", transport)
        #expect(none?.kind == .credentialsFailed)
        #expect(none?.message.contains("The SSO session 'corp' has no token") == true)
        #expect(none?.message.contains(home.cachePath(Self.corpFile)) == true)
        #expect(none?.message.contains("`aws sso login --profile dev`") == true)

        try home.writeToken(Self.corpFile, ["expiresAt": "2024-05-01T13:00:00Z", "refreshToken": Self.refreshToken])
        let noAccess = await home.error("dev", transport)
        #expect(noAccess?.message.contains("has no accessToken") == true)
        expectNoSecrets(noAccess)

        try home.dir.write(".aws/sso/cache/\(Self.corpFile).json", "not json \(Self.accessToken)")
        let garbage = await home.error("dev", transport)
        #expect(garbage?.message.contains("not a JSON object") == true)
        expectNoSecrets(garbage)
        #expect(transport.requests.isEmpty)
    }

    @Test("the portal refusing the token (401, 403) advises aws sso login; other failures give the status and an excerpt, never a secret")
    func portalErrors() async throws {
        let home = try Home()
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 3600))
        for (status, type) in [(401, "UnauthorizedException"), (403, "ForbiddenException")] {
            let refusal = HTTPResponse(status: status, headers: ["x-amzn-ErrorType": type], body: Array(#"{"message":"Session token not found or invalid"}"#.utf8))
            let error = await home.error("dev", FakeTransport { _ in refusal })
            #expect(error?.kind == .credentialsFailed)
            #expect(error?.message.contains("refused the SSO token (HTTP \(status) \(type))") == true)
            #expect(error?.message.contains("`aws sso login --profile dev`") == true)
            expectNoSecrets(error)
        }

        let echo = HTTPResponse(status: 500, body: Array("internal error for bearer \(Self.accessToken)".utf8))
        let serverError = await home.error("dev", FakeTransport { _ in echo })
        #expect(serverError?.message.contains("account 123456789012, role Admin+Ops@corp") == true)
        #expect(serverError?.message.contains("HTTP 500: internal error for bearer <redacted>") == true)
        expectNoSecrets(serverError)

        let notFound = HTTPResponse(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException"], body: Array(#"{"message":"No access"}"#.utf8))
        let missingRole = await home.error("dev", FakeTransport { _ in notFound })
        #expect(missingRole?.message.contains("HTTP 404 ResourceNotFoundException") == true)
        #expect(missingRole?.message.contains("Check sso_account_id and sso_role_name") == true)

        let down = await home.error("dev", FakeTransport { _ in throw TransportError(.dnsFailure, "could not resolve host") })
        #expect(down?.message.contains("got no answer from https://portal.sso.eu-west-1.amazonaws.com: could not resolve host") == true)
        #expect(down?.message.contains("AWS_ENDPOINT_URL_SSO") == true)
        expectNoSecrets(down)

        let garbage = await home.error("dev", FakeTransport { _ in HTTPResponse(status: 200, body: Array(#"{"roleCredentials":{"accessKeyId":"ASIA"}}"#.utf8)) })
        #expect(garbage?.message.contains("without roleCredentials") == true)
    }

    @Test("missing keys, a missing sso-session and disagreeing values are configuration errors naming the profile and aws configure sso")
    func configurationErrors() async throws {
        let home = try Home(config: """
            [profile nosession]
            sso_session = gone
            sso_account_id = 1
            sso_role_name = R
            [profile halfsession]
            sso_session = half
            sso_account_id = 1
            [sso-session half]
            sso_start_url = \(Self.startURL)
            [profile halflegacy]
            sso_account_id = 1
            sso_role_name = R
            [profile norole]
            sso_session = half
            [profile disagree]
            sso_session = corp
            sso_start_url = https://other.awsapps.com/start
            sso_account_id = 1
            sso_role_name = R
            [profile agree]
            sso_session = corp
            sso_start_url = \(Self.startURL)
            sso_region = eu-west-1
            sso_account_id = 1
            sso_role_name = R
            [sso-session corp]
            sso_start_url = \(Self.startURL)
            sso_region = eu-west-1
            """)
        let transport = FakeTransport(routes: [:])

        let noSession = await home.error("nosession", transport)
        #expect(noSession?.kind == .invalidConfiguration)
        #expect(noSession?.message.contains("no [sso-session gone] section (sessions found: 'corp', 'half')") == true)

        let halfSession = await home.error("halfsession", transport)
        #expect(halfSession?.kind == .invalidConfiguration)
        #expect(halfSession?.message.contains("Profile 'halfsession' uses IAM Identity Center (SSO) but is missing sso_region, sso_role_name (in the profile or its [sso-session half] section)") == true)
        #expect(halfSession?.message.contains("`aws configure sso --profile halfsession`") == true)

        let halfLegacy = await home.error("halflegacy", transport)
        #expect(halfLegacy?.message.contains("Profile 'halflegacy' uses IAM Identity Center (SSO) but is missing sso_start_url, sso_region.") == true)

        let noRole = await home.error("norole", transport)
        #expect(noRole?.kind == .invalidConfiguration)
        #expect(noRole?.message.contains("missing sso_account_id, sso_role_name") == true)
        #expect(noRole?.message.contains("`aws configure sso --profile norole`") == true)

        let disagree = await home.error("disagree", transport)
        #expect(disagree?.kind == .invalidConfiguration)
        #expect(disagree?.message.contains("sets sso_start_url = https://other.awsapps.com/start, but its [sso-session corp] section sets sso_start_url = \(Self.startURL)") == true)

        // Values set in both places that agree are fine (the error is about the missing token).
        let agree = await home.error("agree", transport)
        #expect(agree?.message.contains("The SSO session 'corp' has no token") == true)
        #expect(transport.requests.isEmpty)
    }

    // MARK: - Place in the profile chain

    @Test("SSO settings win over static keys in the same profile, as in botocore")
    func precedence() async throws {
        let home = try Home(config: Self.config + "\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = staticSecret\n")
        // The keys are appended to [profile legacy].
        try home.writeToken(Self.legacyFile, Self.sessionToken(expiresIn: 3600))
        let transport = FakeTransport { _ in Self.roleCredentials() }
        #expect(try await home.credentials("legacy", transport).accessKeyId == "ASIASSO")
    }

    @Test("an SSO profile as source_profile: its role credentials sign AssumeRole")
    func sourceProfile() async throws {
        let home = try Home(config: Self.config + """

            [profile deploy]
            role_arn = arn:aws:iam::222222222222:role/Deploy
            source_profile = dev
            region = us-west-2
            """)
        try home.writeToken(Self.corpFile, Self.sessionToken(expiresIn: 3600))
        let transport = FakeTransport(routes: [
            "GET \(Self.portal)": Self.roleCredentials(),
            "POST https://sts.us-west-2.amazonaws.com/": stsSuccess("AssumeRole", keyId: "ASIADEPLOY", secret: "deploySecret", token: "deployToken", expiration: "2024-05-01T13:00:00Z"),
        ])
        let creds = try await home.credentials("deploy", transport)
        #expect(creds == AWSCredentials(accessKeyId: "ASIADEPLOY", secretAccessKey: "deploySecret", sessionToken: "deployToken", expiration: testStart.addingTimeInterval(3600)))
        let requests = transport.requests
        try #require(requests.count == 2)
        #expect(requests[0].url == Self.portal)
        #expect(formFields(requests[1])["RoleArn"] == "arn:aws:iam::222222222222:role/Deploy")
        #expect(requests[1].headers["x-amz-security-token"] == tokenMarker)
        #expect(try requests[1].headers["authorization"] == expectedAuthorization(requests[1], credentials: Self.expectedCredentials.signing, region: "us-west-2", date: testStart))

        // A source whose token is missing fails with the SSO advice for the source profile.
        try FileManager.default.removeItem(atPath: home.cachePath(Self.corpFile))
        let error = await home.error("deploy", transport)
        #expect(error?.message.contains("`aws sso login --profile dev`") == true)
    }
}
