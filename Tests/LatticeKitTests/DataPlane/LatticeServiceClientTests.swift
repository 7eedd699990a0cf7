import Foundation
import LatticeTestSupport
@testable import LatticeKit
import SigV4
import Testing

/// Calling a Lattice service: signed for vpc-lattice-svcs with UNSIGNED-PAYLOAD as botocore
/// signs it, SigV4a for a region set, every answer returned, idempotent methods retried only.
@Suite struct LatticeServiceClientTests {
    static let credentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token-example")
    static let url = "https://provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/api/items?b=2&a=1"
    static let date = Date(timeIntervalSince1970: 1_764_000_000)   // 2025-11-24T16:00:00Z

    /// Answers from a script, one per request, recording what was sent.
    final class ScriptedTransport: Transport, @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [HTTPResponse]
        private(set) var sent: [HTTPRequest] = []
        init(_ answers: [HTTPResponse]) { self.answers = answers }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            try lock.withLock {
                sent.append(request)
                guard !answers.isEmpty else { throw TransportError(.connectFailed, "the script has no more answers") }
                return answers.removeFirst()
            }
        }
    }

    static func client(_ transport: any Transport, signing: LatticeServiceClient.Signing = .sigV4(), region: String? = "us-west-2") throws -> LatticeServiceClient {
        let fake = FakeRuntime(start: date)
        let environment = RuntimeEnvironment(now: { fake.now }, sleep: { fake.advance($0) }, random: { 0.5 },
                                             variables: LatticeClientTests.variables())
        return try LatticeServiceClient(LatticeConfiguration(region: region, credentials: AWSCredentials(credentials)), signing: signing,
                                        transport: transport, environment: environment)
    }

    @Test func aSigV4RequestIsSignedAsBotocoreSignsItForVpcLatticeSvcs() async throws {
        let client = try Self.client(ScriptedTransport([]))
        let request = HTTPRequest(method: "POST", url: Self.url, headers: ["content-type": "application/json"], body: Array(#"{"n":1}"#.utf8))
        let signed = try await client.signed(request, date: Self.date)
        #expect(signed.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(signed.headers["x-amz-security-token"] == "session-token-example")
        let authorization = try #require(signed.headers["authorization"])
        #expect(authorization.contains("/us-west-2/vpc-lattice-svcs/aws4_request"))

        // botocore's SigV4Auth over the same request (the header makes it sign UNSIGNED-PAYLOAD).
        let headers = signed.headers.map { [$0.name, $0.value] }.filter { !["authorization", "x-amz-date", "x-amz-security-token"].contains($0[0].lowercased()) }
        let oracle = try PythonOracle.lines("Tests/Oracles/botocore_sigv4.py", input: [try PythonOracle.json([
            "method": "POST", "url": Self.url, "headers": headers, "body_hex": request.body.map { String(format: "%02x", $0) }.joined(),
            "access_key": "AKIDEXAMPLE", "secret_key": Self.credentials.secretAccessKey, "token": "session-token-example",
            "region": "us-west-2", "service": "vpc-lattice-svcs", "time": "20251124T160000Z",
        ] as [String: Any])])
        #expect(oracle.first?["authorization"] as? String == authorization)
    }

    /// Text with what signing gets wrong: reserved and unreserved characters, spaces, `%`, `+`,
    /// `~`, non-ASCII; percent-encoded once, as a URL is on the wire.
    static func encodedPiece(_ rng: inout SeededRandom) -> String {
        let alphabet = Array("aZ09-._~ /+=&?#%:@!$'()*,;é€\u{1F600}")
        let raw = String((0..<Int.random(in: 1...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
        var out = ""
        for byte in raw.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) { out.append(c) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }

    /// 200 seeded random requests (methods, encoded paths, repeated and empty query keys,
    /// headers with inner spaces, bodies) signed by the client and by botocore's SigV4Auth for
    /// vpc-lattice-svcs with UNSIGNED-PAYLOAD, at the same time: the same Authorization.
    @Test func randomRequestsAreSignedAsBotocoreSignsThem() async throws {
        var rng = SeededRandom(seed: 0x1A77_1CE5_0016)
        let client = try Self.client(ScriptedTransport([]))
        var cases: [(HTTPRequest, String)] = []
        var lines: [Data] = []
        for _ in 0..<200 {
            let method = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"].randomElement(using: &rng) ?? "GET"
            let path = (0..<Int.random(in: 0...4, using: &rng)).map { _ in Self.encodedPiece(&rng) }.joined(separator: "/")
            var url = "https://svc-\(Int.random(in: 0...9, using: &rng)).7d67968.vpc-lattice-svcs.us-west-2.on.aws/" + path
            let pairs = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Self.encodedPiece(&rng) + "=" + (Bool.random(using: &rng) ? Self.encodedPiece(&rng) : "") }
            if !pairs.isEmpty { url += "?" + pairs.joined(separator: "&") }
            var headers = HTTPHeaders()
            for k in 0..<Int.random(in: 0...3, using: &rng) { headers.add(name: "x-h\(k)", value: "a  b \(Int.random(in: 0...99, using: &rng))") }
            let body: [UInt8] = ["POST", "PUT", "PATCH"].contains(method) ? (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } : []
            let request = HTTPRequest(method: method, url: url, headers: headers, body: body)
            let signed = try await client.signed(request, date: Self.date)
            let sent = signed.headers.map { [$0.name, $0.value] }.filter { !["authorization", "x-amz-date", "x-amz-security-token"].contains($0[0].lowercased()) }
            lines.append(try PythonOracle.json([
                "method": method, "url": url, "headers": sent, "body_hex": body.map { String(format: "%02x", $0) }.joined(),
                "access_key": "AKIDEXAMPLE", "secret_key": Self.credentials.secretAccessKey, "token": "session-token-example",
                "region": "us-west-2", "service": "vpc-lattice-svcs", "time": "20251124T160000Z",
            ] as [String: Any]))
            cases.append((signed, url))
        }
        let answers = try PythonOracle.lines("Tests/Oracles/botocore_sigv4.py", input: lines)
        try #require(answers.count == cases.count)
        var mismatches = 0
        for ((signed, url), answer) in zip(cases, answers) where signed.headers["authorization"] != answer["authorization"] as? String {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(signed.method) \(url)\nours:     \(signed.headers["authorization"] ?? "-")\nbotocore: \(answer["authorization"] ?? "-")\nbotocore's canonical request:\n\(answer["canonical_request"] ?? "-")") }
        }
        #expect(mismatches == 0)
    }

    @Test func aSigV4aRequestIsSignedForTheRegionSetAndVerifies() async throws {
        let client = try Self.client(ScriptedTransport([]), signing: .sigV4a(regionSet: ["*"]), region: nil)
        let signed = try await client.signed(HTTPRequest(method: "GET", url: Self.url), date: Self.date)
        #expect(signed.headers["x-amz-region-set"] == "*")
        #expect(signed.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        let authorization = try #require(signed.headers["authorization"])
        #expect(authorization.hasPrefix("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20251124/vpc-lattice-svcs/aws4_request"))

        // The signature verifies under the key SigV4a derives from the secret, over the string
        // to sign of the request as sent.
        var again = SigV4Request(method: "GET", url: Self.url, headers: signed.headers)
        again.headers.remove(name: "authorization")
        let signer = SigV4aSigner(credentials: Self.credentials, service: "vpc-lattice-svcs", regionSet: ["*"])
        let details = try signer.sign(&again, payload: .unsigned, date: Self.date)
        let hex = try #require(authorization.components(separatedBy: "Signature=").last)
        let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(hex.dropFirst($0).prefix(2), radix: 16) }
        #expect(try signer.publicKey().isValidSignature(bytes, for: Array(details.stringToSign.utf8)))
        #expect(try !signer.publicKey().isValidSignature(bytes, for: Array((details.stringToSign + "x").utf8)))
    }

    @Test func everyAnswerIsReturnedAndOnlyIdempotentMethodsAreRetried() async throws {
        let unavailable = HTTPResponse(status: 503, body: Array("busy".utf8))
        let ok = HTTPResponse(status: 200, body: Array("fine".utf8))
        // GET: 503 then 200, retried once.
        let get = ScriptedTransport([unavailable, ok])
        #expect(try await Self.client(get).send(HTTPRequest(method: "GET", url: Self.url)).status == 200)
        #expect(get.sent.count == 2)
        // POST: sent once; the 503 is the answer.
        let post = ScriptedTransport([unavailable, ok])
        let answer = try await Self.client(post).send(HTTPRequest(method: "POST", url: Self.url, body: [1, 2]))
        #expect(answer.status == 503 && answer.body == Array("busy".utf8))
        #expect(post.sent.count == 1)
        // A service's own 404, and a binary body, come back as they are, with no retry.
        let notFound = ScriptedTransport([HTTPResponse(status: 404, body: [0xff, 0x00, 0xfe])])
        let missing = try await Self.client(notFound).send(HTTPRequest(method: "GET", url: Self.url))
        #expect(missing.status == 404 && missing.body == [0xff, 0x00, 0xfe] && notFound.sent.count == 1)
        // Retries end with the last answer, not an error.
        let always = ScriptedTransport([unavailable, unavailable, unavailable, ok])
        #expect(try await Self.client(always).send(HTTPRequest(method: "DELETE", url: Self.url)).status == 503)
        #expect(always.sent.count == 3)
        // Each attempt is signed afresh.
        #expect(get.sent.allSatisfy { $0.headers["authorization"] != nil && $0.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD" })
    }

    @Test func latticesRefusalIsReadAndBadURLsAreRefusedBeforeSending() async throws {
        let denied = HTTPResponse(status: 403, headers: ["content-type": "application/json"],
                                  body: Array(#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/x is not authorized to perform: vpc-lattice-svcs:Invoke"}"#.utf8))
        #expect(LatticeServiceClient.accessDenied(denied)?.contains("vpc-lattice-svcs:Invoke") == true)
        #expect(LatticeServiceClient.accessDenied(HTTPResponse(status: 403, body: Array("forbidden by the app".utf8))) == nil)
        #expect(LatticeServiceClient.accessDenied(HTTPResponse(status: 200)) == nil)

        let transport = ScriptedTransport([])
        let client = try Self.client(transport)
        for url in ["provider-svc/health", "ftp://host/x", "/health", "\u{1b}[2Jhttps://x"] {
            await #expect(throws: ConfigurationError.self, "\(url)") { _ = try await client.send(HTTPRequest(method: "GET", url: url)) }
        }
        #expect(transport.sent.isEmpty)
        #expect(throws: ConfigurationError.self) { _ = try Self.client(transport, signing: .sigV4a(regionSet: [])) }
    }
}
