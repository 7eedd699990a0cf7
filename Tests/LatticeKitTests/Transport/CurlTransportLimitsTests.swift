import Foundation
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// A server that trickles a huge body keeps resetting the read timeout; the attempt timeout,
/// the minimum transfer rate and the caller's time limit end it, each with its own error.
/// What ended the request is the error's kind; the time it took is measured, never slept for,
/// on a thread of its own (`DedicatedExecutor`: the cooperative pool may be busy with other
/// suites), and bounded loosely from above: well below the read timeout, and far below the
/// trickle's 1,000 s.
@Suite struct CurlTransportLimitsTests {
    /// A 2 GiB body announced, then a byte every 10 ms (100 bytes/s) for 1,000 s.
    static var hugeTrickle: LoopbackServer.Action {
        .trickle(head: "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\nContent-Type: application/json\r\n\r\n", bytes: 100_000, interval: 0.01)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Sends, and returns the error and the seconds it took to come.
    static func failure(_ transport: CurlTransport, _ request: HTTPRequest) async -> (TransportError?, Double) {
        await withTaskExecutorPreference(DedicatedExecutor.shared) {
            let start = ContinuousClock.now
            do {
                _ = try await transport.send(request)
                return (nil, seconds(since: start))
            } catch {
                return (error as? TransportError, seconds(since: start))
            }
        }
    }

    let transport: CurlTransport

    init() throws {
        transport = try CurlTransport(configuration: .init(allowHTTP2: false))
    }

    @Test func aTrickledHugeBodyEndsAtTheAttemptTimeout() async throws {
        let server = try LoopbackServer { _ in Self.hugeTrickle }
        // The read timeout (60 s) never fires: a byte comes every 10 ms. The rate check is off.
        let timeouts = HTTPTimeouts(connect: 5, read: 60, attempt: 0.5, minimumRate: 0)
        let (error, elapsed) = await Self.failure(transport, HTTPRequest(method: "GET", url: server.url + "/services", timeouts: timeouts))
        #expect(error?.kind == .attemptTimeout)
        #expect(error?.message == "no complete response from \(server.url) within 0.5 s (attempt timeout); check the server, or allow more time with timeouts.attempt (LatticeConfiguration.timeouts; the lattice CLI's --cli-attempt-timeout)")
        #expect(elapsed >= 0.5 && elapsed < 20, "ended after \(elapsed) s")
        #expect(transport.activeTransfers == 0)
    }

    @Test func aTrickledHugeBodyEndsAtTheMinimumRate() async throws {
        let server = try LoopbackServer { _ in Self.hugeTrickle }
        let timeouts = HTTPTimeouts(connect: 5, read: 60, attempt: 60, minimumRate: 1000, minimumRateWindow: 0.3)
        let (error, elapsed) = await Self.failure(transport, HTTPRequest(method: "GET", url: server.url + "/services", timeouts: timeouts))
        #expect(error?.kind == .tooSlow)
        #expect(error?.message.hasPrefix("the response from \(server.url) came at fewer than 1000 bytes/s over 0.3 s (") == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix("bytes; minimum transfer rate): check the network or the server, or allow slower responses with timeouts.minimumRate and timeouts.minimumRateWindow (LatticeConfiguration.timeouts)") == true)
        #expect(elapsed >= 0.3 && elapsed < 20, "ended after \(elapsed) s")
    }

    @Test func theCallersTimeLimitEndsTheRequestWhenItIsSooner() async throws {
        let server = try LoopbackServer { _ in Self.hugeTrickle }
        let timeouts = HTTPTimeouts(connect: 5, read: 60, attempt: 60, minimumRate: 0)
        let (error, elapsed) = await Self.failure(transport, HTTPRequest(method: "GET", url: server.url + "/services", timeouts: timeouts, timeLimit: 0.3))
        #expect(error?.kind == .callTimeout)
        #expect(error?.message.contains("(call timeout)") == true)
        #expect(error?.message.contains("LatticeConfiguration.callTimeout (the lattice CLI's --cli-call-timeout)") == true)
        #expect(elapsed >= 0.3 && elapsed < 20, "ended after \(elapsed) s")
        // The attempt timeout, when sooner, is the one named.
        let (attempt, _) = await Self.failure(transport, HTTPRequest(method: "GET", url: server.url + "/services", timeouts: HTTPTimeouts(read: 60, attempt: 0.2, minimumRate: 0), timeLimit: 30))
        #expect(attempt?.kind == .attemptTimeout)
    }

    /// Before the first byte only the read timeout applies: a server that thinks longer than
    /// the rate window, then answers at once, is fine.
    @Test func theRateWindowStartsWithTheResponse() async throws {
        let server = try LoopbackServer { _ in .pause(0.5, .respond(status: 200, headers: [], body: Array(#"{"items":[]}"#.utf8))) }
        let timeouts = HTTPTimeouts(connect: 5, read: 10, attempt: 60, minimumRate: 100_000, minimumRateWindow: 0.1)
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/services", timeouts: timeouts))
        #expect(response.bodyText == #"{"items":[]}"#)
    }

    @Test func theNewLimitsAreRetriedAsTimeoutsButTheCallLimitIsFinal() {
        #expect(RetryClassification.classify(.tooSlow) == .timeout)
        #expect(RetryClassification.classify(.attemptTimeout) == .timeout)
        #expect(RetryClassification.classify(.callTimeout) == .notRetryable)
    }

    /// End to end through a client: a call against the trickling server ends at its
    /// callTimeout, retries included (no backoff here: the random source says 0).
    @Test func aCallAgainstATricklingServerEndsWithinItsCallTimeout() async throws {
        let server = try LoopbackServer { _ in Self.hugeTrickle }
        let environment = RuntimeEnvironment(
            now: { Date() }, sleep: RuntimeEnvironment.live.sleep, random: { 0 },
            variables: LatticeClientTests.variables())
        let configuration = LatticeConfiguration(
            region: "us-east-1", endpoint: server.url, credentials: AWSCredentials(LatticeClientTests.credentials), maxAttempts: 10,
            timeouts: HTTPTimeouts(connect: 5, read: 60, attempt: 0.3, minimumRate: 0), callTimeout: 0.8)
        let client = try LatticeClient(configuration, environment: environment)
        let (error, elapsed) = await withTaskExecutorPreference(DedicatedExecutor.shared) { () -> ((any Error)?, Double) in
            let start = ContinuousClock.now
            do {
                _ = try await client.listServices(ListServicesRequest())
                return (nil, Self.seconds(since: start))
            } catch {
                return (error, Self.seconds(since: start))
            }
        }
        // Attempts of 0.3 s back to back; the last is cut at the call's limit (or, in a process
        // too busy to start it in time, never starts).
        let transportError = try #require(error as? TransportError, "expected the call to time out: \(String(describing: error))")
        #expect(transportError.kind == .callTimeout || transportError.message.contains("the call's time limit"), "\(transportError)")
        #expect(elapsed >= 0.8 && elapsed < 20, "ended after \(elapsed) s")
        #expect((1...3).contains(server.requests.count))
    }
}
