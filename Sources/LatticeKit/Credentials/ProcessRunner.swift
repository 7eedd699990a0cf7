#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
/// `pipe2(2)`, which the Glibc module hides behind _GNU_SOURCE.
@_silgen_name("pipe2")
private func pipeCloseOnExec(_ fds: UnsafeMutablePointer<Int32>?, _ flags: Int32) -> Int32
#endif

/// Runs a shell command on a thread of its own (never on Swift's cooperative pool) and
/// collects its exit status, standard output and standard error, within a time limit.
///
/// The command runs in a process group of its own, so that a timeout can end it and every
/// process it started. The read ends when the command exits, whatever its children hold:
/// a background child that keeps the output pipe open (`(sleep 1000 &); echo ...`) would
/// otherwise hold the read, and the caller, forever.
enum ProcessRunner {
    struct Output: Sendable {
        /// The exit code, or nil when a signal ended the process.
        var exitCode: Int32?
        /// The signal that ended the process.
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        /// Why the run ended.
        var ending: Ending = .exited
    }

    enum Ending: Sendable, Equatable {
        /// The command exited by itself (or was killed by someone else).
        case exited
        /// The time limit passed; the command's process group was killed.
        case timedOut
        /// Standard output passed `outputLimit`; the command's process group was killed.
        case outputTooLarge
    }

    /// The most output kept from each stream. More on standard output stops the command
    /// (credentials are a few kilobytes); more on standard error is read and dropped.
    static let outputLimit = 1_048_576
    /// How long output is still read after the command exits: what it wrote before exiting is
    /// in the pipe already; only a child it left behind could write more.
    static let exitGrace = 0.1

    /// Runs `/bin/sh -c command` with exactly `variables` as its environment and standard
    /// input from /dev/null, for at most `timeout` seconds. Throws only when the process
    /// cannot be started (the reason).
    static func run(_ command: String, variables: [String: String], timeout: Double) async throws(SpawnFailure) -> Output {
        let result: Result<Output, SpawnFailure> = await withCheckedContinuation { continuation in
            let started = startThread {
                continuation.resume(returning: runBlocking(command, variables: variables, timeout: timeout))
            }
            if !started {
                continuation.resume(returning: .failure(SpawnFailure(reason: "no thread could be started to run it")))
            }
        }
        return try result.get()
    }

    struct SpawnFailure: Error, Sendable {
        var reason: String
    }

    private final class ThreadBody {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a detached pthread running `body`; false when none could be created.
    private static func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t? = nil
        #else
        var thread = pthread_t()
        #endif
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return false
        }
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
        return true
    }

    private static func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        // Close-on-exec, so that no other child process inherits them (atomically where the
        // platform has pipe2, so a process spawned meanwhile by another thread cannot either).
        #if os(Linux)
        guard fds.withUnsafeMutableBufferPointer({ pipeCloseOnExec($0.baseAddress, O_CLOEXEC) }) == 0 else { return nil }
        #else
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        #endif
        return (fds[0], fds[1])
    }

    private static func runBlocking(_ command: String, variables: [String: String], timeout: Double) -> Result<Output, SpawnFailure> {
        guard let out = makePipe() else { return .failure(SpawnFailure(reason: "no pipe: \(FileAccess.reason(errno))")) }
        guard let err = makePipe() else {
            close(out.read)
            close(out.write)
            return .failure(SpawnFailure(reason: "no pipe: \(FileAccess.reason(errno))"))
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        // The pipes' own descriptors are close-on-exec, so the child keeps only 0, 1 and 2.
        // Its own process group (id = its pid), so that one kill ends it and its children.
        // And a clean signal state: this thread was started from one that blocks most
        // signals (libdispatch's workers do), and a command inheriting that mask could not
        // be stopped by SIGTERM or SIGINT, nor would the processes it starts.
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&signals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &signals)

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        close(out.write)
        close(err.write)
        guard rc == 0 else {
            close(out.read)
            close(err.read)
            return .failure(SpawnFailure(reason: "/bin/sh could not be started: \(FileAccess.reason(rc))"))
        }
        return .success(collect(pid: pid, stdout: out.read, stderr: err.read, timeout: timeout))
    }

    /// Reads both descriptors (without letting either pipe fill up) until the process has
    /// exited and both are at their end, or `exitGrace` after it exited, or the time limit;
    /// closes them and reaps the process.
    private static func collect(pid: pid_t, stdout: Int32, stderr: Int32, timeout: Double) -> Output {
        let start = monotonicNanoseconds()
        let deadline = start &+ nanoseconds(timeout)
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var buffers: [[UInt8]] = [[], []]
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var status: Int32 = 0
        var exitedAt: UInt64? = nil
        var ending = Ending.exited
        while true {
            let now = monotonicNanoseconds()
            if exitedAt == nil, reaped(pid, &status) { exitedAt = now }
            let open = fds.contains { $0.fd >= 0 }
            if let exitedAt {
                if !open || now >= exitedAt &+ nanoseconds(exitGrace) { break }
            } else if now >= deadline {
                ending = .timedOut
                break
            }
            // Until the process exits, wake every 10 ms to see whether it has (a child left
            // behind may keep the pipes open, so their end says nothing).
            let until = exitedAt.map { $0 &+ nanoseconds(exitGrace) } ?? deadline
            let wait = min(until &- now, exitedAt == nil ? 10_000_000 : .max)
            let waitMilliseconds = Int32(clamping: max(1, (wait + 999_999) / 1_000_000))
            if poll(&fds, nfds_t(fds.count), waitMilliseconds) < 0, errno != EINTR { break }
            for k in fds.indices where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(fds[k].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    let room = max(0, outputLimit - buffers[k].count)
                    buffers[k].append(contentsOf: chunk[0..<min(n, room)])
                    if k == 0, n > room { ending = .outputTooLarge }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[k].fd)
                    fds[k].fd = -1
                }
                // A closed descriptor stays out of poll: a negative fd is ignored.
            }
            if ending == .outputTooLarge { break }
        }
        for f in fds where f.fd >= 0 { close(f.fd) }
        if exitedAt == nil {
            // Timed out or too much output: end the whole group while the leader is unreaped
            // (so its id, the group's, cannot have been reused), then reap it.
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { break }
            }
        }
        // The wait status layout shared by Linux and the BSDs: low 7 bits are the signal.
        let signal = status & 0x7f
        if signal == 0 {
            return Output(exitCode: (status >> 8) & 0xff, signal: nil, stdout: buffers[0], stderr: buffers[1], ending: ending)
        }
        return Output(exitCode: nil, signal: signal, stdout: buffers[0], stderr: buffers[1], ending: ending)
    }

    /// True once `pid` has exited (and is reaped, its status in `status`).
    private static func reaped(_ pid: pid_t, _ status: inout Int32) -> Bool {
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return true }
            if r == 0 { return false }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it; it is gone either way.
            status = 0
            return true
        }
    }
}
