import Foundation
import LatticeTestSupport
import LatticeKit
@testable import LatticeKitTesting
import Testing

/// The data plane's routing against topologies made through the API on the in-process local
/// Lattice: every match kind, priorities, the default action, weights and fixed responses,
/// as https://docs.aws.amazon.com/vpc-lattice/latest/ug/listener-rules.html describes them.
@Suite struct DataPlaneRoutingTests {
    static let vpc = "vpc-0123456789abcdef0"

    /// A service with one HTTP listener whose default action forwards to `default`, and
    /// groups `a`, `b`, `canary` to route to.
    struct Topology {
        let h = try! Harness(settle: 0, seconds: 0)
        var service = ""
        var listener = ""
        var host = ""
        var groups: [String: String] = [:]

        static func make() async throws -> Topology {
            var t = Topology()
            let c = t.h.client
            for name in ["default", "a", "b", "canary"] {
                let g = try await c.createTargetGroup(CreateTargetGroupRequest(name: "group-\(name)", type: .ip, config: TargetGroupConfig(port: 80, protocol: .http, vpcIdentifier: vpc)))
                let id: String = try #require(g.id)
                t.groups[name] = id
            }
            let s = try await c.createService(CreateServiceRequest(name: "routes"))
            t.service = try #require(s.id)
            t.host = try #require(s.dnsEntry?.domainName)
            let l = try await c.createListener(CreateListenerRequest(serviceIdentifier: t.service, name: "http", protocol: .http,
                                                                     defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: t.groups["default"]!)]))))
            t.listener = try #require(l.id)
            return t
        }

        func rule(_ name: String, priority: Int, _ match: HttpMatch, _ action: RuleAction) async throws {
            _ = try await h.client.createRule(CreateRuleRequest(serviceIdentifier: service, listenerIdentifier: listener, name: name,
                                                                match: .httpMatch(match), priority: priority, action: action))
        }

        func forward(_ group: String) -> RuleAction {
            .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: groups[group]!)]))
        }

        func router(seed: UInt64 = 1) throws -> DataPlaneRouter {
            DataPlaneRouter(try #require(h.lattice.dataPlaneSnapshot()), random: SeededRandom(seed: seed))
        }

        /// `outcome` of a GET.
        func outcome(_ router: DataPlaneRouter, _ path: String, headers: [(String, String)] = [], host: String? = nil) -> String {
            outcome(router, "GET", path, headers: headers, host: host)
        }

        /// The group name a request goes to, `fixed:STATUS`, or `refused:CODE`.
        func outcome(_ router: DataPlaneRouter, _ method: String, _ path: String, headers: [(String, String)] = [], host: String? = nil) -> String {
            let request = RoutedRequest(method: method, path: path, host: host ?? self.host, headers: headers.map { (name: $0.0, value: $0.1) }, listenerProtocol: .http)
            switch router.route(request) {
            case let .forward(_, _, _, group): return groups.first { $0.value == group.id }?.key ?? group.id
            case let .fixedResponse(_, _, _, status): return "fixed:\(status)"
            case let .refused(refusal): return "refused:\(refusal.code)"
            }
        }
    }

    @Test func everyMatchKindPriorityAndTheDefaultAction() async throws {
        let t = try await Topology.make()
        // Priorities: a lower number is evaluated first, whatever the creation order.
        try await t.rule("prefix-insensitive", priority: 20, HttpMatch(pathMatch: PathMatch(match: .prefix("/API"))), t.forward("a"))
        try await t.rule("exact-sensitive", priority: 10, HttpMatch(pathMatch: PathMatch(match: .exact("/api/Exact"), caseSensitive: true)), t.forward("b"))
        try await t.rule("method", priority: 5, HttpMatch(method: "DELETE"), .fixedResponse(FixedResponseAction(statusCode: 403)))
        try await t.rule("header-exact", priority: 1, HttpMatch(headerMatches: [HeaderMatch(name: "x-canary", match: .exact("true"))]), t.forward("canary"))
        try await t.rule("header-prefix-sensitive", priority: 2,
                         HttpMatch(headerMatches: [HeaderMatch(name: "X-Tenant", match: .prefix("Blue"), caseSensitive: true)]), t.forward("a"))
        try await t.rule("header-contains", priority: 3, HttpMatch(headerMatches: [HeaderMatch(name: "user-agent", match: .contains("bot"))]),
                         .fixedResponse(FixedResponseAction(statusCode: 429)))
        try await t.rule("all-of", priority: 4, HttpMatch(method: "POST", pathMatch: PathMatch(match: .prefix("/orders")),
                                                         headerMatches: [HeaderMatch(name: "content-type", match: .exact("application/json"))]), t.forward("b"))
        let r = try t.router()

        // Path: exact and case-sensitive, prefix and case-insensitive (the default).
        #expect(t.outcome(r, "/api/Exact") == "b")
        #expect(t.outcome(r, "/api/exact") == "a", "exact is case-sensitive here; the prefix rule (priority 20) takes it")
        #expect(t.outcome(r, "/api/Exact/more") == "a", "exact is not a prefix")
        #expect(t.outcome(r, "/Api/items") == "a")
        #expect(t.outcome(r, "/apix") == "a", "a prefix is a string prefix")
        #expect(t.outcome(r, "/other") == "default", "no rule matches: the default action")
        #expect(t.outcome(r, "/") == "default")
        // Method.
        #expect(t.outcome(r, "DELETE", "/api/Exact") == "fixed:403", "priority 5 before 10")
        #expect(t.outcome(r, "delete", "/x") == "fixed:403")
        // Headers: exact (value case-insensitive by default, name always), prefix case-sensitive, contains.
        #expect(t.outcome(r, "DELETE", "/x", headers: [("X-Canary", "TRUE")]) == "canary", "priority 1 wins")
        #expect(t.outcome(r, "/x", headers: [("x-canary", "true2")]) == "default")
        #expect(t.outcome(r, "/x", headers: [("x-tenant", "Blue-7")]) == "a")
        #expect(t.outcome(r, "/x", headers: [("x-tenant", "blue-7")]) == "default", "case-sensitive prefix")
        #expect(t.outcome(r, "/x", headers: [("User-Agent", "GoogleBot/2")]) == "fixed:429", "contains, case-insensitive")
        #expect(t.outcome(r, "/x", headers: [("x-canary", "false"), ("x-canary", "true")]) == "canary", "any value of a repeated header")
        // Every condition of a rule must hold.
        #expect(t.outcome(r, "POST", "/orders/1", headers: [("content-type", "application/json")]) == "b")
        #expect(t.outcome(r, "POST", "/orders/1", headers: [("content-type", "text/plain")]) == "default")
        #expect(t.outcome(r, "GET", "/orders/1", headers: [("content-type", "application/json")]) == "default")
        // The Host header chooses the service; a port in it is allowed; others are refused.
        #expect(t.outcome(r, "/other", host: t.host.uppercased() + ":80") == "default")
        #expect(t.outcome(r, "/other", host: "elsewhere.example.com") == "refused:UnknownHost")
    }

    @Test func aFixedResponseAsTheDefaultActionAndACustomDomain() async throws {
        let h = try Harness(settle: 0, seconds: 0)
        let c = h.client
        let s = try await c.createService(CreateServiceRequest(name: "fixed", customDomainName: "api.example.com"))
        let service = try #require(s.id)
        _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: service, name: "http", protocol: .http,
                                                             defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))
        let router = DataPlaneRouter(try #require(h.lattice.dataPlaneSnapshot()), random: SeededRandom(seed: 1))
        for host in ["api.example.com", "API.Example.com.", try #require(s.dnsEntry?.domainName)] {
            guard case let .fixedResponse(_, _, rule, status) = router.route(RoutedRequest(method: "GET", path: "/", host: host, headers: [], listenerProtocol: .http)) else {
                Issue.record("\(host) is not answered with the fixed response")
                continue
            }
            #expect(status == 404)
            #expect(rule.isDefault)
        }
        // No HTTPS listener: a request on the TLS port is refused, naming what there is.
        guard case let .refused(refusal) = router.route(RoutedRequest(method: "GET", path: "/", host: "api.example.com", headers: [], listenerProtocol: .https)) else {
            Issue.record("an HTTPS request to a service without an HTTPS listener was routed")
            return
        }
        #expect(refusal.code == "NoListener")
        #expect(refusal.message.contains("HTTP:80"))
    }

    @Test func weightsSplitTrafficWithinToleranceAndRepeatWithTheSeed() async throws {
        let t = try await Topology.make()
        try await t.rule("split", priority: 1, HttpMatch(pathMatch: PathMatch(match: .prefix("/split"))), .forward(ForwardAction(targetGroups: [
            WeightedTargetGroup(targetGroupIdentifier: t.groups["a"]!, weight: 10),
            WeightedTargetGroup(targetGroupIdentifier: t.groups["b"]!, weight: 30),
            WeightedTargetGroup(targetGroupIdentifier: t.groups["canary"]!, weight: 0),
        ])))
        let n = 4000
        func run(_ seed: UInt64) throws -> [String] {
            let r = try t.router(seed: seed)
            return (0..<n).map { _ in t.outcome(r, "/split") }
        }
        let first = try run(42)
        var counts: [String: Int] = [:]
        for group in first { counts[group, default: 0] += 1 }
        #expect(counts["canary"] == nil, "weight 0 gets nothing")
        let shareA = Double(counts["a"] ?? 0) / Double(n)
        // 1/4 expected; 4000 draws give a standard deviation of 0.7 percentage points.
        #expect(abs(shareA - 0.25) < 0.03, "a got \(shareA)")
        #expect(counts["a", default: 0] + counts["b", default: 0] == n)
        #expect(try run(42) == first, "the same seed, the same sequence")
        #expect(try run(43) != first)
    }

    @Test func theSnapshotChangesOnlyWhenTheControlPlaneDoes() async throws {
        let t = try await Topology.make()
        let s = try #require(t.h.lattice.dataPlaneSnapshot())
        #expect(t.h.lattice.dataPlaneSnapshot(ifChangedSince: s.generation) == nil)
        try await t.rule("put-rule", priority: 1, HttpMatch(method: "PUT"), t.forward("a"))
        let next = try #require(t.h.lattice.dataPlaneSnapshot(ifChangedSince: s.generation))
        #expect(next.generation > s.generation)
        let rules = try #require(next.services.first?.listeners.first?.rules)
        #expect(rules.map(\.isDefault) == [false, true], "the default rule last")
    }

    @Test func targetMapEntries() throws {
        var map = TargetMap()
        try map.add("10.0.1.10:8080=127.0.0.1:9001")
        try map.add("10.0.1.11=127.0.0.2")
        try map.add("i-0123456789abcdef0:80=[::1]:9002")
        #expect(try map.address(of: "10.0.1.10", port: 8080).get() == .init(host: "127.0.0.1", port: 9001))
        #expect(try map.address(of: "10.0.1.11", port: 81).get() == .init(host: "127.0.0.2", port: 81))
        #expect(try map.address(of: "i-0123456789abcdef0", port: 80).get().description == "[::1]:9002")
        #expect(try map.address(of: "127.0.0.1", port: 7).get() == .init(host: "127.0.0.1", port: 7), "loopback needs no entry")
        guard case let .failure(unmapped) = map.address(of: "10.0.1.10", port: 9090) else {
            Issue.record("an unmapped port was mapped")
            return
        }
        #expect(unmapped.description.contains("--target-map 10.0.1.10:9090=127.0.0.1:PORT"))
        for bad in ["10.0.1.10:8080", "=127.0.0.1:1", "10.0.1.10:8080=127.0.0.1", "10.0.1.10=127.0.0.1:9", "a:99999=b:1"] {
            #expect(throws: TargetMap.ParseError.self, "\(bad)") { try map.add(bad) }
        }
    }
}
