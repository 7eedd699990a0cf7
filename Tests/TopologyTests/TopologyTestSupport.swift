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
            credentials: SigV4Credentials(accessKeyId: "AKIALOCALLATTICE0000", secretAccessKey: "local-lattice-secret-key"))
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
