import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// The Lattice decision across levels: the service network's auth policy, then the service's;
/// auth type NONE skipping a level; an explicit deny winning anywhere; and an explanation that
/// names the deciding policy and statement in every denial, short and safe for a header.
/// https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html#auth-policies-evaluation-logic
@Suite struct AuthDecisionTests {
    static let allowAll = #"{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
    static let allowGet = #"{"Version":"2012-10-17","Statement":[{"Sid":"AllowGet","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*","Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}"#
    static let denyAdmin = #"""
        {"Version":"2012-10-17","Statement":[
          {"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
          {"Sid":"NoAdmin","Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*/admin/*"}]}
        """#

    static func level(_ json: String?, _ authType: AuthType = .awsIam) throws -> AuthDecision.Level {
        AuthDecision.Level(authType: authType, policy: try json.map { try Fixture.policy($0) })
    }

    @Test func anExplicitDenyWinsOverAnyAllowInTheSamePolicy() throws {
        let policy = try Fixture.policy(Self.denyAdmin)
        let denied = policy.evaluate(Fixture.invoke("GET", "/admin/users"))
        #expect(denied.outcome == .explicitDeny)
        #expect(denied.decidingStatement?.sid == "NoAdmin")
        #expect(denied.statements.map(\.applies) == [true, true], "both apply; the Deny decides")
        #expect(policy.evaluate(Fixture.invoke("GET", "/users")).outcome == .allow)
    }

    @Test func anExplicitDenyInTheNetworkWinsOverTheServicesAllow() throws {
        let decision = AuthDecision(for: Fixture.invoke("GET", "/admin/x"), serviceNetwork: try Self.level(Self.denyAdmin), service: try Self.level(Self.allowAll))
        #expect(decision.outcome == .explicitDeny)
        #expect(decision.decidingCheck?.source == .serviceNetwork)
        #expect(decision.summary == #"Deny (explicit deny) by the service network policy: explicitly denied by "NoAdmin" (Statement[1])"#)
    }

    @Test func anExplicitDenyInTheServiceWinsOverTheNetworksAllow() throws {
        let decision = AuthDecision(for: Fixture.invoke("GET", "/admin/x"), serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(Self.denyAdmin))
        #expect(decision.outcome == .explicitDeny)
        #expect(decision.decidingCheck?.source == .service)
        #expect(decision.summary.contains(#"by the service policy: explicitly denied by "NoAdmin" (Statement[1])"#))
    }

    @Test func theNetworkIsCheckedFirstAndBothLevelsMustAllow() throws {
        let post = Fixture.invoke("POST", "/items")
        // The network allows only GET: it decides, although the service allows everything.
        let byNetwork = AuthDecision(for: post, serviceNetwork: try Self.level(Self.allowGet), service: try Self.level(Self.allowAll))
        #expect(byNetwork.outcome == .implicitDeny)
        #expect(byNetwork.decidingCheck?.source == .serviceNetwork)
        #expect(byNetwork.summary.contains(#"service network policy: implicitly denied: no statement allows the request; "AllowGet" (Statement[0]): condition StringEquals vpc-lattice-svcs:RequestMethod: the request's value "POST" does not match ["GET"]"#), "\(byNetwork.summary)")
        // The service allows only GET.
        let byService = AuthDecision(for: post, serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(Self.allowGet))
        #expect(byService.decidingCheck?.source == .service)
        // Both allow a GET; the summary names both allowing statements in order.
        let get = AuthDecision(for: Fixture.invoke(), serviceNetwork: try Self.level(Self.allowGet), service: try Self.level(Self.allowAll))
        #expect(get.isAllowed)
        #expect(get.summary == #"Allow: service network policy "AllowGet" (Statement[0]), service policy "AllowAll" (Statement[0])"#)
        #expect(get.checks.map(\.source) == [.serviceNetwork, .service])
    }

    @Test func authTypeNoneSkipsALevel() throws {
        let post = Fixture.invoke("POST", "/items")
        let networkNone = AuthDecision(for: post, serviceNetwork: try Self.level(Self.allowGet, .noAuth), service: try Self.level(Self.allowAll))
        #expect(networkNone.isAllowed, "the network's GET-only policy is not in force under NONE")
        #expect(networkNone.checks[0].outcome == nil)
        #expect(networkNone.checks[0].description == "service network policy: auth type NONE: not evaluated")
        let serviceNone = AuthDecision(for: post, serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(nil, .noAuth))
        #expect(serviceNone.isAllowed)
        let bothNone = AuthDecision(for: Fixture.invoke(caller: .anonymous), serviceNetwork: try Self.level(nil, .noAuth), service: try Self.level(nil, .noAuth))
        #expect(bothNone.isAllowed)
        #expect(bothNone.summary == "Allow: no level evaluates auth policies")
        let noNetwork = AuthDecision(for: post, serviceNetwork: nil, service: try Self.level(Self.allowGet))
        #expect(noNetwork.outcome == .implicitDeny)
        #expect(noNetwork.checks.map(\.source) == [.service])
    }

    @Test func awsIamWithoutAPolicyDeniesEverything() throws {
        let decision = AuthDecision(for: Fixture.invoke(), serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(nil))
        #expect(decision.outcome == .implicitDeny)
        #expect(decision.summary == "Deny (implicit deny) by the service policy: auth type AWS_IAM with no auth policy: every request is denied")
        let unknown = AuthDecision(for: Fixture.invoke(), serviceNetwork: nil, service: AuthDecision.Level(authType: AuthType(rawValue: "MTLS"), policy: nil))
        #expect(unknown.outcome == .implicitDeny)
        #expect(unknown.summary.contains("MTLS"))
    }

    @Test func anonymousRequestsPassOnlyWhereAPolicyAllowsThePrincipalStar() throws {
        let signedOnly = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
        let anonymous = Fixture.invoke(caller: .anonymous)
        #expect(AuthDecision(for: anonymous, serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(Self.allowAll)).isAllowed)
        let awsStar = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
        #expect(AuthDecision(for: anonymous, serviceNetwork: nil, service: try Self.level(awsStar)).isAllowed, #"{"AWS": "*"} is "*" for anonymous callers"#)
        let denied = AuthDecision(for: anonymous, serviceNetwork: try Self.level(Self.allowAll), service: try Self.level(signedOnly))
        #expect(denied.outcome == .implicitDeny)
        #expect(denied.summary.contains(#"principal: the anonymous caller is not among ["AWS: 123456789012"]"#), "\(denied.summary)")
        // Identity-based policies do not apply to a caller without an identity.
        let withIdentity = AuthDecision(for: anonymous, serviceNetwork: nil, service: try Self.level(Self.allowAll), identityPolicies: [])
        #expect(withIdentity.isAllowed)
    }

    @Test func identityPoliciesMustAllowToo() throws {
        let identity = try Fixture.policy(#"{"Version":"2012-10-17","Statement":[{"Sid":"Invoke","Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"arn:aws:vpc-lattice:*:123456789012:service/*"}]}"#, kind: .identityBased)
        let service = try Self.level(Self.allowAll)
        #expect(AuthDecision(for: Fixture.invoke(), serviceNetwork: nil, service: service, identityPolicies: [identity]).isAllowed)
        let none = AuthDecision(for: Fixture.invoke(), serviceNetwork: nil, service: service, identityPolicies: [])
        #expect(none.outcome == .implicitDeny)
        #expect(none.summary == "Deny (implicit deny) by the identity policy 0: the caller has no identity-based policy, so nothing allows the request")
        let other = AuthDecision(for: Fixture.invoke(service: "arn:aws:vpc-lattice:us-west-2:999999999999:service/svc-0123456789abcdef0"),
                                 serviceNetwork: nil, service: service, identityPolicies: [identity])
        #expect(other.decidingCheck?.source == .identity(0))
        #expect(other.summary.contains("\"Invoke\" (Statement[0]): resource:"))
    }

    /// Every way to be denied names the policy, and the statement where one decides.
    @Test func everyDenialNamesWhatDecided() throws {
        let policies = [Self.allowAll, Self.allowGet, Self.denyAdmin]
        let requests = [Fixture.invoke(), Fixture.invoke("POST", "/x"), Fixture.invoke("GET", "/admin/x"), Fixture.invoke(caller: .anonymous)]
        for network in policies + [nil] {
            for service in policies + [nil] {
                for request in requests {
                    let decision = AuthDecision(for: request, serviceNetwork: try Self.level(network), service: try Self.level(service))
                    guard !decision.isAllowed else { continue }
                    let check = try #require(decision.decidingCheck)
                    #expect(decision.summary.contains(check.source.description))
                    if decision.outcome == .explicitDeny {
                        let statement = try #require(check.evaluation?.decidingStatement)
                        #expect(decision.summary.contains(statement.name))
                    } else if let evaluation = check.evaluation {
                        for allow in evaluation.statements where allow.effect == .allow {
                            #expect(decision.summary.contains(allow.name), "\(decision.summary)")
                        }
                    } else {
                        #expect(decision.summary.contains("no auth policy"))
                    }
                }
            }
        }
    }

    @Test func theHeaderValueIsOneBoundedLineOfPrintableASCII() throws {
        let hostile = "/caf\u{e9}\r\nX-Injected: 1\u{7}" + String(repeating: "a", count: 5_000)
        let decision = AuthDecision(for: Fixture.invoke("GET", hostile), serviceNetwork: nil, service: try Self.level(Self.allowGet.replacingOccurrences(of: "\"GET\"", with: "\"PUT\"")))
        let header = decision.headerValue()
        #expect(!decision.isAllowed)
        #expect(header.count <= 1024)
        #expect(header.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        #expect(!header.contains("\r") && !header.contains("\n"))
        #expect(decision.headerValue(maximumLength: 80).count == 80)
        #expect(decision.headerValue(maximumLength: 80).hasSuffix("..."))
        let escaped = AuthDecision(for: Fixture.invoke("GET", "/\u{e9}\n"), serviceNetwork: nil, service: try Self.level(nil)).headerValue()
        #expect(!escaped.contains("\n"))
        // The explanation quotes request values cut to a bounded length.
        let long = AuthDecision(for: Fixture.invoke(String(repeating: "M", count: 10_000), "/"), serviceNetwork: nil, service: try Self.level(Self.allowGet))
        #expect(long.summary.count < 600, "\(long.summary.count)")
        let unicode = AuthDecision(for: Fixture.invoke("G\u{e9}T\r\n"), serviceNetwork: nil, service: try Self.level(Self.allowGet)).headerValue()
        #expect(unicode.contains(#"G\u{e9}T\u{d}\u{a}"#), "\(unicode)")
    }
}
