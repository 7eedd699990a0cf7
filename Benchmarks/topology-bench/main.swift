// Apply of a 50-service topology against local-lattice: wall time with the dependency graph,
// against the graph's critical path and against the same steps one at a time.
//
//   local-lattice --latency-ms 30 --port-file /tmp/ll.url &
//   local-lattice --latency-ms 30 --throttle-rps 100 --port-file /tmp/throttled.url &
//   swift run -c release topology-bench --endpoint-url "$(cat /tmp/ll.url)" [--runs 5] [--services 50]
//       [--poll-interval 0.1] [--max-concurrent-calls 128] [--requests-per-second N]
//       [--throttled-endpoint-url "$(cat /tmp/throttled.url)"]
//
// Benchmarks/topology-bench.sh does all of it. Each run applies the topology with the graph
// (TopologyOptions' defaults unless the flags say otherwise), destroys it, applies it one
// step at a time (maxConcurrentCalls 1), destroys it. The critical path is the longest chain
// of the plan's graph, each step costing what it took in the one-at-a-time run (a call: one
// round trip; a wait: its polls until the status settled). The highest number of requests
// sent in any one second is printed, and the floor the concurrency limit alone sets
// (requests x round trip / concurrency). With a throttled endpoint, the topology is applied
// there once with the same options, planned again (the plan must be empty) and destroyed:
// the 429s the server counted (GET /_local/stats) and the request rate achieved are printed.
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
    private let times = Mutex<[(Date, String)]>([])

    init(_ inner: any Transport) { self.inner = inner }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let line = "\(request.method) \(request.url.split(separator: "/", maxSplits: 3).dropFirst(2).last.map { "/" + $0 } ?? "/")"
        times.withLock { $0.append((Date(), line)) }
        return try await inner.send(request)
    }

    /// Forgets what was recorded; what was recorded since the last reset.
    func take() -> [(Date, String)] { times.withLock { t in defer { t = [] }; return t } }
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
    let rate = try number("--requests-per-second", 0)
    let options = TopologyOptions(maxConcurrentCalls: Int(try number("--max-concurrent-calls", Double(TopologyOptions.defaultMaxConcurrentCalls))),
                                  requestsPerSecond: rate > 0 ? rate : nil, pollInterval: try number("--poll-interval", 0.1), waitTimeout: 300)
    var serial = options
    serial.maxConcurrentCalls = 1

    let stamps = Stamps(try CurlTransport(configuration: .init(maxConnections: max(CurlTransport.Configuration().maxConnections, options.maxConcurrentCalls))))
    let credentials = AWSCredentials(accessKeyId: "AKIDTOPOLOGYBENCH", secretAccessKey: "topology-bench-secret")
    let client = try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: endpoint, credentials: credentials), transport: stamps)
    func apply(_ topology: Topology, _ options: TopologyOptions) async throws -> (plan: TopologyPlan, result: TopologyApplyResult, timings: Timings, peak: Int, requests: [String]) {
        let plan = try await client.plan(topology, options: options)
        _ = stamps.take()
        let timings = Timings()
        let result = try await client.apply(plan, options: options) { timings.record($0) }
        let sent = stamps.take()
        let peak = peakPerSecond(sent.map(\.0))
        guard result.succeeded else { throw BenchError(description: "apply failed:\n\(result.summary)") }
        return (plan, result, timings, peak, sent.map(\.1))
    }
    func destroy(_ topology: Topology, on client: LatticeClient) async throws {
        let result = try await client.apply(try await client.planDestroy(topology, options: options), options: options)
        guard result.succeeded else { throw BenchError(description: "destroy failed:\n\(result.summary)") }
    }

    print("topology: 1 network + 1 VPC association, \(services) services (listener, association), \(services) target groups of 3 targets")
    print("options: maxConcurrentCalls \(options.maxConcurrentCalls), requestsPerSecond \(options.requestsPerSecond.map { "\($0)" } ?? "none (adaptive: no limit until throttled)"), pollInterval \(options.pollInterval) s")
    var graphTimes: [Double] = [], serialTimes: [Double] = [], paths: [Double] = [], floors: [Double] = []
    var graphRequests: [Double] = [], serialRequests: [Double] = []
    for number in 1...max(1, runs) {
        // A topology name of its own for each apply: the client tokens derive from it, and a
        // token the server remembers from a destroyed resource would cost a second create.
        let first = benchTopology(services, name: "bench-\(number)-graph"), second = benchTopology(services, name: "bench-\(number)-serial")
        let graph = try await apply(first, options)
        if number == 1 { print("requests of the graph apply by operation: " + histogram(graph.requests)) }
        try await destroy(first, on: client)
        let one = try await apply(second, serial)
        try await destroy(second, on: client)
        let path = try criticalPath(one.plan, one.timings.spans)
        graphTimes.append(graph.result.elapsed)
        serialTimes.append(one.result.elapsed)
        paths.append(path)
        // What the limits allow at best: the requests' round trips (as measured one at a time)
        // shared by maxConcurrentCalls, and the cap when one is set.
        let rateFloor = options.requestsPerSecond.map { max(0, Double(graph.result.requests - options.burstRequests) / $0) } ?? 0
        let concurrencyFloor = one.result.elapsed * Double(graph.result.requests) / Double(max(1, one.result.requests)) / Double(max(1, options.maxConcurrentCalls))
        let floor = max(rateFloor, concurrencyFloor)
        floors.append(floor)
        graphRequests.append(Double(graph.result.requests))
        serialRequests.append(Double(one.result.requests))
        print(String(format: "run %d: graph %.3f s (%d requests, %d throttled, at most %d in one second; the limits alone need %.3f s), critical path %.3f s, one at a time %.2f s (%d requests), %d steps",
                     number, graph.result.elapsed, graph.result.requests, graph.result.throttledRequests, graph.peak, floor, path, one.result.elapsed, one.result.requests, graph.plan.graph.count))
    }
    let (g, p, s) = (median(graphTimes), median(paths), median(serialTimes))
    print(String(format: "median of %d: critical path %.3f s; graph %.3f s (%.0f requests) = %.2fx the critical path (goal <= 1.5x; the concurrency limit's floor %.3f s); one at a time %.2f s (%.0f requests) = %.1fx the graph (goal >= 10x)",
                 graphTimes.count, p, g, median(graphRequests), g / max(p, 0.001), median(floors), s, median(serialRequests), s / max(g, 0.001)))

    if let throttled = value("--throttled-endpoint-url", in: arguments) {
        try await throttledRun(throttled, services: services, options: options, credentials: credentials)
    }
}

