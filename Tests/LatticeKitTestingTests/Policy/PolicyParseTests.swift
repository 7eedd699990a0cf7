import Foundation
import LatticeKitTesting
import Testing

/// Documents IAM would refuse, or that cannot mean what they show, are refused with the place
/// in the document and what to write; hostile input is bounded and never crashes.
@Suite struct PolicyParseTests {
    static let ok = #""Effect": "Allow", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*""#

    static func doc(_ statement: String) -> String {
        #"{"Version": "2012-10-17", "Statement": [{\#(ok)}, {\#(statement)}]}"#
    }

    @Test(arguments: [
        ("not json", "", "not JSON at line 1, column 1"),
        ("{\"Statement\": [}", "", "not JSON at line 1, column 16"),
        ("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}", "", "not JSON at line 3, column 17"),
        ("[]", "", "a policy is a JSON object with Version and Statement, not a list"),
        (#"{"Version": "2020-01-01", "Statement": []}"#, "Version", "must be \"2012-10-17\""),
        (#"{"Version": "2012-10-17"}"#, "", "the policy has no Statement"),
        (#"{"Version": "2012-10-17", "Statement": []}"#, "Statement", "is empty"),
        (#"{"Version": "2012-10-17", "Statement": "Allow"}"#, "Statement", "must be an object or a list of objects, not a string"),
        (#"{"Version": "2012-10-17", "Statment": []}"#, "", #""Statment" is not an element of a policy"#),
        (#"{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}"#, "Version", "is written twice"),
        (#"{"Statement": ["Allow"]}"#, "Statement[0]", "must be an object"),
    ])
    func malformedDocumentsNameThePlace(json: String, path: String, problem: String) {
        Self.expectRefusal(json, path: path, problem: problem)
    }

    @Test(arguments: [
        (#""Principal": "*", "Action": "*", "Resource": "*""#, "Statement[1]", "has no Effect"),
        (#""Effect": "allow", "Principal": "*", "Action": "*", "Resource": "*""#, "Statement[1].Effect", "must be \"Allow\" or \"Deny\""),
        (#"\#(ok), "Sid": 7"#, "Statement[1].Sid", "must be a string"),
        (#"\#(ok), "Conditions": {}"#, "Statement[1]", #""Conditions" is not an element of a statement"#),
        (#"\#(ok), "action": "x""#, "Statement[1]", "names are case-sensitive: write Action"),
        (#""Effect": "Allow", "Principal": "*", "Resource": "*""#, "Statement[1]", "has no Action (or NotAction)"),
        (#"\#(ok), "NotAction": "x:y""#, "Statement[1]", "has both Action and NotAction"),
        (#""Effect": "Allow", "Principal": "*", "Action": "Invoke", "Resource": "*""#, "Statement[1].Action[0]", "is not service:action"),
        (#""Effect": "Allow", "Principal": "*", "Action": [], "Resource": "*""#, "Statement[1].Action", "is an empty list"),
        (#""Effect": "Allow", "Principal": "*", "Action": ["a:b", 3], "Resource": "*""#, "Statement[1].Action[1]", "must be a string, not a number"),
        (#""Effect": "Allow", "Principal": "*", "Action": "a:b""#, "Statement[1]", "has no Resource (or NotResource)"),
        (#"\#(ok), "NotResource": "*""#, "Statement[1]", "has both Resource and NotResource"),
        (#""Effect": "Allow", "Principal": "*", "Action": "a:b", "Resource": {"a": 1}"#, "Statement[1].Resource", "must be a string or a list of strings, not an object"),
        (#""Effect": "Allow", "Principal": "*", "Action": "a:b", "Resource": "arn:aws:vpc-lattice:${aws:region}:123456789012:service/x""#, "Statement[1].Resource[0]", "only in the resource part"),
        (#""Effect": "Allow", "Action": "a:b", "Resource": "*""#, "Statement[1]", "has no Principal (or NotPrincipal)"),
        (#"\#(ok), "NotPrincipal": "*""#, "Statement[1]", "has both Principal and NotPrincipal"),
        (#""Effect": "Allow", "Principal": "everyone", "Action": "a:b", "Resource": "*""#, "Statement[1].Principal", "a string here can only be \"*\""),
        (#""Effect": "Allow", "Principal": {}, "Action": "a:b", "Resource": "*""#, "Statement[1].Principal", "must be \"*\" or an object"),
        (#""Effect": "Allow", "Principal": {"IAM": "x"}, "Action": "a:b", "Resource": "*""#, "Statement[1].Principal", #""IAM" is not an element of a principal"#),
        (#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/*"}, "Action": "a:b", "Resource": "*""#, "Statement[1].Principal.AWS[0]", "a principal cannot hold a wildcard"),
        (#""Effect": "Allow", "Principal": {"AWS": ["123456789012", "bob"]}, "Action": "a:b", "Resource": "*""#, "Statement[1].Principal.AWS[1]", #""bob" is not a principal"#),
        (#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:group/devs"}, "Action": "a:b", "Resource": "*""#, "Statement[1].Principal.AWS[0]", "is not a principal"),
        (#"\#(ok), "Condition": "yes""#, "Statement[1].Condition", "must be an object of operators"),
        (#"\#(ok), "Condition": {"StringEqual": {"a:b": "c"}}"#, "Statement[1].Condition.StringEqual", "is not a condition operator"),
        (#"\#(ok), "Condition": {"stringequals": {"a:b": "c"}}"#, "Statement[1].Condition.stringequals", "operator names are case-sensitive: write StringEquals"),
        (#"\#(ok), "Condition": {"ForSomeValues:StringEquals": {"a:b": "c"}}"#, "Statement[1].Condition.ForSomeValues:StringEquals", "is not a condition operator"),
        (#"\#(ok), "Condition": {"NullIfExists": {"a:b": "true"}}"#, "Statement[1].Condition.NullIfExists", "Null takes neither IfExists"),
        (#"\#(ok), "Condition": {"StringEquals": "x"}"#, "Statement[1].Condition.StringEquals", "must be an object of condition keys"),
        (#"\#(ok), "Condition": {"StringEquals": {}}"#, "Statement[1].Condition.StringEquals", "must be an object of condition keys"),
        (#"\#(ok), "Condition": {"StringEquals": {"method": "GET"}}"#, "Statement[1].Condition.StringEquals.method", "is not a condition key"),
        (#"\#(ok), "Condition": {"StringEquals": {"a:b": []}}"#, "Statement[1].Condition.StringEquals.a:b", "is an empty list"),
        (#"\#(ok), "Condition": {"StringEquals": {"a:b": {"c": 1}}}"#, "Statement[1].Condition.StringEquals.a:b", "must be a string, number or boolean, not an object"),
        (#"\#(ok), "Condition": {"StringEquals": {"a:b": ["x", null]}}"#, "Statement[1].Condition.StringEquals.a:b[1]", "not null"),
        (#"\#(ok), "Condition": {"StringEquals": {"a:b": "1", "a:b": "2"}}"#, "Statement[1].Condition.StringEquals.a:b", "is written twice"),
        (#"\#(ok), "Condition": {"StringEquals": {"a:b": "1"}, "StringEquals": {"a:c": "2"}}"#, "Statement[1].Condition.StringEquals", "is written twice"),
        (#"\#(ok), "Condition": {"NumericLessThan": {"vpc-lattice-svcs:Port": "ten"}}"#, "Statement[1].Condition.NumericLessThan.vpc-lattice-svcs:Port", #""ten" is not a number"#),
        (#"\#(ok), "Condition": {"NumericEquals": {"a:b": ["1", "1e3"]}}"#, "Statement[1].Condition.NumericEquals.a:b[1]", "is not a number"),
        (#"\#(ok), "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-02-30"}}"#, "Statement[1].Condition.DateLessThan.aws:CurrentTime", "is not a date"),
        (#"\#(ok), "Condition": {"Bool": {"aws:SecureTransport": "yes"}}"#, "Statement[1].Condition.Bool.aws:SecureTransport", "is neither true nor false"),
        (#"\#(ok), "Condition": {"Null": {"a:b": 1}}"#, "Statement[1].Condition.Null.a:b", "is neither true nor false"),
        (#"\#(ok), "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}"#, "Statement[1].Condition.IpAddress.aws:SourceIp", "is not an IP address"),
        (#"\#(ok), "Condition": {"IpAddress": {"aws:SourceIp": "2001:db8::1::/64"}}"#, "Statement[1].Condition.IpAddress.aws:SourceIp", "is not an IP address"),
        (#"\#(ok), "Condition": {"ArnLike": {"aws:PrincipalArn": "role/admin"}}"#, "Statement[1].Condition.ArnLike.aws:PrincipalArn", "is not an ARN"),
        (#"\#(ok), "Condition": {"BinaryEquals": {"a:b": "not base64!"}}"#, "Statement[1].Condition.BinaryEquals.a:b", "is not base64"),
    ])
    func malformedStatementsNameThePlace(statement: String, path: String, problem: String) {
        Self.expectRefusal(Self.doc(statement), path: path, problem: problem)
    }

    static func expectRefusal(_ json: String, kind: AuthPolicy.Kind = .resourceBased, path: String, problem: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let policy = try AuthPolicy(json: json, kind: kind)
            Issue.record("read, but should not: \(policy)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            #expect(error.problem.contains(problem), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description == (path.isEmpty ? error.problem : "\(path): \(error.problem)"), sourceLocation: sourceLocation)
        }
    }

    @Test func identityPoliciesNameNoPrincipal() throws {
        Self.expectRefusal(#"{"Statement": {\#(Self.ok)}}"#, kind: .identityBased, path: "Statement[0]", problem: "an identity-based policy names no Principal")
        let identity = try AuthPolicy(json: #"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#, kind: .identityBased)
        #expect(identity.kind == .identityBased)
        #expect(identity.evaluate(Fixture.invoke(caller: Fixture.user)).outcome == .allow)
    }

    @Test func validDocumentsRead() throws {
        let single = try AuthPolicy(json: #"{"Version": "2008-10-17", "Id": "p1", "Statement": {"Sid": "One", \#(Self.ok)}}"#)
        #expect(single.version == "2008-10-17")
        #expect(single.id == "p1")
        #expect(single.statementCount == 1)
        #expect(single.description == #"policy (2008-10-17) with 1 statement: "One" (Statement[0]) Allow"#)
        let values = try AuthPolicy(json: Self.doc(#"\#(Self.ok), "Condition": {"NumericEquals": {"a:b": [1, 2.5, "-3"]}, "Bool": {"c:d": false}, "StringEquals": {"e:f": 12}}"#))
        #expect(values.statementCount == 2)
        let bytes = try AuthPolicy(json: Array(#"{"Statement": {\#(Self.ok)}}"#.utf8))
        #expect(bytes.version == nil)
        // Escapes, including a surrogate pair, read as the characters they stand for.
        let escaped = try AuthPolicy(json: #"{"Statement": {"Sid": "\u00e9\ud83d\ude00\t", \#(Self.ok)}}"#)
        #expect(escaped.description.contains("\"\u{e9}\u{1F600}\t\""))
    }

    @Test func hostileDocumentsAreRefusedWithinBounds() {
        // Deep nesting: refused at the depth bound, without recursion that could overflow.
        let deep = String(repeating: "[", count: 100_000)
        Self.expectRefusal(deep, path: "", problem: "the policy is 100000 bytes")
        let deepSmall = #"{"Statement": "# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"
        Self.expectRefusal(deepSmall, path: "", problem: "nested more than 10 levels deep")
        let deepCondition = Self.doc(#"\#(Self.ok), "Condition": {"StringEquals": {"a:b": [[[[[[["x"]]]]]]]}}"#)
        Self.expectRefusal(deepCondition, path: "", problem: "nested more than 10 levels deep")
        // Too large, whatever it holds.
        let huge = #"{"Statement": {\#(Self.ok), "Action": ["# + Array(repeating: #""a:b""#, count: 5_000).joined(separator: ",") + "]}}"
        Self.expectRefusal(huge, path: "", problem: "Lattice auth policies are at most 10,240 characters")
        let longString = #"{"Statement": {"Sid": ""# + String(repeating: "x", count: 30_000) + #"", \#(Self.ok)}}"#
        Self.expectRefusal(longString, path: "", problem: "this reader takes at most 20480 bytes")
        // Control characters must be escaped inside strings; invalid UTF-8 is refused.
        Self.expectRefusal("{\"Statement\": {\"Sid\": \"a\u{1}b\", \(Self.ok)}}", path: "", problem: "a control character must be escaped")
        var invalid = Array(#"{"Statement": {"Sid": ""#.utf8)
        invalid += [0xFF, 0xFE]
        invalid += Array(#"", \#(Self.ok)}}"#.utf8)
        do {
            _ = try AuthPolicy(json: invalid)
            Issue.record("invalid UTF-8 was read")
        } catch {
            #expect(error.problem.contains("not valid UTF-8"), "\(error)")
        }
        Self.expectRefusal(#"{"Statement": {"Sid": "\ud800x", \#(Self.ok)}}"#, path: "", problem: "surrogate")
        Self.expectRefusal(#"{"Statement": {"Sid": "\q", \#(Self.ok)}}"#, path: "", problem: "unknown escape")
        Self.expectRefusal(#"{"Statement": {"Sid": "open"#, path: "", problem: "a string is not closed")
        Self.expectRefusal(#"{"Statement": {\#(Self.ok)}} trailing"#, path: "", problem: "text continues after the JSON value")
        Self.expectRefusal(#"{"Statement": 01}"#, path: "", problem: "a number cannot start with 0")
        Self.expectRefusal("", path: "", problem: "the document ends where a value was expected")
    }

    /// Many statements, conditions and values, and long request values: evaluation stays
    /// bounded by the sizes and the explanation stays short.
    @Test func largePoliciesAndRequestsEvaluateWithBoundedExplanations() throws {
        let statements = (0..<40).map { i in
            #"{"Sid": "S\#(i)", "Effect": "Allow", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*/\#(String(repeating: "*a", count: 40))b", "Condition": {"StringLike": {"vpc-lattice-svcs:RequestHeader/x": ["\#(String(repeating: "*a", count: 20))"]}}}"#
        }
        let json = #"{"Version": "2012-10-17", "Statement": ["# + statements.joined(separator: ",") + "]}"
        let policy = try AuthPolicy(json: json)
        let path = "/" + String(repeating: "a", count: 8_000)
        let request = Fixture.invoke("GET", path, headers: [("x", String(repeating: "a", count: 8_000) + "c")])
        let evaluation = policy.evaluate(request)
        #expect(evaluation.outcome == .implicitDeny)
        #expect(evaluation.description.count < 40 * 700, "\(evaluation.description.count)")
        let decision = AuthDecision(for: request, serviceNetwork: nil, service: .init(authType: .awsIam, policy: policy))
        #expect(decision.headerValue().count <= 1024)
        // Hostile request values: control characters and long strings are quoted, cut, never trusted.
        let hostile = Fixture.invoke("G\u{0}E\u{1b}[31mT", "/\r\n" + String(repeating: "\u{202e}", count: 500))
        let summary = AuthDecision(for: hostile, serviceNetwork: nil, service: .init(authType: .awsIam, policy: try Fixture.allowWhen(#"{"StringEquals": {"vpc-lattice-svcs:RequestMethod": "GET"}}"#))).headerValue()
        #expect(summary.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
    }
}
