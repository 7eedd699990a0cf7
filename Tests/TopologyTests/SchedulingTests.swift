import Foundation
@testable import LatticeKit
import SigV4
import Synchronization
import Testing

/// The order in which apply's requests get a place in the gate: lists first, then the calls
/// with the longest chain of steps behind them.
@Suite struct SchedulingTests {
    /// Holds every request until the test lets it go, and records the order they arrived in.
    final class Held: Transport, Sendable {
        private let state = Mutex<(order: [String], held: [CheckedContinuation<Void, Never>])>(([], []))

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            await withCheckedContinuation { continuation in
                state.withLock { $0.order.append(request.url); $0.held.append(continuation) }
            }
            return HTTPResponse(status: 200, headers: HTTPHeaders(), body: Array("{}".utf8))
        }

        /// Lets the oldest held request answer; false when none is held.
        func releaseOne() -> Bool {
            let next = state.withLock { $0.held.isEmpty ? nil : $0.held.removeFirst() }
            next?.resume()
            return next != nil
        }

        var order: [String] { state.withLock { $0.order } }
        var held: Int { state.withLock { $0.held.count } }
    }

    static func request(_ name: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com/\(name)")
    }

    @Test func theGateLetsTheHighestPriorityGoNextThenTheFirstToCome() async throws {
        let held = Held()
        let gate = CallGate(options: TopologyOptions(maxConcurrentCalls: 1), environment: .live)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await gate.send(Self.request("first"), through: held) }
            for _ in 0..<1000 where held.held == 0 { await Task.yield() }
            #expect(held.held == 1)
            // Queued while the only place is taken, in this order.
            let queued: [(String, Int)] = [("low", 1), ("high", 3), ("list", CallGate.urgent), ("middle", 2), ("high-later", 3)]
            for (number, (name, priority)) in queued.enumerated() {
                group.addTask { _ = try await CallGate.$priority.withValue(priority) { try await gate.send(Self.request(name), through: held) } }
                for _ in 0..<1000 where await gate.waiting < number + 1 { await Task.yield() }
                #expect(await gate.waiting == number + 1)
            }
            // Let them go one at a time (bounded: six requests in all).
            for _ in 0..<10_000 where held.order.count < 6 || held.held > 0 {
                if !held.releaseOne() { await Task.yield() }
            }
            while held.releaseOne() {}
            try await group.waitForAll()
        }
        #expect(held.order.map { $0.split(separator: "/").last.map(String.init) ?? "" } == ["first", "list", "high", "high-later", "middle", "low"])
    }

    /// Answers every request with the same body, and counts them.
    final class Fixed: Transport, Sendable {
        let body: String
        private let count = Mutex(0)
        init(_ body: String) { self.body = body }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            count.withLock { $0 += 1 }
            return HTTPResponse(status: 200, headers: HTTPHeaders(), body: Array(body.utf8))
        }
        var requests: Int { count.withLock { $0 } }
    }

    static func board(_ transport: Fixed) throws -> StatusBoard {
        let configuration = LatticeConfiguration(region: "us-east-1", endpoint: "https://vpc-lattice.us-east-1.amazonaws.com",
                                                 credentials: AWSCredentials(accessKeyId: "AKIASCHEDULINGTEST00", secretAccessKey: "scheduling-test-secret"))
        return StatusBoard(client: try LatticeClient(configuration, transport: transport))
    }

    @Test func aStatusListReadsOnlyIDsAndStatusesAndStopsAtARepeatedPageToken() async throws {
        let snapshot = try await Self.board(Fixed(#"{"items":[{"id":"svc-0123456789abcdef0","status":"ACTIVE","name":"a","createdAt":"not a date"}]}"#))
            .snapshot(.services, after: 0)
        #expect(snapshot.statuses == ["svc-0123456789abcdef0": "ACTIVE"])
        let repeating = Fixed(#"{"items":[],"nextToken":"again"}"#)
        let board = try Self.board(repeating)
        await #expect(throws: LatticePaginationError.self) { _ = try await board.snapshot(.services, after: 0) }
        #expect(repeating.requests == 2, "the first page, then the one that gave the same token again")
    }

    @Test func aWaitAfterAConfirmedCreateTakesAnyNewerListAndOtherWaitsANewOne() async throws {
        let transport = Fixed(#"{"items":[{"id":"svc-0123456789abcdef0","status":"ACTIVE"},{"id":"svc-0123456789abcdef1","status":"ACTIVE"}]}"#)
        let board = try Self.board(transport)
        let confirming = try await board.snapshot(.services, after: 0)
        let newer = try await board.snapshot(.services, after: confirming.generation)
        #expect(transport.requests == 2)
        let registry = Registry([:])
        await registry.set("service.a", LiveIdentity(id: "svc-0123456789abcdef0", arn: "arn:a"), confirmedBy: (.services, confirming.generation))
        await registry.set("service.b", LiveIdentity(id: "svc-0123456789abcdef1", arn: "arn:b"))
        #expect(await registry.confirmation("service.a", in: .services) == confirming.generation)
        #expect(await registry.confirmation("service.a", in: .targetGroups) == nil, "a list of another scope confirms nothing here")
        let plan = TopologyPlan(topology: "t", isDestroy: false, actions: [], refusals: [], steps: [], registry: [:])
        let runner = StepRunner(plan: plan, client: try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: "https://vpc-lattice.us-east-1.amazonaws.com",
                                                                                           credentials: AWSCredentials(accessKeyId: "AKIASCHEDULINGTEST00", secretAccessKey: "scheduling-test-secret")),
                                                                      transport: transport),
                                options: TopologyOptions(), registry: registry, board: board)
        // The list after the confirming one shows service.a ACTIVE: no new request.
        try await runner.wait("service.a", .services, .active)
        #expect(transport.requests == 2, "the newer list (\(newer.generation)) answered the first look")
        // service.b was not confirmed by a list: its first look is a list begun after it asked.
        try await runner.wait("service.b", .services, .active)
        #expect(transport.requests == 3)
    }

    @Test func aStepsPriorityIsItsLongestChainOfRoundTripsWhateverTheIndexes() {
        func step(_ index: Int, _ work: Work, after dependencies: [Int]) -> Step {
            Step(index: index, action: nil, address: "s\(index)", label: "", work: work, dependencies: dependencies)
        }
        let create = Work.createService(name: "a", authType: nil, customDomainName: nil, certificateArn: nil, tags: [:])
        // 3 depends on 4 (a later index): 4 create (2) -> 3 wait (1) -> 0 listener (1).
        let steps = [
            step(0, .deleteListener(service: .id("svc-1")), after: [3]),
            step(1, .deleteNetwork, after: []),
            step(2, .wait(.services, .active), after: [1]),
            step(3, .wait(.services, .active), after: [4]),
            step(4, create, after: []),
        ]
        #expect(Execution.chainLengths(steps) == [1, 2, 1, 2, 4])
    }
}
