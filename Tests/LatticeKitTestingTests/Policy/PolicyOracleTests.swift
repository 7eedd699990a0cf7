import Foundation
import LatticeTestSupport
import LatticeKitTesting
import Testing

/// Seeded random policies and requests, evaluated here and by two other evaluators: an
/// oracle written apart from this code from the IAM User Guide (Tests/Oracles/iam_policy_oracle.py),
/// on every case; and moto's IAMPolicy (the version pinned in Tests/requirements.txt), on the
/// cases it handles faithfully (no conditions, Principal "*", no "?", no NotResource; the
/// oracle's `moto_can_judge` says why each is left out).
@Suite struct PolicyOracleTests {
    static let count = 3_000
    static let seed: UInt64 = 0x1A77_1CE5_0016

    /// A permuted congruential generator: the same cases on every run.
    struct Dice {
        var state: UInt64
        mutating func roll(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = UInt32(truncatingIfNeeded: ((state >> 18) ^ state) >> 27)
            let rotated = x >> UInt32(state >> 59) | x << ((32 &- UInt32(state >> 59)) & 31)
            return Int(rotated % UInt32(n))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[roll(items.count)] }
        mutating func chance(_ percent: Int) -> Bool { roll(100) < percent }
    }

    static let svc = Fixture.service
    static let actions = ["vpc-lattice-svcs:Invoke", "vpc-lattice-svcs:*", "*", "vpc-lattice-svcs:Connect", "vpc-lattice-svcs:Inv*",
                          "VPC-LATTICE-SVCS:invoke", "vpc-lattice-svcs:In?oke", "s3:GetObject", "*:Invoke"]
    static let resources = ["*", "\(svc)/*", "\(svc)/api/*", "\(svc)/api/items", "*/api/*", "*/*", "\(Fixture.otherService)/*",
                            "arn:aws:vpc-lattice:us-west-2:*:service/*", "arn:aws:vpc-lattice:*:123456789012:service/svc-*/api/*",
                            "\(svc)/users/${aws:username}/*", svc, "arn:aws:vpc-lattice:us-west-2:123456789012:*", "\(svc)/api/item?",
                            "arn:aws:vpc-lattice:*", "\(svc)/users/${aws:PrincipalTag/team, 'none'}/*"]
    static let principals = [#""*""#, #"{"AWS": "*"}"#, #"{"AWS": "123456789012"}"#, #"{"AWS": "arn:aws:iam::123456789012:role/rates-client"}"#,
                             #"{"AWS": ["999999999999", "arn:aws:iam::123456789012:user/alice"]}"#,
                             #"{"AWS": "arn:aws:sts::123456789012:assumed-role/rates-client/session-1"}"#,
                             #"{"AWS": "arn:aws:iam::123456789012:root"}"#, #"{"Service": "vpc-lattice.amazonaws.com"}"#]
    static let stringKeys = ["vpc-lattice-svcs:RequestMethod", "vpc-lattice-svcs:RequestHeader/x-team", "vpc-lattice-svcs:SourceVpc",
                             "aws:PrincipalType", "aws:PrincipalTag/team", "vpc-lattice-svcs:RequestQueryString/color", "aws:username", "t:missing",
                             "vpc-lattice-svcs:RequestPath"]
    static let stringValues = ["GET", "get", "POST", "G*", "red", "blu?", "vpc-1a2b3c4d", "Anonymous", "anonymous", "User", "payments",
                               "${aws:username}", "alice", "*", "/api/*", "${aws:PrincipalTag/team}", "r${*}"]

    /// One random condition: an operator (maybe qualified, maybe IfExists), a key, values.
    static func condition(_ d: inout Dice) -> String {
        let (base, key, pool): (String, String, [String])
        switch d.roll(9) {
        case 0, 1, 2:
            base = d.pick(["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"])
            (key, pool) = (d.pick(stringKeys), stringValues)
        case 3:
            base = d.pick(["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"])
            (key, pool) = (d.pick(["vpc-lattice-svcs:Port", "vpc-lattice-svcs:RequestHeader/x-count"]), ["443", "80", "1024", "8443.0", "-1"])
        case 4:
            base = d.pick(["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"])
            (key, pool) = (d.pick(["aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"]),
                           ["2023-01-01T00:00:00Z", "2023-11-14T22:13:20Z", "1700000000", "2024-06", "2023-11-14T23:13:20+01:00"])
        case 5:
            (base, key, pool) = ("Bool", d.pick(["aws:SecureTransport", "aws:MultiFactorAuthPresent"]), ["true", "false"])
        case 6:
            base = d.pick(["IpAddress", "NotIpAddress"])
            (key, pool) = ("aws:SourceIp", ["10.0.0.0/16", "10.0.1.25", "192.0.2.0/24", "2001:db8::/32", "0.0.0.0/0"])
        case 7:
            base = d.pick(["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"])
            (key, pool) = (d.pick(["aws:PrincipalArn", "vpc-lattice-svcs:ServiceArn", "vpc-lattice-svcs:ServiceNetworkArn"]),
                           ["arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:user/alice", svc, "arn:aws:vpc-lattice:*:*:service/*",
                            "arn:aws:iam::${aws:PrincipalAccount}:*", "*"])
        default:
            (base, key, pool) = ("Null", d.pick(stringKeys + ["aws:SourceIp", "aws:PrincipalArn"]), ["true", "false"])
        }
        var op = base
        if base != "Null" {
            if d.chance(20) { op += "IfExists" }
            if d.chance(25) { op = d.pick(["ForAllValues:", "ForAnyValue:"]) + op }
        }
        let values = (0...d.roll(2)).map { _ in "\"\(d.pick(pool))\"" }
        let written = values.count == 1 && d.chance(50) ? values[0] : "[" + values.joined(separator: ", ") + "]"
        return #""\#(op)": {"\#(key)": \#(written)}"#
    }

    static func statement(_ d: inout Dice) -> String {
        var parts = [#""Effect": "\#(d.chance(70) ? "Allow" : "Deny")""#]
        parts.append(#""\#(d.chance(10) ? "NotPrincipal" : "Principal")": \#(d.pick(principals))"#)
        let actions = (0...d.roll(2)).map { _ in "\"\(d.pick(Self.actions))\"" }.joined(separator: ", ")
        parts.append(#""\#(d.chance(10) ? "NotAction" : "Action")": [\#(actions)]"#)
        let resources = (0...d.roll(2)).map { _ in "\"\(d.pick(Self.resources))\"" }.joined(separator: ", ")
        parts.append(#""\#(d.chance(10) ? "NotResource" : "Resource")": [\#(resources)]"#)
        if d.chance(60) {
            // Distinct operators, so that none is written twice.
            var seen = Set<String>()
            let tests = (0...d.roll(3)).map { _ in condition(&d) }.filter { seen.insert(String($0.prefix(while: { $0 != "{" }))).inserted }
            parts.append(#""Condition": {\#(tests.joined(separator: ", "))}"#)
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// A statement moto evaluates as IAM does: Principal "*", no condition, no "?".
    static func simpleStatement(_ d: inout Dice) -> String {
        let actions = (0...d.roll(2)).map { _ in "\"\(d.pick(["vpc-lattice-svcs:Invoke", "vpc-lattice-svcs:*", "*", "vpc-lattice-svcs:Connect", "s3:*"]))\"" }
        let resources = (0...d.roll(2)).map { _ in
            "\"\(d.pick(["*", "\(svc)/*", "\(svc)/api/*", "*/api/*", "*/*", svc, "\(Fixture.otherService)/*", "arn:aws:vpc-lattice:us-west-2:123456789012:*"]))\""
        }
        let action = d.chance(20) ? "NotAction" : "Action"
        return #"{"Effect": "\#(d.chance(70) ? "Allow" : "Deny")", "Principal": "*", "\#(action)": [\#(actions.joined(separator: ", "))], "Resource": [\#(resources.joined(separator: ", "))]}"#
    }

    static func request(_ d: inout Dice) -> AuthRequest {
        var alice = Fixture.user
        if d.chance(50) { alice.tags = ["team": d.pick(["payments", "red", "alice"])] }
        var session = Fixture.ratesClient
        if d.chance(30) { session.userID = "AROAEXAMPLEID1234567:session-1" }
        let caller = d.pick([alice, session, Fixture.otherRole, Fixture.foreignUser, .anonymous,
                             AuthRequest.Caller(arn: "arn:aws:iam::123456789012:root") ?? .anonymous])
        let service = d.pick([svc, svc, Fixture.otherService])
        if d.chance(15) {
            return AuthRequest.connect(serviceArn: service, serviceNetworkArn: Fixture.network, port: d.pick([443, 5432]), caller: caller,
                                       sourceVpc: "vpc-1a2b3c4d", sourceIp: d.pick(["10.0.1.25", "192.0.2.7"]), now: Fixture.now)
        }
        let headers = (d.chance(50) ? [("x-team", d.pick(["payments", "red", "GET"]))] : []) + (d.chance(40) ? [("X-Count", d.pick(["80", "2000", "many"]))] : [])
        let query = (0..<d.roll(4)).map { _ in ("color", d.pick(["red", "blue", "green", "rose"])) }
        return AuthRequest.invoke(
            serviceArn: service, serviceNetworkArn: Fixture.network, method: d.pick(["GET", "POST", "get"]),
            path: d.pick(["/", "/api/items", "/api/items/7", "/users/alice/x", "/users/red/x", "/users/none/x", "/api/itemz"]),
            headers: headers, query: query, port: d.pick([443, 80, 8443]), caller: caller,
            sourceVpc: d.pick(["vpc-1a2b3c4d", "vpc-99999999"]), sourceVpcOwnerAccount: "123456789012",
            sourceIp: d.pick(["10.0.1.25", "192.0.2.7", "2001:db8::5", "not-an-ip"]), secureTransport: d.chance(80), now: Fixture.now)
    }

    struct Line: Encodable {
        struct Caller: Encodable {
            var kind: String, arn: String?, account: String?, roleArn: String?, userID: String?
        }
        struct Request: Encodable {
            var action: String, resource: String, caller: Caller, keys: [String: [String]]
        }
        var policy: String
        var request: Request
    }

    struct Answer: Decodable {
        var outcome: String
        var moto: String?
    }

    @Test func randomPoliciesAgreeWithTheOracleAndWithMotoWhereItIsFaithful() throws {
        var dice = Dice(state: Self.seed)
        var cases: [(AuthPolicy, AuthRequest, String)] = []
        while cases.count < Self.count {
            // One policy in five is of the simple kind moto judges faithfully.
            let simple = dice.chance(20)
            let statements = (0...dice.roll(3)).map { _ in simple ? Self.simpleStatement(&dice) : Self.statement(&dice) }
            let version = dice.chance(90) ? #""Version": "2012-10-17", "# : ""
            let json = "{\(version)\"Statement\": [\(statements.joined(separator: ", "))]}"
            let policy = try AuthPolicy(json: json)
            cases.append((policy, Self.request(&dice), json))
        }
        let encoder = JSONEncoder()
        var input = Data()
        for (_, request, json) in cases {
            let c = request.caller
            let line = Line(policy: json, request: .init(
                action: request.action, resource: request.resource,
                caller: .init(kind: c.kind.rawValue, arn: c.arn, account: c.account, roleArn: c.roleArn, userID: c.userID),
                keys: request.conditionKeys))
            input.append(try encoder.encode(line))
            input.append(0x0A)
        }
        let output = try Self.runOracle(input)
        let answers = try output.split(separator: 0x0A).map { try JSONDecoder().decode(Answer.self, from: Data($0)) }
        try #require(answers.count == cases.count)
        var disagreements = 0, motoCompared = 0, motoDisagreements = 0
        var outcomes: [AuthOutcome: Int] = [:]
        for ((policy, request, json), answer) in zip(cases, answers) {
            let evaluation = policy.evaluate(request)
            outcomes[evaluation.outcome, default: 0] += 1
            if evaluation.outcome.rawValue != answer.outcome {
                disagreements += 1
                if disagreements <= 3 {
                    Issue.record("ours: \(evaluation)\noracle: \(answer.outcome)\npolicy: \(json)\nrequest: \(request.action) \(request.resource) by \(request.caller)\nkeys: \(request.conditionKeys)")
                }
            }
            if let moto = answer.moto {
                motoCompared += 1
                if moto != evaluation.outcome.rawValue {
                    motoDisagreements += 1
                    if motoDisagreements <= 3 { Issue.record("moto: \(moto), ours: \(evaluation)\npolicy: \(json)\nrequest: \(request.action) \(request.resource)") }
                }
            }
        }
        #expect(disagreements == 0)
        #expect(motoDisagreements == 0)
        // The comparison means something only if every outcome occurs often, and moto judged enough.
        for outcome in [AuthOutcome.allow, .explicitDeny, .implicitDeny] {
            #expect(outcomes[outcome, default: 0] > Self.count / 20, "\(outcomes)")
        }
        #expect(motoCompared >= 100, "moto judged only \(motoCompared) cases")
    }

    /// Runs the oracle with the cases on stdin (through sh, from and to files); a missing
    /// python3 or moto fails the test with what to do.
    static func runOracle(_ input: Data) throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("latticekit-policy-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let (cases, answers, errors) = (work.appendingPathComponent("cases"), work.appendingPathComponent("answers"), work.appendingPathComponent("errors"))
        try input.write(to: cases)
        let shell = try ProcessLaunch.run(URL(fileURLWithPath: "/bin/sh"), arguments: [
            "-c", #"python3 "$0" < "$1" > "$2" 2> "$3""#,
            root.appendingPathComponent("Tests/Oracles/iam_policy_oracle.py").path, cases.path, answers.path, errors.path,
        ])
        shell.waitUntilExit()
        if shell.terminationStatus != 0 {
            let problem = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            Issue.record("the policy oracle failed (\(shell.terminationStatus)): \(problem.suffix(2000))\nRun `make test`, which installs the pinned moto (Tests/requirements.txt).")
        }
        return (try? Data(contentsOf: answers)) ?? Data()
    }
}
