#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock, sleeper and random source a client uses. Production uses the real ones; tests
/// inject fixed ones so retries, refreshes and waiters run in milliseconds and repeatably.
public struct RuntimeEnvironment: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// Suspends for the given number of seconds (throws when the task is cancelled).
    public var sleep: @Sendable (Double) async throws -> Void
    /// A uniformly distributed number in 0..<1.
    public var random: @Sendable () -> Double
    /// Environment variables.
    public var variables: [String: String]

    /// An environment with the given clock, sleeper, random source and variables: tests pass their own to run retries and waits in milliseconds.
    public init(
        now: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Double) async throws -> Void,
        random: @escaping @Sendable () -> Double,
        variables: [String: String]
    ) {
        self.now = now
        self.sleep = sleep
        self.random = random
        self.variables = variables
    }

    /// The real clock, `Task.sleep`, the system random source and the process environment.
    public static var live: RuntimeEnvironment {
        RuntimeEnvironment(
            now: { Date() },
            sleep: { seconds in
                guard seconds > 0 else { return }
                try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            },
            random: { Double.random(in: 0..<1) },
            variables: processEnvironment()
        )
    }

    /// The process environment, read through libc (FoundationEssentials has no ProcessInfo).
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }
}
