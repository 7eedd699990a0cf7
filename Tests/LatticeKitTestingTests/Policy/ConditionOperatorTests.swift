import Foundation
import LatticeKitTesting
import Testing

/// Every condition operator and modifier, as "IAM JSON policy elements: Condition operators"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
/// and "Single-valued vs. multivalued context keys"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)
/// describe them: each case is a Condition block, a request context, and whether it holds.
@Suite struct ConditionOperatorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var condition: String
        var keys: [String: [String]]
        var holds: Bool
        var caller: AuthRequest.Caller = Fixture.user
        var testDescription: String { "\(condition) with \(keys) -> \(holds)" }
    }

    static func c(_ condition: String, _ keys: [String: [String]], _ holds: Bool, caller: AuthRequest.Caller = Fixture.user) -> Case {
        Case(condition: condition, keys: keys, holds: holds, caller: caller)
    }

    static let none: [String: [String]] = [:]
    static let colors = "vpc-lattice-svcs:RequestQueryString/color"

    static let strings: [Case] = [
        c(#"{"StringEquals": {"x:k": "a"}}"#, ["x:k": ["a"]], true),
        c(#"{"StringEquals": {"x:k": "a"}}"#, ["x:k": ["A"]], false),
        c(#"{"StringEquals": {"x:k": "a"}}"#, none, false),
        c(#"{"StringEquals": {"x:k": ["x", "y"]}}"#, ["x:k": ["y"]], true),
        c(#"{"StringEquals": {"x:k": "*"}}"#, ["x:k": ["anything"]], false),
        c(#"{"StringEquals": {"x:k": "*"}}"#, ["x:k": ["*"]], true),
        c(#"{"StringNotEquals": {"x:k": "a"}}"#, ["x:k": ["b"]], true),
        c(#"{"StringNotEquals": {"x:k": "a"}}"#, ["x:k": ["a"]], false),
        c(#"{"StringNotEquals": {"x:k": "a"}}"#, none, true),
        c(#"{"StringNotEquals": {"x:k": ["a", "b"]}}"#, ["x:k": ["b"]], false),
        c(#"{"StringEqualsIgnoreCase": {"x:k": "ABC"}}"#, ["x:k": ["abc"]], true),
        c(#"{"StringEqualsIgnoreCase": {"x:k": "ABC"}}"#, ["x:k": ["abd"]], false),
        c(#"{"StringNotEqualsIgnoreCase": {"x:k": "ABC"}}"#, ["x:k": ["abc"]], false),
        c(#"{"StringNotEqualsIgnoreCase": {"x:k": "ABC"}}"#, ["x:k": ["abd"]], true),
        c(#"{"StringNotEqualsIgnoreCase": {"x:k": "ABC"}}"#, none, true),
        c(#"{"StringLike": {"x:k": "a*c?"}}"#, ["x:k": ["abbcd"]], true),
        c(#"{"StringLike": {"x:k": "a*c?"}}"#, ["x:k": ["abc"]], false),
        c(#"{"StringLike": {"x:k": "a*c?"}}"#, ["x:k": ["ac"]], false),
        c(#"{"StringLike": {"x:k": "*"}}"#, ["x:k": [""]], true),
        c(#"{"StringLike": {"x:k": "A*"}}"#, ["x:k": ["abc"]], false),
        c(#"{"StringLike": {"x:k": "a*"}}"#, none, false),
        c(#"{"StringNotLike": {"x:k": "a*"}}"#, ["x:k": ["b"]], true),
        c(#"{"StringNotLike": {"x:k": "a*"}}"#, ["x:k": ["ab"]], false),
        c(#"{"StringNotLike": {"x:k": "a*"}}"#, none, true),
    ]

    static let numbers: [Case] = [
        c(#"{"NumericEquals": {"x:k": "443"}}"#, ["x:k": ["443"]], true),
        c(#"{"NumericEquals": {"x:k": 443}}"#, ["x:k": ["443.0"]], true),
        c(#"{"NumericEquals": {"x:k": "443"}}"#, ["x:k": ["80"]], false),
        c(#"{"NumericEquals": {"x:k": "443"}}"#, ["x:k": ["abc"]], false),
        c(#"{"NumericEquals": {"x:k": "443"}}"#, none, false),
        c(#"{"NumericNotEquals": {"x:k": "443"}}"#, ["x:k": ["80"]], true),
        c(#"{"NumericNotEquals": {"x:k": "443"}}"#, ["x:k": ["443"]], false),
        c(#"{"NumericNotEquals": {"x:k": "443"}}"#, none, true),
        c(#"{"NumericNotEquals": {"x:k": "443"}}"#, ["x:k": ["abc"]], false),
        c(#"{"NumericLessThan": {"x:k": "1024"}}"#, ["x:k": ["80"]], true),
        c(#"{"NumericLessThan": {"x:k": "1024"}}"#, ["x:k": ["1024"]], false),
        c(#"{"NumericLessThanEquals": {"x:k": "1024"}}"#, ["x:k": ["1024"]], true),
        c(#"{"NumericLessThanEquals": {"x:k": "1024"}}"#, ["x:k": ["1025"]], false),
        c(#"{"NumericGreaterThan": {"x:k": "1024"}}"#, ["x:k": ["8080"]], true),
        c(#"{"NumericGreaterThan": {"x:k": "1024"}}"#, ["x:k": ["1024"]], false),
        c(#"{"NumericGreaterThanEquals": {"x:k": "-1.5"}}"#, ["x:k": ["-1.5"]], true),
        c(#"{"NumericGreaterThanEquals": {"x:k": "1024"}}"#, ["x:k": ["80"]], false),
        c(#"{"NumericLessThan": {"vpc-lattice-svcs:Port": 1024}}"#, ["vpc-lattice-svcs:Port": ["443"]], true),
    ]

    // aws:CurrentTime is 2023-11-14T22:13:20Z, aws:EpochTime 1700000000 (Fixture.now).
    static let dates: [Case] = [
        c(#"{"DateGreaterThan": {"aws:CurrentTime": "2023-01-01T00:00:00Z"}}"#, none, true),
        c(#"{"DateGreaterThan": {"aws:CurrentTime": "2024-01-01"}}"#, none, false),
        c(#"{"DateLessThan": {"aws:CurrentTime": "2023-11-14"}}"#, none, false),
        c(#"{"DateLessThan": {"aws:CurrentTime": "2023-12"}}"#, none, true),
        c(#"{"DateEquals": {"aws:EpochTime": "2023-11-14T22:13:20Z"}}"#, none, true),
        c(#"{"DateEquals": {"aws:CurrentTime": 1700000000}}"#, none, true),
        c(#"{"DateNotEquals": {"aws:CurrentTime": "1700000000"}}"#, none, false),
        c(#"{"DateNotEquals": {"aws:CurrentTime": "1700000001"}}"#, none, true),
        c(#"{"DateLessThanEquals": {"aws:CurrentTime": "2023-11-14T22:13:20+00:00"}}"#, none, true),
        c(#"{"DateLessThanEquals": {"aws:CurrentTime": "2023-11-14T22:13:19.5Z"}}"#, none, false),
        c(#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2023-11-14T23:13:20+01:00"}}"#, none, true),
        c(#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2023-11-14T17:13:21-05:00"}}"#, none, false),
        c(#"{"DateLessThan": {"aws:TokenIssueTime": "2030-01-01T00:00:00Z"}}"#, none, false),
        c(#"{"DateLessThan": {"x:k": "2030-01-01T00:00:00Z"}}"#, ["x:k": ["yesterday"]], false),
    ]

    static let others: [Case] = [
        c(#"{"Bool": {"aws:SecureTransport": "true"}}"#, ["aws:SecureTransport": ["true"]], true),
        c(#"{"Bool": {"aws:SecureTransport": true}}"#, ["aws:SecureTransport": ["false"]], false),
        c(#"{"Bool": {"aws:SecureTransport": "FALSE"}}"#, ["aws:SecureTransport": ["false"]], true),
        c(#"{"Bool": {"aws:SecureTransport": "true"}}"#, none, false),
        c(#"{"Bool": {"aws:MultiFactorAuthPresent": "false"}}"#, none, false),
        c(#"{"BinaryEquals": {"x:k": "QmluYXJ5"}}"#, ["x:k": ["QmluYXJ5"]], true),
        c(#"{"BinaryEquals": {"x:k": "QmluYXJ5"}}"#, ["x:k": ["QmluYXJ6"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}"#, ["aws:SourceIp": ["10.0.1.25"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}"#, ["aws:SourceIp": ["10.1.0.1"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}"#, ["aws:SourceIp": ["2001:db8::1"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}"#, none, false),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.1.25"}}"#, ["aws:SourceIp": ["10.0.1.25"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.1.25"}}"#, ["aws:SourceIp": ["10.0.1.26"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.1.0/27"}}"#, ["aws:SourceIp": ["10.0.1.31"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.1.0/27"}}"#, ["aws:SourceIp": ["10.0.1.32"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:DB8:1234:5678::/64"]}}"#, ["aws:SourceIp": ["2001:db8:1234:5678::abcd"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}"#, ["aws:SourceIp": ["2001:db8:1234:5679::1"]], false),
        c(#"{"IpAddress": {"aws:SourceIp": "::ffff:10.0.0.0/120"}}"#, ["aws:SourceIp": ["::ffff:10.0.0.9"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, ["aws:SourceIp": ["203.0.113.9"]], true),
        c(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, ["aws:SourceIp": ["not-an-ip"]], false),
        c(#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, ["aws:SourceIp": ["192.168.1.1"]], true),
        c(#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, ["aws:SourceIp": ["10.2.3.4"]], false),
        c(#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, none, true),
        c(#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}"#, none, true, caller: Fixture.ratesClient),
        c(#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}"#, none, false),
        c(#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:user/alice"}}"#, none, true),
        c(#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/rates-*"}}"#, none, true, caller: Fixture.ratesClient),
        c(#"{"ArnLike": {"vpc-lattice-svcs:ServiceArn": "arn:aws:*:us-west-2:123456789012:service/*"}}"#, ["vpc-lattice-svcs:ServiceArn": [Fixture.service]], true),
        c(#"{"ArnLike": {"vpc-lattice-svcs:ServiceArn": "arn:aws:vpc-lattice:*:*:servicenetwork/*"}}"#, ["vpc-lattice-svcs:ServiceArn": [Fixture.service]], false),
        c(#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin-*"}}"#, none, true, caller: Fixture.ratesClient),
        c(#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/rates-*"}}"#, none, false, caller: Fixture.ratesClient),
        c(#"{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/x"}}"#, none, true, caller: .anonymous),
        c(#"{"ArnLike": {"x:k": "arn:aws:s3:::*"}}"#, ["x:k": ["hello"]], false),
        // The guide's example of where StringLike and ArnLike differ: ArnLike's first * stops at a colon.
        c(#"{"StringLike": {"x:k": "arn:aws:someservice:*:111122223333:finance/*"}}"#, ["x:k": ["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]], true),
        c(#"{"ArnLike": {"x:k": "arn:aws:someservice:*:111122223333:finance/*"}}"#, ["x:k": ["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]], false),
        c(#"{"Null": {"x:k": "true"}}"#, none, true),
        c(#"{"Null": {"x:k": true}}"#, ["x:k": ["x"]], false),
        c(#"{"Null": {"x:k": "false"}}"#, ["x:k": ["x"]], true),
        c(#"{"Null": {"x:k": "false"}}"#, none, false),
        c(#"{"Null": {"aws:PrincipalArn": "true"}}"#, none, true, caller: .anonymous),
    ]

    static let ifExists: [Case] = [
        c(#"{"StringEqualsIfExists": {"x:k": "a"}}"#, none, true),
        c(#"{"StringEqualsIfExists": {"x:k": "a"}}"#, ["x:k": ["b"]], false),
        c(#"{"StringEqualsIfExists": {"x:k": "a"}}"#, ["x:k": ["a"]], true),
        c(#"{"StringNotEqualsIfExists": {"x:k": "a"}}"#, none, true),
        c(#"{"StringNotEqualsIfExists": {"x:k": "a"}}"#, ["x:k": ["a"]], false),
        c(#"{"StringLikeIfExists": {"x:k": "a*"}}"#, ["x:k": ["b"]], false),
        c(#"{"NumericLessThanIfExists": {"vpc-lattice-svcs:Port": "1024"}}"#, none, true),
        c(#"{"NumericLessThanIfExists": {"vpc-lattice-svcs:Port": "1024"}}"#, ["vpc-lattice-svcs:Port": ["8443"]], false),
        c(#"{"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01"}}"#, none, true),
        c(#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}"#, none, true),
        c(#"{"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}"#, none, true),
        c(#"{"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#, none, true, caller: .anonymous),
        c(#"{"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#, none, false),
    ]

    static let sets: [Case] = [
        c(#"{"ForAnyValue:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, [colors: ["green", "blue"]], true),
        c(#"{"ForAnyValue:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, [colors: ["green"]], false),
        c(#"{"ForAnyValue:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, none, false),
        c(#"{"ForAllValues:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, [colors: ["red", "blue"]], true),
        c(#"{"ForAllValues:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, [colors: ["red", "green"]], false),
        c(#"{"ForAllValues:StringEquals": {"\#(colors)": ["red", "blue"]}}"#, none, true),
        c(#"{"ForAnyValue:StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["red", "green"]], true),
        c(#"{"ForAnyValue:StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["red"]], false),
        c(#"{"ForAnyValue:StringNotEquals": {"\#(colors)": "red"}}"#, none, false),
        c(#"{"ForAllValues:StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["green", "blue"]], true),
        c(#"{"ForAllValues:StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["red", "green"]], false),
        c(#"{"ForAllValues:StringNotEquals": {"\#(colors)": "red"}}"#, none, true),
        c(#"{"ForAnyValue:StringEqualsIfExists": {"\#(colors)": "red"}}"#, none, true),
        c(#"{"ForAllValues:StringLike": {"\#(colors)": "r*"}}"#, [colors: ["red", "rose"]], true),
        c(#"{"ForAllValues:StringLike": {"\#(colors)": "r*"}}"#, [colors: ["red", "blue"]], false),
        c(#"{"ForAnyValue:StringLike": {"\#(colors)": ["b*", "g*"]}}"#, [colors: ["red", "blue"]], true),
        c(#"{"ForAnyValue:NumericGreaterThan": {"x:k": "10"}}"#, ["x:k": ["5", "50"]], true),
        c(#"{"ForAllValues:NumericGreaterThan": {"x:k": "10"}}"#, ["x:k": ["5", "50"]], false),
        c(#"{"ForAnyValue:IpAddress": {"x:k": "10.0.0.0/8"}}"#, ["x:k": ["192.0.2.1", "10.9.9.9"]], true),
        c(#"{"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/", "o-a/r-b/ou-d/"]}}"#, none, true,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.orgPaths = ["o-a/r-b/ou-c/"] }),
        c(#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-x/*"}}"#, none, false,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.orgPaths = ["o-a/r-b/ou-c/"] }),
        // No qualifier on a key with several values: a positive operator needs one match, a
        // negated operator needs none.
        c(#"{"StringEquals": {"\#(colors)": "red"}}"#, [colors: ["green", "red"]], true),
        c(#"{"StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["green", "red"]], false),
        c(#"{"StringNotEquals": {"\#(colors)": "red"}}"#, [colors: ["green", "blue"]], true),
    ]

    static let combinations: [Case] = [
        c(#"{"StringEquals": {"x:a": "1", "x:b": "2"}}"#, ["x:a": ["1"], "x:b": ["2"]], true),
        c(#"{"StringEquals": {"x:a": "1", "x:b": "2"}}"#, ["x:a": ["1"], "x:b": ["3"]], false),
        c(#"{"StringEquals": {"x:a": "1"}, "StringLike": {"x:b": "x*"}}"#, ["x:a": ["1"], "x:b": ["xy"]], true),
        c(#"{"StringEquals": {"x:a": "1"}, "StringLike": {"x:b": "x*"}}"#, ["x:a": ["1"], "x:b": ["y"]], false),
        c(#"{"StringEquals": {"x:a": "1"}, "StringLike": {"x:b": "x*"}}"#, ["x:a": ["2"], "x:b": ["xy"]], false),
        // Key names ignore case; the query parameter's name does not.
        c(#"{"StringEquals": {"AWS:PrincipalType": "User"}}"#, none, true),
        c(#"{"StringEquals": {"aws:principaltag/TEAM": "x"}}"#, none, true,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.tags = ["team": "x"] }),
        c(#"{"StringEquals": {"vpc-lattice-svcs:RequestQueryString/Color": "red"}}"#, [colors: ["red"]], false),
        c(#"{"StringEquals": {"VPC-Lattice-Svcs:RequestQueryString/color": "red"}}"#, [colors: ["red"]], true),
    ]

    static let variables: [Case] = [
        c(#"{"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}"#, none, true,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.tags = ["owner": "alice"] }),
        c(#"{"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}"#, none, false,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.tags = ["owner": "bob"] }),
        c(#"{"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "${aws:PrincipalAccount}"}}"#, ["vpc-lattice-svcs:SourceVpcOwnerAccount": ["123456789012"]], true),
        c(#"{"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "${aws:PrincipalAccount}"}}"#, ["vpc-lattice-svcs:SourceVpcOwnerAccount": ["999999999999"]], false),
        c(#"{"StringEquals": {"x:k": "a${*}b"}}"#, ["x:k": ["a*b"]], true),
        c(#"{"StringLike": {"x:k": "a${*}b"}}"#, ["x:k": ["axb"]], false),
        c(#"{"StringLike": {"x:k": "a${*}b*"}}"#, ["x:k": ["a*bcd"]], true),
        c(#"{"StringLike": {"x:k": "a${?}"}}"#, ["x:k": ["ax"]], false),
        c(#"{"StringEquals": {"x:k": "${$}{x}"}}"#, ["x:k": ["${x}"]], true),
        c(#"{"StringEquals": {"x:k": "${aws:PrincipalTag/team, 'none'}"}}"#, ["x:k": ["none"]], true),
        c(#"{"StringEquals": {"x:k": "${aws:PrincipalTag/team, 'none'}"}}"#, ["x:k": ["red"]], true,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.tags = ["team": "red"] }),
        // A variable the request has no value for: the condition does not hold, negated or not.
        c(#"{"StringEquals": {"x:k": "${aws:username}"}}"#, ["x:k": ["x"]], false, caller: Fixture.ratesClient),
        c(#"{"StringNotEquals": {"x:k": "${aws:username}"}}"#, ["x:k": ["x"]], false, caller: Fixture.ratesClient),
        // A variable never makes a wildcard, even from a value holding one.
        c(#"{"StringLike": {"x:k": "${aws:PrincipalTag/p}"}}"#, ["x:k": ["abc"]], false,
          caller: Fixture.caller("arn:aws:iam::123456789012:user/alice") { $0.tags = ["p": "a*"] }),
        c(#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}}"#, none, true),
        c(#"{"StringEquals": {"x:k": "${not a variable}"}}"#, ["x:k": ["${not a variable}"]], true),
    ]

    static let all = strings + numbers + dates + others + ifExists + sets + combinations + variables

    @Test(arguments: all)
    func conditionsHoldAsIAMDocuments(_ c: Case) throws {
        let policy = try Fixture.allowWhen(c.condition)
        let request = AuthRequest(action: "vpc-lattice-svcs:Invoke", resource: Fixture.service + "/", caller: c.caller, keys: c.keys, now: Fixture.now)
        let evaluation = policy.evaluate(request)
        #expect((evaluation.outcome == .allow) == c.holds, "\(evaluation)")
        if !c.holds {
            guard case .condition? = evaluation.statements.first?.mismatch else {
                Issue.record("the mismatch is not the condition: \(evaluation)")
                return
            }
        }
    }

    @Test func everyOperatorAndModifierIsCovered() {
        let written = Self.all.map(\.condition).joined()
        let operators = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
                         "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
                         "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
                         "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
                         "IfExists", "ForAllValues:", "ForAnyValue:"]
        for op in operators {
            #expect(written.contains("\"\(op)") || written.contains(op), "no case for \(op)")
        }
    }

    @Test func variablesAreTextInA2008Policy() throws {
        let policy = try Fixture.policy(#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"x:k": "${aws:username}"}}}]}"#)
        let literal = AuthRequest(action: "vpc-lattice-svcs:Invoke", resource: Fixture.service, caller: Fixture.user, keys: ["x:k": ["${aws:username}"]], now: Fixture.now)
        let named = AuthRequest(action: "vpc-lattice-svcs:Invoke", resource: Fixture.service, caller: Fixture.user, keys: ["x:k": ["alice"]], now: Fixture.now)
        #expect(policy.evaluate(literal).outcome == .allow)
        #expect(policy.evaluate(named).outcome == .implicitDeny)
        #expect(policy.version == nil)
    }

    @Test func theExplanationNamesTheOperatorTheKeyAndTheValues() throws {
        func reason(_ condition: String, _ keys: [String: [String]], caller: AuthRequest.Caller = Fixture.user) throws -> String {
            let request = AuthRequest(action: "vpc-lattice-svcs:Invoke", resource: Fixture.service, caller: caller, keys: keys, now: Fixture.now)
            return try Fixture.allowWhen(condition).evaluate(request).statements.first?.mismatch?.description ?? "applies"
        }
        #expect(try reason(#"{"NumericLessThan": {"vpc-lattice-svcs:Port": "1024"}}"#, ["vpc-lattice-svcs:Port": ["http"]])
                == #"condition NumericLessThan vpc-lattice-svcs:Port: the request's value "http" is not a number"#)
        #expect(try reason(#"{"ForAllValues:StringEquals": {"\#(Self.colors)": ["red"]}}"#, [Self.colors: ["red", "green"]])
                == #"condition ForAllValues:StringEquals vpc-lattice-svcs:RequestQueryString/color: not every one of the request's values ["red", "green"] matches ["red"]"#)
        #expect(try reason(#"{"ForAnyValue:StringEquals": {"\#(Self.colors)": ["red"]}}"#, [:])
                == "condition ForAnyValue:StringEquals vpc-lattice-svcs:RequestQueryString/color: the request has no such key, so ForAnyValue has no value to match")
        #expect(try reason(#"{"Null": {"x:k": "true"}}"#, ["x:k": ["v"]])
                == #"condition Null x:k: the key is present (["v"]), and the policy wants it absent"#)
        #expect(try reason(#"{"StringEquals": {"x:k": "${aws:username}"}}"#, ["x:k": ["x"]], caller: Fixture.ratesClient)
                == #"condition StringEquals x:k: the policy value "${aws:username}" uses ${aws:username}, which this request has no value for"#)
        #expect(try reason(#"{"StringEquals": {"x:a": "1"}, "StringLike": {"x:b": "x*"}}"#, ["x:a": ["1"], "x:b": ["y"]])
                == #"condition StringLike x:b: the request's value "y" does not match ["x*"]"#, "the first failing operator, in document order")
    }
}
