import Foundation
import Testing
@testable import LatticeKit
import SigV4
import Synchronization

@Suite("Retry loop")
struct RetryLoopTests {
    @Test("A 2xx on the first attempt returns at once, without sleeping")
    func firstAttemptSuccess() async throws {
        let runtime = FakeRuntime()
        let script = Script([])
        let response = try await runtime.strategy().run { try script.next($0) }
        #expect(response.status == 200)
        #expect(script.calls == 1)
        #expect(runtime.sleeps.isEmpty)
    }

    @Test("Each attempt is a new call of the closure, so every attempt is signed afresh")
    func freshClosureCallPerAttempt() async throws {
        let runtime = FakeRuntime()
        let script = Script([.response(errorResponse(503)), .failure(TransportError(.connectionLost, "reset"))])
        let signingTimes = Mutex<[Date]>([])
        let env = runtime.environment
        _ = try await runtime.strategy().run { context in
            signingTimes.withLock { $0.append(context.signingDate(now: env.now())) }
            return try script.next(context)
        }
        #expect(script.contexts.map(\.attempt) == [1, 2, 3])
        let times = signingTimes.withLock { $0 }
        #expect(Set(times).count == 3)
        #expect(runtime.sleeps == [0.5, 1.0])
    }

    @Test("Retries stop at max attempts; the last AWSServiceError is thrown with the count")
    func maxAttempts() async throws {
        let runtime = FakeRuntime()
        let script = Script([], then: .response(errorResponse(503, code: "ServiceUnavailable", headers: [("x-amzn-RequestId", "r-1")])))
        do {
            _ = try await runtime.strategy(maxAttempts: 4).run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "ServiceUnavailable")
            #expect(error.attempts == 4)
            #expect(error.retryStopReason == .maxAttemptsReached)
            #expect(error.description.hasPrefix("ServiceUnavailable (HTTP 503, request id r-1): ServiceUnavailable happened [gave up after 4 attempts"))
        }
        #expect(script.calls == 4)
        #expect(runtime.sleeps == [0.5, 1.0, 2.0])
    }

    @Test("maxAttempts 1 means no retry")
    func noRetries() async throws {
        let runtime = FakeRuntime()
        let script = Script([], then: .response(errorResponse(500)))
        await #expect(throws: AWSServiceError.self) {
            _ = try await runtime.strategy(maxAttempts: 1).run { try script.next($0) }
        }
        #expect(script.calls == 1)
    }

    @Test("A final 4xx is not retried and keeps its description plain")
    func notRetryable() async throws {
        let runtime = FakeRuntime()
        let script = Script([], then: .response(errorResponse(400, code: "ValidationException")))
        do {
            _ = try await runtime.strategy().run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.attempts == 1)
            #expect(error.retryStopReason == .notRetryable)
            #expect(error.description == "ValidationException (HTTP 400): ValidationException happened")
        }
        #expect(script.calls == 1)
        #expect(runtime.sleeps.isEmpty)
    }

    @Test("A retry that ends in a final error says how many attempts were made")
    func finalAfterRetry() async throws {
        let runtime = FakeRuntime()
        let script = Script([.response(errorResponse(429))], then: .response(errorResponse(404, code: "ResourceNotFoundException")))
        do {
            _ = try await runtime.strategy().run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "ResourceNotFoundException")
            #expect(error.attempts == 2)
            #expect(error.description.hasSuffix("[after 2 attempts]"))
        }
    }

    @Test("Errors other than service and transport errors pass through untouched")
    func otherErrorsPassThrough() async throws {
        struct SigningFailed: Error, Equatable {}
        let runtime = FakeRuntime()
        let script = Script([.failure(SigningFailed())])
        await #expect(throws: SigningFailed()) {
            _ = try await runtime.strategy().run { try script.next($0) }
        }
        #expect(script.calls == 1)
    }

    @Test("A Retry-After from the service wins over the backoff")
    func retryAfterHonoured() async throws {
        let runtime = FakeRuntime()
        let script = Script([.response(errorResponse(429, code: "ThrottlingException", headers: [("Retry-After", "7")]))])
        _ = try await runtime.strategy().run { try script.next($0) }
        #expect(runtime.sleeps == [7])
    }

    @Test("A Retry-After longer than 20 s is cut to 20 s; an HTTP date counts from now")
    func retryAfterBounded() async throws {
        let runtime = FakeRuntime()
        let date = httpDate(FakeRuntime.start.addingTimeInterval(12))
        let script = Script([
            .response(errorResponse(503, headers: [("Retry-After", "3600")])),
            .response(errorResponse(503, headers: [("Retry-After", date)])),
        ])
        _ = try await runtime.strategy().run { try script.next($0) }
        // The first sleep moved the clock by 20 s, so the date is already past: no wait.
        #expect(runtime.sleeps == [20, 0])
    }

    @Test("Transport failures are retried; the final one keeps its kind and gains the attempt count")
    func transportRetried() async throws {
        let runtime = FakeRuntime()
        let script = Script([], then: .failure(TransportError(.connectFailed, "connection refused by 127.0.0.1:9")))
        do {
            _ = try await runtime.strategy().run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as TransportError {
            #expect(error.kind == .connectFailed)
            #expect(error.message.hasPrefix("connection refused by 127.0.0.1:9 [gave up after 3 attempts"))
        }
        #expect(script.calls == 3)
    }

    @Test("Non-retryable transport failures are thrown unchanged after one attempt", arguments: [
        TransportError.Kind.tls, .responseTooLarge, .invalidRequest, .other,
    ])
    func transportFinal(_ kind: TransportError.Kind) async throws {
        let runtime = FakeRuntime()
        let script = Script([.failure(TransportError(kind, "boom"))])
        await #expect(throws: TransportError(kind, "boom")) {
            _ = try await runtime.strategy().run { try script.next($0) }
        }
        #expect(script.calls == 1)
    }

    @Test("Quota: a retry costs 5, success of a retry gives it back, success of a first attempt gives 1")
    func quotaAccounting() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy()
        let script = Script([
            .response(errorResponse(503)), .response(errorResponse(503)), .response(ok),
            .failure(TransportError(.readTimeout, "slow")), .response(errorResponse(500)),
            .response(errorResponse(400, code: "ValidationException")),
        ])
        _ = try await strategy.run { try script.next($0) }
        #expect(strategy.quotaAvailable == 495)  // 500 - 5 - 5 + 5
        await #expect(throws: AWSServiceError.self) {
            _ = try await strategy.run { try script.next($0) }
        }
        #expect(strategy.quotaAvailable == 480)  // - 10 (timeout) - 5, nothing back on failure
        _ = try await strategy.run { try script.next($0) }
        #expect(strategy.quotaAvailable == 481)
    }

    @Test("An empty quota stops retrying and the error says so; successes refill it")
    func quotaExhaustion() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy(maxAttempts: 1000)
        let failing = Script([], then: .response(errorResponse(503, code: "ServiceUnavailable")))
        do {
            _ = try await strategy.run { try failing.next($0) }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.attempts == 101)  // 100 retries at 5 tokens each
            #expect(error.retryStopReason == .quotaExhausted)
            #expect(error.description.contains("retry quota ran out"))
        }
        #expect(strategy.quotaAvailable == 0)

        // With an empty quota a call gets one attempt only.
        let once = Script([.response(errorResponse(503))])
        await #expect(throws: AWSServiceError.self) { _ = try await strategy.run { try once.next($0) } }
        #expect(once.calls == 1)

        // Five first-attempt successes put back 5 tokens: enough for one retry.
        for _ in 0..<5 { _ = try await strategy.run { _ in ok } }
        #expect(strategy.quotaAvailable == 5)
        let retried = Script([.response(errorResponse(503))])
        _ = try await strategy.run { try retried.next($0) }
        #expect(retried.calls == 2)
        #expect(strategy.quotaAvailable == 5)
    }

    @Test("Timeout retries drain the quota at 10 tokens; the transport error says the quota ran out")
    func quotaExhaustedByTimeouts() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy(maxAttempts: 1000)
        let script = Script([], then: .failure(TransportError(.readTimeout, "no data for 60 s")))
        do {
            _ = try await strategy.run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as TransportError {
            #expect(error.kind == .readTimeout)
            #expect(error.message.contains("retries stopped after 51 attempts: the client's retry quota ran out"))
        }
        #expect(script.calls == 51)
    }

    @Test("Clock skew: the Date header sets the offset, the next attempt signs with it, at once")
    func clockSkewCorrected() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy()
        let serverTime = httpDate(FakeRuntime.start.addingTimeInterval(3600))
        let script = Script([
            .response(errorResponse(403, code: "RequestTimeTooSkewed", headers: [("Date", serverTime)])),
        ])
        _ = try await strategy.run { try script.next($0) }
        #expect(script.contexts.map(\.clockSkew) == [0, 3600])
        #expect(runtime.sleeps.isEmpty)
        #expect(strategy.quotaAvailable == 500)
        // Later calls keep the offset.
        let next = Script([])
        _ = try await strategy.run { try next.next($0) }
        #expect(next.contexts.map(\.clockSkew) == [3600])
        #expect(strategy.clockSkew == 3600)
    }

    @Test("Clock skew is retried once per call only")
    func clockSkewOnce() async throws {
        let runtime = FakeRuntime()
        let ahead = httpDate(FakeRuntime.start.addingTimeInterval(-900))
        let behind = httpDate(FakeRuntime.start.addingTimeInterval(900))
        let script = Script([
            .response(errorResponse(403, code: "SignatureDoesNotMatch", headers: [("Date", ahead)])),
            .response(errorResponse(403, code: "SignatureDoesNotMatch", headers: [("Date", behind)])),
        ])
        do {
            _ = try await runtime.strategy(maxAttempts: 5).run { try script.next($0) }
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.attempts == 2)
            #expect(error.retryStopReason == .notRetryable)
        }
        #expect(script.calls == 2)
    }

    @Test("A skew error without a Date header, or whose Date agrees with us, is final", arguments: [
        nil, "Tue, 14 Nov 2023 22:14:20 GMT", "not a date",
    ])
    func clockSkewUncorrectable(_ date: String?) async throws {
        // FakeRuntime.start is Tue, 14 Nov 2023 22:13:20 GMT: the date above is 60 s off.
        let runtime = FakeRuntime()
        let headers = date.map { [("Date", $0)] } ?? []
        let script = Script([.response(errorResponse(400, code: "InvalidSignatureException", headers: headers))])
        await #expect(throws: AWSServiceError.self) {
            _ = try await runtime.strategy().run { try script.next($0) }
        }
        #expect(script.calls == 1)
    }

    @Test("A cancelled task does not start an attempt")
    func cancelledBeforeStart() async throws {
        let runtime = FakeRuntime()
        let script = Script([])
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runtime.strategy().run { try script.next($0) }
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(script.calls == 0)
    }

    @Test("Cancellation during an attempt stops the loop instead of retrying")
    func cancelledDuringAttempt() async throws {
        let runtime = FakeRuntime()
        let script = Script([], then: .response(errorResponse(503)))
        let task = Task {
            try await runtime.strategy().run { context in
                withUnsafeCurrentTask { $0?.cancel() }
                return try script.next(context)
            }
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(script.calls == 1)
        #expect(runtime.sleeps.isEmpty)
    }

    @Test("Cancellation errors thrown by the attempt are final", arguments: [true, false])
    func cancellationThrown(_ transport: Bool) async throws {
        let runtime = FakeRuntime()
        let error: any Error = transport ? TransportError(.cancelled, "cancelled") : CancellationError()
        let script = Script([.failure(error)])
        do {
            _ = try await runtime.strategy().run { try script.next($0) }
            Issue.record("expected an error")
        } catch {
            #expect(transport ? (error as? TransportError)?.kind == .cancelled : error is CancellationError)
        }
        #expect(script.calls == 1)
    }

    @Test("A sleep interrupted by cancellation ends the loop")
    func cancelledWhileSleeping() async throws {
        let env = RuntimeEnvironment(
            now: { FakeRuntime.start }, sleep: { _ in throw CancellationError() },
            random: { 0.5 }, variables: [:])
        let script = Script([.response(errorResponse(503))])
        await #expect(throws: CancellationError.self) {
            _ = try await RetryStrategy(environment: env).run { try script.next($0) }
        }
        #expect(script.calls == 1)
    }

    @Test("Adaptive mode: a throttle turns the rate limiter on, and the next send waits for a token")
    func adaptiveWaits() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy(mode: .adaptive)
        let script = Script([.response(errorResponse(429, code: "ThrottlingException"))])
        _ = try await strategy.run { try script.next($0) }
        #expect(strategy.limiter.enabled)
        // Backoff 0.5 s, then the limiter's wait (rate 0.5/s: 2 s less the 0.5 s refill of the backoff).
        #expect(runtime.sleeps.count == 2)
        #expect(runtime.sleeps.first == 0.5)
        #expect(abs((runtime.sleeps.last ?? 0) - 1.5) < 1e-9)
    }

    @Test("Standard mode never waits on the rate limiter")
    func standardIgnoresLimiter() async throws {
        let runtime = FakeRuntime()
        let strategy = runtime.strategy()
        let script = Script([.response(errorResponse(429))])
        _ = try await strategy.run { try script.next($0) }
        #expect(!strategy.limiter.enabled)
        #expect(runtime.sleeps == [0.5])
    }
}
