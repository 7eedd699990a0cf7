import Foundation
import LatticeKit
import Testing

/// local-lattice keeps time like the service: statuses settle on the wall clock with nobody
/// looking, answers can be delayed like a region's, and each process hands out its own IDs
/// unless given a seed. Here a real short sleep is the behaviour under test: a script that
/// sleeps instead of polling.
@Suite struct TimeAndIdentityTests {
    /// Settling by time alone (no number of observations would settle these), in 0.2 s.
    static let timeOnly = ["--settle-seconds", "0.2", "--settle-observations", "1000000"]

    @Test func aScriptThatSleepsInsteadOfPollingWorks() async throws {
        try await LocalLatticeProcess(Self.timeOnly).whileRunning { server in
            let c = try server.client()
            let network = try #require(try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "sleepy-network")).id)
            let service = try await c.createService(CreateServiceRequest(name: "sleepy-svc"))
            let serviceId = try #require(service.id)
            #expect(service.status == .createInProgress)
            usleep(300_000)
            #expect(try await c.getService(GetServiceRequest(serviceIdentifier: serviceId)).status == .active, "ACTIVE after the settle time, first look")

            let association = try #require(try await c.createServiceNetworkServiceAssociation(
                CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: serviceId, serviceNetworkIdentifier: network)).id)
            usleep(300_000)
            _ = try await c.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(
                serviceNetworkServiceAssociationIdentifier: association))
            await #expect(throws: ConflictException.self, "the association, being deleted, still blocks its service") {
                _ = try await c.deleteService(DeleteServiceRequest(serviceIdentifier: serviceId))
            }
            // No poll: the association's deletion settles by itself, then the service goes.
            usleep(300_000)
            #expect(try await c.deleteService(DeleteServiceRequest(serviceIdentifier: serviceId)).status == .deleteInProgress)
            usleep(300_000)
            await #expect(throws: ResourceNotFoundException.self) {
                _ = try await c.getService(GetServiceRequest(serviceIdentifier: serviceId))
            }
            _ = try await c.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: network))
            #expect(try await c.listServiceNetworks().items.isEmpty)
        }
    }

    /// The ID of a service network created first, the request ID of the first (unsigned,
    /// refused) request, and the IDs of a few more types, from a fresh server.
    func identifiers(_ arguments: [String]) async throws -> [String] {
        try await LocalLatticeProcess(arguments).whileRunning { server in
            let raw = try RawConnection(port: server.port)
            raw.send("GET /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let answer = String(decoding: raw.readToEnd(seconds: 10), as: UTF8.self)
            let requestId = try #require(answer.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") })
            let c = try server.client()
            let network = try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "seeded"))
            let service = try await c.createService(CreateServiceRequest(name: "seeded-svc"))
            let group = try await c.createTargetGroup(CreateTargetGroupRequest(name: "seeded-tg", type: .lambda))
            let ids = [network.id, service.id, group.id].compactMap { $0 }
            for (id, prefix) in zip(ids, ["sn", "svc", "tg"]) {
                #expect(id.wholeMatch(of: try Regex("\(prefix)-[0-9a-f]{17}")) != nil, "\(id)")
            }
            return [String(requestId)] + ids
        }
    }

    @Test func eachProcessDrawsFreshIdentifiersUnlessSeeded() async throws {
        let first = try await identifiers([])
        let second = try await identifiers([])
        #expect(first.count == 4)
        for (a, b) in zip(first, second) { #expect(a != b, "two unseeded processes: \(a) and \(b)") }

        let seeded = try await identifiers(["--seed", "42"])
        #expect(try await identifiers(["--seed", "42"]) == seeded, "the same seed, the same calls: the same identifiers")
        #expect(try await identifiers(["--seed", "43"]) != seeded)
    }

    @Test func latencyDelaysEveryAnswerWithoutSerialisingThem() async throws {
        let latency = 0.4
        let calls = 8
        try await LocalLatticeProcess(["--latency-ms", "400"]).whileRunning { server in
            let c = try server.client()
            let start = Date()
            let durations = try await withThrowingTaskGroup(of: Double.self) { group in
                for _ in 0..<calls {
                    group.addTask {
                        let begun = Date()
                        _ = try await c.listServiceNetworks()
                        return Date().timeIntervalSince(begun)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(durations.allSatisfy { $0 >= latency }, "each answer waited the latency: \(durations)")
            // Served one at a time, 8 calls would take 8 x 0.4 s at the least.
            #expect(elapsed < Double(calls) * latency, "\(calls) concurrent calls took \(elapsed) s")
        }
    }
}
