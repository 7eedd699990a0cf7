import Foundation
import SigV4
import Testing
@testable import LatticeKit

@Suite("STS: AssumeRole and AssumeRoleWithWebIdentity")
struct STSProvidersTests {
    let roleArn = "arn:aws:iam::123456789012:role/Deploy Role+1"
    let source = AWSCredentials(accessKeyId: "AKIDSOURCE", secretAccessKey: "sourceSecret", sessionToken: "sourceToken")

    @Test("AssumeRole is a form POST to the regional endpoint, signed with SigV4 for sts")
    func assumeRoleRequest() async throws {
        let transport = FakeTransport(routes: [
            "POST https://sts.us-west-2.amazonaws.com/": stsSuccess("AssumeRole", keyId: "ASIAROLE", secret: secretMarker, token: "tok&amp;en", expiration: "2024-05-01T13:00:00Z")
        ])
        let provider = AssumeRoleCredentialsProvider(
            roleArn: roleArn, sessionName: "my session", externalId: "ext-1", durationSeconds: 1800,
            source: StaticCredentialsProvider(source), region: "us-west-2", transport: transport, environment: testEnvironment([:])
        )
        let creds = try await provider.credentials()
        #expect(creds == AWSCredentials(accessKeyId: "ASIAROLE", secretAccessKey: secretMarker, sessionToken: "tok&en", expiration: testStart.addingTimeInterval(3600)))

        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.us-west-2.amazonaws.com/")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(String(decoding: request.body, as: UTF8.self)
            == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FDeploy%20Role%2B1&RoleSessionName=my%20session&ExternalId=ext-1&DurationSeconds=1800")
        #expect(request.headers["x-amz-date"] == "20240501T120000Z")
        #expect(request.headers["x-amz-security-token"] == "sourceToken")
        let auth = try #require(request.headers["authorization"])
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDSOURCE/20240501/us-west-2/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="))
        #expect(try auth == expectedAuthorization(request, credentials: source.signing, region: "us-west-2", date: testStart))
    }

    @Test("no region uses the global endpoint signed for us-east-1; AWS_ENDPOINT_URL_STS overrides; China uses .com.cn")
    func endpoints() async throws {
        let ok = stsSuccess("AssumeRole", keyId: "K", secret: "S", token: "T", expiration: "2024-05-01T13:00:00Z")
        let transport = FakeTransport { _ in ok }
        func run(_ region: String?, _ vars: [String: String]) async throws -> HTTPRequest {
            _ = try await AssumeRoleCredentialsProvider(roleArn: roleArn, source: StaticCredentialsProvider(source), region: region, transport: transport, environment: testEnvironment(vars)).credentials()
            return try #require(transport.requests.last)
        }
        let global = try await run(nil, [:])
        #expect(global.url == "https://sts.amazonaws.com/")
        #expect(global.headers["authorization"]?.contains("/us-east-1/sts/aws4_request") == true)
        #expect(formFields(global)["RoleSessionName"] == "latticekit-1714564800")
        #expect(try await run("eu-central-1", ["AWS_ENDPOINT_URL_STS": "http://localhost:4566"]).url == "http://localhost:4566/")
        #expect(try await run("cn-north-1", [:]).url == "https://sts.cn-north-1.amazonaws.com.cn/")
    }

