import Foundation
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// `.` and `..` as identifiers: a literal path segment at every layer (binder, signer,
/// transport), so a call never reaches the resource above the one it names.
@Suite struct DotSegmentTests {
    @Test func labelsAreFoundByTheirWholeNameAfterAnyText() {
        var b = RequestBinder(template: "/é/{a}/{ab}/{a+}")
        b.label("ab", "two")
        b.label("a", "one")
        #expect(b.path == "/é/one/two/{a+}", "{a} is not the start of {ab}, and text before it may be any UTF-8")
        var greedy = RequestBinder(template: "/x/{key+}")
        greedy.label("key", "a/b")
        #expect(greedy.path == "/x/a/b")
        #expect(RequestBinder.range(of: "{a}", in: "{a") == nil)
        #expect(RequestBinder.range(of: "{a}", in: "") == nil)
        #expect(RequestBinder.range(of: "{a}", in: "{{a}").map { "{{a}"[$0] } == "{a}")
    }

    @Test(arguments: [
        (".", "%2E"), ("..", "%2E%2E"), ("...", "..."), (".hidden", ".hidden"), ("a..", "a.."),
        ("../x", "..%2Fx"), ("./..", ".%2F.."), ("rule-1", "rule-1"),
    ])
    func aWholeDotOrDotDotLabelHasItsDotsEncoded(value: String, encoded: String) {
        var b = RequestBinder(template: "/services/{serviceIdentifier}/rules/{ruleIdentifier}")
        b.label("serviceIdentifier", "svc-1")
        b.label("ruleIdentifier", value)
        #expect(b.path == "/services/svc-1/rules/\(encoded)")
    }

    @Test(arguments: [
        ("a/../b", "a/%2E%2E/b"), ("./x", "%2E/x"), ("x/.", "x/%2E"), ("..", "%2E%2E"), ("a//b", "a//b"),
        ("a/.../b", "a/.../b"), ("é/..", "%C3%A9/%2E%2E"),
    ])
    func dotSegmentsInsideAGreedyLabelAreEncoded(value: String, encoded: String) {
        var b = RequestBinder(template: "/objects/{key+}")
        b.label("key", value)
        #expect(b.path == "/objects/\(encoded)")
    }

    static func client(transport: any Transport) throws -> LatticeClient {
        var configuration = LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(LatticeClientTests.credentials))
        configuration.validation = .off
        return try LatticeClient(configuration, transport: transport, environment: testEnvironment(LatticeClientTests.variables()))
    }

    @Test func withValidationOffADotDotRuleIdentifierStaysInTheRulePath() throws {
        let client = try Self.client(transport: FakeTransport { _ in HTTPResponse(status: 204) })
        for (value, encoded) in [("..", "%2E%2E"), (".", "%2E")] {
            let request = try client.operationRequest(.deleteRule, DeleteRuleRequest(serviceIdentifier: "svc-1", listenerIdentifier: "listener-1", ruleIdentifier: value))
            #expect(request.path == "/services/svc-1/listeners/listener-1/rules/\(encoded)")
        }
    }

    /// The URL with encoded dots is signed as botocore's SigV4Auth signs the same URL (its path
    /// normalization leaves `%2E%2E` alone, as ours does).
    @Test func theSignatureOverEncodedDotsMatchesBotocore() async throws {
        let client = try Self.client(transport: FakeTransport { _ in HTTPResponse(status: 204) })
        let date = Date(timeIntervalSince1970: 1_795_262_400)
        var signed: [HTTPRequest] = []
        for value in ["..", "."] {
            let request = try client.operationRequest(.deleteRule, DeleteRuleRequest(serviceIdentifier: "svc-1", listenerIdentifier: "listener-1", ruleIdentifier: value))
            signed.append(try await client.signedRequest(request, date: date))
        }
        let input = try signed.map { r in
            try PythonOracle.json([
                "method": r.method, "url": r.url,
                "headers": r.headers.fields.filter { !["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased()) }.map { [$0.name, $0.value] },
                "body_hex": "", "access_key": LatticeClientTests.credentials.accessKeyId,
                "secret_key": LatticeClientTests.credentials.secretAccessKey, "token": LatticeClientTests.credentials.sessionToken!,
                "region": "us-east-1", "service": "vpc-lattice", "time": "20261121T120000Z",
            ] as [String: Any])
        }
        let answers = try PythonOracle.lines("Tests/Oracles/botocore_sigv4.py", input: input)
        try #require(answers.count == signed.count)
        for (r, answer) in zip(signed, answers) {
            let canonical = answer["canonical_request"] as? String ?? ""
            let uri = canonical.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().first.map(String.init)
            #expect(uri?.hasPrefix("/services/svc-1/listeners/listener-1/rules/%252E") == true, "\(canonical)")
            #expect(r.headers["authorization"] == answer["authorization"] as? String, "\(r.url)")
        }
    }

    /// The transport sends the path byte for byte: curl resolves no dot segment.
    @Test func theTransportSendsDotSegmentsAsGiven() async throws {
        let server = try LoopbackServer()
        let transport = try CurlTransport(configuration: .init(allowHTTP2: false))
        for path in ["/services/svc-1/listeners/listener-1/rules/..", "/a/./b/../c", "/rules/%2E%2E", "/x/%2e/./"] {
            _ = try await transport.send(HTTPRequest(method: "DELETE", url: server.url + path))
        }
        #expect(server.requests.map(\.target) == ["/services/svc-1/listeners/listener-1/rules/..", "/a/./b/../c", "/rules/%2E%2E", "/x/%2e/./"])
    }

    /// End to end: deleteRule("..") with validation off reaches the rule's path, never the
    /// listener's.
    @Test func deleteRuleWithADotDotIdentifierNeverReachesTheListener() async throws {
        let server = try LoopbackServer { _ in .respond(status: 204, headers: [], body: []) }
        var configuration = LatticeConfiguration(region: "us-east-1", endpoint: server.url, credentials: AWSCredentials(LatticeClientTests.credentials))
        configuration.validation = .off
        let client = try LatticeClient(configuration, environment: testEnvironment(LatticeClientTests.variables()))
        _ = try await client.deleteRule(DeleteRuleRequest(serviceIdentifier: "svc-1", listenerIdentifier: "listener-1", ruleIdentifier: ".."))
        #expect(server.requests.map(\.target) == ["/services/svc-1/listeners/listener-1/rules/%2E%2E"])
    }
}
