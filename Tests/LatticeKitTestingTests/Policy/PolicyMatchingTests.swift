import Foundation
import LatticeKitTesting
import Testing

/// Matching of the Action, Resource and Principal elements: wildcards, ARN fields, policy
/// variables in resources, and callers matched to the principals IAM says they are.
@Suite struct PolicyMatchingTests {
    static func statement(principal: String = #""*""#, action: String = #""vpc-lattice-svcs:Invoke""#, resource: String = #""*""#) throws -> AuthPolicy {
        try Fixture.policy(#"{"Version": "2012-10-17", "Statement": {"Sid": "S", "Effect": "Allow", "Principal": \#(principal), "Action": \#(action), "Resource": \#(resource)}}"#)
    }

    @Test(arguments: [
        ("vpc-lattice-svcs:Invoke", true),
        ("VPC-Lattice-Svcs:invoke", true),  // IAM compares actions without case
        ("vpc-lattice-svcs:*", true),
        ("vpc-lattice-svcs:In*", true),
        ("vpc-lattice-svcs:Inv?ke", true),
        ("vpc-lattice-svcs:Inv?ke?", false),
        ("*", true),
        ("vpc-lattice-svcs:Connect", false),
        ("vpc-lattice:Invoke", false),
        ("vpc-lattice*:Invoke", true),
        ("*:Invoke", true),
        ("vpc-lattice-svcs:*voke", true),
        ("vpc-lattice-svcs:*vok", false),
    ])
    func actionsMatchWithWildcardsIgnoringCase(pattern: String, matches: Bool) throws {
        let policy = try Self.statement(action: "\"\(pattern)\"")
        #expect((policy.evaluate(Fixture.invoke()).outcome == .allow) == matches)
    }

    @Test func notActionAppliesToEveryOtherAction() throws {
        let policy = try Self.statement(action: #"["vpc-lattice-svcs:Connect"]"#).description
        #expect(policy.contains("\"S\" (Statement[0]) Allow"))
        let not = try Fixture.policy(#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "NotAction": "vpc-lattice-svcs:Invoke", "Resource": "*"}}"#)
        #expect(not.evaluate(Fixture.invoke()).outcome == .implicitDeny)
        #expect(not.evaluate(Fixture.invoke()).statements[0].mismatch == .action(#"NotAction ["vpc-lattice-svcs:Invoke"] names "vpc-lattice-svcs:Invoke""#))
        #expect(not.evaluate(AuthRequest.connect(serviceArn: Fixture.service, caller: Fixture.user, now: Fixture.now)).outcome == .explicitDeny)
    }

    static let svc = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0"

    @Test(arguments: [
        ("*", "/any/thing", true),
        ("\(PolicyMatchingTests.svc)/*", "/api/items", true),
        ("\(PolicyMatchingTests.svc)/*", "/", true),
        ("\(PolicyMatchingTests.svc)/api/*", "/api/items/7", true),  // the resource part's * crosses "/"
        ("\(PolicyMatchingTests.svc)/api/*", "/web/items", false),
        ("\(PolicyMatchingTests.svc)/api/items", "/api/items", true),
        ("\(PolicyMatchingTests.svc)/api/items", "/api/items/", false),
        ("\(PolicyMatchingTests.svc)/api/item?", "/api/items", true),
        ("arn:aws:vpc-lattice:*:123456789012:service/*", "/x", true),
        ("arn:aws:vpc-lattice:us-*:*:service/svc-0123456789abcdef0/*", "/x", true),
        ("arn:aws:vpc-lattice:eu-*:*:service/svc-0123456789abcdef0/*", "/x", false),
        // Fields match field by field: these wildcards cannot shift the fields that follow.
        ("arn:aws:vpc-lattice:*:*:us-west-2:123456789012:service/svc-0123456789abcdef0/*", "/x", false),
        ("arn:aws:vpc-lattice:us-west-2:123456789012:*", "/x", true),
        ("arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0", "/", false),
        ("arn:aws:VPC-lattice:us-west-2:123456789012:service/*", "/x", false),  // ARNs are case-sensitive
        ("*/x", "/x", true),
        ("arn:aws:vpc-lattice:*", "/x", true),  // not a full ARN: the whole string is the pattern
    ])
    func resourcesMatchFieldByFieldAndThePathAcrossSlashes(pattern: String, path: String, matches: Bool) throws {
        let policy = try Self.statement(resource: "\"\(pattern)\"")
        #expect((policy.evaluate(Fixture.invoke("GET", path)).outcome == .allow) == matches, "\(pattern) vs \(path)")
    }

    @Test func resourcesTakePolicyVariablesInTheirResourcePart() throws {
        let policy = try Self.statement(resource: #""\#(Self.svc)/users/${aws:username}/*""#)
        #expect(policy.evaluate(Fixture.invoke("GET", "/users/alice/profile", caller: Fixture.user)).outcome == .allow)
        #expect(policy.evaluate(Fixture.invoke("GET", "/users/bob/profile", caller: Fixture.user)).outcome == .implicitDeny)
        let session = policy.evaluate(Fixture.invoke("GET", "/users/alice/profile", caller: Fixture.ratesClient))
        #expect(session.statements[0].mismatch == .resource(#""\#(Self.svc)/users/${aws:username}/*" uses ${aws:username}, which this request has no value for"#))
        let byAccount = try Self.statement(resource: #""arn:aws:vpc-lattice:us-west-2:123456789012:service/*/${aws:PrincipalAccount}""#)
        #expect(byAccount.evaluate(Fixture.invoke("GET", "/123456789012")).outcome == .allow)
        let notResource = try Fixture.policy(#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "*", "NotResource": "\#(Self.svc)/public/*"}}"#)
        #expect(notResource.evaluate(Fixture.invoke("GET", "/public/a")).outcome == .implicitDeny)
        #expect(notResource.evaluate(Fixture.invoke("GET", "/private/a")).outcome == .explicitDeny)
    }

    static let role = "arn:aws:iam::123456789012:role/rates-client"
    static let session = "arn:aws:sts::123456789012:assumed-role/rates-client/session-1"
    static let pathRole = AuthRequest.Caller(arn: "arn:aws:sts::123456789012:assumed-role/deploy/s", roleArn: "arn:aws:iam::123456789012:role/ci/deploy")

    @Test(arguments: [
        (#""*""#, Fixture.ratesClient, true),
        (#""*""#, AuthRequest.Caller.anonymous, true),
        (#"{"AWS": "*"}"#, AuthRequest.Caller.anonymous, true),
        (#"{"AWS": "123456789012"}"#, Fixture.ratesClient, true),
        (#"{"AWS": "arn:aws:iam::123456789012:root"}"#, Fixture.user, true),
        (#"{"AWS": "123456789012"}"#, Fixture.foreignUser, false),
        (#"{"AWS": "123456789012"}"#, AuthRequest.Caller.anonymous, false),
        (#"{"AWS": "\#(PolicyMatchingTests.role)"}"#, Fixture.ratesClient, true),  // a session is its role
        (#"{"AWS": "\#(PolicyMatchingTests.session)"}"#, Fixture.ratesClient, true),
        (#"{"AWS": "arn:aws:sts::123456789012:assumed-role/rates-client/session-2"}"#, Fixture.ratesClient, false),
        (#"{"AWS": "arn:aws:iam::123456789012:role/billing"}"#, Fixture.ratesClient, false),
        (#"{"AWS": "arn:aws:iam::123456789012:role/ci/deploy"}"#, PolicyMatchingTests.pathRole, true),
        (#"{"AWS": "arn:aws:iam::123456789012:role/deploy"}"#, PolicyMatchingTests.pathRole, false),  // the role's ARN has its path
        (#"{"AWS": "arn:aws:iam::123456789012:user/alice"}"#, Fixture.user, true),
        (#"{"AWS": "arn:aws:iam::123456789012:user/Alice"}"#, Fixture.user, false),  // user names in ARNs are case-sensitive
        (#"{"AWS": ["999999999999", "arn:aws:iam::123456789012:user/alice"]}"#, Fixture.user, true),
        (#"{"Service": "vpc-lattice.amazonaws.com"}"#, Fixture.user, false),
        (#"{"AWS": "arn:aws:iam::123456789012:root"}"#, AuthRequest.Caller(arn: "arn:aws:iam::123456789012:root"), true),
        (#"{"AWS": "arn:aws:sts::123456789012:federated-user/bob"}"#, AuthRequest.Caller(arn: "arn:aws:sts::123456789012:federated-user/bob"), true),
    ])
    func principalsMatchAsIAMDocuments(principal: String, caller: AuthRequest.Caller?, matches: Bool) throws {
        let caller = try #require(caller)
        let policy = try Self.statement(principal: principal)
        let evaluation = policy.evaluate(Fixture.invoke(caller: caller))
        #expect((evaluation.outcome == .allow) == matches, "\(principal) vs \(caller): \(evaluation)")
    }

    @Test func aUniqueIDNamesTheUserOrRoleThatHasIt() throws {
        var caller = Fixture.ratesClient
        caller.userID = "AROAEXAMPLEID1234567:session-1"
        let policy = try Self.statement(principal: #"{"AWS": "AROAEXAMPLEID1234567"}"#)
        #expect(policy.evaluate(Fixture.invoke(caller: caller)).outcome == .allow)
        #expect(policy.evaluate(Fixture.invoke(caller: Fixture.ratesClient)).outcome == .implicitDeny)
    }

    /// NotPrincipal exempts a caller only when it names every identity the caller is: a role
    /// session, its role and its account, as "NotPrincipal" in the IAM guide shows.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    @Test func notPrincipalMustNameEveryIdentityOfTheCaller() throws {
        func deny(_ notPrincipal: String) throws -> AuthPolicy {
            try Fixture.policy(#"""
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
                  {"Sid": "OnlyThem", "Effect": "Deny", "NotPrincipal": {"AWS": \#(notPrincipal)}, "Action": "*", "Resource": "*"}]}
                """#)
        }
        let all = try deny(#"["\#(Self.session)", "\#(Self.role)", "arn:aws:iam::123456789012:root"]"#)
        #expect(all.evaluate(Fixture.invoke(caller: Fixture.ratesClient)).outcome == .allow)
        #expect(all.evaluate(Fixture.invoke(caller: Fixture.otherRole)).outcome == .explicitDeny)
        #expect(all.evaluate(Fixture.invoke(caller: .anonymous)).outcome == .explicitDeny)
        let roleOnly = try deny(#""\#(Self.role)""#)
        #expect(roleOnly.evaluate(Fixture.invoke(caller: Fixture.ratesClient)).outcome == .explicitDeny, "the session's account is not named")
        let user = try deny(#"["arn:aws:iam::123456789012:user/alice", "123456789012"]"#)
        #expect(user.evaluate(Fixture.invoke(caller: Fixture.user)).outcome == .allow)
        let star = try deny(#""*""#)
        #expect(star.evaluate(Fixture.invoke(caller: .anonymous)).outcome == .allow, "NotPrincipal * exempts everyone")
        let explained = roleOnly.evaluate(Fixture.invoke(caller: Fixture.user))
        #expect(explained.decidingStatement?.name == #""OnlyThem" (Statement[1])"#)
    }

    @Test func callersReadFromTheirARNs() throws {
        let session = try #require(AuthRequest.Caller(arn: Self.session))
        #expect(session.kind == .assumedRole)
        #expect(session.roleArn == Self.role)
        #expect(session.account == "123456789012")
        let request = Fixture.invoke(caller: session)
        #expect(request.values(of: "aws:PrincipalArn") == [Self.role])
        #expect(request.values(of: "aws:PrincipalType") == ["AssumedRole"])
        #expect(request.values(of: "aws:username") == nil)
        let user = Fixture.invoke(caller: Fixture.user)
        #expect(user.values(of: "AWS:USERNAME") == ["alice"])
        #expect(user.values(of: "aws:PrincipalArn") == ["arn:aws:iam::123456789012:user/alice"])
        let root = try #require(AuthRequest.Caller(arn: "arn:aws:iam::123456789012:root"))
        #expect(Fixture.invoke(caller: root).values(of: "aws:userid") == ["123456789012"])
        #expect(Fixture.invoke(caller: root).values(of: "aws:PrincipalType") == ["Account"])
        let anonymous = Fixture.invoke(caller: .anonymous)
        #expect(anonymous.values(of: "aws:PrincipalType") == ["Anonymous"])
        #expect(anonymous.values(of: "aws:PrincipalAccount") == nil)
        #expect(anonymous.values(of: "aws:PrincipalArn") == nil)
        for bad in ["", "arn:aws:iam::123456789012:group/devs", "arn:aws:iam::12345:user/a", "arn:aws:sts::123456789012:assumed-role/only-role",
                    "arn:aws:s3:::bucket", "arn:aws:iam:us-east-1:123456789012:user/a"] {
            #expect(AuthRequest.Caller(arn: bad) == nil, "\(bad)")
        }
    }

    @Test func theInvokeRequestCarriesTheLatticeKeys() {
        let request = AuthRequest.invoke(
            serviceArn: Fixture.service, serviceNetworkArn: Fixture.network, method: "PUT", path: "/api/items",
            headers: [("Content-Type", "application/json"), ("X-Tag", "a"), ("x-tag", "b")],
            query: [("color", "red"), ("Color", "x"), ("color", "blue")], port: 8443, caller: Fixture.user,
            sourceVpc: "vpc-1a2b3c4d", sourceVpcOwnerAccount: "111122223333", sourceIp: "10.0.0.9", secureTransport: false,
            resourceTags: ["Environment": "Gamma"], now: Fixture.now)
        #expect(request.action == "vpc-lattice-svcs:Invoke")
        #expect(request.resource == Fixture.service + "/api/items")
        #expect(request.values(of: "vpc-lattice-svcs:RequestMethod") == ["PUT"])
        #expect(request.values(of: "vpc-lattice-svcs:RequestPath") == ["/api/items"])
        #expect(request.values(of: "vpc-lattice-svcs:RequestHeader/content-type") == ["application/json"])
        #expect(request.values(of: "vpc-lattice-svcs:RequestHeader/X-TAG") == ["a, b"])
        #expect(request.values(of: "vpc-lattice-svcs:RequestQueryString/color") == ["red", "blue"])
        #expect(request.values(of: "vpc-lattice-svcs:RequestQueryString/Color") == ["x"])
        #expect(request.values(of: "vpc-lattice-svcs:Port") == ["8443"])
        #expect(request.values(of: "vpc-lattice-svcs:ServiceArn") == [Fixture.service])
        #expect(request.values(of: "vpc-lattice-svcs:ServiceNetworkArn") == [Fixture.network])
        #expect(request.values(of: "vpc-lattice-svcs:SourceVpc") == ["vpc-1a2b3c4d"])
        #expect(request.values(of: "vpc-lattice-svcs:SourceVpcOwnerAccount") == ["111122223333"])
        #expect(request.values(of: "aws:SourceIp") == ["10.0.0.9"])
        #expect(request.values(of: "aws:SecureTransport") == ["false"])
        #expect(request.values(of: "aws:ResourceTag/environment") == ["Gamma"])
        #expect(request.values(of: "aws:CurrentTime") == ["2023-11-14T22:13:20Z"])
        #expect(request.values(of: "aws:EpochTime") == ["1700000000"])
        #expect(request.values(of: "aws:ResourceAccount") == ["123456789012"])
        #expect(request.values(of: "aws:RequestedRegion") == ["us-west-2"])
        let connect = AuthRequest.connect(serviceArn: Fixture.service, port: 5432, caller: Fixture.user, now: Fixture.now)
        #expect(connect.action == "vpc-lattice-svcs:Connect")
        #expect(connect.resource == Fixture.service)
        #expect(connect.values(of: "vpc-lattice-svcs:RequestMethod") == nil)
        #expect(connect.values(of: "vpc-lattice-svcs:Port") == ["5432"])
        #expect(AuthRequest.invoke(serviceArn: Fixture.service, method: "GET", path: "rates", caller: .anonymous).resource == Fixture.service + "/rates")
    }
}