    @Test("an STS error names the role ARN, the code and the message, and never a secret")
    func assumeRoleError() async {
        let transport = FakeTransport { _ in stsError(code: "AccessDenied", message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole") }
        let provider = AssumeRoleCredentialsProvider(
            roleArn: roleArn, source: StaticCredentialsProvider(AWSCredentials(accessKeyId: "A", secretAccessKey: secretMarker)),
            region: "us-east-1", transport: transport, environment: testEnvironment([:])
        )
        let error = await configurationError { _ = try await provider.credentials() }
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message.contains(roleArn) == true)
        #expect(error?.message.contains("AccessDenied: User: arn:aws:iam::123456789012:user/dev is not authorized") == true)
        #expect(error?.message.contains(secretMarker) == false)

        let down = FakeTransport { _ in throw TransportError(.connectTimeout, "connect timed out") }
        let unreachable = await configurationError {
            _ = try await AssumeRoleCredentialsProvider(roleArn: roleArn, source: StaticCredentialsProvider(source), region: "us-east-1", transport: down, environment: testEnvironment([:])).credentials()
        }
        #expect(unreachable?.message.contains("connect timed out") == true)
        #expect(unreachable?.message.contains("https://sts.us-east-1.amazonaws.com") == true)

        let garbage = FakeTransport { _ in HTTPResponse(status: 200, body: Array("<html>hello</html>".utf8)) }
        let notSTS = await configurationError {
            _ = try await AssumeRoleCredentialsProvider(roleArn: roleArn, source: StaticCredentialsProvider(source), region: "us-east-1", transport: garbage, environment: testEnvironment([:])).credentials()
        }
        #expect(notSTS?.message.contains("without the expected Credentials") == true)
    }

    @Test("web identity from the environment: unsigned POST with the token read from the file")
    func webIdentityFromEnvironment() async throws {
        let dir = try TempDirectory()
        let tokenFile = try dir.write("token", "eyJ.web.token\n")
        let transport = FakeTransport(routes: [
            "POST https://sts.eu-west-1.amazonaws.com/": stsSuccess("AssumeRoleWithWebIdentity", keyId: "ASIAWEB", secret: "webSecret", token: "webToken", expiration: "2024-05-01T12:30:00Z")
        ])
        let env = testEnvironment(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleArn, "AWS_ROLE_SESSION_NAME": "pod-1"])
        let provider = try #require(WebIdentityCredentialsProvider.fromEnvironment(region: "eu-west-1", transport: transport, environment: env))
        let creds = try await provider.credentials()
        #expect(creds.accessKeyId == "ASIAWEB")
        #expect(creds.expiration == testStart.addingTimeInterval(1800))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.headers["authorization"] == nil)
        #expect(request.headers["x-amz-date"] == nil)
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(formFields(request) == [
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": roleArn,
            "RoleSessionName": "pod-1", "WebIdentityToken": "eyJ.web.token",
        ])
        #expect(WebIdentityCredentialsProvider.fromEnvironment(region: nil, transport: transport, environment: testEnvironment(["AWS_ROLE_ARN": roleArn])) == nil)
    }

    @Test("web identity: a missing token file is an error naming the file and role")
    func webIdentityMissingFile() async {
        let provider = WebIdentityCredentialsProvider(tokenFile: "/nonexistent/token", roleArn: roleArn, region: nil, transport: FakeTransport(routes: [:]), environment: testEnvironment([:]))
        let error = await configurationError { _ = try await provider.credentials() }
        #expect(error?.message.contains("/nonexistent/token") == true)
        #expect(error?.message.contains(roleArn) == true)
    }
}

@Suite("Profile credentials")
struct ProfileCredentialsTests {
    func environment(_ dir: TempDirectory, config: String, credentials: String = "", extra: [String: String] = [:]) throws -> RuntimeEnvironment {
        try dir.write("config", config)
        try dir.write("credentials", credentials)
        return testEnvironment(["AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"].merging(extra) { $1 })
    }

    @Test("static keys from the credentials file, selected by AWS_PROFILE")
    func staticKeys() async throws {
        let dir = try TempDirectory()
        let env = try environment(dir, config: "[profile dev]\nregion = eu-west-1\n", credentials: """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = d
            [dev]
            aws_access_key_id = AKIDDEV
            aws_secret_access_key = \(secretMarker)
            aws_session_token = \(tokenMarker)
            """, extra: ["AWS_PROFILE": "dev"])
        let creds = try await ProfileCredentialsProvider(transport: FakeTransport(routes: [:]), environment: env).credentials()
        #expect(creds == AWSCredentials(accessKeyId: "AKIDDEV", secretAccessKey: secretMarker, sessionToken: tokenMarker))
        let explicit = try await ProfileCredentialsProvider(profile: "default", transport: FakeTransport(routes: [:]), environment: env).credentials()
        #expect(explicit.accessKeyId == "AKIDDEFAULT")
    }

