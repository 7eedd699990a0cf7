import Foundation
import LatticeKit
import LatticeKitTesting
import SigV4
import Testing

@Suite struct CassetteTransportTests {
    typealias S = CassetteTestSupport

    // MARK: Round trip

    @Test func aRecordedFlowReplaysThroughLatticeClientWithoutTheNetwork() async throws {
        let dir = try S.temporaryDirectory()
        let fake = CassetteFakeTransport { request in
            if request.method == "POST" {
                return S.json(201, #"{"id":"sn-0123456789abcdef0","name":"seed-network","arn":"arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0","authType":"NONE"}"#)
            }
            return S.json(200, #"{"items":[{"id":"svc-0123456789abcdef0","name":"provider-svc","status":"ACTIVE"}]}"#, headers: [("x-amzn-RequestId", "req-1")])
        }
        let recorder = try Cassette.transport(named: "round-trip", directory: dir, mode: .record, live: fake, redaction: Redaction(credentials: RecordingCredentials.credentials))
        let live = try S.client(recorder, credentials: RecordingCredentials.credentials)
        let created = try await live.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth))
        let listed = try await live.listServices(ListServicesRequest(maxResults: 10))
        try recorder.finish()
        #expect(fake.requests.count == 2)

        let replay = try Cassette.transport(named: "round-trip", directory: dir, mode: .replay)
        #expect(replay.isReplaying)
        let offline = try S.client(replay, credentials: Cassette.replayCredentials)
        #expect(try await offline.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth)) == created)
        #expect(try await offline.listServices(ListServicesRequest(maxResults: 10)) == listed)
        try replay.finish()
        #expect(fake.requests.count == 2)
    }

