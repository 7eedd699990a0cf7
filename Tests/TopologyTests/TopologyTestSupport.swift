import Foundation
import LatticeKit
import LatticeKitTesting
import SigV4
import Synchronization
import Testing

/// Time that passes only when apply sleeps (a poll interval, a retry's backoff): waits take
/// no wall time, and the local Lattice settles statuses by this clock.
final class SleptTime: Sendable {
    private let elapsed = Mutex<Double>(0)
    private let origin = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    var clock: @Sendable () -> Date { { [self] in origin.addingTimeInterval(elapsed.withLock { $0 }) } }

    func pass(_ seconds: Double) { elapsed.withLock { $0 += max(0, seconds) } }

    var runtime: RuntimeEnvironment {
        RuntimeEnvironment(now: clock, sleep: { [self] seconds in pass(seconds) }, random: { 0.25 },
                           variables: ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"])
    }
}

/// Counts the requests that reach the local Lattice, by operation, and can run a hook after
/// a given one (to cancel an apply there).
final class CallLog: Transport, Sendable {
    let inner: LocalLattice
    private let state = Mutex<(count: Int, operations: [String], hook: (@Sendable (Int) -> Void)?)>((0, [], nil))

    init(_ inner: LocalLattice) { self.inner = inner }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = inner.handle(request)
        let (count, hook) = state.withLock { state -> (Int, (@Sendable (Int) -> Void)?) in
            state.count += 1
            state.operations.append("\(request.method) \(request.url.split(separator: "?").first.map(String.init) ?? request.url)")
            return (state.count, state.hook)
        }
        hook?(count)
        return response
    }

    var count: Int { state.withLock { $0.count } }

    /// Runs `hook` with each request's number, after the local Lattice has answered it.
    func afterEach(_ hook: (@Sendable (Int) -> Void)?) { state.withLock { $0.hook = hook } }
}

/// A local Lattice and a client on it, on slept time, with the requests counted.
struct Lab {
    let time = SleptTime()
    let lattice: LocalLattice
    let log: CallLog
    let client: LatticeClient

    /// Statuses settle after `seconds` of slept time (observations alone do not settle them).
    init(seconds: Double = 3, seed: UInt64 = 15, injectFault: (@Sendable (String) -> LocalLattice.InjectedFault?)? = nil) throws {
        lattice = LocalLattice(LocalLattice.Configuration(idSeed: seed, now: time.clock, observationsToSettle: 1_000_000, secondsToSettle: seconds,
                                                           injectFault: injectFault))
        log = CallLog(lattice)
        let configuration = LatticeConfiguration(
            region: "us-east-1", endpoint: "https://vpc-lattice.us-east-1.amazonaws.com",
            credentials: AWSCredentials(accessKeyId: "AKIALOCALLATTICE0000", secretAccessKey: "local-lattice-secret-key"))
        client = try LatticeClient(configuration, transport: log, environment: time.runtime)
    }

    /// Resources of each type that exist.
    var counts: [String: Int] { lattice.resourceCounts().filter { $0.value > 0 } }
}

/// One step at a time, in plan order: the same requests in the same order on every run.
let oneAtATime = TopologyOptions(maxConcurrentCalls: 1)

/// The repository's Examples/topologies/seed.json.
func seedTopology() throws -> Topology {
    try Topology.load(contentsOfFile: repositoryRoot + "/Examples/topologies/seed.json")
}

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The seed topology's resources, one of each (three targets).
let seedCounts: [String: Int] = [
    "serviceNetworks": 1, "services": 1, "targetGroups": 1, "targets": 3, "listeners": 1, "serviceNetworkServiceAssociations": 1,
    "serviceNetworkVpcAssociations": 1, "accessLogSubscriptions": 1,
]

/// A policy document allowing `action` to everyone (what it allows does not matter here).
func policy(_ action: String) throws -> PolicyDocument {
    try PolicyDocument(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"\#(action)","Resource":"*"}]}"#)
}