    @Test("half a key pair, a profile without credentials, and SSO are clear errors")
    func incompleteProfiles() async throws {
        let dir = try TempDirectory()
        let env = try environment(dir, config: """
            [profile half]
            aws_secret_access_key = \(secretMarker)
            [profile bare]
            region = us-east-1
            [profile sso]
            sso_session = corp
            """)
        let t = FakeTransport(routes: [:])
        let half = await configurationError { _ = try await ProfileCredentialsProvider(profile: "half", transport: t, environment: env).credentials() }
        #expect(half?.kind == .invalidConfiguration)
        #expect(half?.message.contains("aws_access_key_id") == true)
        #expect(half?.message.contains(secretMarker) == false)
        let bare = await configurationError { _ = try await ProfileCredentialsProvider(profile: "bare", transport: t, environment: env).credentials() }
        #expect(bare?.kind == .noCredentials)
        let sso = await configurationError { _ = try await ProfileCredentialsProvider(profile: "sso", transport: t, environment: env).credentials() }
        #expect(sso?.kind == .invalidConfiguration)
        #expect(sso?.message.contains("missing sso_account_id, sso_role_name") == true)
        #expect(sso?.message.contains("aws configure sso --profile sso") == true)
    }

    @Test("role_arn with a chain of source_profiles assumes each role in turn with the previous credentials")
    func roleChain() async throws {
        let dir = try TempDirectory()
        let env = try environment(dir, config: """
            [profile base]
            region = us-west-2
            [profile middle]
            role_arn = arn:aws:iam::111111111111:role/Middle
            source_profile = base
            [profile top]
            role_arn = arn:aws:iam::222222222222:role/Top
            source_profile = middle
            role_session_name = top-session
            external_id = xyz
            duration_seconds = 900
            region = us-west-2
            """, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = baseSecret\n")
        let transport = FakeTransport { request in
            let fields = formFields(request)
            if fields["RoleArn"] == "arn:aws:iam::111111111111:role/Middle" {
                return stsSuccess("AssumeRole", keyId: "ASIAMIDDLE", secret: "middleSecret", token: "middleToken", expiration: "2024-05-01T13:00:00Z")
            }
            return stsSuccess("AssumeRole", keyId: "ASIATOP", secret: "topSecret", token: "topToken", expiration: "2024-05-01T13:00:00Z")
        }
        let creds = try await ProfileCredentialsProvider(profile: "top", transport: transport, environment: env).credentials()
        #expect(creds.accessKeyId == "ASIATOP")
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.url == "https://sts.us-west-2.amazonaws.com/" })
        #expect(requests[0].headers["authorization"]?.contains("Credential=AKIDBASE/") == true)
        #expect(requests[1].headers["authorization"]?.contains("Credential=ASIAMIDDLE/") == true)
        #expect(requests[1].headers["x-amz-security-token"] == "middleToken")
        #expect(try requests[1].headers["authorization"] == expectedAuthorization(requests[1], credentials: SigV4Credentials(accessKeyId: "ASIAMIDDLE", secretAccessKey: "middleSecret", sessionToken: "middleToken"), region: "us-west-2", date: testStart))
        #expect(formFields(requests[1]) == [
            "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/Top",
            "RoleSessionName": "top-session", "ExternalId": "xyz", "DurationSeconds": "900",
        ])
    }

    @Test("a source_profile loop is an error showing the loop; a profile may source its own keys")
    func loops() async throws {
        let dir = try TempDirectory()
        let env = try environment(dir, config: """
            [profile a]
            role_arn = arn:aws:iam::1:role/A
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/B
            source_profile = a
            [profile self]
            role_arn = arn:aws:iam::1:role/Self
            source_profile = self
            aws_access_key_id = AKIDSELF
            aws_secret_access_key = selfSecret
            [profile lonely]
            role_arn = arn:aws:iam::1:role/L
            [profile missing]
            role_arn = arn:aws:iam::1:role/M
            source_profile = ghost
            """)
        let transport = FakeTransport { _ in stsSuccess("AssumeRole", keyId: "ASIASELF", secret: "s", token: "t", expiration: "2024-05-01T13:00:00Z") }
        let loop = await configurationError { _ = try await ProfileCredentialsProvider(profile: "a", transport: transport, environment: env).credentials() }
        #expect(loop?.kind == .invalidConfiguration)
        #expect(loop?.message.contains("a -> b -> a") == true)
        #expect(transport.requests.isEmpty)

        let own = try await ProfileCredentialsProvider(profile: "self", transport: transport, environment: env).credentials()
        #expect(own.accessKeyId == "ASIASELF")
        #expect(transport.requests.last?.headers["authorization"]?.contains("Credential=AKIDSELF/") == true)

        let lonely = await configurationError { _ = try await ProfileCredentialsProvider(profile: "lonely", transport: transport, environment: env).credentials() }
        #expect(lonely?.message.contains("source_profile, credential_source or web_identity_token_file") == true)
        let missing = await configurationError { _ = try await ProfileCredentialsProvider(profile: "missing", transport: transport, environment: env).credentials() }
        #expect(missing?.message.contains("ghost") == true)
    }

    @Test("credential_source Environment and EcsContainer supply the AssumeRole source credentials")
    func credentialSources() async throws {
        let dir = try TempDirectory()
        let env = try environment(dir, config: """
            [profile fromenv]
            role_arn = arn:aws:iam::1:role/E
            credential_source = Environment
            [profile fromecs]
            role_arn = arn:aws:iam::1:role/C
            credential_source = EcsContainer
            [profile bad]
            role_arn = arn:aws:iam::1:role/X
            credential_source = Somewhere
            """, extra: [
                "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envSecret",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
            ])
        let transport = FakeTransport { request in
            if request.url == "http://169.254.170.2/v2/credentials/abc" {
                return HTTPResponse(status: 200, body: Array(#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"ecsSecret","Token":"ecsToken","Expiration":"2024-05-01T18:00:00Z"}"#.utf8))
            }
            return stsSuccess("AssumeRole", keyId: "ASIAROLE", secret: "s", token: "t", expiration: "2024-05-01T13:00:00Z")
        }
        _ = try await ProfileCredentialsProvider(profile: "fromenv", transport: transport, environment: env).credentials()
        #expect(transport.requests.last?.headers["authorization"]?.contains("Credential=AKIDENV/") == true)
        _ = try await ProfileCredentialsProvider(profile: "fromecs", transport: transport, environment: env).credentials()
        #expect(transport.requests.last?.headers["authorization"]?.contains("Credential=ASIAECS/") == true)
        #expect(transport.requests.last?.headers["x-amz-security-token"] == "ecsToken")
        let bad = await configurationError { _ = try await ProfileCredentialsProvider(profile: "bad", transport: transport, environment: env).credentials() }
        #expect(bad?.message.contains("Environment, Ec2InstanceMetadata or EcsContainer") == true)

        let noEnv = try environment(dir, config: "[profile fromenv]\nrole_arn = arn:aws:iam::1:role/E\ncredential_source = Environment\n")
        let none = await configurationError { _ = try await ProfileCredentialsProvider(profile: "fromenv", transport: transport, environment: noEnv).credentials() }
        #expect(none?.kind == .credentialsFailed)
    }

    @Test("a profile with web_identity_token_file and role_arn calls AssumeRoleWithWebIdentity")
    func profileWebIdentity() async throws {
        let dir = try TempDirectory()
        let token = try dir.write("token", "profile-token")
        let env = try environment(dir, config: """
            [profile web]
            role_arn = arn:aws:iam::1:role/Web
            web_identity_token_file = \(token)
            role_session_name = web-session
            region = ap-southeast-2
            """)
        let transport = FakeTransport { _ in stsSuccess("AssumeRoleWithWebIdentity", keyId: "ASIAWEB", secret: "s", token: "t", expiration: "2024-05-01T13:00:00Z") }
        let creds = try await ProfileCredentialsProvider(profile: "web", transport: transport, environment: env).credentials()
        #expect(creds.accessKeyId == "ASIAWEB")
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://sts.ap-southeast-2.amazonaws.com/")
        #expect(request.headers["authorization"] == nil)
        #expect(formFields(request)["WebIdentityToken"] == "profile-token")
        #expect(formFields(request)["RoleSessionName"] == "web-session")
    }

    @Test("credential_process in a profile")
    func profileProcess() async throws {
        let dir = try TempDirectory()
        let script = try dir.write("p.sh", "echo '{\"Version\":1,\"AccessKeyId\":\"AKIDP\",\"SecretAccessKey\":\"s\"}'\n")
        let env = try environment(dir, config: "[default]\ncredential_process = /bin/sh \(script)  # inline comment\n")
        let creds = try await ProfileCredentialsProvider(transport: FakeTransport(routes: [:]), environment: env).credentials()
        #expect(creds.accessKeyId == "AKIDP")
    }
}
