import Foundation
import LatticeKit
import LatticeTestSupport
@testable import LatticeKitTesting
import Testing

/// The data plane's auth: SigV4 signatures made by botocore's SigV4Auth (service
/// vpc-lattice-svcs, UNSIGNED-PAYLOAD, as https://docs.aws.amazon.com/vpc-lattice/latest/ug/sigv4-authenticated-requests.html
/// shows) verified by signing again with the SigV4 module's public signer; tampered, wrong
/// region, expired and unsigned-payload-less requests refused; then the network's and the
/// service's auth policies, with the deciding statement named.
@Suite struct DataPlaneAuthTests {
    static let host = "provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
    static let alice = KnownCredential(accessKeyId: "AKIDALICE0000000", secretAccessKey: "alice-secret/with+chars", accountId: "111122223333",
                                       principalArn: "arn:aws:iam::111122223333:role/alice")
    static let bob = KnownCredential(accessKeyId: "ASIABOB000000000", secretAccessKey: "bob-secret", sessionToken: "bob-session-token",
                                     accountId: "444455556666", principalArn: "arn:aws:sts::444455556666:assumed-role/bob/session-1")
    static let book = CredentialBook([alice, bob])

    typealias Case = BotocoreSigner.Request

    static func botocoreSign(_ cases: [Case]) throws -> [[(name: String, value: String)]] {
        try BotocoreSigner.sign(cases)
    }

    static func signed(_ target: String, method: String = "GET", headers: [[String]] = [], region: String = "us-east-1",
                       as who: KnownCredential = alice, unsignedPayloadHeader: Bool = true) -> Case {
        Case(method: method, url: "http://\(host)\(target)", headers: headers, region: region, accessKeyId: who.accessKeyId,
             secretAccessKey: who.secretAccessKey, sessionToken: who.sessionToken, unsignedPayloadHeader: unsignedPayloadHeader)
    }

    /// The headers as the data plane receives them: Host added (botocore signs the URL's host).
    static func received(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        [(name: "Host", value: host)] + headers
    }

    static func time(of headers: [(name: String, value: String)]) throws -> Date {
        let text = try #require(headers.first { $0.name.lowercased() == "x-amz-date" }?.value)
        return try #require(SignatureVerifier.parseAmzDate(text))
    }

    static func verify(_ method: String, _ target: String, _ headers: [(name: String, value: String)], region: String = "us-east-1",
                       now: Date) -> SignatureCheck {
        SignatureVerifier.verify(method: method, target: target, headers: received(headers), secure: false, region: region, now: now, book: book)
    }

    static func reason(_ check: SignatureCheck) -> String {
        if case let .rejected(why) = check { return why }
        return "not rejected: \(check)"
    }

