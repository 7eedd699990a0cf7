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
/// `GetService` calls. Waits that start while a list is under way share it only if it began
/// after they did (an older list may predate the change they wait for).
actor StatusBoard {
    /// One list's statuses by ID (targets: by `id:port`); a resource type without a status
    /// (service networks) shows `EXISTS`.
    struct Snapshot: Sendable {
        let generation: Int
        let statuses: [String: String]
    }

    private let client: LatticeClient
    private var generation = 0
    private var started: [ResolvedScope: Int] = [:]
    private var latest: [ResolvedScope: Snapshot] = [:]
    private var running: [ResolvedScope: (generation: Int, task: Task<Snapshot, any Error>)] = [:]

    init(client: LatticeClient) { self.client = client }

    /// The generation of the newest list of `scope` begun so far.
    func newest(_ scope: ResolvedScope) -> Int { started[scope] ?? 0 }

    /// A list of `scope` begun after generation `after`.
    func snapshot(_ scope: ResolvedScope, after: Int) async throws -> Snapshot {
        if let snapshot = latest[scope], snapshot.generation > after { return snapshot }
        if let run = running[scope], run.generation > after { return try await run.task.value }
        generation += 1
        let mine = generation
        started[scope] = mine
        let client = self.client
        let task = Task { Snapshot(generation: mine, statuses: try await Self.list(scope, client: client)) }
        running[scope] = (mine, task)
        defer { if running[scope]?.generation == mine { running[scope] = nil } }
        let snapshot = try await task.value
        if (latest[scope]?.generation ?? 0) < mine { latest[scope] = snapshot }
        return snapshot
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
