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

func run() async throws {
    let path = CommandLine.arguments.dropFirst().first ?? "Examples/topologies/seed.json"
    let topology = try Topology.load(contentsOfFile: path)
    // Statuses settle after 0.3 s (or one look), so the demo waits as on the service, briefly.
    let lattice = LocalLattice(LocalLattice.Configuration(secondsToSettle: 0.3))
    let client = try LocalLattice.client(lattice)
    let options = TopologyOptions(pollInterval: 0.1)
    print("topology \(topology.name) from \(path), on an embedded local Lattice (no AWS account)")

    section("plan")
    let plan = try await client.plan(topology, options: options)
    print(plan.text, terminator: "")

    section("apply")
    let applied = try await client.apply(plan, options: options, progress: show)
    print(applied.summary, terminator: "")
    guard applied.succeeded else { throw DemoError(description: "apply failed") }

    section("plan again: nothing to do")
    let again = try await client.plan(topology, options: options)
    print(again.text, terminator: "")
    guard again.isEmpty else { throw DemoError(description: "the second plan is not empty") }

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

    section("plan: the drift, as updates")
    let drift = try await client.plan(topology, options: options)
    print(drift.text, terminator: "")

    section("apply: the drift repaired")
    let repaired = try await client.apply(drift, options: options, progress: show)
    print(repaired.summary, terminator: "")
    let after = try await client.plan(topology, options: options)
    print(after.text, terminator: "")
    guard repaired.succeeded, after.isEmpty else { throw DemoError(description: "the drift was not repaired") }
    print("drift repaired: the live state matches the topology again")

    section("destroy")
    let destroy = try await client.planDestroy(topology, options: options)
    print(destroy.text, terminator: "")
    let destroyed = try await client.apply(destroy, options: options, progress: show)
    print(destroyed.summary, terminator: "")
    let networks = try await client.listServiceNetworksItems().collect().count
    let services = try await client.listServicesItems().collect().count
    let groups = try await client.listTargetGroupsItems().collect().count
    print("left: \(networks) service networks, \(services) services, \(groups) target groups")
    guard destroyed.succeeded, lattice.isEmpty else { throw DemoError(description: "something is left: \(lattice.resourceCounts().filter { $0.value > 0 })") }
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("topology-demo: \(error)\n".utf8))
    exit(1)
}
