import Foundation
import LatticeKit
import LatticeTestSupport
import Testing

/// Topology as code against the built local-lattice, over HTTP with latency and statuses that
/// settle on the wall clock: the flows TopologyTests check in process (apply twice, a drift
/// repaired, destroy to empty lists), once from Swift and once through the lattice CLI.
@Suite struct TopologyOnServerTests {
    /// 20 ms per answer; statuses settle after 0.2 s of wall time (or three looks).
    static let arguments = ["--latency-ms", "20", "--settle-seconds", "0.2", "--settle-observations", "3", "--seed", "15"]

    static let seedFile = BackgroundServer.repoRoot.appendingPathComponent("Examples/topologies/seed.json").path

    /// Service networks, services and target groups that exist on the server.
    static func lists(_ client: LatticeClient) async throws -> [Int] {
        [try await client.listServiceNetworksItems().collect().count,
         try await client.listServicesItems().collect().count,
         try await client.listTargetGroupsItems().collect().count]
    }

    @Test func theSeedIsAppliedTwiceRepairedAndDestroyedFromSwift() async throws {
        try await LocalLatticeProcess(Self.arguments).whileRunning { server in
            let client = try server.client()
            let topology = try Topology.load(contentsOfFile: Self.seedFile)
            let options = TopologyOptions(pollInterval: 0.05, waitTimeout: 60)

            let plan = try await client.plan(topology, options: options)
            #expect(plan.count(.create) == 8)
            let applied = try await client.apply(plan, options: options)
            #expect(applied.succeeded, "\(applied.summary)")
            #expect(try await client.plan(topology, options: options).isEmpty, "the second plan")
            #expect(try await Self.lists(client) == [1, 1, 1])

            // Drift: the health check's path edited by hand.
            let group = try #require(try await client.listTargetGroupsItems().collect().first { $0.name == "provider-tg" }?.id)
            _ = try await client.updateTargetGroup(UpdateTargetGroupRequest(targetGroupIdentifier: group, healthCheck: HealthCheckConfig(path: "/")))
            let drift = try await client.plan(topology, options: options)
            #expect(drift.actions.map(\.address) == ["targetGroup.provider-tg"] && drift.count(.update) == 1, "\(drift.text)")
            #expect(try await client.apply(drift, options: options).succeeded)
            #expect(try await client.plan(topology, options: options).isEmpty, "after the drift was repaired")

            let destroyed = try await client.apply(try await client.planDestroy(topology, options: options), options: options)
            #expect(destroyed.succeeded, "\(destroyed.summary)")
            #expect(try await Self.lists(client) == [0, 0, 0])
        }
    }

    @Test func theSeedIsPlannedAppliedAndDestroyedByTheCLI() async throws {
        let lattice = try #require(Self.latticeBinary, "the lattice binary is not built: run `swift build --build-tests` before `swift test`")
        try await LocalLatticeProcess(Self.arguments).whileRunning { server in
            func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
                try Self.run(lattice, arguments + ["--file", Self.seedFile, "--endpoint-url", server.url, "--region", "us-east-1"])
            }
            let first = try run(["plan", "--detailed-exitcode"])
            #expect(first.status == 2, "\(first.output)")
            #expect(first.output.contains("Plan: 8 to create."), "\(first.output)")

            let refused = try run(["apply"])
            #expect(refused.status == 252, "without a terminal, apply needs --auto-approve: \(refused.output)")

            let apply = try run(["apply", "--auto-approve", "--max-concurrent-calls", "4"])
            #expect(apply.status == 0, "\(apply.output)")
            #expect(apply.output.contains("Apply complete"), "\(apply.output)")

            let second = try run(["plan", "--detailed-exitcode"])
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output.contains("No changes."), "\(second.output)")

            let json = try run(["plan", "--output", "json"])
            let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            #expect((decoded?["actions"] as? [Any])?.isEmpty == true, "\(json.output)")

            // A file with a bad reference is refused before anything is sent, naming its place.
            let bad = FileManager.default.temporaryDirectory.appendingPathComponent("topology-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: bad) }
            let seed = try String(contentsOfFile: Self.seedFile, encoding: .utf8)
            try Data(seed.replacingOccurrences(of: #""targetGroupIdentifier": "provider-tg""#, with: #""targetGroupIdentifier": "no-such-tg""#).utf8).write(to: bad)
            let refusedFile = try Self.run(lattice, ["apply", "--auto-approve", "--file", bad.path, "--endpoint-url", server.url, "--region", "us-east-1"])
            #expect(refusedFile.status == 252, "\(refusedFile.output)")
            #expect(refusedFile.output.contains("services[0].listeners[0].defaultAction.forward.targetGroups[0].targetGroupIdentifier"), "\(refusedFile.output)")

            let destroy = try run(["destroy", "--auto-approve"])
            #expect(destroy.status == 0, "\(destroy.output)")
            #expect(try await Self.lists(try server.client()) == [0, 0, 0])
        }
    }

    /// The lattice binary built next to local-lattice.
    static let latticeBinary: String? = {
        guard let server = LocalLatticeProcess.binary else { return nil }
        let path = URL(fileURLWithPath: server).deletingLastPathComponent().appendingPathComponent("lattice").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// Runs `executable` to completion with dummy credentials and no configuration files;
    /// its exit status and what it wrote (stdout, then stderr). Bounded by a 120 s deadline.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("topology-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (input, output, error) = (directory.appendingPathComponent("in"), directory.appendingPathComponent("out"), directory.appendingPathComponent("err"))
        for file in [input, output, error] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = [
            "HOME": directory.path, "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
            "AWS_ACCESS_KEY_ID": "AKIDLOCALLATTICE", "AWS_SECRET_ACCESS_KEY": "local-lattice-test-secret", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try ProcessLaunch.run(process)
        if done.wait(timeout: .now() + 120) == .timedOut {
            process.terminate()
            throw Failure("lattice \(arguments.first ?? "") ran longer than 120 s")
        }
        let text = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
        return (process.terminationStatus, text(output) + text(error))
    }
}
