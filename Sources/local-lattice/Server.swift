#if canImport(Glibc)
import Glibc
#endif
import LatticeKit
import LatticeKitTesting
import Synchronization

/// What one client may take of the server, so that no client, however hostile or broken,
/// can stop it from answering the others.
struct ServerLimits: Sendable {
    /// The request line and header fields together, in bytes: 431 beyond (414 when the request
    /// line alone is longer). A signed request's head is about 1 KiB; a session token adds 1 to 4.
    var maxHeadBytes = 64 * 1024
    /// Header fields in one request: 431 beyond.
    var maxHeaderFields = 100
    /// A request body, in bytes: 413 beyond. The API's largest input (an auth policy of 36,864
    /// characters) is well under it.
    var maxBodyBytes = 1024 * 1024
    /// Seconds from a request's first byte to its last: beyond, 408 and the connection closes,
    /// so a client that trickles bytes (slowloris) holds a thread for this long at most.
    var requestTimeout: Double = 10
    /// Seconds a kept-alive connection may wait for its next request.
    var idleTimeout: Double = 60
    /// Connections served at once, one thread each. A new connection beyond it closes the one
    /// idle the longest, or, when none is idle, is answered 503.
    var maxConnections = 256
    /// Seconds a refused request's connection is still read (and what arrives dropped) after
    /// the answer, so the client sees the answer instead of a reset.
    var lingerSeconds: Double = 1
}

/// The local Lattice served over HTTP/1.1 on a listening socket: one accept loop, one thread
/// per connection (bounded), every read with a deadline.
final class Server: Sendable {
    let listener: Int32
    let lattice: LocalLattice
    let limits: ServerLimits
    /// Added to every API answer, as a region's round trip would be.
    let latency: Duration
    let connections: ConnectionRegistry
    /// Counts the control plane's calls and throttles them (`--throttle-rps`).
    let meter: ControlPlaneMeter
    /// Answers of local-lattice's own (`GET /_local/dataplane`), by method and request target;
    /// nil passes the request to the local Lattice.
    let localRoutes: @Sendable (_ method: String, _ target: String) -> HTTPResponse?

    init(listener: Int32, lattice: LocalLattice, limits: ServerLimits, latency: Duration, meter: ControlPlaneMeter = ControlPlaneMeter(nil),
         localRoutes: @escaping @Sendable (_ method: String, _ target: String) -> HTTPResponse? = { _, _ in nil }) {
        self.listener = listener
        self.lattice = lattice
        self.limits = limits
        self.latency = latency
        self.meter = meter
        self.localRoutes = localRoutes
        connections = ConnectionRegistry(capacity: limits.maxConnections)
    }

    /// Accepts connections forever. When descriptors run out (EMFILE, ENFILE) it closes the
    /// connection idle the longest, or answers one waiting client 503 through a descriptor
    /// kept in reserve, and backs off (10 ms doubling to 1 s) instead of retrying at once;
    /// it answers again as soon as a descriptor is free.
    func run() -> Never {
        var reserve = Self.openReserve()
        var backoff = Self.minimumBackoff
        var exhausted = false
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                let error = errno
                switch error {
                case EINTR, ECONNABORTED, EAGAIN:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    if !exhausted {
                        exhausted = true
                        log("out of descriptors or memory accepting a connection (\(errnoName(error))): closing idle connections and backing off; raise `ulimit -n` if this recurs")
                    }
                    if connections.evicting > 0 || connections.evictIdle() {
                        // An idle connection is closing: its descriptor is free in a moment.
                        pause(.milliseconds(1))
                        continue
                    }
                    shedOne(&reserve, "local-lattice has run out of file descriptors (\(errnoName(error))); retry later, or raise its `ulimit -n`.")
                default:
                    log("accept failed (\(errnoName(error))); backing off")
                }
                pause(backoff)
                backoff = min(backoff * 2, Self.maximumBackoff)
                continue
            }
            backoff = Self.minimumBackoff
            if exhausted {
                exhausted = false
                log("accepting connections again")
            }
            if reserve < 0 { reserve = Self.openReserve() }
            serve(fd)
        }
    }

    /// Starts a connection's thread, making room for it when the server is full.
    private func serve(_ fd: Int32) {
        var id = connections.admit(fd)
        if id == nil, connections.evictIdle() { id = connections.admit(fd) }
        guard let id else {
            Self.refuseAtOnce(fd, "local-lattice is serving \(limits.maxConnections) connections (--max-connections), none of them idle; retry later.")
            return
        }
        let started = startThread { [self] in
            Connection(fd: fd, id: id, server: self).run()
        }
        if !started {
            connections.remove(id)
            Self.refuseAtOnce(fd, "local-lattice cannot start a thread for this connection; retry later.")
        }
    }

    /// Accepts one waiting connection with the reserve descriptor and answers it 503, so that a
    /// client learns the server is out of descriptors instead of waiting in the backlog.
    private func shedOne(_ reserve: inout Int32, _ message: String) {
        guard reserve >= 0 else { return }
        close(reserve)
        let fd = accept(listener, nil, nil)
        if fd >= 0 { Self.refuseAtOnce(fd, message) }
        reserve = Self.openReserve()
    }

    /// Answers 503 without waiting for the client (a full socket buffer drops the answer) and
    /// closes the connection.
    private static func refuseAtOnce(_ fd: Int32, _ message: String) {
        let bytes = Answer.refusal(Refusal(503, message), retryAfter: 1)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        close(fd)
    }

    private static func openReserve() -> Int32 { open("/dev/null", O_RDONLY | O_CLOEXEC) }

    static let minimumBackoff = Duration.milliseconds(10)
    static let maximumBackoff = Duration.seconds(1)
}

