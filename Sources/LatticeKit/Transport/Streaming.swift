import Synchronization
public import SigV4
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A request body read while it is sent, instead of held whole in `HTTPRequest.body`: a file,
/// or chunks from an async sequence. Set it as `HTTPRequest.bodySource`.
///
/// A body that can be read again from its start (a file, or a sequence made afresh for each
/// attempt) lets a failed attempt be retried; one that cannot (`once`) makes the request a
/// single attempt. The body is not part of the signature, so a streamed body needs a service
/// signed with `UNSIGNED-PAYLOAD` (as `LatticeServiceClient` signs).
public struct HTTPBodySource: Sendable, Hashable, CustomStringConvertible {
    /// The body's size in bytes when known before sending (a file's size): it goes out with
    /// `Content-Length`. Nil: sent chunked (HTTP/1.1) or until the stream ends (HTTP/2).
    public let length: Int?
    /// Whether the body can be read again from its start, so that a failed attempt can be
    /// retried with the whole body.
    public var isReplayable: Bool { opener.replayable }
    /// What the body is, for messages: `the file PATH` or `the body stream`.
    public var description: String { opener.what }

    let opener: Opener

    /// Opens the body once per attempt.
    final class Opener: Sendable {
        enum Kind: Sendable {
            case file(String)
            /// Calls its argument with each chunk, in order, until the sequence ends.
            case chunks(@Sendable (_ sink: ([UInt8]) async throws -> Void) async throws -> Void)
        }
        let kind: Kind
        let replayable: Bool
        let what: String
        let opened = Atomic<Bool>(false)

        init(_ kind: Kind, replayable: Bool, what: String) {
            self.kind = kind
            self.replayable = replayable
            self.what = what
        }

        /// Refuses a second reading of a body that is read once.
        func checkOpen() throws {
            let already = opened.exchange(true, ordering: .sequentiallyConsistent)
            if already && !replayable {
                throw TransportError(.invalidRequest, "\(what) was already read by an earlier attempt and cannot be read again; give a replayable body source (HTTPBodySource.file or HTTPBodySource.stream) to retry")
            }
        }
    }

    /// The regular file at `path`, read from its start at each attempt; its size now is the
    /// `Content-Length`. A file whose size changes before an attempt, or that ends early while
    /// it is sent, fails that attempt.
    ///
    /// - Throws: `TransportError` (`.invalidRequest`) when the path is not a readable regular
    ///   file (a FIFO or a device would block or never end).
    public static func file(_ path: String) throws -> HTTPBodySource {
        let file = try FileBodyReader(path: path, expected: nil)
        let size = file.size
        file.close()
        return HTTPBodySource(length: size, opener: Opener(.file(path), replayable: true, what: "the file \(path)"))
    }

    /// A body made of the chunks of the sequence `makeChunks` returns; it is called once per
    /// attempt, so that a retry sends the body again from its start.
    ///
    /// - Parameters:
    ///   - length: the total size when known (sent as `Content-Length`; a sequence that ends
    ///     before it fails the attempt, bytes past it are not sent); nil to send it chunked.
    ///   - makeChunks: makes a fresh sequence of the body's chunks.
    public static func stream<S: AsyncSequence & Sendable>(length: Int? = nil, _ makeChunks: @escaping @Sendable () -> S) -> HTTPBodySource where S.Element == [UInt8] {
        HTTPBodySource(length: length, opener: Opener(.chunks({ sink in
            for try await chunk in makeChunks() { try await sink(chunk) }
        }), replayable: true, what: "the body stream"))
    }

    /// A body read once from `chunks`: the request gets one attempt, never a retry.
    ///
    /// - Parameters:
    ///   - length: the total size when known; nil to send it chunked.
    ///   - chunks: the body's chunks.
    public static func once<S: AsyncSequence & Sendable>(length: Int? = nil, _ chunks: S) -> HTTPBodySource where S.Element == [UInt8] {
        HTTPBodySource(length: length, opener: Opener(.chunks({ sink in
            for try await chunk in chunks { try await sink(chunk) }
        }), replayable: false, what: "the one-time body stream"))
    }

