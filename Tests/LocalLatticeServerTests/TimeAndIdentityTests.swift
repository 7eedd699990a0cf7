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
            // No poll: the association's deletion settles by itself, then the service goes.
            // (That it blocks the service until then is LocalLatticeSettlingTests' to show, on
            // a clock that does not move while a busy machine delays the next call.)
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

    @Test func latencyDelaysEveryAnswerWithoutSerialisingThem() throws {
        let latency = 0.5
        let calls = 8
        let server = try LocalLatticeProcess(["--latency-ms", "500"])
        defer { server.stop() }
        // Raw connections on this thread, not clients on Swift's shared pool, which other tests
        // may keep busy: all eight requests go out, then the answers are read.
        let connections = try (0..<calls).map { _ in try RawConnection(port: server.port) }
        let start = Date()
        var sent: [Date] = []
        for connection in connections {
            sent.append(Date())
            connection.send("GET /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        }
        var waited: [Double] = []
        for (connection, time) in zip(connections, sent) {
            let answer = connection.readToEnd(seconds: 20)
            waited.append(Date().timeIntervalSince(time))
            #expect(statusCode(answer) == 403, "an unsigned call is refused by the local Lattice, after the latency")
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(waited.allSatisfy { $0 >= latency }, "each answer waited the latency: \(waited)")
        // Served one at a time, the eight would take 8 x 0.5 s at the least.
        #expect(elapsed < Double(calls) * latency, "\(calls) concurrent calls took \(elapsed) s")
    }
}
