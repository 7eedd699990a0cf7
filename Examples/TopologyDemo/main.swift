// The seed topology as code (Examples/topologies/seed.json) on an embedded local Lattice:
// plan, apply, a second plan with no changes, a drift made by hand and repaired, destroy.
//
//   topology-demo [FILE]     FILE defaults to Examples/topologies/seed.json
//
// The same flow from the shell, against local-lattice or an account:
//   lattice plan --file F; lattice apply --file F; lattice destroy --file F
// Examples/SeedTopology is the same topology made call by call with the raw API.
import Foundation
import LatticeKit
import LatticeKitTesting

struct DemoError: Error, CustomStringConvertible {
    let description: String
}

func section(_ title: String) { print("\n== \(title)") }

func show(_ event: TopologyEvent) {
    guard event.kind != .started else { return }
    print("  \(event.kind.rawValue) \(event.address): \(event.step)\(event.detail.map { " (\($0))" } ?? "")")
}

/// Prints the plan, applies it with its progress, prints the summary; throws unless it all went.
func applyShown(_ plan: TopologyPlan, _ client: LatticeClient, _ options: TopologyOptions) async throws {
    print(plan.text, terminator: "")
    let result = try await client.apply(plan, options: options, progress: show)
    print(result.summary, terminator: "")
    guard result.succeeded else { throw DemoError(description: "apply failed") }
}

/// Plans again and throws unless nothing is left to do.
func expectNoChanges(_ topology: Topology, _ client: LatticeClient, _ options: TopologyOptions) async throws {
    let plan = try await client.plan(topology, options: options)
    print(plan.text, terminator: "")
    guard plan.isEmpty else { throw DemoError(description: "the live state does not match the topology") }
}

func run() async throws {
    let path = CommandLine.arguments.dropFirst().first ?? "Examples/topologies/seed.json"
    let topology = try Topology.load(contentsOfFile: path)
    // Statuses settle after 0.3 s (or one look), so the demo waits as on the service, briefly.
    let lattice = LocalLattice(LocalLattice.Configuration(secondsToSettle: 0.3))
    let client = try LocalLattice.client(lattice)
    let options = TopologyOptions(pollInterval: 0.1)
    print("topology \(topology.name) from \(path), on an embedded local Lattice (no AWS account)")

    section("plan and apply")
    try await applyShown(try await client.plan(topology, options: options), client, options)

    section("plan again: nothing to do")
    try await expectNoChanges(topology, client, options)

    section("drift: changes made by hand, outside the topology")
    let group = try await client.listTargetGroupsItems().collect().first { $0.name == "provider-tg" }
    let service = try await client.listServicesItems().collect().first { $0.name == "provider-svc" }
    guard let groupId = group?.id, let serviceId = service?.id, let serviceArn = service?.arn else { throw DemoError(description: "the seed's resources are missing") }
    _ = try await client.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: groupId, healthCheck: HealthCheckConfig(path: "/")))
    print("  health check path of provider-tg set to /")
    _ = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: groupId, targets: [Target(id: "10.0.1.12", port: 8080)]))
    print("  target 10.0.1.12:8080 deregistered")
    _ = try await client.untagResource(UntagResourceRequest(resourceArn: serviceArn, tagKeys: ["project"]))
    print("  tag project removed from provider-svc")
    let listener = try await client.listListenersItems(ListListenersRequest(serviceIdentifier: serviceId)).collect().first
    guard let listenerId = listener?.id else { throw DemoError(description: "the listener is missing") }
    _ = try await client.updateListener(UpdateListenerRequest(serviceIdentifier: serviceId, listenerIdentifier: listenerId, defaultAction: .forward(
        ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: groupId, weight: 5)]))))
    print("  listener http-80 forwards with weight 5")

    section("plan: the drift, as updates; apply repairs it")
    try await applyShown(try await client.plan(topology, options: options), client, options)
    try await expectNoChanges(topology, client, options)
    print("drift repaired: the live state matches the topology again")

    section("destroy")
    try await applyShown(try await client.planDestroy(topology, options: options), client, options)
    let networks = try await client.listServiceNetworksItems().collect().count
    let services = try await client.listServicesItems().collect().count
    let groups = try await client.listTargetGroupsItems().collect().count
    print("left: \(networks) service networks, \(services) services, \(groups) target groups")
    guard lattice.isEmpty else { throw DemoError(description: "something is left: \(lattice.resourceCounts().filter { $0.value > 0 })") }
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("topology-demo: \(error)\n".utf8))
    exit(1)
}