    @Test func botocoreSignaturesVerifyAndChangedOnesDoNot() throws {
        let cases = [
            Self.signed("/"),
            Self.signed("/orders/42?b=2&a=1&a=0&space=a%20b", headers: [["x-tenant", "blue"], ["content-type", "application/json"]]),
            Self.signed("/api/v1/items", method: "POST", headers: [["x-request-id", "  padded   value "]], as: Self.bob),
            Self.signed("/path/with%2Fslash/and~tilde", method: "DELETE"),
            Self.signed("/", region: "us-west-2"),
            Self.signed("/", unsignedPayloadHeader: false),
        ]
        let signed = try Self.botocoreSign(cases)
        let now = try Self.time(of: signed[0])
        for (c, headers) in zip(cases, signed).prefix(4) {
            let target = String(c.url.dropFirst("http://\(Self.host)".count))
            let check = Self.verify(c.method, target, headers, now: now)
            #expect(check == .verified(c.accessKeyId == Self.bob.accessKeyId ? Self.bob : Self.alice), "\(c.method) \(target): \(check)")
        }
        // Tampered: another path, another method, a changed signed header, a different query.
        #expect(Self.reason(Self.verify("GET", "/other", signed[0], now: now)).contains("does not match"))
        #expect(Self.reason(Self.verify("PUT", "/", signed[0], now: now)).contains("does not match"))
        let tenant = signed[1].map { $0.name == "x-tenant" ? (name: $0.name, value: "green") : $0 }
        #expect(Self.reason(Self.verify("GET", "/orders/42?b=2&a=1&a=0&space=a%20b", tenant, now: now)).contains("does not match"))
        #expect(Self.reason(Self.verify("GET", "/orders/42?b=2&a=1", signed[1], now: now)).contains("does not match"))
        // Bob's session token belongs to the signature; without it, refused.
        let tokenless = signed[2].filter { $0.name.lowercased() != "x-amz-security-token" }
        #expect(Self.reason(Self.verify("POST", "/api/v1/items", tokenless, now: now)).contains("x-amz-security-token"))
        // The wrong region (the service is in us-east-1), a missing UNSIGNED-PAYLOAD header.
        #expect(Self.reason(Self.verify("GET", "/", signed[4], now: now)).contains("region 'us-west-2'"))
        #expect(Self.reason(Self.verify("GET", "/", signed[5], now: now)).contains("UNSIGNED-PAYLOAD"))
        // Expired: more than 5 minutes either way; within, accepted.
        #expect(Self.reason(Self.verify("GET", "/", signed[0], now: now + 301)).contains("5 minutes"))
        #expect(Self.reason(Self.verify("GET", "/", signed[0], now: now - 301)).contains("5 minutes"))
        #expect(Self.verify("GET", "/", signed[0], now: now + 299) == .verified(Self.alice))
        // An access key the emulator does not know; no signature at all is an anonymous caller.
        let stranger = signed[0].map { $0.name == "Authorization" ? (name: $0.name, value: $0.value.replacingOccurrences(of: "AKIDALICE0000000", with: "AKIDSTRANGER0000")) : $0 }
        #expect(Self.reason(Self.verify("GET", "/", stranger, now: now)).contains("--auth-credentials"))
        #expect(Self.verify("GET", "/", [], now: now) == .unsigned)
        // No reason carries a secret.
        for check in [Self.verify("GET", "/other", signed[2], now: now), Self.verify("GET", "/", signed[0], now: now + 400)] {
            #expect(![Self.alice.secretAccessKey, Self.bob.secretAccessKey, "bob-session-token"].contains { Self.reason(check).contains($0) })
        }
    }

    static func service(_ authType: AuthType, policy: String? = nil, network: DataPlaneSnapshot.Network?) -> DataPlaneSnapshot.Service {
        DataPlaneSnapshot.Service(id: "svc-0123456789abcdef0", arn: "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0",
                                  name: "provider-svc", region: "us-east-1", status: "ACTIVE", dnsName: host, customDomainName: nil,
                                  authType: authType, authPolicy: policy, tags: [:], networks: network.map { [$0] } ?? [], listeners: [])
    }

    static func network(_ authType: AuthType, policy: String? = nil) -> DataPlaneSnapshot.Network {
        DataPlaneSnapshot.Network(id: "sn-0123456789abcdef0", arn: "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0",
                                  name: "seed-network", authType: authType, authPolicy: policy)
    }

