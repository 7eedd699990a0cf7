import Foundation
@testable import LatticeKit
import SigV4
import LatticeKitTesting
import Synchronization
import Testing

/// Apply's request gate sets no rate of its own: it follows the service's throttling signal
/// (the SDKs' adaptive mode, shared by every request of the apply), honours `Retry-After`,
/// and applies a fixed rate only when the user caps it.
@Suite struct ThrottleTests {
    /// Answers from a script (200 `{}` once it runs out), on a clock that moves only when the
    /// gate sleeps; every sleep is recorded.
    final class Script: Transport, Sendable {
        private let state = Mutex<(answers: [HTTPResponse], sleeps: [Double], clock: Double)>(([], [], 1_767_225_600))

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            state.withLock { $0.answers.isEmpty ? HTTPResponse(status: 200, headers: HTTPHeaders(), body: Array("{}".utf8)) : $0.answers.removeFirst() }
        }

        func queue(_ answers: HTTPResponse...) { state.withLock { $0.answers += answers } }

        var sleeps: [Double] { state.withLock { $0.sleeps } }

        var environment: RuntimeEnvironment {
            RuntimeEnvironment(now: { [self] in Date(timeIntervalSince1970: state.withLock { $0.clock }) },
                               sleep: { [self] seconds in state.withLock { $0.sleeps.append(seconds); $0.clock += seconds } },
                               random: { 0.5 }, variables: [:])
        }

