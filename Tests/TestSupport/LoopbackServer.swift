import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for transport tests: one thread per connection,
/// keep-alive, and a handler that decides, per request, what goes back on the wire.
public final class LoopbackServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var target: String
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var connection: Int
        /// The body's size, and with `verifyPatternBodies` whether it was exactly the start of
        /// `PatternBody` (then `body` is empty: nothing is kept).
        public var bodyLength = 0
        public var bodyIsPattern = false

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// What the server does with one request.
    public enum Action {
        /// A normal response with Content-Length.
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// A chunked response made of these chunks.
        case chunked(status: Int, chunks: [[UInt8]])
        /// Raw bytes, then close the connection.
        case raw([UInt8])
        /// Close the connection without answering.
        case close
        /// Wait until the semaphore is signalled (or 10 s pass), then act.
        indirect case after(DispatchSemaphore, Action)
        /// Say nothing for this many seconds, then act (a server that thinks).
        indirect case pause(TimeInterval, Action)
        /// `head` (status line and headers), then `bytes` of body one byte each `interval`
        /// seconds (a hostile or broken server), until the client goes away; then close.
        case trickle(head: String, bytes: Int, interval: TimeInterval)
        /// `length` bytes of `PatternBody` with Content-Length `declared` (default `length`),
        /// written as fast as the client takes them (`progress` sees each write and when the
        /// socket is full); after `stallAfter` bytes, silence until the client closes.
        case pattern(status: Int, length: Int, declared: Int? = nil, stallAfter: Int? = nil, progress: SendProgress? = nil)
    }

    /// What a `.pattern` answer has written, and whether a write found the socket full (the
    /// client stopped reading).
    public final class SendProgress: @unchecked Sendable {
        private let lock = NSLock()
        private var _written = 0
        private var _blocked = 0
        private var waiters: [CheckedContinuation<Void, Never>] = []
        public init() {}
        public var written: Int { lock.withLock { _written } }
        /// Writes that found the socket buffer full.
        public var blocked: Int { lock.withLock { _blocked } }
        func wrote(_ n: Int) { lock.withLock { _written += n } }
        func markBlocked() {
            let w = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                _blocked += 1
                defer { waiters.removeAll() }
                return waiters
            }
            for c in w { c.resume() }
        }
        /// Returns once a write has found the socket full.
        public func waitUntilBlocked() async {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = lock.withLock { () -> Bool in
                    if _blocked > 0 { return true }
                    waiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
        }
    }

    /// Read request bodies through `PatternBody.Verifier` instead of keeping them (for bodies
    /// of hundreds of MiB); chunked bodies are decoded either way.
    public var verifyPatternBodies: Bool {
        get { lock.withLock { _verify } }
        set { lock.withLock { _verify = newValue } }
    }
    private var _verify = false
    private var closeWaiters: [(Int, CheckedContinuation<Void, Never>)] = []

    /// Returns once `count` connections have closed.
    public func waitForClosedConnections(_ count: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if _closed >= count { return true }
                closeWaiters.append((count, c))
                return false
            }
            if now { c.resume() }
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var handler: @Sendable (Request) -> Action
    private var _connections = 0
    private var _requests: [Request] = []
    private var _closed = 0
    private var stopped = false
    /// Bytes written as soon as a connection is accepted, before reading anything.
    public var greeting: [UInt8]? {
        get { lock.withLock { _greeting } }
        set { lock.withLock { _greeting = newValue } }
    }
    private var _greeting: [UInt8]?

    public init(handler: @escaping @Sendable (Request) -> Action = { _ in .respond(status: 200, headers: [], body: Array("ok".utf8)) }) throws {
        self.handler = handler
        let (fd, port) = try LoopbackSocket.listen(backlog: 128)
        self.port = port
        listener = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    public func setHandler(_ h: @escaping @Sendable (Request) -> Action) {
        lock.withLock { handler = h }
    }

    /// TCP connections accepted so far.
    public var connections: Int { lock.withLock { _connections } }
    /// Connections the client closed (or the server closed) so far.
    public var closedConnections: Int { lock.withLock { _closed } }
    /// Requests received so far.
    public var requests: [Request] { lock.withLock { _requests } }

    public func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Only shut down: the accept thread closes the descriptor when its accept fails. Closing
        // it here would let the system give the number to another test's socket while the
        // thread is between two accepts, and the thread would then take that test's connections.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let id = lock.withLock { () -> Int in
                _connections += 1
                return _connections
            }
            Thread.detachNewThread { [self] in serve(fd, id) }
        }
    }

    private func serve(_ fd: Int32, _ id: Int) {
        defer {
            close(fd)
            let ready = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                _closed += 1
                let ready = closeWaiters.filter { $0.0 <= _closed }.map(\.1)
                closeWaiters.removeAll { $0.0 <= _closed }
                return ready
            }
            for c in ready { c.resume() }
        }
        if let greeting {
            _ = write(fd, greeting)
            return
        }
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(fd, &buffer, id) else { return }
            let h = lock.withLock { () -> (@Sendable (Request) -> Action) in
                _requests.append(request)
                return handler
            }
            if !perform(h(request), fd) { return }
        }
    }

    /// Writes the action; false when the connection is to be closed.
    private func perform(_ action: Action, _ fd: Int32) -> Bool {
        switch action {
        case let .respond(status, headers, body):
            var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\n"
            for (n, v) in headers { head += "\(n): \(v)\r\n" }
            head += "\r\n"
            return write(fd, Array(head.utf8) + body)
        case let .chunked(status, chunks):
            var out = Array("HTTP/1.1 \(status) Status\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for c in chunks {
                out += Array((String(c.count, radix: 16) + "\r\n").utf8) + c + Array("\r\n".utf8)
            }
            out += Array("0\r\n\r\n".utf8)
            return write(fd, out)
        case let .raw(bytes):
            _ = write(fd, bytes)
            return false
        case .close:
            return false
        case let .after(semaphore, next):
            _ = semaphore.wait(timeout: .now() + 10)
            return perform(next, fd)
        case let .pause(seconds, next):
            Thread.sleep(forTimeInterval: seconds)
            return perform(next, fd)
        case let .trickle(head, bytes, interval):
            guard write(fd, Array(head.utf8)) else { return false }
            for _ in 0..<bytes {
                Thread.sleep(forTimeInterval: interval)
                guard write(fd, [UInt8(ascii: "x")]) else { return false }
            }
            return false
        case let .pattern(status, length, declared, stallAfter, progress):
            guard write(fd, Array("HTTP/1.1 \(status) Status\r\nContent-Length: \(declared ?? length)\r\n\r\n".utf8)) else { return false }
            var offset = 0
            let end = min(length, stallAfter ?? length)
            while offset < end {
                let piece = PatternBody.bytes(at: offset, count: min(65_536, end - offset))
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, 0) == 0 {
                    progress?.markBlocked()
                    _ = poll(&p, 1, 60_000)
                }
                guard write(fd, piece) else { return false }
                offset += piece.count
                progress?.wrote(piece.count)
            }
            if stallAfter != nil {
                // Silence until the client gives up and closes (bounded: 60 s).
                var timeout = timeval(tv_sec: 60, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var byte: UInt8 = 0
                while recv(fd, &byte, 1, 0) > 0 {}
                return false
            }
            return declared == nil || declared == length
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8], _ id: Int) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int? = nil
        while headEnd == nil {
            if let r = find(separator, in: buffer) { headEnd = r; break }
            guard fill(fd, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        buffer.removeFirst(headEnd! + 4)
        let verify = verifyPatternBodies
        var body: [UInt8] = []
        var verifier = PatternBody.Verifier()
        func take(_ n: Int) {
            if verify {
                buffer.withUnsafeBytes { verifier.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            } else {
                body += buffer[0..<n]
            }
            buffer.removeFirst(n)
        }
        let chunked = headers.contains { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }
        if chunked {
            while true {
                var lineEnd: Int? = nil
                while lineEnd == nil {
                    if let r = find([13, 10], in: buffer) { lineEnd = r; break }
                    guard fill(fd, &buffer) else { return nil }
                }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
                buffer.removeFirst(lineEnd! + 2)
                var remaining = size
                while remaining > 0 {
                    if buffer.isEmpty { guard fill(fd, &buffer) else { return nil } }
                    let n = min(remaining, buffer.count)
                    take(n)
                    remaining -= n
                }
                while buffer.count < 2 { guard fill(fd, &buffer) else { return nil } }
                buffer.removeFirst(2)
                if size == 0 { break }
            }
        } else {
            var remaining = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
            while remaining > 0 {
                if buffer.isEmpty { guard fill(fd, &buffer) else { return nil } }
                let n = min(remaining, buffer.count)
                take(n)
                remaining -= n
            }
        }
        var request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body, connection: id)
        request.bodyLength = verify ? verifier.offset : body.count
        request.bodyIsPattern = verify ? verifier.intact : false
        return request
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// Listening and connecting sockets on 127.0.0.1, for the test servers.
public enum LoopbackSocket {
    /// A socket listening on 127.0.0.1 on a port the OS chose, with `backlog`.
    public static func listen(backlog: Int32) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = address(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && Glibc.listen(fd, backlog) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// A blocking connect to 127.0.0.1:`port`; the socket, or nil if it failed.
    public static func connect(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = address(port: port)
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { return fd }
        close(fd)
        return nil
    }

    private static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }
}

/// A loopback listener that never accepts and whose accept queue is full, so the kernel drops
/// the SYN of any further connect: the one way to make a connect to 127.0.0.1 hang.
/// With a backlog of 0 Linux queues one connection; the filler connection's arrival in the
/// queue is observed through TCP_INFO (for a listening socket, tcpi_unacked is the queue
/// length), not waited for.
public final class FullBacklogListener {
    public let port: UInt16
    private let listener: Int32
    private let filler: Int32

    public init() throws {
        struct Failure: Error, CustomStringConvertible { let description: String }
        (listener, port) = try LoopbackSocket.listen(backlog: 0)
        guard let filler = LoopbackSocket.connect(port: port) else {
            close(listener)
            throw Failure(description: "the filler connection to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        self.filler = filler
        // The handshake's last ACK may still be on its way to the listener: observe the queue.
        for _ in 0..<100_000 where queued() < 1 { sched_yield() }
        guard queued() >= 1 else { throw Failure(description: "the filler connection never reached the accept queue") }
    }

    private func queued() -> UInt32 {
        var info = tcp_info()
        var size = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(listener, Int32(IPPROTO_TCP), TCP_INFO, &info, &size) == 0 else { return 0 }
        return info.tcpi_unacked
    }

    deinit {
        close(filler)
        close(listener)
    }
}