    /// Reads the whole body into memory: for a transport that does not stream.
    public func collect() async throws -> [UInt8] {
        try opener.checkOpen()
        switch opener.kind {
        case let .file(path):
            let reader = try FileBodyReader(path: path, expected: length)
            defer { reader.close() }
            var all: [UInt8] = []
            all.reserveCapacity(reader.size)
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) } ?? 0
                if n == 0 { break }
                all.append(contentsOf: chunk[0..<n])
            }
            try checkLength(all.count)
            return all
        case let .chunks(drain):
            var all: [UInt8] = []
            try await drain { all.append(contentsOf: $0) }
            try checkLength(all.count)
            return all
        }
    }

    private func checkLength(_ count: Int) throws {
        if let length, length != count {
            throw TransportError(.invalidRequest, "\(opener.what) held \(count) bytes, not the \(length) announced as its length; give the right length, or nil to send it chunked")
        }
    }

    /// A reader for one attempt, on the engine's thread.
    func open(capacity: Int) throws -> any BodyReader {
        try opener.checkOpen()
        switch opener.kind {
        case let .file(path):
            return try FileBodyReader(path: path, expected: length)
        case let .chunks(drain):
            return ChunkPump(drain, capacity: capacity, what: opener.what)
        }
    }

    public static func == (a: HTTPBodySource, b: HTTPBodySource) -> Bool { a.opener === b.opener }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(opener)) }
}

/// Where the transport's engine reads a request body, on its own thread: a read never waits
/// for long (a file read), or says there is nothing yet (a stream's producer is behind).
protocol BodyReader: AnyObject, Sendable {
    /// Copies up to `buffer.count` bytes: their number (0 at the end), or nil when there are
    /// none yet; `onReady` is called when there are.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int?
    /// Called (from any thread) when a read that returned nil would now return bytes.
    func setOnReady(_ ready: (@Sendable () -> Void)?)
    /// The most bytes the reader has held at once (0 for a file, read straight into libcurl's buffer).
    var peakBuffered: Int { get }
    /// Releases the file or stops the producer; later reads fail.
    func close()
}

private func posixClose(_ fd: Int32) { _ = close(fd) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }

/// A regular file read from its start, with no buffer of its own.
final class FileBodyReader: BodyReader, @unchecked Sendable {
    private let fd: Mutex<Int32>
    let path: String
    let size: Int

    /// Opens `path` (non-blocking, so a FIFO cannot hang the open) and checks that it is a
    /// regular file of `expected` bytes when given.
    init(path: String, expected: Int?) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            throw TransportError(.invalidRequest, "cannot read the request body from \(path): \(FileAccess.reason(errno)); give a readable regular file")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = FileAccess.reason(errno)
            posixClose(fd)
            throw TransportError(.invalidRequest, "cannot read the request body from \(path): \(reason); give a readable regular file")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            posixClose(fd)
            throw TransportError(.invalidRequest, "cannot send \(path) as a request body: it is \(FileAccess.kind(type)), not a regular file; give a regular file")
        }
        size = Int(info.st_size)
        if let expected, expected != size {
            posixClose(fd)
            throw TransportError(.invalidRequest, "the request body \(path) changed size between attempts (\(expected) bytes, now \(size)); send it again once it is complete")
        }
        self.fd = Mutex(fd)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        try fd.withLock { fd in
            guard fd >= 0 else { throw TransportError(.invalidRequest, "the request body \(path) was closed while it was sent") }
            while true {
                let n = posixRead(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw TransportError(.invalidRequest, "cannot read the request body from \(path): \(FileAccess.reason(errno))")
            }
        }
    }

    func setOnReady(_ ready: (@Sendable () -> Void)?) {}
    var peakBuffered: Int { 0 }

    func close() {
        fd.withLock { fd in
            if fd >= 0 { posixClose(fd) }
            fd = -1
        }
    }

    deinit { close() }
}

/// Chunks from an async sequence, pumped by a task of their own into a bounded buffer that
/// the engine reads: the producer waits while the buffer holds `capacity` bytes or more.
final class ChunkPump: BodyReader, Sendable {
    struct State {
        var chunks: [[UInt8]] = []
        var offset = 0
        var buffered = 0
        var peak = 0
        var done = false
        var failure: (any Error)?
        var closed = false
        var readerWaiting = false
        var onReady: (@Sendable () -> Void)?
        var producer: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let what: String
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ drain: @escaping @Sendable (_ sink: ([UInt8]) async throws -> Void) async throws -> Void, capacity: Int, what: String) {
        self.capacity = max(1, capacity)
        self.what = what
        let t = Task { [self] in
            do {
                try await drain { chunk in try await self.push(chunk) }
                end(nil)
            } catch {
                end(error)
            }
        }
        task.withLock { $0 = t }
    }