    @Test func networkThenServicePolicyNoneSkipsALevelAndTheDenialNamesTheStatement() throws {
        let signed = try Self.botocoreSign([Self.signed("/admin/users"), Self.signed("/orders", as: Self.bob)])
        let now = try Self.time(of: signed[0])
        let orgOnly = #"{"Version":"2012-10-17","Statement":[{"Sid":"AccountsWeKnow","Effect":"Allow","Principal":{"AWS":["111122223333","444455556666"]},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
        let noAdmin = #"""
        {"Version":"2012-10-17","Statement":[
          {"Sid":"AllowAlice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/alice"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
          {"Sid":"NoAdminPaths","Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0/admin/*"}]}
        """#
        let auth = DataPlaneAuth(book: Self.book)
        func verdict(_ i: Int, _ target: String, _ service: DataPlaneSnapshot.Service) -> DataPlaneAuth.Verdict {
            auth.check(method: "GET", target: target, headers: Self.received(signed[i]), secure: false, port: 80, service: service,
                       network: service.networks.first, sourceVpc: "vpc-0abc", sourceIp: "127.0.0.1", now: now)
        }
        func denial(_ v: DataPlaneAuth.Verdict) -> String? {
            if case let .denied(reason, _) = v { return reason }
            return nil
        }

        // Both levels NONE: nothing is checked (not even the signature).
        let open = Self.service(.noAuth, network: Self.network(.noAuth))
        guard case .allowed(nil, nil) = verdict(0, "/admin/users", open) else { Issue.record("NONE/NONE checked something"); return }

        // Network AWS_IAM with an account policy, service NONE: both callers pass the network.
        let networkOnly = Self.service(.noAuth, network: Self.network(.awsIam, policy: orgOnly))
        #expect(denial(verdict(0, "/admin/users", networkOnly)) == nil)
        #expect(denial(verdict(1, "/orders", networkOnly)) == nil)

        // Then the service's policy: an explicit deny of /admin/* wins over AllowAlice, and names its statement.
        let both = Self.service(.awsIam, policy: noAdmin, network: Self.network(.awsIam, policy: orgOnly))
        let adminDenied = try #require(denial(verdict(0, "/admin/users", both)))
        #expect(adminDenied.contains("explicit deny") && adminDenied.contains("NoAdminPaths"), "\(adminDenied)")
        // Bob is allowed by the network but by no statement of the service: an implicit deny that says so.
        let bobDenied = try #require(denial(verdict(1, "/orders", both)))
        #expect(bobDenied.contains("implicit deny") && bobDenied.contains("service"), "\(bobDenied)")
        // An anonymous caller: no Allow names it at the network level.
        let anonymous = auth.check(method: "GET", target: "/orders", headers: [(name: "Host", value: Self.host)], secure: false, port: 80, service: both,
                                   network: both.networks.first, sourceVpc: nil, sourceIp: nil, now: now)
        let anonymousDenied = try #require(denial(anonymous))
        #expect(anonymousDenied.contains("network"), "\(anonymousDenied)")
        // A tampered request never reaches the policies.
        let tampered = try #require(denial(verdict(0, "/orders", both)))
        #expect(tampered.hasPrefix("signature rejected"))
        // AWS_IAM without a policy denies everything.
        #expect(denial(verdict(0, "/admin/users", Self.service(.awsIam, network: nil)))?.contains("no auth policy") == true)
    }

    @Test func theCredentialsFileGivesTheOrganizationAndTagsPoliciesTest() throws {
        let file = #"""
        [{"accessKeyId": "AKIDALICE0000000", "secretAccessKey": "alice-secret/with+chars", "accountId": "111122223333",
          "principalArn": "arn:aws:iam::111122223333:role/alice", "principalOrgId": "o-a1b2c3d4e5",
          "principalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"], "principalTags": {"team": "orders"}},
         {"accessKeyId": "ASIABOB000000000", "secretAccessKey": "bob-secret", "sessionToken": "bob-session-token", "accountId": "444455556666",
          "principalArn": "arn:aws:sts::444455556666:assumed-role/bob/session-1"}]
        """#
        let book = try CredentialBook(json: Array(file.utf8), defaultAccount: "123456789012")
        #expect(book.byAccessKey["AKIDALICE0000000"]?.caller.orgID == "o-a1b2c3d4e5")
        #expect(book.byAccessKey["AKIDALICE0000000"]?.caller.tags == ["team": "orders"])
        #expect(book.byAccessKey["ASIABOB000000000"]?.caller.orgID == nil)

        // The AWS guide's organization example, with a tag condition beside it.
        let policy = #"""
        {"Version":"2012-10-17","Statement":[{"Sid":"OurOrgsOrdersTeam","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
          "Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-a1b2c3d4e5"],"aws:PrincipalTag/team":"orders"},
                       "ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}}]}
        """#
        let signed = try Self.botocoreSign([Self.signed("/orders"), Self.signed("/orders", as: Self.bob)])
        let now = try Self.time(of: signed[0])
        let auth = DataPlaneAuth(book: book)
        let service = Self.service(.awsIam, policy: policy, network: nil)
        func verdict(_ i: Int) -> DataPlaneAuth.Verdict {
            auth.check(method: "GET", target: "/orders", headers: Self.received(signed[i]), secure: false, port: 80, service: service,
                       network: nil, sourceVpc: "vpc-0abc", sourceIp: "127.0.0.1", now: now)
        }
        guard case .allowed = verdict(0) else { Issue.record("alice, in the organization with the tag, was denied: \(verdict(0))"); return }
        guard case let .denied(reason, _) = verdict(1) else { Issue.record("bob, with no organization, was allowed"); return }
        #expect(reason.contains("implicit deny"), "\(reason)")

        // Without the file's organization the same caller is denied: the allow came from it.
        let withoutOrg = DataPlaneAuth(book: CredentialBook([Self.alice])).check(method: "GET", target: "/orders", headers: Self.received(signed[0]), secure: false, port: 80,
                                                             service: service, network: nil, sourceVpc: "vpc-0abc", sourceIp: "127.0.0.1", now: now)
        guard case .denied = withoutOrg else { Issue.record("allowed without the organization: \(withoutOrg)"); return }
    }
}
