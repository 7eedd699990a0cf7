import Foundation
import SigV4
import Testing
@testable import LatticeKit

let containerDocument = HTTPResponse(status: 200, body: Array(#"{"RoleArn":"arn:aws:iam::1:role/Task","AccessKeyId":"ASIATASK","SecretAccessKey":"taskSecret","Token":"taskToken","Expiration":"2024-05-01T18:00:00Z"}"#.utf8))

@Suite("ECS container credentials")
struct ContainerCredentialsTests {
    @Test("the relative URI is fetched from 169.254.170.2 with short timeouts")
    func relative() async throws {
        let transport = FakeTransport(routes: ["GET http://169.254.170.2/v2/credentials/uuid": containerDocument])
        let creds = try await ContainerCredentialsProvider(transport: transport, environment: testEnvironment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/uuid"])).credentials()
        #expect(creds == AWSCredentials(accessKeyId: "ASIATASK", secretAccessKey: "taskSecret", sessionToken: "taskToken", expiration: testStart.addingTimeInterval(6 * 3600)))
        let request = try #require(transport.requests.first)
        #expect(request.headers["authorization"] == nil)
        #expect(request.timeouts?.connect == 2)
    }

    @Test("the full URI sends the token, the token file winning over the variable and read each time")
    func fullURI() async throws {
        let dir = try TempDirectory()
        let tokenFile = try dir.write("token", "file-token\n")
        let transport = FakeTransport(routes: ["GET http://169.254.170.23/v1/credentials": containerDocument])
        let vars = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token",
        ]
        let provider = ContainerCredentialsProvider(transport: transport, environment: testEnvironment(vars))
        _ = try await provider.credentials()
        #expect(transport.requests.last?.headers["authorization"] == "env-token")

        let withFile = ContainerCredentialsProvider(transport: transport, environment: testEnvironment(vars.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]) { $1 }))
        _ = try await withFile.credentials()
        #expect(transport.requests.last?.headers["authorization"] == "file-token")
        try dir.write("token", "rotated-token")
        _ = try await withFile.credentials()
        #expect(transport.requests.last?.headers["authorization"] == "rotated-token")
    }

    @Test("a plain-http full URI to another host is refused; https and loopback are allowed")
    func fullURIHosts() async throws {
        let transport = FakeTransport { _ in containerDocument }
        func attempt(_ uri: String) async -> ConfigurationError? {
            await configurationError {
                _ = try await ContainerCredentialsProvider(transport: transport, environment: testEnvironment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])).credentials()
            }
        }
        #expect(await attempt("http://evil.example.com/creds")?.kind == .invalidConfiguration)
        #expect(await attempt("https://creds.example.com/x") == nil)
        #expect(await attempt("http://127.0.0.1:8080/x") == nil)
        #expect(await attempt("http://[::1]:8080/x") == nil)
        #expect(await attempt("http://localhost/x") == nil)
    }

    @Test("an error status is credentialsFailed; no variables is noCredentials")
    func failures() async {
        let transport = FakeTransport { _ in HTTPResponse(status: 500, body: Array("agent broke".utf8)) }
        let failed = await configurationError {
            _ = try await ContainerCredentialsProvider(transport: transport, environment: testEnvironment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/x"])).credentials()
        }
        #expect(failed?.kind == .credentialsFailed)
        #expect(failed?.message.contains("HTTP 500") == true)
        let none = await configurationError { _ = try await ContainerCredentialsProvider(transport: transport, environment: testEnvironment([:])).credentials() }
        #expect(none?.kind == .noCredentials)
    }
}

@Suite("EC2 instance metadata (IMDSv2)")
struct InstanceMetadataTests {
    static let imdsDocument = HTTPResponse(status: 200, body: Array(#"{"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAEC2","SecretAccessKey":"ec2Secret","Token":"ec2Token","Expiration":"2024-05-01T18:00:00Z"}"#.utf8))

    static func routes(_ base: String) -> [String: HTTPResponse] {
        [
            "PUT \(base)/latest/api/token": HTTPResponse(status: 200, body: Array("IMDSTOKEN".utf8)),
            "GET \(base)/latest/meta-data/iam/security-credentials/": HTTPResponse(status: 200, body: Array("web-role\n".utf8)),
            "GET \(base)/latest/meta-data/iam/security-credentials/web-role": imdsDocument,
        ]
    }

    @Test("token PUT, role name GET, credentials GET, with the token header and 1 s connect timeouts")
    func flow() async throws {
        let transport = FakeTransport(routes: Self.routes("http://169.254.169.254"))
        let creds = try await InstanceMetadataCredentialsProvider(transport: transport, environment: testEnvironment([:])).credentials()
        #expect(creds == AWSCredentials(accessKeyId: "ASIAEC2", secretAccessKey: "ec2Secret", sessionToken: "ec2Token", expiration: testStart.addingTimeInterval(6 * 3600)))
        let requests = transport.requests
        #expect(requests.map { "\($0.method) \($0.url)" } == [
            "PUT http://169.254.169.254/latest/api/token",
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/web-role",
        ])
        #expect(requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
        #expect(requests[0].headers["x-aws-ec2-metadata-token"] == nil)
        #expect(requests[1].headers["x-aws-ec2-metadata-token"] == "IMDSTOKEN")
        #expect(requests[2].headers["x-aws-ec2-metadata-token"] == "IMDSTOKEN")
        #expect(requests.allSatisfy { $0.timeouts?.connect == 1 })
    }