        /// Lets `seconds` pass without a sleep of the gate's (requests spread over time).
        func pass(_ seconds: Double) { state.withLock { $0.clock += seconds } }
    }

    static func answer(_ status: Int, code: String? = nil, retryAfter: String? = nil) -> HTTPResponse {
        var headers = HTTPHeaders()
        if let code { headers.add(name: "x-amzn-ErrorType", value: code) }
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: Array(#"{"message":"Rate exceeded"}"#.utf8))
    }

    static let request = HTTPRequest(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com/services")

    /// Sends `count` requests one after another, `spacing` seconds apart.
    static func send(_ count: Int, through gate: CallGate, _ script: Script, spacing: Double = 0.01) async throws {
        for _ in 0..<count {
            _ = try await gate.send(request, through: script)
            script.pass(spacing)
        }
    }

    @Test func withoutThrottlingNoRequestWaits() async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        // 500 requests in 5 s: ten times what the old fixed default (50 a second) let through.
        try await Self.send(500, through: gate, script)
        #expect(script.sleeps.isEmpty)
        #expect(await gate.requests == 500)
        #expect(await gate.delayed == 0)
        #expect(await gate.throttled == 0)
        #expect(await !gate.limiting)
    }

    @Test(arguments: [
        ("429 ThrottlingException", ThrottleTests.answer(429, code: "ThrottlingException")),
        ("429 without a code", ThrottleTests.answer(429)),
        ("400 Throttling", ThrottleTests.answer(400, code: "Throttling")),
        ("400 TooManyRequestsException", ThrottleTests.answer(400, code: "TooManyRequestsException")),
    ])
    func aThrottleSlowsEveryLaterRequest(_ label: String, _ throttle: HTTPResponse) async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        try await Self.send(100, through: gate, script)
        #expect(script.sleeps.isEmpty, "\(label)")
        script.queue(throttle)
        try await Self.send(1, through: gate, script)
        #expect(await gate.throttled == 1, "\(label)")
        #expect(await gate.limiting, "\(label)")
        // The limiter now sends below the rate that was throttled (about 100 a second):
        // the requests that follow wait for tokens.
        try await Self.send(100, through: gate, script, spacing: 0)
        #expect(!script.sleeps.isEmpty, "\(label)")
        #expect(await gate.delayed > 0, "\(label)")
        let rate = 100 / (script.sleeps.reduce(0, +) + 0.000_001)
        #expect(rate < 100, "\(label): \(rate) requests a second after a throttle at about 100")
    }

    @Test func eachThrottleCutsTheRateFurther() async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        try await Self.send(100, through: gate, script)
        var rates: [Double] = []
        for _ in 0..<3 {
            script.queue(Self.answer(429, code: "ThrottlingException"))
            try await Self.send(1, through: gate, script)
            rates.append(await gate.limiterRate)
            try await Self.send(20, through: gate, script, spacing: 0)
        }
        #expect(rates[0] > 0)
        #expect(rates[1] < rates[0])
        #expect(rates[2] < rates[1])
    }

    @Test func theGateSendsAThrottledRequestAgainAfterItsTokenUpToItsBound() async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        let throttle = Self.answer(429, code: "ThrottlingException")
        script.queue(throttle, throttle, throttle)
        #expect(try await gate.send(Self.request, through: script).status == 200)
        #expect(await gate.requests == 4)
        #expect(await gate.throttled == 3)
        // Beyond the bound, the throttle goes up to the client's retry loop.
        for _ in 0...CallGate.throttleResends { script.queue(throttle) }
        #expect(try await gate.send(Self.request, through: script).status == 429)
        #expect(await gate.requests == 4 + CallGate.throttleResends + 1)
    }

    @Test func otherErrorsDoNotEngageTheLimiter() async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        script.queue(Self.answer(500, code: "InternalServerException"), Self.answer(404, code: "ResourceNotFoundException"),
                     Self.answer(409, code: "ConflictException"), Self.answer(503))
        try await Self.send(50, through: gate, script)
        #expect(await gate.throttled == 0)
        #expect(await !gate.limiting)
        #expect(script.sleeps.isEmpty)
    }

    @Test(arguments: [("7", 7.0), ("3600", RetryStrategy.maxDelay)])
    func retryAfterHoldsEveryRequestBack(_ header: String, _ held: Double) async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(), environment: script.environment)
        try await Self.send(10, through: gate, script)
        script.queue(Self.answer(429, code: "ThrottlingException", retryAfter: header))
        _ = try await gate.send(Self.request, through: script)
        // The next request, whoever sends it, waits out the Retry-After (bounded), and no longer.
        _ = try await gate.send(Self.request, through: script)
        let first = try #require(script.sleeps.first)
        #expect(abs(first - held) < 0.001, "slept \(script.sleeps)")
    }

    @Test func aCapOfTheUsersOwnLimitsWithoutAnyThrottle() async throws {
        let script = Script()
        let gate = CallGate(options: TopologyOptions(requestsPerSecond: 2, burstRequests: 1), environment: script.environment)
        try await Self.send(5, through: gate, script, spacing: 0)
        #expect(await gate.throttled == 0)
        #expect(await gate.delayed == 4)
        #expect(abs(script.sleeps.reduce(0, +) - 2) < 0.001, "four requests beyond the burst at 2 a second: \(script.sleeps)")
    }

    /// 20 services, each with a listener, an association and a target group of 3 targets.
    static func wideTopology() -> Topology {
        let names = (0..<20).map { String(format: "%02d", $0) }
        return Topology(
            name: "wide",
            serviceNetworks: [.init(name: "wide-network", serviceAssociations: names.map { .init(serviceIdentifier: "wide-svc-\($0)") })],
            services: names.map { n in
                .init(name: "wide-svc-\(n)", listeners: [
                    .init(name: "http", protocol: .http, port: 80,
                          defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: "wide-tg-\(n)")]))),
                ])
            },
            targetGroups: names.enumerated().map { i, n in
                .init(name: "wide-tg-\(n)", type: .ip, config: TargetGroupConfig(port: 8080, protocol: .http, vpcIdentifier: "vpc-0b0000000000000b1"),
                      targets: (1...3).map { Target(id: "10.2.\(i).\($0)") })
            })
    }

    @Test func anApplyThatIsNeverThrottledIsNeverHeldBack() async throws {
        let lab = try Lab()
        let result = try await lab.client.apply(Self.wideTopology())
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.requests > 100)
        #expect(result.throttledRequests == 0)
        #expect(result.delayedRequests == 0, "no rate limit applies until the service throttles")
        #expect(try await lab.client.plan(Self.wideTopology()).isEmpty)
    }

    @Test func anApplyTheServiceThrottlesSlowsDownAndConverges() async throws {
        // Every third create is throttled (the client retries it); one step at a time, so the
        // retry is the next create and is never throttled itself.
        let creates = Mutex(0)
        let lab = try Lab(injectFault: { operation in
            guard operation.hasPrefix("Create") else { return nil }
            return creates.withLock { n in
                n += 1
                return n % 3 == 0 ? .throttling() : nil
            }
        })
        let result = try await lab.client.apply(Self.wideTopology(), options: oneAtATime)
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.throttledRequests > 0)
        #expect(result.delayedRequests > 0, "the throttles engaged the rate limiter")
        #expect(result.summary.contains("throttled"))
        #expect(lab.counts["services"] == 20 && lab.counts["targetGroups"] == 20 && lab.counts["listeners"] == 20)
        #expect(try await lab.client.plan(Self.wideTopology()).isEmpty)
    }
}