/// `POST /services 50, GET /services 4, ...`: the requests by method and path, IDs as `{id}`.
func histogram(_ requests: [String]) -> String {
    var counts: [String: Int] = [:]
    for request in requests {
        let parts = request.split(separator: " ", maxSplits: 1)
        let path = (parts.count > 1 ? parts[1] : "").split(separator: "?").first ?? ""
        let template = path.split(separator: "/").map { $0.contains("-") && $0.count > 12 ? "{id}" : String($0) }.joined(separator: "/")
        counts["\(parts.first ?? "") /\(template)", default: 0] += 1
    }
    return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

/// The server's counters (`GET /_local/stats`).
func stats(_ endpoint: String) async throws -> (calls: Int, throttled: Int) {
    let response = try await CurlTransport().send(HTTPRequest(method: "GET", url: endpoint + "/_local/stats"))
    guard response.status == 200,
          let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
          let calls = object["controlPlaneCalls"] as? Int, let throttled = object["throttledCalls"] as? Int
    else { throw BenchError(description: "GET \(endpoint)/_local/stats answered \(response.status): is it a local-lattice with /_local/stats?") }
    return (calls, throttled)
}

/// Applies the topology on a throttled server, plans it again (it must be empty) and
/// destroys it: the 429s and the request rate achieved.
func throttledRun(_ endpoint: String, services: Int, options: TopologyOptions, credentials: AWSCredentials) async throws {
    let client = try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: endpoint, credentials: credentials))
    let topology = benchTopology(services, name: "bench-throttled")
    let before = try await stats(endpoint)
    let plan = try await client.plan(topology, options: options)
    let result = try await client.apply(plan, options: options)
    let after = try await stats(endpoint)
    guard result.succeeded else { throw BenchError(description: "apply on the throttled server failed:\n\(result.summary)") }
    let again = try await client.plan(topology, options: options)
    let destroyed = try await client.apply(try await client.planDestroy(topology, options: options), options: options)
    let end = try await stats(endpoint)
    print(String(format: "throttled server: apply %.2f s, %d requests (%d throttled, %d delayed by the gate) = %.0f requests/s achieved (the server counted %d calls, %d answered 429, plan included); plan after: %@; destroy %@ in %.2f s (%d throttled)",
                 result.elapsed, result.requests, result.throttledRequests, result.delayedRequests, Double(result.requests) / max(result.elapsed, 0.001),
                 after.calls - before.calls, after.throttled - before.throttled,
                 again.isEmpty ? "empty" : "NOT EMPTY (\(again.actions.count) actions)", destroyed.succeeded ? "done" : "FAILED", destroyed.elapsed, end.throttled - after.throttled))
    guard again.isEmpty, destroyed.succeeded else { throw BenchError(description: "the throttled apply did not converge:\n\(again)\n\(destroyed.summary)") }
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("topology-bench: \(error)\n".utf8))
    exit(1)
}
