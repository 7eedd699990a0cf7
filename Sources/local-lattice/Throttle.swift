#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4
import Synchronization

/// `--throttle-rps N [--throttle-burst B]`: a token bucket over the control plane's calls, so
/// a client's answer to throttling can be tried locally. A call without a token is answered as
/// the service model's `ThrottlingException` says: 429, `x-amzn-ErrorType:
/// ThrottlingException`, a JSON body with `message` and `serviceCode` (`quotaCode` is left
/// out: the service publishes no request-rate quota to name), and, with
/// `--throttle-retry-after S`, the `Retry-After` header (the model's `retryAfterSeconds`).
struct ThrottleSettings: Sendable, Equatable {
    /// Tokens a second.
    var rate: Double
    /// The bucket's size (and what it holds at start).
    var burst: Double
    /// Seconds for `Retry-After`; nil: no header.
    var retryAfter: Int?
}

/// The control plane's counters and its throttle (when on), shared by every connection.
final class ControlPlaneMeter: Sendable {
    private struct State {
        var calls = 0
        var throttled = 0
        var tokens: Double
        var refilled: ContinuousClock.Instant?
    }

    let settings: ThrottleSettings?
    private let state: Mutex<State>
    private let started = ContinuousClock.now

    init(_ settings: ThrottleSettings?) {
        self.settings = settings
        state = Mutex(State(tokens: settings?.burst ?? 0))
    }

    /// Counts one control-plane call; false when the throttle has no token for it.
    func admit(at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in
            s.calls += 1
            guard let settings else { return true }
            if let last = s.refilled {
                let (seconds, attoseconds) = (now - last).components
                let elapsed = max(0, Double(seconds) + Double(attoseconds) / 1e18)
                s.tokens = min(settings.burst, s.tokens + elapsed * settings.rate)
            }
            s.refilled = now
            guard s.tokens >= 1 else {
                s.throttled += 1
                return false
            }
            s.tokens -= 1
            return true
        }
    }

    /// The answer to a call without a token.
    func throttledAnswer() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "x-amzn-RequestId", value: UUID().uuidString.lowercased())
        headers.add(name: "x-amzn-ErrorType", value: "ThrottlingException")
        headers.add(name: "Content-Type", value: "application/json")
        if let seconds = settings?.retryAfter { headers.add(name: "Retry-After", value: String(seconds)) }
        let rate = settings.map { Self.number($0.rate) } ?? "0"
        let body: [String: String] = [
            "message": "Rate exceeded: local-lattice allows \(rate) control-plane calls a second (--throttle-rps); slow down and retry.",
            "serviceCode": "vpc-lattice",
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(body)).map(Array.init) ?? []
        return HTTPResponse(status: 429, headers: headers, body: bytes)
    }

    /// `GET /_local/stats`: calls and throttled calls since start, and the throttle's settings.
    func statsJSON() -> String {
        let (calls, throttled) = state.withLock { ($0.calls, $0.throttled) }
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        let uptime = Double(seconds) + Double(attoseconds) / 1e18
        var throttle = "null"
        if let settings {
            throttle = #"{"requestsPerSecond":\#(Self.number(settings.rate)),"burst":\#(Self.number(settings.burst)),"retryAfterSeconds":\#(settings.retryAfter.map(String.init) ?? "null")}"#
        }
        return #"{"controlPlaneCalls":\#(calls),"throttledCalls":\#(throttled),"uptimeSeconds":\#(Self.number((uptime * 1000).rounded() / 1000)),"throttle":\#(throttle)}"#
    }

    /// `100` or `0.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
