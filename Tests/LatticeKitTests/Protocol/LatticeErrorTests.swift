import Foundation
import Testing
@testable import LatticeKit
import SigV4

/// Answers every request with one fixed response.
private struct FixedAnswer: Transport {
    let response: HTTPResponse
    func send(_ request: HTTPRequest) async throws -> HTTPResponse { response }
}

@Suite("LatticeError: every error LatticeKit throws is caught as one")
struct LatticeErrorTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example-secret")

    static func environment(_ variables: [String: String] = [:]) -> RuntimeEnvironment {
        RuntimeEnvironment(now: { Date(timeIntervalSince1970: 1_700_000_000) }, sleep: { _ in }, random: { 0.5 },
                           variables: ["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"].merging(variables) { $1 })
    }

    static func client(_ response: HTTPResponse, maxAttempts: Int = 1) throws -> LatticeClient {
        let configuration = LatticeConfiguration(region: "us-east-1", credentials: credentials, maxAttempts: maxAttempts)
        return try LatticeClient(configuration, transport: FixedAnswer(response: response), environment: environment())
    }

    /// The error `body` throws, caught as `LatticeError` (nil when it throws nothing or something else).
    static func caught(_ body: () async throws -> Void) async -> (any LatticeError)? {
        do {
            try await body()
            return nil
        } catch let error as LatticeError {
            return error
        } catch {
            return nil
        }
    }

    @Test("A modeled error from the service: code, message, status, request id, not retryable")
    func modeled() async throws {
        let client = try Self.client(HTTPResponse(
            status: 404,
            headers: HTTPHeaders([("x-amzn-ErrorType", "ResourceNotFoundException"), ("x-amzn-RequestId", "req-1")]),
            body: Array(#"{"message":"no such service","resourceId":"svc-0123456789abcdef0","resourceType":"SERVICE"}"#.utf8)))
        let error = try #require(await Self.caught { _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0")) })
        #expect(error is ResourceNotFoundException)
        #expect(error.errorCode == "ResourceNotFoundException")
        #expect(error.errorMessage == "no such service")
        #expect(error.httpStatusCode == 404)
        #expect(error.requestId == "req-1")
        #expect(error.isRetryable == false)
    }

    @Test("A code the model does not know is an AWSServiceError; a 503 was retryable")
    func unmodeled() async throws {
        let client = try Self.client(HTTPResponse(
            status: 503,
            headers: HTTPHeaders([("x-amzn-ErrorType", "SomethingNew"), ("x-amzn-RequestId", "req-2")]),
            body: Array(#"{"message":"later"}"#.utf8)))
        let error = try #require(await Self.caught { _ = try await client.listServices() })
        #expect(error is AWSServiceError)
        #expect(error.errorCode == "SomethingNew")
        #expect(error.errorMessage == "later")
        #expect(error.httpStatusCode == 503)
        #expect(error.requestId == "req-2")
        #expect(error.isRetryable == true)
    }

    @Test("Invalid input is a LatticeValidationError, never retryable, nothing sent")
    func validation() async throws {
        let client = try Self.client(HTTPResponse(status: 200))
        let error = try #require(await Self.caught { _ = try await client.getService(GetServiceRequest(serviceIdentifier: "")) })
        #expect(error is LatticeValidationError)
        #expect(error.errorCode == "LatticeValidationError")
        #expect(error.isRetryable == false)
        #expect(error.httpStatusCode == nil)
        #expect(error.errorMessage == error.description)
    }

    @Test("A 2xx body that is not the output is a LatticeDecodingError with its status")
    func decoding() async throws {
        let client = try Self.client(HTTPResponse(status: 200, body: Array("not json".utf8)))
        let error = try #require(await Self.caught { _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0")) })
        #expect(error is LatticeDecodingError)
        #expect(error.errorCode == "LatticeDecodingError")
        #expect(error.httpStatusCode == 200)
        #expect(error.isRetryable == false)
    }

    @Test("No region is a ConfigurationError naming its kind")
    func configuration() async throws {
        let error = try #require(await Self.caught {
            _ = try LatticeClient(LatticeConfiguration(credentials: Self.credentials), transport: FixedAnswer(response: HTTPResponse(status: 200)),
                                  environment: Self.environment())
        })
        #expect(error is ConfigurationError)
        #expect(error.errorCode == "ConfigurationError.noRegion")
        #expect(error.errorMessage.contains("LatticeConfiguration.region"))
        #expect(error.requestId == nil && error.httpStatusCode == nil && error.isRetryable == nil)
    }

    @Test("An absent member required with require(_:) is a MissingMemberError")
    func missingMember() async throws {
        let error = try #require(await Self.caught { _ = try GetServiceResponse().require(\.id) })
        #expect(error is MissingMemberError)
        #expect(error.errorCode == "MissingMemberError")
    }

    @Test("Transport, endpoint, pagination, waiter, retry-setting and signing errors are LatticeErrors", arguments: [
        (TransportError(.connectFailed, "connection refused") as any LatticeError, "TransportError.connectFailed", true as Bool?),
        (TransportError(.tls, "certificate expired"), "TransportError.tls", false),
        (EndpointError(kind: .invalidRegion, reason: "bad region", advice: "use us-east-1"), "EndpointError.invalidRegion", nil),
        (LatticePaginationError(operation: "ListServices", problem: .tooManyPages, token: "t", page: 3, maxPages: 3), "LatticePaginationError.tooManyPages", nil),
        (WaiterError(kind: .timedOut, subject: WaiterSubject(resourceType: "service", resourceId: "svc-1", goal: "ACTIVE", operation: "GetService"), state: "CREATE_IN_PROGRESS", elapsed: 1, attempts: 1), "WaiterError.timedOut", nil),
        (RetryConfigurationError(setting: "AWS_MAX_ATTEMPTS", value: "x", kind: .maxAttempts), "RetryConfigurationError", nil),
        (SigV4Error.invalidURL("nowhere"), "SigV4Error.invalidURL", nil),
    ])
    func others(error: any LatticeError, code: String, retryable: Bool?) async {
        let thrown = await Self.caught { throw error }
        #expect(thrown?.errorCode == code)
        #expect(thrown?.isRetryable == retryable)
        #expect(thrown?.errorMessage.isEmpty == false)
        #expect(thrown?.requestId == nil)
    }

    @Test("A topology that does not load is a TopologyError caught as a LatticeError, naming the place")
    func topology() async throws {
        let error = try #require(await Self.caught { _ = try Topology(json: Array(#"{"name": "t", "servicesX": []}"#.utf8)) })
        #expect(error.errorCode == "TopologyError")
        #expect(error.errorMessage.contains("servicesX"), "\(error.errorMessage)")
        #expect(error.httpStatusCode == nil && error.requestId == nil)
    }

    @Test("The endpoint resolver's own error is caught as a LatticeError")
    func endpoint() async {
        let error = await Self.caught { _ = try EndpointResolver.resolve(EndpointParameters()) }
        #expect(error?.errorCode == "EndpointError.invalidConfiguration")
    }
}