    @Test("AWS_EC2_METADATA_SERVICE_ENDPOINT changes the endpoint; AWS_EC2_METADATA_DISABLED sends nothing")
    func endpointAndDisabled() async throws {
        let transport = FakeTransport(routes: Self.routes("http://127.0.0.1:1338"))
        _ = try await InstanceMetadataCredentialsProvider(transport: transport, environment: testEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/"])).credentials()
        #expect(transport.requests.count == 3)

        let silent = FakeTransport(routes: [:])
        let disabled = await configurationError {
            _ = try await InstanceMetadataCredentialsProvider(transport: silent, environment: testEnvironment(["AWS_EC2_METADATA_DISABLED": "TRUE"])).credentials()
        }
        #expect(disabled?.kind == .noCredentials)
        #expect(silent.requests.isEmpty)
    }

    @Test("a token request answered 403, 404 or 405, or not in time, falls back to IMDSv1 as botocore does", arguments: [
        "403", "404", "405", "read timeout",
    ])
    func fallsBackToV1(tokenAnswer: String) async throws {
        let base = "http://169.254.169.254"
        let routes = Self.routes(base)
        let transport = FakeTransport { request in
            if request.method == "PUT" {
                if let status = Int(tokenAnswer) { return HTTPResponse(status: status) }
                throw TransportError(.readTimeout, "no response data in time")
            }
            if let response = routes["\(request.method) \(request.url)"] { return response }
            throw TransportError(.connectFailed, "no route")
        }
        let creds = try await InstanceMetadataCredentialsProvider(transport: transport, environment: testEnvironment([:])).credentials()
        #expect(creds.accessKeyId == "ASIAEC2")
        let requests = transport.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(requests.dropFirst().allSatisfy { $0.headers["x-aws-ec2-metadata-token"] == nil }, "IMDSv1 reads carry no token")
    }

    @Test("no IMDSv1 fallback when AWS_EC2_METADATA_V1_DISABLED or the profile's ec2_metadata_v1_disabled says so")
    func v1Disabled() async throws {
        let base = "http://169.254.169.254"
        var routes = Self.routes(base)
        routes["PUT \(base)/latest/api/token"] = HTTPResponse(status: 403)
        for (variables, setting) in [(["AWS_EC2_METADATA_V1_DISABLED": "true"], nil), ([:], true)] as [([String: String], Bool?)] {
            let transport = FakeTransport(routes: routes)
            let error = await configurationError {
                _ = try await InstanceMetadataCredentialsProvider(transport: transport, environment: testEnvironment(variables), v1Disabled: setting).credentials()
            }
            #expect(error?.kind == .credentialsFailed)
            #expect(error?.message.contains("IMDSv1") == true)
            #expect(transport.requests.count == 1, "nothing is read without a token")
        }
        // The chain takes the profile's setting from the config file.
        let dir = try TempDirectory()
        let config = try dir.write("config", "[default]\nec2_metadata_v1_disabled = true\n")
        let transport = FakeTransport(routes: routes)
        let chain = DefaultCredentialsChain(transport: transport, environment: testEnvironment(["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"]))
        let error = await configurationError { _ = try await chain.credentials() }
        #expect(error?.message.contains("IMDSv1") == true)
        #expect(transport.requests.filter { $0.url.hasPrefix(base) }.count == 1)
    }

    @Test("after a refused token, 401 means IMDSv2 is required; 403 means the service is off")
    func v1Answers() async throws {
        let base = "http://169.254.169.254"
        for (status, kind, words) in [(401, ConfigurationError.Kind.credentialsFailed, "requires IMDSv2"), (403, .noCredentials, "turned off")] {
            var routes = Self.routes(base)
            routes["PUT \(base)/latest/api/token"] = HTTPResponse(status: 403)
            routes["GET \(base)/latest/meta-data/iam/security-credentials/"] = HTTPResponse(status: status)
            let error = await configurationError {
                _ = try await InstanceMetadataCredentialsProvider(transport: FakeTransport(routes: routes), environment: testEnvironment([:])).credentials()
            }
            #expect(error?.kind == kind)
            #expect(error?.message.contains(words) == true, "\(String(describing: error))")
        }
    }

    @Test("unreachable or without a role is noCredentials; a broken document is credentialsFailed")
    func failures() async throws {
        let down = await configurationError {
            _ = try await InstanceMetadataCredentialsProvider(transport: FakeTransport(routes: [:]), environment: testEnvironment([:])).credentials()
        }
        #expect(down?.kind == .noCredentials)
        #expect(down?.message.contains("not reachable") == true)

        var noRole = Self.routes("http://169.254.169.254")
        noRole["GET http://169.254.169.254/latest/meta-data/iam/security-credentials/"] = HTTPResponse(status: 404)
        let roleless = await configurationError {
            _ = try await InstanceMetadataCredentialsProvider(transport: FakeTransport(routes: noRole), environment: testEnvironment([:])).credentials()
        }
        #expect(roleless?.kind == .noCredentials)
        #expect(roleless?.message.contains("no IAM role") == true)

        var broken = Self.routes("http://169.254.169.254")
        broken["GET http://169.254.169.254/latest/meta-data/iam/security-credentials/web-role"] = HTTPResponse(status: 200, body: Array(#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"}"#.utf8))
        let failed = await configurationError {
            _ = try await InstanceMetadataCredentialsProvider(transport: FakeTransport(routes: broken), environment: testEnvironment([:])).credentials()
        }
        #expect(failed?.kind == .credentialsFailed)
        #expect(failed?.message.contains("AssumeRoleUnauthorizedAccess") == true)
    }
}
