import Foundation
import Testing
@testable import LatticeKit
import SigV4

/// The call's time limit in the retry loop, on the fake clock: no attempt starts and no
/// backoff begins that would end after it.
@Suite("Retry loop: the call's time limit")
struct RetryDeadlineTests {
    @Test("Retries stop when the next backoff would end after the limit; the last failure says why")
    func stopsBeforeABackoffPastTheLimit() async throws {
        let runtime = FakeRuntime(random: 0.5)  // backoffs 0.5, 1, 2, 4 ...
        let script = Script([], then: .response(errorResponse(503, code: "ServiceUnavailable")))
        let strategy = runtime.strategy(maxAttempts: 10)
        do {
            _ = try await strategy.run(timeLimit: 5) { context in
                runtime.advance(0.25)  // each attempt takes a quarter second
                return try script.next(context)
            }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.retryStopReason == .callTimeout)
            #expect(error.attempts == 4)
            #expect(error.description.contains("[retries stopped after 4 attempts: the next would start after the call's time limit (call timeout); allow more time with LatticeConfiguration.callTimeout (the lattice CLI's --cli-call-timeout)]"), "\(error.description)")
        }
        // Attempts at 0, 0.75, 2, 4.25 s; the fourth backoff (4 s) would end at 8.5 s.
        #expect(script.calls == 4)
        #expect(runtime.sleeps == [0.5, 1, 2])
        #expect(runtime.now.timeIntervalSince(FakeRuntime.start) <= 5)
        // The retry that could not happen took no quota.
        #expect(strategy.quotaAvailable == 500 - 3 * 5)
    }

    @Test("Each attempt is told the call's deadline")
    func attemptsKnowTheDeadline() async throws {
        let runtime = FakeRuntime(random: 0.5)
        let script = Script([.response(errorResponse(500)), .response(errorResponse(500))])
        let left = Recorder<Double?>()
        _ = try await runtime.strategy().run(timeLimit: 30) { context in
            #expect(context.deadline == FakeRuntime.start.addingTimeInterval(30))
            left.append(context.secondsLeft(now: runtime.now))
            return try script.next(context)
        }
        #expect(left.all == [30, 29.5, 28.5])
        // Without a limit there is no deadline.
        _ = try await runtime.strategy().run { context in
            #expect(context.deadline == nil && context.secondsLeft(now: runtime.now) == nil)
            return ok
        }
    }

    @Test("A Retry-After that reaches past the limit ends the call at once, without waiting")
    func retryAfterPastTheLimit() async throws {
        let runtime = FakeRuntime()
        let script = Script([.response(errorResponse(429, code: "ThrottlingException", headers: [("Retry-After", "15")]))])
        await #expect(throws: AWSServiceError.self) {
            _ = try await runtime.strategy().run(timeLimit: 10) { try script.next($0) }
        }
        #expect(script.calls == 1)
        #expect(runtime.sleeps.isEmpty)
    }

    @Test("An attempt that used up the time leaves no room for another, whatever the backoff")
    func noAttemptStartsAtTheLimit() async throws {
        let runtime = FakeRuntime(random: 0)  // no backoff at all
        let script = Script([], then: .failure(TransportError(.connectionLost, "reset")))
        do {
            _ = try await runtime.strategy(maxAttempts: 10).run(timeLimit: 1) { context in
                runtime.advance(0.4)
                return try script.next(context)
            }
            Issue.record("expected an error")
        } catch let error as TransportError {
            #expect(error.kind == .connectionLost)
            #expect(error.message.contains("retries stopped after 3 attempts: the next would start after the call's time limit"), "\(error.message)")
        }
        #expect(script.calls == 3)  // at 0, 0.4, 0.8; the clock reads 1.2 after the third
    }

    @Test("Adaptive mode does not wait for the rate limiter past the limit")
    func adaptiveWaitPastTheLimit() async throws {
        let runtime = FakeRuntime(random: 0)
        let strategy = runtime.strategy(maxAttempts: 10, mode: .adaptive)
        let script = Script([], then: .response(errorResponse(429, code: "ThrottlingException")))
        await #expect(throws: AWSServiceError.self) {
            _ = try await strategy.run(timeLimit: 2) { context in
                runtime.advance(0.1)
                return try script.next(context)
            }
        }
        #expect(runtime.now.timeIntervalSince(FakeRuntime.start) <= 2)
        #expect(runtime.sleeps.reduce(0, +) < 2)
    }

    @Test("The client hands each attempt what is left of callTimeout as the request's time limit")
    func clientPassesTheTimeLeft() async throws {
        let clock = TestClock(testStart)
        let seen = Recorder<Double?>()
        let transport = FakeTransport { request in
            seen.append(request.timeLimit)
            clock.advance(2)
            return HTTPResponse(status: seen.all.count < 3 ? 500 : 200, body: Array("{}".utf8))
        }
        let environment = RuntimeEnvironment(now: { clock.now }, sleep: { clock.advance($0) }, random: { 0.5 }, variables: LatticeClientTests.variables())
        let configuration = LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(LatticeClientTests.credentials), callTimeout: 60)
        _ = try await LatticeClient(configuration, transport: transport, environment: environment).listServices()
        #expect(seen.all == [60, 57.5, 54.5])  // 2 s per attempt, backoffs 0.5 and 1
        // .infinity: no limit at all.
        let unlimited = LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(LatticeClientTests.credentials), callTimeout: .infinity)
        _ = try await LatticeClient(unlimited, transport: transport, environment: environment).listServices()
        #expect(seen.all.last == .some(nil))
    }

    @Test("Limits that are not a positive number of seconds are configuration errors naming the property")
    func invalidLimits() throws {
        for (configuration, name) in [
            (LatticeConfiguration(region: "us-east-1", callTimeout: 0), "callTimeout is 0.0"),
            (LatticeConfiguration(region: "us-east-1", timeouts: HTTPTimeouts(attempt: -1)), "timeouts.attempt is -1.0"),
            (LatticeConfiguration(region: "us-east-1", timeouts: HTTPTimeouts(minimumRateWindow: .nan)), "timeouts.minimumRateWindow is nan"),
        ] {
            #expect {
                _ = try ResolvedSettings.resolve(configuration, environment: testEnvironment(LatticeClientTests.variables()))
            } throws: { error in
                (error as? ConfigurationError)?.message == "LatticeConfiguration.\(name): set a number of seconds above 0 (.infinity for no limit)"
            }
        }
    }
}