    private func push(_ chunk: [UInt8]) async throws {
        guard !chunk.isEmpty else { return }
        let ready: (@Sendable () -> Void)? = try state.withLock { s in
            if s.closed { throw CancellationError() }
            s.chunks.append(chunk)
            s.buffered += chunk.count
            s.peak = max(s.peak, s.buffered)
            guard s.readerWaiting else { return nil }
            s.readerWaiting = false
            return s.onReady
        }
        ready?()
        // Wait while the buffer is full; the engine's reads resume this.
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let now: Result<Void, any Error>? = state.withLock { s in
                if s.closed { return .failure(CancellationError()) }
                if s.buffered < capacity { return .success(()) }
                s.producer = c
                return nil
            }
            if let now { c.resume(with: now) }
        }
    }

    private func end(_ error: (any Error)?) {
        let ready: (@Sendable () -> Void)? = state.withLock { s in
            s.done = true
            if s.failure == nil { s.failure = error }
            guard s.readerWaiting else { return nil }
            s.readerWaiting = false
            return s.onReady
        }
        ready?()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        let (n, producer): (Int?, CheckedContinuation<Void, any Error>?) = try state.withLock { s in
            var copied = 0
            while copied < buffer.count, !s.chunks.isEmpty {
                let n = s.chunks[0].withUnsafeBytes { chunk in
                    let n = min(buffer.count - copied, chunk.count - s.offset)
                    (buffer.baseAddress! + copied).copyMemory(from: chunk.baseAddress! + s.offset, byteCount: n)
                    return n
                }
                copied += n
                s.offset += n
                s.buffered -= n
                if s.offset == s.chunks[0].count {
                    s.chunks.removeFirst()
                    s.offset = 0
                }
            }
            var resume: CheckedContinuation<Void, any Error>?
            if s.buffered < capacity, let p = s.producer {
                s.producer = nil
                resume = p
            }
            if copied > 0 { return (copied, resume) }
            if s.done {
                if let failure = s.failure { throw failure }
                return (0, resume)
            }
            s.readerWaiting = true
            return (nil, resume)
        }
        producer?.resume()
        return n
    }

    func setOnReady(_ ready: (@Sendable () -> Void)?) {
        state.withLock { $0.onReady = ready }
    }

    var peakBuffered: Int { state.withLock { $0.peak } }

    func close() {
        let producer = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.closed = true
            s.onReady = nil
            s.chunks.removeAll()
            s.buffered = 0
            defer { s.producer = nil }
            return s.producer
        }
        producer?.resume(throwing: CancellationError())
        task.withLock { $0?.cancel() }
    }
}

/// A response whose body is read as it arrives: the status and headers come as soon as the
/// server sends them.
public struct HTTPStreamedResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The headers.
    public var headers: HTTPHeaders
    /// The body, in chunks as they arrive.
    public var body: HTTPResponseBody

    /// A streamed response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The headers.
    ///   - body: The body.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: HTTPResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response that is already whole, as a stream.
    public init(_ response: HTTPResponse) {
        self.init(status: response.status, headers: response.headers, body: HTTPResponseBody(response.body))
    }
}

/// The body of a streamed response: chunks of bytes in order, as the server sends them, with
/// no limit on the total (the consumer decides). Read it once.
///
/// The transport holds a bounded buffer (1 MiB by default, `CurlTransport.Configuration.streamBufferSize`)
/// and stops reading from the network while it is full, so a slow consumer slows the server
/// rather than filling memory. Iteration throws `TransportError` when the transfer fails
/// midway (the connection closed early, the read timeout or the minimum rate): a body cut
/// short never ends as if it were whole. Cancelling the task that iterates, or dropping the
/// body unread, aborts the transfer.
public final class HTTPResponseBody: AsyncSequence, Sendable {
    /// A chunk of the body.
    public typealias Element = [UInt8]
    let pipe: ResponsePipe
    /// Bytes read already (by the retry loop), handed out before the pipe's.
    private let prefix: Mutex<[UInt8]?>
    /// False once another body took the pipe over (`prefixed(by:)`).
    private let owner = Atomic<Bool>(true)

    init(pipe: ResponsePipe, prefix: [UInt8]? = nil) {
        self.pipe = pipe
        self.prefix = Mutex(prefix)
    }

    /// A body that is already whole.
    public convenience init(_ bytes: [UInt8]) {
        self.init(pipe: ResponsePipe(whole: bytes))
    }

    deinit {
        if owner.load(ordering: .sequentiallyConsistent) { pipe.abandon() }
    }

    /// This body with `bytes` (read from it already) put back in front; this one is not to
    /// be read any more.
    func prefixed(by bytes: [UInt8]) -> HTTPResponseBody {
        owner.store(false, ordering: .sequentiallyConsistent)
        return HTTPResponseBody(pipe: pipe, prefix: bytes)
    }

    func next() async throws -> [UInt8]? {
        if let first = prefix.withLock({ p -> [UInt8]? in defer { p = nil }; return p }), !first.isEmpty {
            return first
        }
        return try await pipe.next()
    }

    /// Reads the body's chunks in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let body: HTTPResponseBody