/// The open connections: which are idle (waiting for their next request, and so may be closed
/// to make room), and how many are being closed.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var fd: Int32
        /// When it started waiting for its next request; nil while a request is in progress.
        var idleSince: ContinuousClock.Instant?
        var evicted = false
    }

    private struct State {
        var nextId = 0
        var entries: [Int: Entry] = [:]
        var evicting = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Registers a connection; nil when the server is full (connections being closed do not count).
    func admit(_ fd: Int32) -> Int? {
        state.withLock { s in
            guard s.entries.count - s.evicting < capacity else { return nil }
            s.nextId += 1
            // Idle until its first request arrives.
            s.entries[s.nextId] = Entry(fd: fd, idleSince: .now)
            return s.nextId
        }
    }

    /// Forgets a connection. Called before its descriptor is closed, so that an eviction never
    /// shuts down a descriptor the system has since given to another connection.
    func remove(_ id: Int) {
        state.withLock { s in
            if s.entries.removeValue(forKey: id)?.evicted == true { s.evicting -= 1 }
        }
    }

    /// Marks a connection idle or busy; false when it has been evicted and must close.
    func setIdle(_ id: Int, _ idle: Bool) -> Bool {
        state.withLock { s in
            guard let entry = s.entries[id], !entry.evicted else { return false }
            // A connection already idle keeps the instant it became so: its thread marks it
            // idle when it starts, and threads start in no fixed order, so resetting it there
            // would make a connection accepted earlier look idle for less time.
            if idle, entry.idleSince != nil { return true }
            s.entries[id]?.idleSince = idle ? ContinuousClock.now : nil
            return true
        }
    }

    /// Shuts down the connection idle the longest (its thread then sees the end of input and
    /// closes it); false when none is idle. A connection whose next request has arrived but
    /// not yet been read is not idle.
    func evictIdle() -> Bool {
        state.withLock { s in
            let idle = s.entries.compactMap { id, entry in entry.evicted ? nil : entry.idleSince.map { (id: id, fd: entry.fd, since: $0) } }
            var byte: UInt8 = 0
            let waiting = idle.filter { recv($0.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EAGAIN }
            guard let oldest = waiting.min(by: { $0.since < $1.since }) else { return false }
            let fd = oldest.fd
            s.entries[oldest.id]?.evicted = true
            s.evicting += 1
            shutdown(fd, Int32(SHUT_RDWR))
            return true
        }
    }

    /// Connections evicted whose threads have not finished yet.
    var evicting: Int { state.withLock { $0.evicting } }
}

// MARK: Threads, sleeping, logging

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs `body` on a new detached thread; false when the system cannot start one.
func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { context in
        if let context { Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run() }
        return nil
    }, context)
    if result != 0 {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        return false
    }
    return true
}

/// Blocks this thread for `duration` (never the emulator's lock: nothing is held here).
/// Sleeps until `instant` (not at all when it has passed).
func pause(until instant: ContinuousClock.Instant) {
    pause(instant - ContinuousClock.now)
}

func pause(_ duration: Duration) {
    guard duration > .zero else { return }
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// A line on stderr, `local-lattice: ...`.
func log(_ message: String) {
    writeLine("local-lattice: \(message)", to: 2)
}

/// A line on a descriptor, unbuffered (stdout may be a pipe a test reads while this runs).
func writeLine(_ text: String, to fd: Int32) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// `EMFILE (Too many open files)`.
func errnoName(_ code: Int32) -> String {
    let names: [Int32: String] = [EMFILE: "EMFILE", ENFILE: "ENFILE", ENOBUFS: "ENOBUFS", ENOMEM: "ENOMEM"]
    let text = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    return names[code].map { "\($0) (\(text))" } ?? text
}