    @Test func everyKindOfBodyAndHeaderSurvivesTheFileRoundTrip() async throws {
        let dir = try S.temporaryDirectory()
        let file = dir.appendingPathComponent("kinds.json")
        let binary: [UInt8] = [0xff, 0x00, 0xfe, 0x41]
        let responses: [String: HTTPResponse] = [
            "/json": S.json(200, #"{"a":[1,2.5,true,null,"x/y"],"b":{"c":-7}}"#),
            "/text": HTTPResponse(status: 500, headers: ["Content-Type": "text/html"], body: Array("<html>boom</html>".utf8)),
            "/binary": HTTPResponse(status: 200, headers: ["Set-Thing": "1", "set-thing": "2"], body: binary),
            "/empty": HTTPResponse(status: 204),
        ]
        let fake = CassetteFakeTransport { request in
            let path = request.url.split(separator: "?")[0].replacingOccurrences(of: "http://h", with: "")
            return responses[path] ?? HTTPResponse(status: 404)
        }
        let recorder = RecordingTransport(wrapping: fake, file: file, recordedBy: "a unit test")
        var originals: [String: HTTPResponse] = [:]
        for path in ["/json", "/text", "/binary", "/empty"] {
            originals[path] = try await recorder.send(S.request("PUT", "http://h\(path)?b=2&a=%2F1&a=0", body: #"{"k":"v"}"#))
        }
        try recorder.finish()

        let cassette = try Cassette.load(from: file)
        #expect(cassette.name == "kinds")
        #expect(cassette.recordedBy == "a unit test")
        #expect(cassette.interactions.map(\.sequence) == [1, 2, 3, 4])
        #expect(cassette.interactions[0].request.query == [.init("b", "2"), .init("a", "/1"), .init("a", "0")])
        #expect(cassette.interactions[0].request.body == .json(.object(["k": .string("v")])))
        #expect(cassette.interactions[1].response?.body == .text("<html>boom</html>"))
        #expect(cassette.interactions[2].response?.headers["set-thing"] == "1, 2")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(#""bodyBase64" : "/wD+QQ==""#))
        #expect(text.contains(#""x/y""#), "slashes are not escaped")

        let replay = ReplayTransport(cassette: cassette)
        for path in ["/json", "/text", "/binary", "/empty"] {
            let replayed = try await replay.send(S.request("PUT", "http://other-host:1\(path)?a=0&a=%2F1&b=2", body: #"{ "k" : "v" }"#))
            let original = try #require(originals[path])
            #expect(replayed.status == original.status)
            if let json = S.parse(original.body) {
                #expect(S.parse(replayed.body) == json)
            } else {
                #expect(replayed.body == original.body)
            }
            for field in original.headers {
                #expect(replayed.headers.values(for: field.name).joined(separator: ", ") == original.headers.values(for: field.name).joined(separator: ", "))
            }
        }
        try replay.verify()
    }

    @Test func aRecordedTransportErrorIsReplayedAsTheSameError() async throws {
        let dir = try S.temporaryDirectory()
        let recorder = RecordingTransport(wrapping: CassetteFakeTransport { _ in throw TransportError(.connectFailed, "connection refused by 127.0.0.1:1") }, file: dir.appendingPathComponent("e.json"))
        await #expect(throws: TransportError(.connectFailed, "connection refused by 127.0.0.1:1")) { try await recorder.send(S.request("GET", "http://h/x")) }
        let replay = ReplayTransport(cassette: recorder.cassette)
        await #expect(throws: TransportError(.connectFailed, "connection refused by 127.0.0.1:1")) { try await replay.send(S.request("GET", "http://h/x")) }
        try replay.verify()
    }

    // MARK: Redaction

    @Test func signingHeadersAndCredentialsAreRedactedBeforeAnythingIsKept() async throws {
        let dir = try S.temporaryDirectory()
        let file = dir.appendingPathComponent("redacted.json")
        let secret = RecordingCredentials.secretAccessKey, token = RecordingCredentials.sessionToken
        let fake = CassetteFakeTransport { request in
            if request.url.contains("/sts") {
                return HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Array("<Credentials><AccessKeyId>ASIAXXXX</AccessKeyId><SecretAccessKey>other-secret-from-sts</SecretAccessKey><SessionToken>sts-token-value</SessionToken></Credentials>".utf8))
            }
            return S.json(200, """
                {"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret-value","Token":"imds-token-value",
                 "nested":{"deeper":[{"sessionToken":"deep-token"}]},"echo":"\(token)","note":"\(PercentEncoding.encode(secret))","nextToken":"page-2"}
                """, headers: [("X-Echo", "token=\(token)")])
        }
        let recorder = RecordingTransport(wrapping: fake, file: file, redaction: Redaction(credentials: RecordingCredentials.credentials))
        _ = try await recorder.send(S.request(
            "POST", "http://h/tags/\(PercentEncoding.encode(token))?X-Amz-Signature=abc123&owner=\(PercentEncoding.encode(secret))",
            body: #"{"policy":"\#(secret.replacingOccurrences(of: "/", with: "\\/"))","Token":"t"}"#,
            headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCASSETTERECORD01/20260101/us-east-1/vpc-lattice/aws4_request, SignedHeaders=host, Signature=0123abcd"),
                      ("X-Amz-Security-Token", token), ("X-Amz-Date", "20260101T000000Z"), ("User-Agent", "LatticeKit/0.1 (Swift)")]))
        _ = try await recorder.send(S.request("POST", "http://h/sts", body: "Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJhbGciOi.jwt&Version=2011-06-15"))
        try recorder.finish()

        let cassette = try Cassette.load(from: file)
        let request = cassette.interactions[0].request
        for name in ["authorization", "x-amz-security-token", "x-amz-date"] {
            #expect(request.headers[name] == Redaction.placeholder)
        }
        #expect(request.headers["user-agent"] == "LatticeKit/0.1 (Swift)")
        #expect(request.path == "/tags/<redacted>")
        #expect(request.query == [.init("X-Amz-Signature", "<redacted>"), .init("owner", "<redacted>")])
        #expect(request.body == .json(.object(["policy": .string("<redacted>"), "Token": .string("<redacted>")])))
        guard case .json(let body)? = cassette.interactions[0].response?.body, case .object(let members) = body else {
            Issue.record("the response body should stay JSON")
            return
        }
        for key in ["AccessKeyId", "SecretAccessKey", "Token", "echo", "note"] {
            #expect(members[key] == .string("<redacted>"), "\(key)")
        }
        #expect(members["nested"] == .object(["deeper": .array([.object(["sessionToken": .string("<redacted>")])])]))
        #expect(members["nextToken"] == .string("page-2"), "pagination tokens are not credentials")
        #expect(members["Code"] == .string("Success"))
        #expect(cassette.interactions[0].response?.headers["x-echo"] == "token=<redacted>")
        #expect(cassette.interactions[1].request.body == .text("Action=AssumeRoleWithWebIdentity&WebIdentityToken=<redacted>&Version=2011-06-15"))
        #expect(cassette.interactions[1].response?.body == .text("<Credentials><AccessKeyId><redacted></AccessKeyId><SecretAccessKey><redacted></SecretAccessKey><SessionToken><redacted></SessionToken></Credentials>"))

        let text = try String(contentsOf: file, encoding: .utf8).lowercased()
        for leak in RecordingCredentials.leakForms + ["imds-secret-value", "imds-token-value", "deep-token", "other-secret-from-sts", "sts-token-value", "eyjhbgcioi.jwt", "signature=0123abcd", "20260101t000000z"] {
            #expect(!text.contains(leak.lowercased()), "the cassette holds \(leak)")
        }
    }

    @Test func shortSecretsSuchAsMotosTestingAreNotRedactedFromOrdinaryText() {
        let redaction = Redaction(credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"))
        #expect(redaction.secrets.isEmpty)
        let request = redaction.redact(Cassette.Request(method: "POST", path: "/tags/x", body: .json(.object(["stage": .string("testing")]))))
        #expect(request.body == .json(.object(["stage": .string("testing")])))
    }

    @Test func recordModeRedactsTheEnvironmentsCredentials() async throws {
        let dir = try S.temporaryDirectory()
        let fake = CassetteFakeTransport { _ in S.json(200, #"{"echo":"env-session-token-value"}"#) }
        let recorder = try Cassette.transport(named: "env", directory: dir, mode: .fromEnvironment, live: fake,
                                              environment: ["LATTICE_CASSETTE_MODE": "record", "AWS_SESSION_TOKEN": "env-session-token-value"])
        #expect(recorder.mode == .record)
        _ = try await recorder.send(S.request("GET", "http://h/x"))
        try recorder.finish()
        let text = try String(contentsOf: dir.appendingPathComponent("env.json"), encoding: .utf8)
        #expect(!text.contains("env-session-token-value"))
    }

    // MARK: Matching

    @Test func matchingIgnoresSigningHeadersClientTokensAndQueryOrder() async throws {
        let recorded = Cassette(name: "m", interactions: [
            Cassette.Interaction(
                sequence: 1,
                request: Cassette.Request(method: "POST", path: "/services", query: [.init("a", "1"), .init("b", "2"), .init("a", "0")],
                                          headers: ["authorization": "<redacted>", "x-amz-date": "<redacted>"],
                                          body: .json(.object(["name": .string("svc"), "clientToken": .string("old-token"),
                                                               "config": .object(["clientToken": .string("nested-old"), "port": .int(80)])]))),
                response: Cassette.Response(status: 201, body: .json(.object(["id": .string("svc-1")])))),
        ])
        let replay = ReplayTransport(cassette: recorded)
        let response = try await replay.send(S.request(
            "POST", "https://vpc-lattice.us-east-1.amazonaws.com/services?a=0&b=2&a=1",
            body: #"{"clientToken":"fresh-token","config":{"port":80.0,"clientToken":"nested-fresh"},"name":"svc"}"#,
            headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=OTHER/20300101/us-east-1/vpc-lattice/aws4_request, SignedHeaders=host, Signature=ffff"),
                      ("X-Amz-Date", "20300101T000000Z"), ("X-Amz-Security-Token", "another-token"), ("X-Amz-Content-Sha256", "abc")]))
        #expect(response.status == 201)
        try replay.verify()
    }

    @Test func aQueryValueSentTwiceDoesNotMatchOneSentOnce() async throws {
        let replay = ReplayTransport(cassette: Cassette(name: "q", interactions: [
            Cassette.Interaction(sequence: 1, request: Cassette.Request(method: "DELETE", path: "/tags/x", query: [.init("tagKeys", "a")]), response: Cassette.Response(status: 200)),
        ]))
        let error = await #expect(throws: CassetteError.self) { try await replay.send(S.request("DELETE", "http://h/tags/x?tagKeys=a&tagKeys=a")) }
        #expect(error?.differences == [RequestDifference(location: "query.tagKeys", recorded: #""a""#, sent: #"["a", "a"]"#)])
    }

    // MARK: Strict order and unused interactions

    static func twoStep() -> Cassette {
        Cassette(name: "two-step", interactions: [
            Cassette.Interaction(sequence: 1, request: Cassette.Request(method: "GET", path: "/services"), response: Cassette.Response(status: 200, body: .json(.object(["items": .array([])])))),
            Cassette.Interaction(sequence: 2, request: Cassette.Request(method: "GET", path: "/servicenetworks"), response: Cassette.Response(status: 200, body: .json(.object(["items": .array([])])))),
        ])
    }

    @Test func strictReplayFailsWhenRequestsComeInAnotherOrder() async throws {
        let replay = ReplayTransport(cassette: Self.twoStep())
        let error = await #expect(throws: CassetteError.self) { try await replay.send(S.request("GET", "http://h/servicenetworks")) }
        #expect(error?.kind == .outOfOrder)
        #expect(error?.closestSequence == 2)
        #expect(error?.message.contains("GET /servicenetworks matches recorded interaction #2, but strict replay expects #1 (GET /services) first") == true)
        #expect(error?.message.contains("strict: false") == true)
        // The failure is remembered: verify fails even though the test went on.
        _ = try await replay.send(S.request("GET", "http://h/services"))
        _ = try await replay.send(S.request("GET", "http://h/servicenetworks"))
        #expect(throws: CassetteError.self) { try replay.verify() }
    }

    @Test func nonStrictReplayAcceptsAnyOrderButEachInteractionOnce() async throws {
        let replay = ReplayTransport(cassette: Self.twoStep(), strict: false)
        _ = try await replay.send(S.request("GET", "http://h/servicenetworks"))
        _ = try await replay.send(S.request("GET", "http://h/services"))
        try replay.verify()
        let error = await #expect(throws: CassetteError.self) { try await replay.send(S.request("GET", "http://h/services")) }
        #expect(error?.kind == .noMatch)
        #expect(error?.message.contains("It matches #1, which has already answered") == true)
    }

    @Test func finishingWithUnusedInteractionsFailsAndNamesThem() async throws {
        let replay = ReplayTransport(cassette: Self.twoStep(), source: "cassette two-step.json")
        _ = try await replay.send(S.request("GET", "http://h/services"))
        #expect(replay.unusedInteractions.map(\.sequence) == [2])
        let error = #expect(throws: CassetteError.self) { try replay.finish() }
        #expect(error?.kind == .unusedInteractions)
        #expect(error?.message == "cassette two-step.json: 1 of 2 recorded interactions were never used: #2 GET /servicenetworks. The code under test made fewer requests than when it was recorded: re-record the cassette (LATTICE_CASSETTE_MODE=record) or remove those interactions.")
    }

    // MARK: Misses

    @Test func aMissNamesTheClosestRecordedRequestAndEveryDifference() async throws {
        let cassette = Cassette(name: "seed", interactions: [
            Cassette.Interaction(sequence: 1, request: Cassette.Request(method: "GET", path: "/services"), response: Cassette.Response(status: 200)),
            Cassette.Interaction(
                sequence: 2,
                request: Cassette.Request(method: "POST", path: "/targetgroups", query: [.init("dryRun", "false")],
                                          body: .json(.object(["name": .string("provider-tg"), "type": .string("IP"),
                                                               "config": .object(["port": .int(8080), "protocol": .string("HTTP")]),
                                                               "tags": .object(["app": .string("provider")])]))),
                response: Cassette.Response(status: 201)),
            Cassette.Interaction(sequence: 3, request: Cassette.Request(method: "DELETE", path: "/targetgroups/tg-1"), response: Cassette.Response(status: 204)),
        ])
        let replay = ReplayTransport(cassette: cassette, strict: false)
        let error = await #expect(throws: CassetteError.self) {
            try await replay.send(S.request("POST", "http://h/targetgroups?dryRun=true",
                                            body: #"{"name":"provider-tg","type":"IP","config":{"port":80,"protocol":"HTTP","vpcIdentifier":"vpc-1"},"clientToken":"x"}"#))
        }
        let e = try #require(error)
        #expect(e.kind == .noMatch)
        #expect(e.closestSequence == 2)
        #expect(e.differences == [
            RequestDifference(location: "query.dryRun", recorded: #""false""#, sent: #""true""#),
            RequestDifference(location: "body.config.port", recorded: "8080", sent: "80"),
            RequestDifference(location: "body.config.vpcIdentifier", recorded: "(absent)", sent: #""vpc-1""#),
            RequestDifference(location: "body.tags", recorded: #"{"app":"provider"}"#, sent: "(absent)"),
        ])
        #expect(e.message == """
            cassette "seed": no recorded interaction matches POST /targetgroups?dryRun=true.
            The closest recorded request is #2 POST /targetgroups?dryRun=false; it differs in:
              - query.dryRun: recorded "false", sent "true"
              - body.config.port: recorded 8080, sent 80
              - body.config.vpcIdentifier: recorded (absent), sent "vpc-1"
              - body.tags: recorded {"app":"provider"}, sent (absent)
            Change the request to match, or re-record the cassette (LATTICE_CASSETTE_MODE=record) if the change is intended.
            """)
    }

    @Test func aMissOnMethodPathAndTextBodySaysSo() async throws {
        let cassette = Cassette(name: "t", interactions: [
            Cassette.Interaction(sequence: 1, request: Cassette.Request(method: "PUT", path: "/authpolicy/svc-1", body: .text("policy text that is long enough to be clipped somewhere after the start")), response: Cassette.Response(status: 200)),
        ])
        let replay = ReplayTransport(cassette: cassette)
        let error = await #expect(throws: CassetteError.self) {
            try await replay.send(S.request("POST", "http://h/authpolicy/svc-2", body: "policy text that is long enough to be clipped somewhere ELSE"))
        }
        #expect(error?.differences == [
            RequestDifference(location: "method", recorded: "PUT", sent: "POST"),
            RequestDifference(location: "path", recorded: #""/authpolicy/svc-1""#, sent: #""/authpolicy/svc-2""#),
            RequestDifference(location: "body (text from character 36)", recorded: #""e clipped somewhere after the start""#, sent: #""e clipped somewhere ELSE""#),
        ])
        #expect(error?.message.contains("(the next expected)") == true)
    }

    @Test func aRequestAfterTheLastInteractionSaysAllHaveAnswered() async throws {
        let replay = ReplayTransport(cassette: Self.twoStep())
        _ = try await replay.send(S.request("GET", "http://h/services"))
        _ = try await replay.send(S.request("GET", "http://h/servicenetworks"))
        let error = await #expect(throws: CassetteError.self) { try await replay.send(S.request("GET", "http://h/targetgroups")) }
        #expect(error?.message.contains("The closest recorded request is #1 GET /services (all 2 recorded interactions have already answered); it differs in:\n  - path: recorded \"/services\", sent \"/targetgroups\"") == true, "\(error?.message ?? "")")
    }

    // MARK: Concurrency

    @Test func concurrentRequestsAreAllRecordedWithSequenceNumbersAndReplayOutOfOrder() async throws {
        let dir = try S.temporaryDirectory()
        let file = dir.appendingPathComponent("concurrent.json")
        let fake = CassetteFakeTransport { request in
            let n = Int(request.url.split(separator: "/").last ?? "0") ?? 0
            try await Task.sleep(nanoseconds: UInt64((n * 7919) % 13) * 1_000_000)
            return S.json(200, #"{"n":\#(n)}"#)
        }
        let recorder = RecordingTransport(wrapping: fake, file: file)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 {
                group.addTask { _ = try await recorder.send(S.request("GET", "http://h/items/\(i)")) }
            }
            try await group.waitForAll()
        }
        try recorder.finish()
        let cassette = try Cassette.load(from: file)
        #expect(cassette.interactions.map(\.sequence) == Array(1...64))
        #expect(Set(cassette.interactions.map(\.request.path)) == Set((0..<64).map { "/items/\($0)" }))
        for interaction in cassette.interactions {
            #expect(interaction.response?.body == .json(.object(["n": .int(Int64(interaction.request.path.dropFirst(7)) ?? -1)])))
        }

        let replay = ReplayTransport(cassette: cassette, strict: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in (0..<64).reversed() {
                group.addTask {
                    let response = try await replay.send(S.request("GET", "http://h/items/\(i)"))
                    #expect(S.parse(response.body) == .object(["n": .int(Int64(i))]))
                }
            }
            try await group.waitForAll()
        }
        try replay.verify()
    }

    // MARK: The switch

    @Test func theModeComesFromLatticeCassetteModeAndDefaultsToReplay() throws {
        #expect(try Cassette.Mode.fromEnvironment.resolved(variables: [:]) == .replay)
        #expect(try Cassette.Mode.fromEnvironment.resolved(variables: ["LATTICE_CASSETTE_MODE": "replay"]) == .replay)
        #expect(try Cassette.Mode.fromEnvironment.resolved(variables: ["LATTICE_CASSETTE_MODE": " RECORD "]) == .record)
        #expect(try Cassette.Mode.replay.resolved(variables: ["LATTICE_CASSETTE_MODE": "record"]) == .replay)
        let error = #expect(throws: CassetteError.self) { try Cassette.Mode.fromEnvironment.resolved(variables: ["LATTICE_CASSETTE_MODE": "live"]) }
        #expect(error?.message.contains("use record") == true)
    }

    @Test func replayingACassetteThatWasNeverRecordedSaysHowToRecordIt() throws {
        let dir = try S.temporaryDirectory()
        let error = #expect(throws: CassetteError.self) { try Cassette.transport(named: "missing", directory: dir, environment: [:]) }
        #expect(error?.kind == .cassetteNotFound)
        #expect(error?.message.contains("missing.json") == true)
        #expect(error?.message.contains("LATTICE_CASSETTE_MODE=record") == true)
        #expect(throws: CassetteError.self) { try Cassette.transport(named: "../escape", directory: dir, environment: [:]) }
    }

    @Test func aCassetteOfAnotherFormatVersionIsRefusedWithAReason() throws {
        let dir = try S.temporaryDirectory()
        let file = dir.appendingPathComponent("future.json")
        try Data(#"{"formatVersion": 99, "name": "future", "interactions": []}"#.utf8).write(to: file)
        let error = #expect(throws: CassetteError.self) { try Cassette.load(from: file) }
        #expect(error?.kind == .invalidCassette)
        #expect(error?.message.contains("format 99") == true)
    }

    @Test func theFileIsPrettyWithSortedKeysAndStable() async throws {
        let dir = try S.temporaryDirectory()
        let file = dir.appendingPathComponent("stable.json")
        let recorder = RecordingTransport(wrapping: CassetteFakeTransport { _ in S.json(200, #"{"z":1,"a":{"y":2,"b":3}}"#) }, file: file)
        _ = try await recorder.send(S.request("POST", "http://h/p?x=1", body: #"{"b":1,"a":2}"#, headers: [("Content-Type", "application/json")]))
        try recorder.finish()
        let first = try Data(contentsOf: file)
        try Cassette.load(from: file).write(to: file)
        #expect(try Data(contentsOf: file) == first, "loading and writing again changes nothing")
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"formatVersion\" : 1,\n  \"interactions\" : [\n"))
        let a = try #require(text.range(of: "\"a\" : {")), z = try #require(text.range(of: "\"z\" : 1"))
        #expect(a.lowerBound < z.lowerBound)
    }
}
