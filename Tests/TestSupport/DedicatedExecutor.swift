import Foundation

/// A task executor with one thread of its own. A test that measures how long something takes
/// runs under `withTaskExecutorPreference(DedicatedExecutor.shared)`, so its continuations
/// resume here at once, not when Swift's cooperative pool has a thread free: other suites
/// block that pool's (two, on a 2-core machine) threads for tens of seconds with synchronous
/// waits on subprocesses.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = DedicatedExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        Thread.detachNewThread { [self] in run() }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
