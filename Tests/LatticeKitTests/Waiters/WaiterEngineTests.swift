import Foundation
import Synchronization
import Testing
@testable import LatticeKit
import SigV4

/// The polling engine, driven through the service waiter.
@Suite struct WaiterEngineTests {
    let get = GetServiceRequest(serviceIdentifier: serviceId)

    @Test func succeedsAfterNPollsWithNMinusOneSleepsOfTheDelay() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), status("CREATE_IN_PROGRESS"), status("ACTIVE", #""name":"provider-svc""#)])
        let out = try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 5))
        #expect(out.status == .active)
        #expect(out.name == "provider-svc")
        #expect(h.slept == [5, 5])
        #expect(h.paths == Array(repeating: "/services/\(serviceId)", count: 3))
        #expect(h.transport.requests.allSatisfy { $0.method == "GET" })
    }

    @Test func theDefaultDelayIsTwoSecondsAndTheDefaultTimeoutFiveMinutes() async throws {
        let options = WaiterOptions()
        #expect(options.delay == 2)
        #expect(options.timeout == 300)
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")])
        let error = await waiterError { try await h.client.waitUntilServiceActive(get) }
        #expect(error?.elapsed == 300)
        #expect(error?.attempts == 151)
        #expect(h.slept.allSatisfy { $0 == 2 })
    }

    @Test func progressReportsAttemptElapsedAndRawState() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), status("CREATE_IN_PROGRESS"), status("ACTIVE")])
        let log = ProgressLog()
        try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 3, progress: log.callback))
        #expect(log.all.map(\.attempt) == [1, 2, 3])
        #expect(log.all.map(\.elapsed) == [0, 3, 6])
        #expect(log.all.map(\.state) == ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "ACTIVE"])
        #expect(log.all.allSatisfy { $0.subject.resourceId == serviceId && $0.subject.goal == "ACTIVE" })
        #expect(log.all[1].description == "service \(serviceId): CREATE_IN_PROGRESS (poll 2, 3 s)")
    }

    @Test func failsFastOnCreateFailedWithTheServiceFailureMessage() async throws {
        let failed = status("CREATE_FAILED", #""failureCode":"CertificateNotFound","failureMessage":"the certificate arn:aws:acm:x does not exist""#)
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), failed, status("ACTIVE")])
        let error = try #require(await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 1)) })
        #expect(error.kind == .failureState)
        #expect(error.state == "CREATE_FAILED")
        #expect(error.reason == "CertificateNotFound: the certificate arn:aws:acm:x does not exist")
        #expect(error.attempts == 2)
        #expect(h.transport.requests.count == 2)
        let text = error.description
        #expect(text.contains("service \(serviceId) reached CREATE_FAILED while waiting for it to be ACTIVE"))
        #expect(text.contains("the certificate arn:aws:acm:x does not exist"))
        #expect(text.contains("see GetService"))
    }

    @Test func timesOutAfterTheConfiguredTimeNamingTheLastState() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")])
        let error = try #require(await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 2, timeout: 10)) })
        #expect(error.kind == .timedOut)
        #expect(error.state == "CREATE_IN_PROGRESS")
        #expect(error.elapsed == 10)
        #expect(error.attempts == 6)
        #expect(h.slept == [2, 2, 2, 2, 2])
        #expect(h.clock.now == testStart.addingTimeInterval(10))
        let text = error.description
        #expect(text.contains("gave up waiting for service \(serviceId) to be ACTIVE after 10 s (6 polls); it was last CREATE_IN_PROGRESS"))
        #expect(text.contains("longer WaiterOptions.timeout"))
    }

    @Test func theLastSleepIsCutSoTheLastPollIsAtTheTimeout() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")])
        let error = await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 4, timeout: 10)) }
        #expect(h.slept == [4, 4, 2])
        #expect(error?.attempts == 4)
        #expect(error?.elapsed == 10)
    }

    @Test func theDelayDoublesUpToMaxDelay() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")])
        _ = await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 1, maxDelay: 5, timeout: 22)) }
        #expect(h.slept == [1, 2, 4, 5, 5, 5])
        #expect(WaiterOptions(delay: 3, maxDelay: 1).delay(afterAttempt: 4) == 3)
        #expect(WaiterOptions(delay: -1).delay(afterAttempt: 1) == 0)
    }

    @Test func aZeroTimeoutPollsOnce() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")])
        let error = await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(timeout: 0)) }
        #expect(error?.kind == .timedOut)
        #expect(error?.attempts == 1)
        #expect(h.slept.isEmpty)
    }

    @Test func unexpectedErrorsEndTheWait() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), serviceError(403, "AccessDeniedException", "no vpc-lattice:GetService"), status("ACTIVE")])
        await #expect(throws: AccessDeniedException.self) { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 1)) }
        #expect(h.transport.requests.count == 2)
    }

    @Test func aMissingResourceEndsAnActiveWaiterWithTheError() async throws {
        let h = try WaiterHarness([notFound])
        await #expect(throws: ResourceNotFoundException.self) { try await h.client.waitUntilServiceActive(get) }
        #expect(h.transport.requests.count == 1)
    }

    @Test func throttlingThatOutlastsRetriesCountsAsStillWaiting() async throws {
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS"), serviceError(429, "ThrottlingException", "Rate exceeded"), status("ACTIVE")])
        let log = ProgressLog()
        try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 1, progress: log.callback))
        #expect(log.all.map(\.state) == ["CREATE_IN_PROGRESS", "ThrottlingException", "ACTIVE"])
    }

    @Test func aMissingStatusKeepsWaitingAndSaysSo() async throws {
        let h = try WaiterHarness([ok(#"{"id":"x"}"#)])
        let error = await waiterError { try await h.client.waitUntilServiceActive(get, options: WaiterOptions(delay: 1, timeout: 2)) }
        #expect(error?.state == "(no status)")
        #expect(error?.description.contains("the answer had no status") == true)
    }

    @Test func cancellingTheTaskStopsWaitingDuringASleep() async throws {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")]) { _ in
            signal.yield()
            try await Task.sleep(for: .seconds(3600))
        }
        let client = h.client
        let get = self.get
        let task = Task { try await client.waitUntilServiceActive(get) }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(h.transport.requests.count == 1)
    }

    @Test func cancellationIsHonouredEvenWhenTheSleeperIgnoresIt() async throws {
        let sleeps = Mutex(0)
        let h = try WaiterHarness([status("CREATE_IN_PROGRESS")]) { _ in
            // The second sleep cancels its own task and returns normally.
            if sleeps.withLock({ $0 += 1; return $0 }) == 2 { withUnsafeCurrentTask { $0?.cancel() } }
        }
        let client = h.client
        let get = self.get
        // In its own task: cancelling the test's task would cancel the test.
        let task = Task { try await client.waitUntilServiceActive(get) }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(h.transport.requests.count == 2)
    }

    @Test func aCancelledTaskDoesNotPoll() async throws {
        let h = try WaiterHarness([status("ACTIVE")])
        let client = h.client
        let get = self.get
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.waitUntilServiceActive(get)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(h.transport.requests.isEmpty)
    }

    @Test func theGenericEngineTakesAnyPoll() async throws {
        let h = try WaiterHarness([status("ACTIVE")])
        let count = Mutex(0)
        let subject = WaiterSubject(resourceType: "thing", resourceId: "t-1", goal: "ready", operation: "GetThing")
        let value = try await h.client.waitUntil(subject, options: WaiterOptions(delay: 1)) { () async throws -> WaiterObservation<Int> in
            let n = count.withLock { $0 += 1; return $0 }
            return n < 4 ? .waiting(state: "step \(n)") : .done(n, state: "ready")
        }
        #expect(value == 4)
        #expect(h.slept == [1, 1, 1])
    }

    @Test func durationsReadNaturally() {
        #expect(WaiterError.seconds(10) == "10 s")
        #expect(WaiterError.seconds(2.5) == "2.5 s")
        #expect(WaiterError.seconds(0.04) == "0 s")
    }
}
