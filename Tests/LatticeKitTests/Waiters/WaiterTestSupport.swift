import Foundation
import Synchronization
import Testing
@testable import LatticeKit
import SigV4

/// A client on a transport that answers a scripted sequence of responses (the last one
/// repeats), with a clock that the sleeper advances instead of sleeping.
final class WaiterHarness: Sendable {
    let clock = TestClock(testStart)
    private let sleeps = Recorder<Double>()
    let transport: FakeTransport
    let client: LatticeClient

    /// `sleep` replaces the recording sleeper (for cancellation tests).
    init(_ responses: [HTTPResponse], sleep: (@Sendable (Double) async throws -> Void)? = nil) throws {
        let next = Mutex(0)
        let script = responses
        transport = FakeTransport { _ in
            let i = next.withLock { i in defer { i += 1 }; return i }
            guard let last = script.last else { throw TransportError(.connectFailed, "no scripted response") }
            return i < script.count ? script[i] : last
        }
        let sleeps = sleeps
        let clock = clock
        let environment = RuntimeEnvironment(
            now: { clock.now },
            sleep: sleep ?? { seconds in
                sleeps.append(seconds)
                clock.advance(seconds)
            },
            random: { 0.5 },
            variables: LatticeClientTests.variables())
        client = try LatticeClient(
            LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"), maxAttempts: 1),
            transport: transport, environment: environment)
    }

    var slept: [Double] { sleeps.all }
    var paths: [String] { transport.requests.map { String($0.url.dropFirst("https://vpc-lattice.us-east-1.amazonaws.com".count)) } }
}

/// Values appended from any task.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    var all: [Value] { values.withLock { $0 } }
    func append(_ value: Value) { values.withLock { $0.append(value) } }
}

/// Collects progress reports.
final class ProgressLog: Sendable {
    private let reports = Recorder<WaiterProgress>()
    var all: [WaiterProgress] { reports.all }
    var callback: @Sendable (WaiterProgress) -> Void { { [reports] in reports.append($0) } }
}

func ok(_ json: String) -> HTTPResponse {
    HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(json.utf8))
}

func status(_ value: String, _ extra: String = "") -> HTTPResponse {
    ok(#"{"id":"x","status":"\#(value)"\#(extra.isEmpty ? "" : "," + extra)}"#)
}

func serviceError(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["x-amzn-ErrorType": code, "x-amzn-RequestId": "req-1"], body: Array(#"{"message":"\#(message)"}"#.utf8))
}

let notFound = serviceError(404, "ResourceNotFoundException", "not found")

/// The WaiterError `body` throws (nil, recording an issue, when it throws nothing or something else).
func waiterError(_ body: () async throws -> Void) async -> WaiterError? {
    do {
        try await body()
        Issue.record("expected a WaiterError")
    } catch let error as WaiterError {
        return error
    } catch {
        Issue.record("expected a WaiterError, got \(error)")
    }
    return nil
}

let serviceId = "svc-0123456789abcdef0"
let targetGroupId = "tg-0123456789abcdef0"
