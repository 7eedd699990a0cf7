#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A list scope with its identifiers resolved.
enum ResolvedScope: Sendable, Hashable {
    case serviceNetworks
    case services
    case targetGroups
    case vpcAssociations(network: String)
    case serviceAssociationsOfNetwork(String)
    case serviceAssociationsOfService(String)
    case targets(group: String)
}

/// What apply waits on, seen through lists: one list of a resource type answers every wait
/// on that type at once, so fifty services settling cost one `ListServices` a poll, not fifty
/// `GetService` calls. A look needs a list begun after it was asked for (an older list may
/// predate the change it looks for). At most one list of a scope is in flight: a look asked
/// for while one runs joins the next, which starts as soon as the running one ends and
/// answers every look asked for meanwhile. Fifty creates answered within one round trip of
/// each other then cost two lists, not fifty, for at most one round trip more each.
actor StatusBoard {
    /// One list's statuses by ID (targets: by `id:port`); a resource type without a status
    /// (service networks) shows `EXISTS`.
    struct Snapshot: Sendable {
        let generation: Int
        let statuses: [String: String]
    }

    private typealias Run = (generation: Int, task: Task<Snapshot, any Error>)

    private let client: LatticeClient
    private var generation = 0
    private var started: [ResolvedScope: Int] = [:]
    private var latest: [ResolvedScope: Snapshot] = [:]
    private var running: [ResolvedScope: Run] = [:]
    /// The list that starts when the running one ends.
    private var next: [ResolvedScope: Run] = [:]

    init(client: LatticeClient) { self.client = client }

    /// The generation of the newest list of `scope` begun so far.
    func newest(_ scope: ResolvedScope) -> Int { started[scope] ?? 0 }

    /// A list of `scope` begun after generation `after`.
    func snapshot(_ scope: ResolvedScope, after: Int) async throws -> Snapshot {
        if let snapshot = latest[scope], snapshot.generation > after { return snapshot }
        if let run = running[scope], run.generation > after { return try await run.task.value }
        if let run = next[scope] { return try await run.task.value }
        generation += 1
        let mine = generation
        let client = self.client
        let task: Task<Snapshot, any Error>
        if let before = running[scope] {
            task = Task {
                _ = await before.task.result
                self.begin(scope, mine)
                return try await self.list(scope, mine, client: client)
            }
            next[scope] = (mine, task)
        } else {
            begin(scope, mine)
            task = Task { try await self.list(scope, mine, client: client) }
            running[scope] = (mine, task)
        }
        return try await task.value
    }

    /// The list `generation` of `scope` starts: it is the running one from now on.
    private func begin(_ scope: ResolvedScope, _ generation: Int) {
        started[scope] = max(started[scope] ?? 0, generation)
        if let run = next[scope], run.generation == generation {
            next[scope] = nil
            running[scope] = run
        }
    }

    private func list(_ scope: ResolvedScope, _ generation: Int, client: LatticeClient) async throws -> Snapshot {
        defer { finish(scope, generation, nil) }
        let snapshot = Snapshot(generation: generation, statuses: try await Self.list(scope, client: client))
        finish(scope, generation, snapshot)
        return snapshot
    }

    private func finish(_ scope: ResolvedScope, _ generation: Int, _ snapshot: Snapshot?) {
        if let snapshot, (latest[scope]?.generation ?? 0) < generation { latest[scope] = snapshot }
        if running[scope]?.generation == generation { running[scope] = nil }
    }

    private static func list(_ scope: ResolvedScope, client: LatticeClient) async throws -> [String: String] {
        var out: [String: String] = [:]
        switch scope {
        case .serviceNetworks:
            for item in try await client.listServiceNetworksItems(ListServiceNetworksRequest(maxResults: 100)).collect() {
                if let id = item.id { out[id] = "EXISTS" }
            }
        case .services:
            for item in try await client.listServicesItems(ListServicesRequest(maxResults: 100)).collect() {
                if let id = item.id { out[id] = item.status?.rawValue ?? "" }
            }
        case .targetGroups:
            for item in try await client.listTargetGroupsItems(ListTargetGroupsRequest(maxResults: 100)).collect() {
                if let id = item.id { out[id] = item.status?.rawValue ?? "" }
            }
        case let .vpcAssociations(network):
            for item in try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: network, maxResults: 100)).collect() {
                if let id = item.id { out[id] = item.status?.rawValue ?? "" }
            }
        case let .serviceAssociationsOfNetwork(network):
            for item in try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network, maxResults: 100)).collect() {
                if let id = item.id { out[id] = item.status?.rawValue ?? "" }
            }
        case let .serviceAssociationsOfService(service):
            for item in try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceIdentifier: service, maxResults: 100)).collect() {
                if let id = item.id { out[id] = item.status?.rawValue ?? "" }
            }
        case let .targets(group):
            do {
                for item in try await client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: group, maxResults: 100)).collect() {
                    if let id = item.id { out[Planner.targetKey(Target(id: id, port: item.port))] = item.status?.rawValue ?? "" }
                }
            } catch is ResourceNotFoundException {
                return [:]
            }
        }
        return out
    }
}
