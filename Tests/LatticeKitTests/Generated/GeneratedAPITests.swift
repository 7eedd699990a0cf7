import Foundation
import Synchronization
import Testing
@testable import LatticeKit
import SigV4

/// The generated operations through the shared executor, against a fake transport.
@Suite struct GeneratedAPITests {
    static func client(_ transport: FakeTransport, validation: ValidationMode = .strict) throws -> LatticeClient {
        try LatticeClient(
            LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"), validation: validation),
            transport: transport, environment: testEnvironment(LatticeClientTests.variables()))
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func createServiceSendsTheBodyAndFillsTheIdempotencyToken() async throws {
        let transport = FakeTransport { _ in
            HTTPResponse(status: 201, body: Array(#"{"id":"svc-0123456789abcdef0","name":"provider-svc","status":"ACTIVE","authType":"NONE","dnsEntry":{"domainName":"x.on.aws"}}"#.utf8))
        }
        let client = try Self.client(transport)
        let out = try await client.createService(CreateServiceRequest(name: "provider-svc", tags: ["team": "a"], authType: AuthType.noAuth))
        #expect(out.id == "svc-0123456789abcdef0")
        #expect(out.status == .active)
        #expect(out.dnsEntry?.domainName == "x.on.aws")
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url == "https://vpc-lattice.us-east-1.amazonaws.com/services")
        #expect(sent.headers["content-type"] == "application/json")
        let body = try Self.json(sent.body)
        #expect(body["name"] as? String == "provider-svc")
        #expect(body["authType"] as? String == "NONE")
        #expect((body["clientToken"] as? String).flatMap(UUID.init(uuidString:)) != nil)
    }

    @Test func aRetriedCreateKeepsItsToken() async throws {
        let calls = Mutex(0)
        let transport = FakeTransport { _ in
            calls.withLock { $0 += 1; return $0 } < 3 ? HTTPResponse(status: 503) : HTTPResponse(status: 201, body: Array("{}".utf8))
        }
        _ = try await Self.client(transport).createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network"))
        let tokens = try transport.requests.map { try Self.json($0.body)["clientToken"] as? String }
        #expect(tokens.count == 3)
        #expect(Set(tokens).count == 1)
        #expect(tokens[0] != nil)
    }

    @Test func labelsAndRepeatedQueryKeysAreEncoded() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        let arn = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"
        _ = try await Self.client(transport).untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: ["a b", "c/d"]))
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "DELETE")
        #expect(sent.url == "https://vpc-lattice.us-east-1.amazonaws.com/tags/arn%3Aaws%3Avpc-lattice%3Aus-east-1%3A123456789012%3Aservice%2Fsvc-0123456789abcdef0?tagKeys=a%20b&tagKeys=c%2Fd")
        #expect(sent.body.isEmpty)
        #expect(sent.headers["content-type"] == nil)
    }

    @Test func anInputWithBodyMembersButNoneSetSendsAnEmptyObject() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        _ = try await Self.client(transport).updateService(UpdateServiceRequest(serviceIdentifier: "svc-0123456789abcdef0"))
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "PATCH")
        #expect(String(decoding: sent.body, as: UTF8.self) == "{}")
    }

    @Test func invalidInputIsRejectedBeforeSendingWithPathProblemAndRule() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200) }
        let client = try Self.client(transport)
        do {
            _ = try await client.createTargetGroup(CreateTargetGroupRequest(
                name: "Bad_Name", type: .ip,
                config: TargetGroupConfig(port: 70000, protocol: .http, healthCheck: HealthCheckConfig(path: String(repeating: "x", count: 3000)))))
            Issue.record("expected a validation error")
        } catch let error as LatticeValidationError {
            let paths = error.issues.map(\.path)
            #expect(paths.contains("name"))
            #expect(paths.contains("config.port"))
            #expect(paths.contains("config.healthCheck.path"))
            #expect(error.description.contains("does not match the pattern"))
            #expect(error.description.contains("70000 is too large"))
            #expect(error.description.contains("values from 1 to 65535"))
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func relaxedSkipsPatternsAndOffSkipsEverything() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        // moto's ids do not match the service's patterns.
        _ = try await Self.client(transport, validation: .relaxed).getService(GetServiceRequest(serviceIdentifier: "moto-style-service-id-0001"))
        await #expect(throws: LatticeValidationError.self) {
            _ = try await Self.client(transport, validation: .strict).getService(GetServiceRequest(serviceIdentifier: "moto-style-service-id-0001"))
        }
        await #expect(throws: LatticeValidationError.self) {
            _ = try await Self.client(transport, validation: .relaxed).getService(GetServiceRequest(serviceIdentifier: String(repeating: "a", count: 3000)))
        }
        _ = try await Self.client(transport, validation: .off).getService(GetServiceRequest(serviceIdentifier: String(repeating: "a", count: 3000)))
        #expect(transport.requests.count == 2)
    }

    /// A token that comes back ends the pages with LatticePaginationError (PaginatorTests), after
    /// the page that returned it.
    @Test func pagesFollowTheTokenAndEndWithAnErrorOnARepeat() async throws {
        let transport = FakeTransport { r in
            let token = r.url.split(separator: "nextToken=").dropFirst().first.map(String.init)
            switch token {
            case nil: return HTTPResponse(status: 200, body: Array(#"{"items":[{"id":"svc-1"},{"id":"svc-2"}],"nextToken":"t1"}"#.utf8))
            case "t1": return HTTPResponse(status: 200, body: Array(#"{"items":[{"id":"svc-3"}],"nextToken":"t2"}"#.utf8))
            default: return HTTPResponse(status: 200, body: Array(#"{"items":[{"id":"svc-4"}],"nextToken":"t2"}"#.utf8))
            }
        }
        var ids: [String?] = []
        await #expect(throws: LatticePaginationError.self) {
            for try await item in try Self.client(transport).listServicesItems(ListServicesRequest(maxResults: 2)) { ids.append(item.id) }
        }
        #expect(ids == ["svc-1", "svc-2", "svc-3", "svc-4"])
        #expect(transport.requests.count == 3)
        #expect(transport.requests.allSatisfy { $0.url.contains("maxResults=2") })
    }

    @Test func decodingIsLenientWhereServicesAndEmulatorsAreLoose() async throws {
        let body = #"{"id":"svc-1","status":"SOMETHING_NEW","authType":null,"unknownMember":{"x":1},"dnsEntry":null}"#
        let transport = FakeTransport { _ in HTTPResponse(status: 200, headers: ["Content-Type": "text/html"], body: Array(body.utf8)) }
        let out = try await Self.client(transport).getService(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0"))
        #expect(out.status?.rawValue == "SOMETHING_NEW")
        #expect(out.status?.isKnown == false)
        #expect(out.authType == nil)
        #expect(out.dnsEntry == nil)
        let encoded = String(decoding: try LatticeJSON.encoder().encode(out), as: UTF8.self)
        #expect(encoded.contains("SOMETHING_NEW"))
    }

    @Test func unionsKeepUnknownMembers() throws {
        let action = try LatticeJSON.decoder().decode(RuleAction.self, from: Data(#"{"redirect":{"url":"x"}}"#.utf8))
        #expect(action == .sdkUnknown("redirect"))
        let known = try LatticeJSON.decoder().decode(RuleAction.self, from: Data(#"{"forward":null,"fixedResponse":{"statusCode":404}}"#.utf8))
        #expect(known == .fixedResponse(FixedResponseAction(statusCode: 404)))
        #expect(throws: DecodingError.self) { try LatticeJSON.decoder().decode(RuleAction.self, from: Data("{}".utf8)) }
    }
}
