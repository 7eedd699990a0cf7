#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every request of a plan or an apply passes here: at most `limit` in flight, and a token
/// bucket (`rate` a second, `burst` at once) in front of them, retries included, so a large
/// topology stays under the account's request rate however wide its graph is. Times come
/// from the client's environment, so tests run on their own clock.
actor CallGate {
    private let limit: Int
    private let rate: Double?
    private let burst: Double
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) async throws -> Void
    private var inFlight = 0
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var tokens: Double
    private var refilled: Date?
    private(set) var requests = 0

    init(options: TopologyOptions, environment: RuntimeEnvironment) {
        limit = max(1, options.maxConcurrentCalls)
        rate = options.requestsPerSecond.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        burst = Double(max(1, options.burstRequests))
        tokens = Double(max(1, options.burstRequests))
        now = environment.now
        sleep = environment.sleep
    }

    /// Takes a token (returning how long to wait for it) and counts the request.
    private func reserve() -> Double {
        requests += 1
        guard let rate else { return 0 }
        let time = now()
        if let refilled { tokens = min(burst, tokens + max(0, time.timeIntervalSince(refilled)) * rate) }
        refilled = time
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    private func acquire() async {
        if inFlight < limit {
            inFlight += 1
            return
        }
        await withCheckedContinuation { queue.append($0) }
    }

    private func release() {
        if queue.isEmpty {
            inFlight -= 1
        } else {
            queue.removeFirst().resume()
        }
    }

    /// Runs `body` once a token and a place are free.
    func pass<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let delay = reserve()
        if delay > 0 { try await sleep(delay) }
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// A transport that sends through a `CallGate`.
final class GatedTransport: Transport, Sendable {
    let inner: any Transport
    let gate: CallGate

    init(_ inner: any Transport, gate: CallGate) {
        self.inner = inner
        self.gate = gate
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let inner = self.inner
        return try await gate.pass { try await inner.send(request) }
    }
}

extension LatticeClient {
    /// A client like this one whose requests pass through `gate`.
    func gated(by gate: CallGate) throws -> LatticeClient {
        try LatticeClient(configuration, transport: GatedTransport(transport, gate: gate), environment: environment)
    }
}
