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
/// collects its exit status, standard output and standard error.
enum ProcessRunner {
    struct Output: Sendable {
        /// The exit code, or nil when a signal ended the process.
        var exitCode: Int32?
        /// The signal that ended the process.
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// The most output kept from each stream; the rest is read and dropped.
    static let outputLimit = 1_048_576

    /// Runs `/bin/sh -c command` with exactly `variables` as its environment and standard
    /// input from /dev/null. Throws only when the process cannot be started (the reason).
    static func run(_ command: String, variables: [String: String]) async throws(SpawnFailure) -> Output {
        let result: Result<Output, SpawnFailure> = await withCheckedContinuation { continuation in
            let started = startThread {
                continuation.resume(returning: runBlocking(command, variables: variables))
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

    private static func runBlocking(_ command: String, variables: [String: String]) -> Result<Output, SpawnFailure> {
        guard let out = makePipe() else { return .failure(SpawnFailure(reason: "no pipe: \(FileAccess.reason(errno))")) }
        guard let err = makePipe() else {
            close(out.read)
            close(out.write)
            return .failure(SpawnFailure(reason: "no pipe: \(FileAccess.reason(errno))"))
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        // The pipes' own descriptors are close-on-exec, so the child keeps only 0, 1 and 2.

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        close(out.write)
        close(err.write)
        guard rc == 0 else {
            close(out.read)
            close(err.read)
            return .failure(SpawnFailure(reason: "/bin/sh could not be started: \(FileAccess.reason(rc))"))
        }

        let (stdout, stderr) = drain(out.read, err.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { break }
        }
        // The wait status layout shared by Linux and the BSDs: low 7 bits are the signal.
        let signal = status & 0x7f
        if signal == 0 {
            return .success(Output(exitCode: (status >> 8) & 0xff, signal: nil, stdout: stdout, stderr: stderr))
        }
        return .success(Output(exitCode: nil, signal: signal, stdout: stdout, stderr: stderr))
    }

    /// Reads both descriptors to their end (without letting either pipe fill up), then
    /// closes them.
    private static func drain(_ a: Int32, _ b: Int32) -> ([UInt8], [UInt8]) {
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buffers: [[UInt8]] = [[], []]
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while fds.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for k in fds.indices where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(fds[k].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    let room = max(0, outputLimit - buffers[k].count)
                    buffers[k].append(contentsOf: chunk[0..<min(n, room)])
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[k].fd)
                    fds[k].fd = -1
                }
            }
        }
        for f in fds where f.fd >= 0 { close(f.fd) }
        return (buffers[0], buffers[1])
    }
}
