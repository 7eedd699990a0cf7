import Foundation
import Synchronization
import Testing
import LatticeKit

/// Keeps the requests it is sent and answers each with an empty list of services.
private final class Capture: Transport {
    let requests = Mutex<[HTTPRequest]>([])
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.withLock { $0.append(request) }
        return HTTPResponse(status: 200, body: Array(#"{"items":[]}"#.utf8))
    }
}

@Suite("LatticeConfiguration.credentials takes LatticeKit's AWSCredentials")
struct StaticCredentialsTests {
    @Test("AWSCredentials given to the configuration sign the request, session token included, with no SigV4 import")
    func awsCredentialsSign() async throws {
        let capture = Capture()
        let configuration = LatticeConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyId: "ASIASTATICEXAMPLE", secretAccessKey: "static-secret", sessionToken: "static-token"))
        let environment = RuntimeEnvironment(now: { Date(timeIntervalSince1970: 1_700_000_000) }, sleep: { _ in }, random: { 0.5 },
                                             variables: ["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"])
        let client = try LatticeClient(configuration, transport: capture, environment: environment)
        _ = try await client.listServices()
        let request = try #require(capture.requests.withLock { $0.first })
        #expect(request.headers["authorization"]?.contains("Credential=ASIASTATICEXAMPLE/20231114/us-east-1/vpc-lattice/aws4_request") == true)
        #expect(request.headers["x-amz-security-token"] == "static-token")
        #expect(configuration.credentials?.accessKeyId == "ASIASTATICEXAMPLE")
    }
}