        /// The next chunk, or nil at the end of the body.
        ///
        /// - Throws: `TransportError` when the transfer failed before the end;
        ///   `CancellationError` when the task was cancelled.
        public mutating func next() async throws -> [UInt8]? {
            try await body.next()
        }
    }

    /// An iterator over the chunks.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }

    /// Reads the rest of the body into one array.
    ///
    /// - Parameter limit: the most bytes accepted.
    /// - Throws: `TransportError` (`.responseTooLarge`) past `limit`, which ends the transfer;
    ///   the errors of iteration.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in self {
            guard all.count + chunk.count <= limit else {
                pipe.abandon()
                throw TransportError(.responseTooLarge, "the response body is larger than the limit of \(limit) bytes; read it as a stream (LatticeServiceClient.stream), or raise the limit if that is expected")
            }
            all.append(contentsOf: chunk)
        }
        return all
    }

    /// The most bytes the transport's buffer held at once for this body (tests and diagnostics).
    package var peakBufferedBytes: Int { pipe.peak }
}

/// The buffer between the engine (which offers what libcurl delivers) and the body's reader.
final class ResponsePipe: Sendable {
    struct State {
        var chunks: [[UInt8]] = []
        var buffered = 0
        var peak = 0
        var end: Result<Void, any Error>?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        /// The engine paused the transfer (the buffer was full) and waits for `resumeWanted`.
        var paused = false
        var resumeWanted = false
    }

    let capacity: Int
    private let state: Mutex<State>
    /// Set when the reader cancelled or went away; the engine ends the transfer.
    let cancelled = Atomic<Bool>(false)
    private let wake: @Sendable () -> Void

    init(capacity: Int, wake: @escaping @Sendable () -> Void) {
        self.capacity = max(1, capacity)
        self.wake = wake
        state = Mutex(State())
    }

    init(whole bytes: [UInt8]) {
        capacity = max(1, bytes.count)
        wake = {}
        var s = State()
        if !bytes.isEmpty { s.chunks = [bytes] }
        s.buffered = bytes.count
        s.peak = bytes.count
        s.end = .success(())
        state = Mutex(s)
    }

    var peak: Int { state.withLock { $0.peak } }

    // MARK: engine side

    /// Takes `bytes` unless the buffer is too full (then the engine pauses the transfer).
    func offer(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0 else { return true }
        let (accepted, waiter): (Bool, CheckedContinuation<[UInt8]?, any Error>?) = state.withLock { s in
            if s.buffered > 0 && s.buffered + n > capacity {
                s.paused = true
                return (false, nil)
            }
            if let w = s.waiter {
                // The reader waits, so the buffer is empty: straight to it.
                s.waiter = nil
                s.peak = max(s.peak, n)
                return (true, w)
            }
            // Small deliveries are gathered, so the reader's chunks stay a useful size.
            if let last = s.chunks.last, last.count < 16_384, s.chunks.count > 1 {
                s.chunks[s.chunks.count - 1].append(contentsOf: bytes)
            } else {
                s.chunks.append(Array(bytes))
            }
            s.buffered += n
            s.peak = max(s.peak, s.buffered)
            return (true, nil)
        }
        waiter?.resume(returning: Array(bytes))
        return accepted
    }

    /// True once, when the reader has made room after a pause.
    func takeResume() -> Bool {
        state.withLock { s in
            guard s.resumeWanted else { return false }
            s.resumeWanted = false
            s.paused = false
            return true
        }
    }

    /// The transfer is over: the reader gets the rest, then the end or the error.
    func finish(_ result: Result<Void, any Error>) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { s in
            guard s.end == nil else { return nil }
            s.end = result
            guard s.chunks.isEmpty, let w = s.waiter else { return nil }
            s.waiter = nil
            return w
        }
        waiter?.resume(with: result.map { nil })
    }

    // MARK: reader side

    func next() async throws -> [UInt8]? {
        if Task.isCancelled {
            abandon()
            throw CancellationError()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8]?, any Error>) in
                let (now, wakeEngine): (Result<[UInt8]?, any Error>?, Bool) = state.withLock { s in
                    if !s.chunks.isEmpty {
                        let chunk = s.chunks.removeFirst()
                        s.buffered -= chunk.count
                        var wakeEngine = false
                        if s.paused, !s.resumeWanted, s.buffered <= capacity / 2 {
                            s.resumeWanted = true
                            wakeEngine = true
                        }
                        return (.success(chunk), wakeEngine)
                    }
                    if let end = s.end { return (end.map { nil }, false) }
                    s.waiter = c
                    if s.paused, !s.resumeWanted {
                        s.resumeWanted = true
                        return (nil, true)
                    }
                    return (nil, false)
                }
                if wakeEngine { wake() }
                if let now { c.resume(with: now) }
            }
        } onCancel: {
            abandon()
        }
    }

    /// Nobody will read the rest: the engine ends the transfer (a no-op once it is over).
    func abandon() {
        let over = state.withLock { $0.end != nil }
        guard !over else { return }
        cancelled.store(true, ordering: .sequentiallyConsistent)
        wake()
    }
}
