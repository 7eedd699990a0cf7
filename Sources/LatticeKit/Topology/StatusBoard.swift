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
/// on that type at once, so fifty services settling cost a few `ListServices` a poll, not
/// fifty `GetService` calls. A look needs a list begun after it was asked for (an older list
/// may predate the change it looks for). A look asked for while no such list is running or
/// due starts one, but two lists of one scope begin at least a quarter of a list's duration
/// apart (the last one measured, at most `maxSpacing`): the looks asked for meanwhile share
/// the one due next. So a look waits at most a quarter of a round trip longer than its own
/// list would take, and a scope has at most about five lists in flight whatever the number
/// of waits. (Waiting for the running list to end before starting the next would cost each
/// look up to two round trips, and an apply's chain of create, confirm, wait and child has
/// two looks in it.)
actor StatusBoard {
    /// One list's statuses by ID (targets: by `id:port`); a resource type without a status
    /// (service networks) shows `EXISTS`.
    struct Snapshot: Sendable {
        let generation: Int
        let statuses: [String: String]
    }

    private struct Run: Sendable {
        let generation: Int
        let task: Task<Snapshot, any Error>
    }

    /// The part of a list's duration between the starts of two lists of one scope.
    static let spacing = 0.25
    /// The longest time between the starts of two lists of one scope, in seconds.
    static let maxSpacing = 0.5
    /// The duration assumed before a list of the scope has been measured, in seconds.
    static let firstDuration = 0.04

    private let client: LatticeClient
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) async throws -> Void
    private var generation = 0
    private var started: [ResolvedScope: Int] = [:]
    private var latest: [ResolvedScope: Snapshot] = [:]
    /// Lists begun and not yet answered, oldest first.
    private var running: [ResolvedScope: [Run]] = [:]
    /// The list due next (it begins once the spacing since the last one has passed).
    private var due: [ResolvedScope: Run] = [:]
    private var lastBegin: [ResolvedScope: Date] = [:]
    private var beganAt: [Int: Date] = [:]
    private var duration: [ResolvedScope: Double] = [:]

    init(client: LatticeClient) {
        self.client = client
        now = client.environment.now
        sleep = client.environment.sleep
    }

    /// The generation of the newest list of `scope` begun so far.
    func newest(_ scope: ResolvedScope) -> Int { started[scope] ?? 0 }

    /// A list of `scope` begun after generation `after`.
    func snapshot(_ scope: ResolvedScope, after: Int) async throws -> Snapshot {
        if let snapshot = latest[scope], snapshot.generation > after { return snapshot }
        if let run = running[scope]?.first(where: { $0.generation > after }) { return try await run.task.value }
        if let run = due[scope] { return try await run.task.value }
        generation += 1
        let mine = generation
        let client = self.client
        let spacing = min(Self.maxSpacing, Self.spacing * (duration[scope] ?? Self.firstDuration))
        let delay = lastBegin[scope].map { $0.addingTimeInterval(spacing).timeIntervalSince(now()) } ?? 0
        let run: Run
        if delay > 0 {
            let sleep = self.sleep
            run = Run(generation: mine, task: Task {
                // A sleep that fails (cancelled) only starts the list early: the list due
                // must begin, or every later look would wait on it.
                try? await sleep(delay)
                self.begin(scope, mine)
                return try await self.list(scope, mine, client: client)
            })
            due[scope] = run
        } else {
            run = Run(generation: mine, task: Task { try await self.list(scope, mine, client: client) })
            running[scope, default: []].append(run)
            begin(scope, mine)
        }
        return try await run.task.value
    }

    /// The list `generation` of `scope` begins: it is a running one from now on.
    private func begin(_ scope: ResolvedScope, _ generation: Int) {
        let time = now()
        started[scope] = max(started[scope] ?? 0, generation)
        lastBegin[scope] = time
        beganAt[generation] = time
        if let run = due[scope], run.generation == generation {
            due[scope] = nil
            running[scope, default: []].append(run)
        }
    }

    private func list(_ scope: ResolvedScope, _ generation: Int, client: LatticeClient) async throws -> Snapshot {
        defer { finish(scope, generation, nil) }
        let snapshot = Snapshot(generation: generation, statuses: try await CallGate.$priority.withValue(CallGate.urgent) { try await Self.list(scope, client: client) })
        finish(scope, generation, snapshot)
        return snapshot
    }

    private func finish(_ scope: ResolvedScope, _ generation: Int, _ snapshot: Snapshot?) {
        if let snapshot, (latest[scope]?.generation ?? 0) < generation { latest[scope] = snapshot }
        if let began = beganAt.removeValue(forKey: generation) { duration[scope] = max(0, now().timeIntervalSince(began)) }
        running[scope]?.removeAll { $0.generation == generation }
    }

    /// A list page as waits read it: only each item's ID, port and status are decoded (a
    /// status list of a hundred services is read many times an apply, and decoding whole
    /// summaries, dates included, was most of the client's time in it).
    private struct StatusPage: Decodable, Sendable {
        struct Item: Decodable, Sendable {
            let id: String?
            let port: Int?
            let status: String?
        }
        let items: [Item]?
        let nextToken: String?
    }

    /// Every page of one list, following `nextToken` with the shared `Paginator` (a repeated
    /// token or too many pages end it with `LatticePaginationError`).
    private static func pages<I: OperationInput>(_ spec: OperationSpec, client: LatticeClient, _ request: (String?) -> I) async throws -> [StatusPage.Item] {
        var items: [StatusPage.Item] = []
        var paginator = Paginator(operation: spec.name)
        var token: String?
        repeat {
            let page: StatusPage = try await client.execute(spec, request(token))
            items += page.items ?? []
            token = try paginator.next(after: page.nextToken)
        } while token != nil
        return items
    }

    private static func list(_ scope: ResolvedScope, client: LatticeClient) async throws -> [String: String] {
        var out: [String: String] = [:]
        switch scope {
        case .serviceNetworks:
            for item in try await pages(.listServiceNetworks, client: client, { ListServiceNetworksRequest(maxResults: 100, nextToken: $0) }) {
                if let id = item.id { out[id] = "EXISTS" }
            }
        case .services:
            for item in try await pages(.listServices, client: client, { ListServicesRequest(maxResults: 100, nextToken: $0) }) {
                if let id = item.id { out[id] = item.status ?? "" }
            }
        case .targetGroups:
            for item in try await pages(.listTargetGroups, client: client, { ListTargetGroupsRequest(maxResults: 100, nextToken: $0) }) {
                if let id = item.id { out[id] = item.status ?? "" }
            }
        case let .vpcAssociations(network):
            for item in try await pages(.listServiceNetworkVpcAssociations, client: client, {
                ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: network, maxResults: 100, nextToken: $0)
            }) {
                if let id = item.id { out[id] = item.status ?? "" }
            }
        case let .serviceAssociationsOfNetwork(network):
            for item in try await pages(.listServiceNetworkServiceAssociations, client: client, {
                ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: network, maxResults: 100, nextToken: $0)
            }) {
                if let id = item.id { out[id] = item.status ?? "" }
            }
        case let .serviceAssociationsOfService(service):
            for item in try await pages(.listServiceNetworkServiceAssociations, client: client, {
                ListServiceNetworkServiceAssociationsRequest(serviceIdentifier: service, maxResults: 100, nextToken: $0)
            }) {
                if let id = item.id { out[id] = item.status ?? "" }
            }
        case let .targets(group):
            do {
                for item in try await pages(.listTargets, client: client, { ListTargetsRequest(targetGroupIdentifier: group, maxResults: 100, nextToken: $0) }) {
                    if let id = item.id { out[Planner.targetKey(Target(id: id, port: item.port))] = item.status ?? "" }
                }
            } catch is ResourceNotFoundException {
                return [:]
            }
        }
        return out
    }
}
