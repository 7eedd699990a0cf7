import Foundation
import LatticeKitTesting
import Testing

/// The auth policies the AWS documentation gives, each with a request it allows and requests
/// it denies, and the reason the explanation names.
///
/// Policies from "Control access to VPC Lattice services using auth policies"
/// (https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html): examples 1 to 3,
/// the resource-tag and principal-tag examples, and the `<serviceARN>/<path>` resource formats;
/// and the two console templates that "Edit access settings for a VPC Lattice service network"
/// (https://docs.aws.amazon.com/vpc-lattice/latest/ug/service-network-access.html) describes:
/// authenticated and unauthenticated access, and authenticated access only.
@Suite struct AuthPolicyDocExampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var policy: String
        var request: AuthRequest
        var outcome: AuthOutcome
        /// Text the evaluation's description must hold (the deciding statement or the mismatch).
        var because: String
        var testDescription: String { name }
    }

    static let example1 = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
          "Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-123456example"]}}}]}
        """#
    static let example2 = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/rates-client"]},
          "Action":"vpc-lattice-svcs:Invoke","Resource":["arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/*"],
          "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}
        """#
    static let example3 = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
          "Condition":{"StringNotEquals":{"aws:PrincipalType":"Anonymous"},"StringEquals":{"vpc-lattice-svcs:SourceVpc":"vpc-1a2b3c4d"}}}]}
        """#
    // The guide prints this one with a comma after "Gamma", which is not JSON; here without it.
    static let resourceTags = #"""
        {"Version":"2012-10-17","Statement":[{"Sid":"AllowGammaAccess","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke",
          "Resource":"arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/*",
          "Condition":{"StringEquals":{"aws:ResourceTag/Environment":"Gamma"}}}]}
        """#
    static let principalTags = #"""
        {"Version":"2012-10-17","Statement":[{"Sid":"AllowPaymentsTeam","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke",
          "Resource":"arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/*",
          "Condition":{"StringEquals":{"aws:PrincipalTag/Team":"Payments"}}}]}
        """#
    static func resourceFormat(_ resource: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Sid":"Path","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"\#(resource)"}]}"#
    }
    static let authenticatedAndUnauthenticated = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}
        """#
    static let authenticatedOnly = #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
          "Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}}]}
        """#

    static let inOrg = Fixture.caller("arn:aws:sts::123456789012:assumed-role/rates-client/s") { $0.orgID = "o-123456example" }
    static let otherOrg = Fixture.caller("arn:aws:sts::123456789012:assumed-role/rates-client/s") { $0.orgID = "o-999999other" }
    static let payments = Fixture.caller("arn:aws:iam::123456789012:user/pat") { $0.tags = ["Team": "Payments"] }
    static let ops = Fixture.caller("arn:aws:iam::123456789012:user/oz") { $0.tags = ["Team": "Ops"] }
    static let grpcService = "arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0"

    static let cases: [Case] = [
        Case(name: "example 1 allows a principal of the organization", policy: example1,
             request: Fixture.invoke(caller: inOrg), outcome: .allow, because: "allowed by Statement[0]"),
        Case(name: "example 1 denies a principal of another organization", policy: example1,
             request: Fixture.invoke(caller: otherOrg), outcome: .implicitDeny,
             because: #"condition StringEquals aws:PrincipalOrgID: the request's value "o-999999other" does not match ["o-123456example"]"#),
        Case(name: "example 1 denies an anonymous caller (no organization)", policy: example1,
             request: Fixture.invoke(caller: .anonymous), outcome: .implicitDeny,
             because: "condition StringEquals aws:PrincipalOrgID: the request has no such key"),
        Case(name: "example 2 allows rates-client to GET", policy: example2,
             request: Fixture.invoke("GET", "/rates"), outcome: .allow, because: "allowed by Statement[0]"),
        Case(name: "example 2 denies rates-client a POST", policy: example2,
             request: Fixture.invoke("POST", "/rates"), outcome: .implicitDeny,
             because: #"condition StringEquals vpc-lattice-svcs:RequestMethod: the request's value "POST" does not match ["GET"]"#),
        Case(name: "example 2 denies another role", policy: example2,
             request: Fixture.invoke("GET", "/rates", caller: Fixture.otherRole), outcome: .implicitDeny,
             because: #"principal: the arn:aws:sts::123456789012:assumed-role/billing/session-1 (AssumedRole) is not among ["AWS: arn:aws:iam::123456789012:role/rates-client"]"#),
        Case(name: "example 2 denies rates-client another service", policy: example2,
             request: Fixture.invoke("GET", "/rates", service: Fixture.otherService), outcome: .implicitDeny,
             because: "resource: \"\(Fixture.otherService)/rates\" matches none of"),
        Case(name: "example 3 allows a signed request from the VPC", policy: example3,
             request: Fixture.invoke(), outcome: .allow, because: "allowed by Statement[0]"),
        Case(name: "example 3 denies an anonymous request from the VPC", policy: example3,
             request: Fixture.invoke(caller: .anonymous), outcome: .implicitDeny,
             because: #"condition StringNotEquals aws:PrincipalType: the request's value "Anonymous" matches ["Anonymous"]"#),
        Case(name: "example 3 denies a signed request from another VPC", policy: example3,
             request: Fixture.invoke(sourceVpc: "vpc-99999999"), outcome: .implicitDeny,
             because: #"condition StringEquals vpc-lattice-svcs:SourceVpc: the request's value "vpc-99999999" does not match ["vpc-1a2b3c4d"]"#),
        Case(name: "the resource-tag example allows a service tagged Gamma", policy: resourceTags,
             request: Fixture.invoke(resourceTags: ["Environment": "Gamma"]), outcome: .allow, because: #"allowed by "AllowGammaAccess" (Statement[0])"#),
        Case(name: "the resource-tag example denies a service tagged Prod", policy: resourceTags,
             request: Fixture.invoke(resourceTags: ["Environment": "Prod"]), outcome: .implicitDeny,
             because: #""AllowGammaAccess" (Statement[0]): condition StringEquals aws:ResourceTag/Environment"#),
        Case(name: "the principal-tag example allows the Payments team", policy: principalTags,
             request: Fixture.invoke(caller: payments), outcome: .allow, because: #"allowed by "AllowPaymentsTeam" (Statement[0])"#),
        Case(name: "the principal-tag example denies the Ops team", policy: principalTags,
             request: Fixture.invoke(caller: ops), outcome: .implicitDeny,
             because: #"condition StringEquals aws:PrincipalTag/Team: the request's value "Ops" does not match ["Payments"]"#),
        Case(name: "HTTP resource format: the service ARN and /rates allows /rates", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/rates"),
             request: Fixture.invoke("GET", "/rates", service: grpcService), outcome: .allow, because: "allowed by"),
        Case(name: "HTTP resource format: the service ARN and /rates denies /rates/today", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/rates"),
             request: Fixture.invoke("GET", "/rates/today", service: grpcService), outcome: .implicitDeny, because: "resource:"),
        Case(name: "HTTP resource format: */rates allows /rates of any service", policy: resourceFormat("*/rates"),
             request: Fixture.invoke("GET", "/rates", service: Fixture.otherService), outcome: .allow, because: "allowed by"),
        Case(name: "HTTP resource format: */rates denies /quotes", policy: resourceFormat("*/rates"),
             request: Fixture.invoke("GET", "/quotes"), outcome: .implicitDeny, because: #"matches none of ["*/rates"]"#),
        Case(name: "HTTP resource format: */* allows any path", policy: resourceFormat("*/*"),
             request: Fixture.invoke("GET", "/a/b/c"), outcome: .allow, because: "allowed by"),
        Case(name: "HTTP resource format: */* denies another action", policy: resourceFormat("*/*"),
             request: AuthRequest.connect(serviceArn: Fixture.service, caller: Fixture.user, now: Fixture.now), outcome: .implicitDeny, because: "action:"),
        Case(name: "gRPC resource format: a method allows it", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/api.parking/GetRates"),
             request: Fixture.invoke("POST", "/api.parking/GetRates", service: grpcService), outcome: .allow, because: "allowed by"),
        Case(name: "gRPC resource format: a method denies another", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/api.parking/GetRates"),
             request: Fixture.invoke("POST", "/api.parking/SetRates", service: grpcService), outcome: .implicitDeny, because: "resource:"),
        Case(name: "gRPC resource format: a package allows its methods", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/api.parking/*"),
             request: Fixture.invoke("POST", "/api.parking/SetRates", service: grpcService), outcome: .allow, because: "allowed by"),
        Case(name: "gRPC resource format: a package denies another package", policy: resourceFormat("arn:aws:vpc-lattice:us-west-2:1234567890:service/svc-0123456789abcdef0/api.parking/*"),
             request: Fixture.invoke("POST", "/api.billing/Pay", service: grpcService), outcome: .implicitDeny, because: "resource:"),
        Case(name: "the authenticated-and-unauthenticated template allows an anonymous caller", policy: authenticatedAndUnauthenticated,
             request: Fixture.invoke(caller: .anonymous), outcome: .allow, because: "allowed by Statement[0]"),
        Case(name: "the authenticated-and-unauthenticated template denies another action", policy: authenticatedAndUnauthenticated,
             request: AuthRequest.connect(serviceArn: Fixture.service, caller: .anonymous, now: Fixture.now), outcome: .implicitDeny,
             because: #"action: "vpc-lattice-svcs:Connect" matches none of ["vpc-lattice-svcs:Invoke"]"#),
        Case(name: "the authenticated-only template allows a signed caller", policy: authenticatedOnly,
             request: Fixture.invoke(caller: Fixture.user), outcome: .allow, because: "allowed by Statement[0]"),
        Case(name: "the authenticated-only template denies an anonymous caller", policy: authenticatedOnly,
             request: Fixture.invoke(caller: .anonymous), outcome: .implicitDeny,
             because: #"condition StringNotEqualsIgnoreCase aws:PrincipalType: the request's value "Anonymous" matches ["anonymous"]"#),
    ]

    @Test(arguments: cases)
    func theDocumentationsPoliciesAllowAndDenyAsDocumented(_ c: Case) throws {
        let policy = try Fixture.policy(c.policy)
        let evaluation = policy.evaluate(c.request)
        #expect(evaluation.outcome == c.outcome, "\(evaluation)")
        #expect(evaluation.description.contains(c.because), "\(evaluation)")
    }

    @Test func everyExampleHasARequestItAllowsAndOneItDenies() {
        let byPolicy = Dictionary(grouping: Self.cases, by: \.policy)
        for (policy, cases) in byPolicy {
            #expect(cases.contains { $0.outcome == .allow }, "no allowed request for \(policy)")
            #expect(cases.contains { $0.outcome != .allow }, "no denied request for \(policy)")
        }
    }
}