/// Every kind of resource and member the topology covers: two services (one on HTTPS with
/// a custom domain, weighted forwards, rules, access logs, both policies), two target groups,
/// a network with a VPC, two service associations, access logs and an auth policy.
func richTopology() throws -> Topology {
    let blue = WeightedTargetGroup(targetGroupIdentifier: "checkout-blue", weight: 90)
    let green = WeightedTargetGroup(targetGroupIdentifier: "checkout-green", weight: 10)
    return Topology(
        name: "rich", tags: ["team": "payments"],
        serviceNetworks: [
            .init(name: "rich-network", authType: .awsIam, tags: ["tier": "core"],
                  vpcAssociations: [.init(vpcIdentifier: "vpc-0a0000000000000a1", securityGroupIds: ["sg-0a0000000000000a1", "sg-0a0000000000000a2"])],
                  serviceAssociations: [.init(serviceIdentifier: "checkout"), .init(serviceIdentifier: "search")],
                  accessLogSubscriptions: [.init(destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:lattice-rich")],
                  authPolicy: try policy("vpc-lattice-svcs:Invoke")),
        ],
        services: [
            .init(name: "checkout", authType: .awsIam, customDomainName: "checkout.example.com",
                  certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a0a-1b1b", tags: ["tier": "front"],
                  listeners: [
                      .init(name: "https-443", protocol: .https, port: 443, defaultAction: .forward(ForwardAction(targetGroups: [blue, green])),
                            rules: [
                                .init(name: "api", priority: 10, match: .httpMatch(HttpMatch(pathMatch: PathMatch(match: .prefix("/api")))),
                                      action: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: "checkout-green")]))),
                                .init(name: "health", priority: 20, match: .httpMatch(HttpMatch(method: "GET", pathMatch: PathMatch(match: .exact("/health")))),
                                      action: .fixedResponse(FixedResponseAction(statusCode: 200))),
                            ]),
                  ],
                  accessLogSubscriptions: [.init(destinationArn: "arn:aws:s3:::checkout-access-logs")],
                  authPolicy: try policy("vpc-lattice-svcs:Invoke"), resourcePolicy: try policy("vpc-lattice:CreateServiceNetworkServiceAssociation")),
            .init(name: "search", listeners: [.init(name: "http", protocol: .http, defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404)))]),
        ],
        targetGroups: [
            .init(name: "checkout-blue", type: .ip,
                  config: TargetGroupConfig(port: 8443, protocol: .https, vpcIdentifier: "vpc-0b0000000000000b1",
                                            healthCheck: HealthCheckConfig(path: "/ready", healthyThresholdCount: 3)),
                  targets: [Target(id: "10.1.0.1"), Target(id: "10.1.0.2")]),
            .init(name: "checkout-green", type: .ip, config: TargetGroupConfig(port: 8443, protocol: .https, vpcIdentifier: "vpc-0b0000000000000b1"),
                  targets: [Target(id: "10.1.0.3", port: 9443)]),
        ])
}

/// The rich topology's resources.
let richCounts: [String: Int] = [
    "serviceNetworks": 1, "services": 2, "targetGroups": 2, "targets": 3, "listeners": 2, "rules": 2, "serviceNetworkServiceAssociations": 2,
    "serviceNetworkVpcAssociations": 1, "accessLogSubscriptions": 2, "authPolicies": 2, "resourcePolicies": 1,
]

/// Finds live resources by name, for changes made by hand in tests.
struct Found {
    let client: LatticeClient

    func network(_ name: String) async throws -> ServiceNetworkSummary {
        try #require(try await client.listServiceNetworksItems().collect().first { $0.name == name })
    }

    func service(_ name: String) async throws -> ServiceSummary {
        try #require(try await client.listServicesItems().collect().first { $0.name == name })
    }

    func group(_ name: String) async throws -> TargetGroupSummary {
        try #require(try await client.listTargetGroupsItems().collect().first { $0.name == name })
    }

    func listener(_ service: String, _ name: String) async throws -> (service: String, listener: ListenerSummary) {
        let id = try #require(try await self.service(service).id)
        return (id, try #require(try await client.listListenersItems(ListListenersRequest(serviceIdentifier: id)).collect().first { $0.name == name }))
    }

    func rule(_ service: String, _ listener: String, _ name: String) async throws -> (service: String, listener: String, rule: RuleSummary) {
        let (serviceId, found) = try await self.listener(service, listener)
        let listenerId = try #require(found.id)
        let rules = try await client.listRulesItems(ListRulesRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId)).collect()
        return (serviceId, listenerId, try #require(rules.first { $0.name == name }))
    }

    func accessLog(_ resource: String) async throws -> AccessLogSubscriptionSummary {
        try #require(try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: resource)).collect().first)
    }
}
