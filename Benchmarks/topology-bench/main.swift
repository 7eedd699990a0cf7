// Apply of a 50-service topology against local-lattice: wall time with the dependency graph,
// against the graph's critical path and against the same steps one at a time.
//
//   local-lattice --latency-ms 30 --port-file /tmp/ll.url &
//   swift run -c release topology-bench --endpoint-url "$(cat /tmp/ll.url)" [--runs 5] [--services 50]
//       [--poll-interval 0.1] [--max-concurrent-calls 10] [--requests-per-second 50]
//
// Benchmarks/topology-bench.sh does both. Each run applies the topology with the graph,
// destroys it, applies it one step at a time (maxConcurrentCalls 1), destroys it. The
// critical path is the longest chain of the plan's graph, each step costing what it took in
// the one-at-a-time run (a call: one round trip; a wait: its polls until the status settled).
// The highest number of requests sent in any one second is printed, and the floor the rate
// and concurrency limits alone set (requests / rate; requests x round trip / concurrency).
import Foundation
import LatticeKit
import SigV4
import Synchronization

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// Records when each request leaves, on top of the real transport.
final class Stamps: Transport, Sendable {
    let inner: any Transport
    private let times = Mutex<[Date]>([])

    init(_ inner: any Transport) { self.inner = inner }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        times.withLock { $0.append(Date()) }
        return try await inner.send(request)
    }

    /// Forgets what was recorded; what was recorded since the last reset.
    func take() -> [Date] { times.withLock { t in defer { t = [] }; return t } }
}

/// The most requests in any window of one second.
func peakPerSecond(_ times: [Date]) -> Int {
    let sorted = times.sorted()
    var best = 0, low = 0
    for high in sorted.indices {
        while sorted[high].timeIntervalSince(sorted[low]) >= 1 { low += 1 }
        best = max(best, high - low + 1)
    }
    return best
}

/// One network with a VPC; `count` services, each with an HTTP:80 listener forwarding to its
/// own IP target group of three targets, and associated with the network.
func benchTopology(_ count: Int, name: String) -> Topology {
    let names = (0..<count).map { String(format: "%02d", $0) }
    return Topology(
        name: name, tags: ["purpose": "benchmark"],
        serviceNetworks: [.init(name: "bench-network", authType: AuthType.noAuth,
                                vpcAssociations: [.init(vpcIdentifier: "vpc-0b0000000000000b1")],
                                serviceAssociations: names.map { .init(serviceIdentifier: "bench-svc-\($0)") })],
        services: names.map { n in
            .init(name: "bench-svc-\(n)", listeners: [
                .init(name: "http-80", protocol: .http, port: 80,
                      defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: "bench-tg-\(n)", weight: 1)]))),
            ])
        },
        targetGroups: names.enumerated().map { i, n in
            .init(name: "bench-tg-\(n)", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0b0000000000000b1"),
                  targets: (10...12).map { Target(id: "10.1.\(i).\($0)", port: 8080) })
        })
}

/// Step timings from progress events, by (address, label), in the order they started.
final class Timings: Sendable {
    private let state = Mutex<(started: [String: [Double]], spans: [String: [Double]])>(([:], [:]))

    func record(_ event: TopologyEvent) {
        let key = event.address + " | " + event.step
        state.withLock { s in
            switch event.kind {
            case .started: s.started[key, default: []].append(event.elapsed)
            case .finished:
                guard var starts = s.started[key], !starts.isEmpty else { return }
                let start = starts.removeFirst()
                s.started[key] = starts
                s.spans[key, default: []].append(event.elapsed - start)
            default: break
            }
        }
    }

    var spans: [String: [Double]] { state.withLock { $0.spans } }
}

