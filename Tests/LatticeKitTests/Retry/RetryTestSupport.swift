import Foundation
@testable import LatticeKit
import SigV4

/// A fake clock and sleeper: sleeping records the delay and moves the clock, at once.
final class FakeRuntime: @unchecked Sendable {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    private let lock = NSLock()
    private var current: Date
    private var recorded: [Double] = []
    let randomValue: Double

    init(random: Double = 0.5, start: Date = FakeRuntime.start) {
        randomValue = random
        current = start
    }

    var now: Date { lock.withLock { current } }
    var sleeps: [Double] { lock.withLock { recorded } }

    func advance(_ seconds: Double) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    var environment: RuntimeEnvironment {
        RuntimeEnvironment(
            now: { self.now },
            sleep: { seconds in
                try Task.checkCancellation()
                self.lock.withLock {
                    self.recorded.append(seconds)
                    self.current = self.current.addingTimeInterval(seconds)
                }
            },
            random: { self.randomValue },
            variables: [:]
        )
    }

    func strategy(maxAttempts: Int = 3, mode: RetryMode = .standard) -> RetryStrategy {
        RetryStrategy(configuration: RetryConfiguration(maxAttempts: maxAttempts, mode: mode), environment: environment)
    }
}

/// Serves scripted outcomes, one per attempt, and records the contexts it was called with.
final class Script: @unchecked Sendable {
    enum Outcome {
        case response(HTTPResponse)
        case failure(any Error)
    }

    private let lock = NSLock()
    private var outcomes: [Outcome]
    private var seen: [AttemptContext] = []
    /// Served once the script runs out.
    let fallback: Outcome

    init(_ outcomes: [Outcome], then fallback: Outcome = .response(ok)) {
        self.outcomes = outcomes
        self.fallback = fallback
    }

    var contexts: [AttemptContext] { lock.withLock { seen } }
    var calls: Int { contexts.count }

    func next(_ context: AttemptContext) throws -> HTTPResponse {
        let outcome = lock.withLock { () -> Outcome in
            seen.append(context)
            return outcomes.isEmpty ? fallback : outcomes.removeFirst()
        }
        switch outcome {
        case .response(let response): return response
        case .failure(let error): throw error
        }
    }
}

let ok = HTTPResponse(status: 200, body: Array("{}".utf8))

func errorResponse(_ status: Int, code: String? = nil, headers: [(String, String)] = []) -> HTTPResponse {
    var fields = headers
    if let code { fields.append(("x-amzn-ErrorType", code)) }
    let body = code.map { #"{"message":"\#($0) happened"}"# } ?? ""
    return HTTPResponse(status: status, headers: HTTPHeaders(fields), body: Array(body.utf8))
}

/// RFC 1123 text of a date, made with Foundation (tests only) to check our own parser against.
func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
}
