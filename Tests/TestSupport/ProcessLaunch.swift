import Foundation

/// Starts Foundation `Process`es one at a time, for every test target.
///
/// swift-corelibs-foundation's `Process.run()` sets up shared state (the run loop that watches
/// for children's exits, the descriptors handed to posix_spawn) that is not safe when several
/// threads launch at once; a full test run, with suites starting the CLI, Python oracles and
/// local-lattice side by side, crashed there intermittently (signal 11 inside `run()`). The
/// launch is short; what the child does afterwards still overlaps freely.
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// `process.run()`, serialised with every other launch in the test process.
    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }

    /// `Process.run(url, arguments:)`, serialised likewise.
    public static func run(_ url: URL, arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        try run(process)
        return process
    }
}