/// The longest chain through the graph, each step costing its measured span.
func criticalPath(_ plan: TopologyPlan, _ spans: [String: [Double]]) throws -> Double {
    var remaining = spans
    var finish: [Double] = []
    for step in plan.graph {
        let key = step.address + " | " + step.label
        guard var list = remaining[key], !list.isEmpty else { throw BenchError(description: "no timing for step \(key)") }
        let cost = list.removeFirst()
        remaining[key] = list
        let ready = step.dependencies.map { finish[$0] }.max() ?? 0
        finish.append(ready + cost)
    }
    return finish.max() ?? 0
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func value(_ flag: String, in arguments: [String]) -> String? {
    guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func run() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let endpoint = value("--endpoint-url", in: arguments) else {
        throw BenchError(description: "--endpoint-url URL is required: the address local-lattice listens on (see Benchmarks/topology-bench.sh)")
    }
    func number(_ flag: String, _ fallback: Double) throws -> Double {
        guard let text = value(flag, in: arguments) else { return fallback }
        guard let n = Double(text), n >= 0 else { throw BenchError(description: "\(flag) takes a number, not '\(text)'") }
        return n
    }
    let runs = Int(try number("--runs", 3)), services = Int(try number("--services", 50))
    let rate = try number("--requests-per-second", TopologyOptions.defaultRequestsPerSecond)
    let options = TopologyOptions(maxConcurrentCalls: Int(try number("--max-concurrent-calls", 10)), requestsPerSecond: rate > 0 ? rate : nil,
                                  pollInterval: try number("--poll-interval", 0.1), waitTimeout: 300)
    var serial = options
    serial.maxConcurrentCalls = 1

    let stamps = Stamps(try CurlTransport())
    let client = try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: endpoint,
                                                        credentials: AWSCredentials(accessKeyId: "AKIDTOPOLOGYBENCH", secretAccessKey: "topology-bench-secret")),
                                   transport: stamps)
    func apply(_ topology: Topology, _ options: TopologyOptions) async throws -> (plan: TopologyPlan, result: TopologyApplyResult, timings: Timings, peak: Int) {
        let plan = try await client.plan(topology, options: options)
        _ = stamps.take()
        let timings = Timings()
        let result = try await client.apply(plan, options: options) { timings.record($0) }
        let peak = peakPerSecond(stamps.take())
        guard result.succeeded else { throw BenchError(description: "apply failed:\n\(result.summary)") }
        return (plan, result, timings, peak)
    }
    func destroy(_ topology: Topology) async throws {
        let result = try await client.apply(try await client.planDestroy(topology, options: options), options: options)
        guard result.succeeded else { throw BenchError(description: "destroy failed:\n\(result.summary)") }
    }

    print("topology: 1 network + 1 VPC association, \(services) services (listener, association), \(services) target groups of 3 targets")
    print("options: maxConcurrentCalls \(options.maxConcurrentCalls), requestsPerSecond \(options.requestsPerSecond.map { "\($0)" } ?? "none"), pollInterval \(options.pollInterval) s")
    var graphTimes: [Double] = [], serialTimes: [Double] = [], paths: [Double] = [], floors: [Double] = []
    for number in 1...max(1, runs) {
        // A topology name of its own for each apply: the client tokens derive from it, and a
        // token the server remembers from a destroyed resource would cost a second create.
        let first = benchTopology(services, name: "bench-\(number)-graph"), second = benchTopology(services, name: "bench-\(number)-serial")
        let graph = try await apply(first, options)
        try await destroy(first)
        let one = try await apply(second, serial)
        try await destroy(second)
        let path = try criticalPath(one.plan, one.timings.spans)
        graphTimes.append(graph.result.elapsed)
        serialTimes.append(one.result.elapsed)
        paths.append(path)
        // What the limits allow at best: the rate limit for the requests sent, and the requests'
        // round trips (as measured one at a time) shared by maxConcurrentCalls.
        let rateFloor = options.requestsPerSecond.map { max(0, Double(graph.result.requests - options.burstRequests) / $0) } ?? 0
        let concurrencyFloor = one.result.elapsed * Double(graph.result.requests) / Double(max(1, one.result.requests)) / Double(max(1, options.maxConcurrentCalls))
        let floor = max(rateFloor, concurrencyFloor)
        floors.append(floor)
        print(String(format: "run %d: graph %.2f s (%d requests, at most %d in one second; the rate and concurrency limits alone need %.2f s), critical path %.2f s, one at a time %.2f s (%d requests), %d steps",
                     number, graph.result.elapsed, graph.result.requests, graph.peak, floor, path, one.result.elapsed, one.result.requests, graph.plan.graph.count))
    }
    let (g, p, s) = (median(graphTimes), median(paths), median(serialTimes))
    print(String(format: "median of %d: graph %.2f s, critical path %.2f s (graph/path %.2fx; graph/max(path, limits' floor %.2f s) %.2fx), one at a time %.2f s (one-at-a-time/graph %.1fx)",
                 graphTimes.count, g, p, g / max(p, 0.001), median(floors), g / max(p, median(floors), 0.001), s, s / max(g, 0.001)))
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("topology-bench: \(error)\n".utf8))
    exit(1)
}
