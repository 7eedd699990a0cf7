import Foundation
import LatticeKit
@testable import LatticeKitTesting
import SigV4
import Synchronization
import Testing

/// A clock that moves only when someone sleeps on it: waiters poll instantly and their
/// timeouts still mean something.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {  // 2026-01-01T00:00:00Z
        current = Mutex(start)
    }

    var now: @Sendable () -> Date { { [self] in current.withLock { $0 } } }

    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// A client environment on this clock whose sleeps return at once.
    var environment: RuntimeEnvironment {
        RuntimeEnvironment(
            now: now,
            sleep: { [self] seconds in advance(seconds) },
            random: { 0.5 },
            variables: ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"])
    }
}

/// A local Lattice and a client on it, on one test clock.
struct Harness {
    let clock = TestClock()
    let lattice: LocalLattice
    let client: LatticeClient

    init(settle: Int = 1, seconds: Double? = LocalLattice.Configuration.defaultSecondsToSettle, seed: UInt64 = 7, validation: ValidationMode = .strict,
         quotas: LocalLattice.Quotas = .init(), injectFault: (@Sendable (String) -> LocalLattice.InjectedFault?)? = nil) throws {
        let clock = self.clock
        lattice = LocalLattice(.init(idSeed: seed, now: clock.now, observationsToSettle: settle, secondsToSettle: seconds, quotas: quotas,
                                     injectFault: injectFault))
        client = try LocalLattice.client(lattice, region: "us-east-1", validation: validation, environment: clock.environment)
    }

    /// A second client on the same local Lattice that sends whatever it is given (no
    /// client-side checks), to see what the service itself answers.
    func unchecked() throws -> LatticeClient {
        try LocalLattice.client(lattice, region: "us-east-1", validation: .off, environment: clock.environment)
    }
}

/// Records which operation each request was routed to and the status it got.
final class CountingTransport: Transport {
    let inner: any Transport
    private let calls = Mutex<[(operation: String, status: Int)]>([])

    init(_ inner: any Transport) { self.inner = inner }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await inner.send(request)
        let target = Wire.target(request.url)
        let name = Router.route(method: request.method, segments: target.segments)?.0.spec.name ?? "\(request.method) \(target.path)"
        calls.withLock { $0.append((name, response.status)) }
        return response
    }

    var operations: Set<String> { calls.withLock { Set($0.map(\.operation)) } }

    /// The statuses answered to an operation, in order.
    func statuses(_ operation: String) -> [Int] { calls.withLock { $0.filter { $0.operation == operation }.map(\.status) } }
}

/// The raw answer of the local Lattice to a request, as the client's error decoding sees it.
func serviceError(_ response: HTTPResponse) -> AWSServiceError {
    AWSServiceError(response: response, now: Date())
}

/// The JSON body of an error answer.
func errorBody(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

/// Whether `text` matches a model pattern of the generated validation (the whole text).
func matches(_ pattern: String, _ text: String) -> Bool {
    (try? Regex(pattern).wholeMatch(in: text)) != nil
}
