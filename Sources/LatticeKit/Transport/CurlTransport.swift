import CCurl
import Synchronization
import SigV4
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The production `Transport`: libcurl's multi interface, driven by one dedicated thread.
///
/// Why one thread and the multi interface: Swift's cooperative pool must never block, and
/// libcurl's easy interface blocks. The multi interface runs any number of transfers from a
/// single thread that sleeps in `curl_multi_poll`, so concurrency costs no threads, and its
/// shared connection cache gives keep-alive reuse across requests to the same host. Callers
/// suspend on a continuation that the engine thread resumes; cancelling the calling task
/// removes its transfer from the multi handle, which aborts it.
public final class CurlTransport: Transport {
    /// How the libcurl transport connects: timeouts, pool size, TLS and proxies.
    public struct Configuration: Sendable, Hashable {
        /// Connect and read timeouts; a request's own `timeouts` win.
        public var timeouts: HTTPTimeouts
        /// The most connections open at once, and kept alive for reuse (the pool bound).
        /// Default 128: over HTTP/1.1 each request in flight holds a connection, and a topology
        /// apply keeps up to `TopologyOptions.defaultMaxConcurrentCalls` (128) in flight; HTTP/2
        /// multiplexes many on one connection. Connections are opened as requests need them,
        /// and cost descriptors, not threads.
        public var maxConnections: Int
        /// The largest response body accepted; a larger one fails with `.responseTooLarge`.
        public var maxResponseBytes: Int
        /// Verify TLS certificates and host names (on unless asked otherwise).
        public var verifyTLS: Bool
        /// A PEM file of CA certificates to trust instead of the system's (`AWS_CA_BUNDLE`).
        public var caBundlePath: String?
        /// Proxy for `http://` URLs (`HTTP_PROXY`).
        public var httpProxy: String?
        /// Proxy for `https://` URLs (`HTTPS_PROXY`).
        public var httpsProxy: String?
        /// Hosts reached without a proxy (`NO_PROXY`: comma-separated names, `*` for all).
        public var noProxy: String?
        /// Offer HTTP/2 (over TLS, by ALPN) and use it when the server agrees.
        public var allowHTTP2: Bool
        /// The most bytes of a streamed response body held for a consumer that is behind
        /// (`stream`); when it is full the transfer pauses, so the server waits. Also the
        /// buffer ahead of a request body streamed from an async sequence.
        public var streamBufferSize: Int

        /// A configuration; the defaults are what a client uses when nothing is set.
        public init(
            timeouts: HTTPTimeouts = HTTPTimeouts(),
            maxConnections: Int = 128,
            maxResponseBytes: Int = 32 << 20,
            verifyTLS: Bool = true,
            caBundlePath: String? = nil,
            httpProxy: String? = nil,
            httpsProxy: String? = nil,
            noProxy: String? = nil,
            allowHTTP2: Bool = true,
            streamBufferSize: Int = 1 << 20
        ) {
            self.timeouts = timeouts
            self.maxConnections = maxConnections
            self.maxResponseBytes = maxResponseBytes
            self.verifyTLS = verifyTLS
            self.caBundlePath = caBundlePath
            self.httpProxy = httpProxy
            self.httpsProxy = httpsProxy
            self.noProxy = noProxy
            self.allowHTTP2 = allowHTTP2
            self.streamBufferSize = streamBufferSize
        }

        /// Reads `AWS_CA_BUNDLE`, `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (upper or lower
        /// case, upper case first) from `variables`.
        public static func fromEnvironment(_ variables: [String: String], base: Configuration = Configuration()) -> Configuration {
            func value(_ name: String) -> String? {
                for key in [name, name.lowercased()] {
                    if let v = variables[key], !v.isEmpty { return v }
                }
                return nil
            }
            var c = base
            c.caBundlePath = value("AWS_CA_BUNDLE") ?? c.caBundlePath
            c.httpProxy = value("HTTP_PROXY") ?? c.httpProxy
            c.httpsProxy = value("HTTPS_PROXY") ?? c.httpsProxy
            c.noProxy = value("NO_PROXY") ?? c.noProxy
            return c
        }
    }

    /// The configuration it was made with.
    public let configuration: Configuration
    private let engine: CurlEngine

    /// Starts the engine thread. Throws when libcurl cannot be initialised.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        engine = try CurlEngine(configuration: configuration)
    }

    deinit {
        engine.shutdown()
    }

    /// Sends the request and returns the whole response (up to `maxResponseBytes`); a
    /// `bodySource` is streamed from its source as it is sent.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try makeTransfer(request, pipe: nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.continuation = continuation
                engine.submit(transfer)
            }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .sequentiallyConsistent)
            engine.wake()
        }
    }

    /// Sends the request (a `bodySource` streamed as it is sent) and returns when the status
    /// and headers arrive; the body follows through a buffer of `streamBufferSize` bytes, the
    /// transfer paused while it is full. No total size limit applies to the body.
    ///
    /// Limits: the connect timeout; the read timeout and the minimum rate, except while the
    /// transfer waits for this side (the body's reader is behind, or a request body stream
    /// has nothing yet); the attempt timeout and the request's `timeLimit` until the headers
    /// arrive, the time spent sending a `bodySource` excepted. Streaming time is the caller's
    /// to bound: cancel the reading task.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamedResponse {
        let pipe = ResponsePipe(capacity: configuration.streamBufferSize, wake: { [engine] in engine.wake() })
        let transfer = try makeTransfer(request, pipe: pipe)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPStreamedResponse, any Error>) in
                transfer.headContinuation = continuation
                engine.submit(transfer)
            }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .sequentiallyConsistent)
            engine.wake()
        }
    }

    private func makeTransfer(_ request: HTTPRequest, pipe: ResponsePipe?) throws -> Transfer {
        let upload = try request.bodySource?.open(capacity: configuration.streamBufferSize)
        let transfer = Transfer(request: request, timeouts: request.timeouts ?? configuration.timeouts, limit: pipe == nil ? configuration.maxResponseBytes : .max, pipe: pipe, upload: upload)
        upload?.setOnReady { [engine, weak transfer] in
            transfer?.sendReady.store(true, ordering: .sequentiallyConsistent)
            engine.wake()
        }
        return transfer
    }

    /// The number of transfers in flight (for tests and diagnostics).
    public var activeTransfers: Int { engine.activeCount.load(ordering: .relaxed) }

    /// The most bytes of a request body held ahead of the network at once, over the
    /// transfers finished so far (tests and diagnostics).
    package var peakUploadBuffered: Int { engine.peakUploadBuffered.load(ordering: .relaxed) }
}

/// One request in flight. Created by the caller, then touched only by the engine thread,
/// apart from `cancelled`.
final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let timeouts: HTTPTimeouts
    let limit: Int
    let cancelled = Atomic<Bool>(false)
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// Streaming: the caller waiting for the head, the buffer the body goes through, and
    /// whether the head was handed over (then failures go to the body's reader).
    var headContinuation: CheckedContinuation<HTTPStreamedResponse, any Error>?
    let pipe: ResponsePipe?
    var headDelivered = false
    /// Paused by the write callback: the pipe was full.
    var recvPaused = false
    /// A request body read while it is sent: the reader, its declared length, the bytes
    /// given to libcurl, when the last was, and why reading it failed.
    let upload: (any BodyReader)?
    var uploaded = 0
    var uploadDoneAt: UInt64 = 0
    var uploadFailure: (any Error)?
    /// Paused by the read callback: the body stream had nothing yet; `sendReady` says it has.
    var sendPaused = false
    let sendReady = Atomic<Bool>(false)

    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var tooLarge = false
    var requestSent = false
    var lastActivity: UInt64 = 0
    /// When the engine started the transfer.
    var startedAt: UInt64 = 0
    /// The start of the current minimum-rate window (0 until the response's first byte), and
    /// the bytes received in it.
    var rateWindowStart: UInt64 = 0
    var rateWindowBytes = 0
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(request: HTTPRequest, timeouts: HTTPTimeouts, limit: Int, pipe: ResponsePipe? = nil, upload: (any BodyReader)? = nil) {
        self.request = request
        self.timeouts = timeouts
        self.limit = limit
        self.pipe = pipe
        self.upload = upload
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
        upload?.close()
    }

    /// Resumes the caller once; later calls do nothing. Streaming: a success ends the body
    /// (handing over the head first if it was not), a failure goes to whoever waits.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        upload?.close()
        if let pipe {
            switch result {
            case let .success(response):
                if !headDelivered {
                    headers = response.headers
                    deliverHead(status: response.status)
                }
                pipe.finish(.success(()))
            case let .failure(error):
                pipe.finish(.failure(error))
                if let c = headContinuation {
                    headContinuation = nil
                    c.resume(throwing: error)
                }
            }
            return
        }
        guard let c = continuation else { return }
        continuation = nil
        c.resume(with: result)
    }

    /// Streaming: the status and headers go to the caller; the body follows through the pipe.
    func deliverHead(status: Int) {
        guard let pipe, !headDelivered, let c = headContinuation else { return }
        headDelivered = true
        headContinuation = nil
        c.resume(returning: HTTPStreamedResponse(status: status, headers: headers, body: HTTPResponseBody(pipe: pipe)))
    }

    /// Copies the next bytes of the request body for libcurl's read callback: their count,
    /// 0 at the end, `CURL_READFUNC_PAUSE` when a stream has nothing yet, or
    /// `CURL_READFUNC_ABORT` when the source failed or ended short (`uploadFailure` says how).
    func readUpload(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let upload else { return 0 }
        let length = request.bodySource?.length
        var room = buffer.count
        if let length { room = min(room, max(0, length - uploaded)) }
        let now = monotonicNanoseconds()
        if room == 0 {
            if uploadDoneAt == 0 { uploadDoneAt = now }
            return 0
        }
        do {
            guard let n = try upload.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room])) else {
                sendPaused = true
                return Int(CURL_READFUNC_PAUSE)
            }
            if n == 0 {
                if let length, uploaded < length {
                    uploadFailure = TransportError(.invalidRequest, "\(request.bodySource?.description ?? "the request body") ended after \(uploaded) of the \(length) bytes announced; send it again once it is complete, or give no length to send it chunked")
                    return Int(CURL_READFUNC_ABORT)
                }
                if uploadDoneAt == 0 { uploadDoneAt = now }
                return 0
            }
            uploaded += n
            lastActivity = now
            if let length, uploaded >= length, uploadDoneAt == 0 { uploadDoneAt = now }
            return n
        } catch {
            uploadFailure = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// This side holds the transfer up (a full pipe, a body stream with nothing yet): the
    /// server's limits do not count meanwhile.
    var waitingForUs: Bool { recvPaused || sendPaused }

    var readDeadline: UInt64? {
        guard requestSent, !waitingForUs else { return nil }
        return lastActivity &+ nanoseconds(timeouts.read)
    }

    /// When the whole transfer must be over, and whether the caller's own time limit (rather
    /// than the attempt timeout) is what sets it. Nil while a body streams: a request body
    /// being sent (the limits count from its end), a response body once its head was handed over.
    var deadline: (at: UInt64, isCallLimit: Bool)? {
        if headDelivered { return nil }
        var base = startedAt
        if upload != nil {
            guard uploadDoneAt != 0 else { return nil }
            base = uploadDoneAt
        }
        let attempt = base &+ nanoseconds(timeouts.attempt)
        if let limit = request.timeLimit {
            let call = base &+ nanoseconds(limit)
            if call < attempt { return (call, true) }
        }
        return (attempt, false)
    }

    /// After a pause: the read timeout and the rate window start again.
    func resumed(at now: UInt64) {
        lastActivity = now
        if rateWindowStart != 0 {
            rateWindowStart = now
            rateWindowBytes = 0
        }
    }

    /// Counts response bytes for the minimum-rate check; the first starts its window.
    func received(_ count: Int, at now: UInt64) {
        lastActivity = now
        if rateWindowStart == 0 { rateWindowStart = now }
        rateWindowBytes += count
    }

    /// Nil while the response keeps the minimum rate (the window restarts when it ends having
    /// kept it), else the failure; `nextCheck` is when to look again.
    func rateCheck(now: UInt64, nextCheck: inout UInt64) -> TransportError? {
        guard timeouts.minimumRate > 0, timeouts.minimumRateWindow > 0, rateWindowStart != 0, !waitingForUs else { return nil }
        let end = rateWindowStart &+ nanoseconds(timeouts.minimumRateWindow)
        guard now >= end else {
            nextCheck = min(nextCheck, end)
            return nil
        }
        let needed = Double(timeouts.minimumRate) * timeouts.minimumRateWindow
        if Double(rateWindowBytes) < needed {
            return TransportError(.tooSlow, "the response from \(CurlEngine.host(request.url)) came at fewer than \(timeouts.minimumRate) bytes/s over \(HTTPTimeouts.describe(timeouts.minimumRateWindow)) (\(rateWindowBytes) bytes; minimum transfer rate): check the network or the server, or allow slower responses with timeouts.minimumRate and timeouts.minimumRateWindow (LatticeConfiguration.timeouts)")
        }
        rateWindowStart = now
        rateWindowBytes = 0
        nextCheck = min(nextCheck, now &+ nanoseconds(timeouts.minimumRateWindow))
        return nil
    }
}

/// Seconds as a count of nanoseconds, saturating (a year or `.infinity` is "no limit").
@inline(__always)
func nanoseconds(_ seconds: Double) -> UInt64 {
    guard seconds > 0 else { return 0 }
    guard seconds < 1e9 else { return UInt64(1e18) }
    return UInt64(seconds * 1_000_000_000)
}

@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// The engine thread and the multi handle it owns.
final class CurlEngine: @unchecked Sendable {
    private struct Inbox {
        var added: [Transfer] = []
        var stopping = false
    }

    private let configuration: CurlTransport.Configuration
    // Touched only by the engine thread after init:
    private let multi: UnsafeMutableRawPointer
    private var active: [ObjectIdentifier: Transfer] = [:]
    private var spareHandles: [UnsafeMutableRawPointer] = []
    // Shared with callers:
    private let inbox = Mutex(Inbox())
    let activeCount = Atomic<Int>(0)
    let peakUploadBuffered = Atomic<Int>(0)
    private var thread: pthread_t?

    init(configuration: CurlTransport.Configuration) throws {
        guard curlGlobalInit == CURLE_OK else {
            throw TransportError(.other, "libcurl failed to initialise (curl_global_init returned \(curlGlobalInit.rawValue)); check the libcurl installation")
        }
        guard let m = curl_multi_init() else {
            throw TransportError(.other, "libcurl could not create a multi handle (out of memory?)")
        }
        self.configuration = configuration
        multi = m
        let pool = max(1, configuration.maxConnections)
        lk_multi_setopt_long(m, CURLMOPT_MAXCONNECTS, pool)
        lk_multi_setopt_long(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, pool)
        lk_multi_setopt_long(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)

        var t = pthread_t()
        let box = Unmanaged.passRetained(self)
        let rc = pthread_create(&t, nil, { arg in
            let engine = Unmanaged<CurlEngine>.fromOpaque(arg!).takeRetainedValue()
            engine.run()
            return nil
        }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            curl_multi_cleanup(m)
            throw TransportError(.other, "could not start the HTTP engine thread (pthread_create: \(rc))")
        }
        thread = t
        pthread_detach(t)
    }

    func submit(_ transfer: Transfer) {
        inbox.withLock { $0.added.append(transfer) }
        curl_multi_wakeup(multi)
    }

    func wake() {
        curl_multi_wakeup(multi)
    }

    func shutdown() {
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    // MARK: - Engine thread

    private func run() {
        var stopping = false
        while true {
            let (added, stop) = inbox.withLock { state -> ([Transfer], Bool) in
                let a = state.added
                state.added.removeAll()
                return (a, state.stopping)
            }
            stopping = stop
            for t in added { start(t) }
            if stopping {
                for t in Array(active.values) {
                    complete(t, .failure(TransportError(.other, "the HTTP transport was shut down while the request was in flight")))
                }
                break
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            while true {
                var left: Int32 = 0
                guard let msg = curl_multi_info_read(multi, &left) else { break }
                if msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle {
                    finishDone(easy: easy, code: lk_msg_result(msg))
                }
            }
            // Cancellations, and the limits curl does not keep for us.
            let now = monotonicNanoseconds()
            var nearest: UInt64 = .max
            var resumedAny = false
            for t in Array(active.values) {
                if t.cancelled.load(ordering: .sequentiallyConsistent) || t.pipe?.cancelled.load(ordering: .sequentiallyConsistent) == true {
                    complete(t, .failure(CancellationError()))
                    continue
                }
                if t.waitingForUs, resume(t, now: now) { resumedAny = true }
                if let failure = overLimit(t, now: now, nearest: &nearest) {
                    complete(t, .failure(failure))
                }
            }
            var timeout: Int = 0
            curl_multi_timeout(multi, &timeout)
            var wait = Int32(timeout < 0 ? 1000 : min(timeout, 1000))
            if resumedAny { wait = 0 }
            if nearest != .max {
                let untilDeadline = Int32(min((nearest &- now) / 1_000_000 + 1, 1000))
                wait = min(wait, untilDeadline)
            }
            if wait > 0 {
                curl_multi_poll(multi, nil, 0, wait, nil)
            }
        }
        for easy in spareHandles { curl_easy_cleanup(easy) }
        spareHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    /// Unpauses a streaming transfer whose side is ready again (the body's reader made room,
    /// the request body stream has bytes); true when it did.
    private func resume(_ t: Transfer, now: UInt64) -> Bool {
        guard let easy = t.easy else { return false }
        var changed = false
        if t.recvPaused, let pipe = t.pipe, pipe.takeResume() {
            t.recvPaused = false
            changed = true
        }
        if t.sendPaused, t.sendReady.exchange(false, ordering: .sequentiallyConsistent) {
            t.sendPaused = false
            changed = true
        }
        guard changed else { return false }
        t.resumed(at: now)
        // Per direction: the other one may still be paused. libcurl may call the write
        // callback from inside this call with what it held, which may pause again.
        let mask = (t.recvPaused ? CURLPAUSE_RECV : 0) | (t.sendPaused ? CURLPAUSE_SEND : 0)
        curl_easy_pause(easy, Int32(mask))
        return true
    }

    /// The limit `t` has passed, if any: the call's time limit, the attempt timeout, the read
    /// timeout, the minimum rate. Otherwise lowers `nearest` to the next moment to check.
    private func overLimit(_ t: Transfer, now: UInt64, nearest: inout UInt64) -> TransportError? {
        var host: String { Self.host(t.request.url) }  // for messages only
        if let deadline = t.deadline {
            if now >= deadline.at {
                if deadline.isCallLimit {
                    return TransportError(.callTimeout, "the call's time limit ran out while waiting for \(host) (call timeout); check the server, or allow more time with LatticeConfiguration.callTimeout (the lattice CLI's --cli-call-timeout)")
                }
                return TransportError(.attemptTimeout, "no complete response from \(host) within \(HTTPTimeouts.describe(t.timeouts.attempt)) (attempt timeout); check the server, or allow more time with timeouts.attempt (LatticeConfiguration.timeouts; the lattice CLI's --cli-attempt-timeout)")
            }
            nearest = min(nearest, deadline.at)
        }
        if let read = t.readDeadline {
            if now >= read {
                return TransportError(.readTimeout, "no response data from \(host) for \(HTTPTimeouts.describe(t.timeouts.read)) (read timeout); raise the read timeout or check the server")
            }
            nearest = min(nearest, read)
        }
        return t.rateCheck(now: now, nextCheck: &nearest)
    }

    private func start(_ t: Transfer) {
        t.startedAt = monotonicNanoseconds()
        if t.cancelled.load(ordering: .sequentiallyConsistent) {
            t.finish(.failure(CancellationError()))
            return
        }
        let easy: UnsafeMutableRawPointer
        if let spare = spareHandles.popLast() {
            easy = spare
        } else if let fresh = curl_easy_init() {
            easy = fresh
        } else {
            t.finish(.failure(TransportError(.other, "libcurl could not create a transfer handle (out of memory?)")))
            return
        }
        t.easy = easy
        if let problem = configure(easy, for: t) {
            recycle(easy)
            t.easy = nil
            t.finish(.failure(problem))
            return
        }
        active[ObjectIdentifier(t)] = t
        activeCount.store(active.count, ordering: .relaxed)
        curl_multi_add_handle(multi, easy)
    }

    /// Sets every option of a transfer; returns an error for a request curl cannot make.
    private func configure(_ easy: UnsafeMutableRawPointer, for t: Transfer) -> TransportError? {
        let r = t.request
        let me = Unmanaged.passUnretained(t).toOpaque()
        var ok = true
        func check(_ code: CURLcode) { if code != CURLE_OK { ok = false } }

        check(r.url.withCString { lk_easy_setopt_ptr(easy, CURLOPT_URL, $0) })
        // The path goes out byte for byte as given: curl would otherwise resolve `.` and `..`
        // segments, so the wire would differ from what was signed and what --dry-run shows
        // (and `/rules/..` would reach the listener).
        lk_easy_setopt_long(easy, CURLOPT_PATH_AS_IS, 1)
        lk_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        lk_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, t.errorBuffer)
        lk_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, t.timeouts.connect * 1000)))
        lk_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, configuration.allowHTTP2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        lk_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        lk_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
        lk_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
        if let ca = configuration.caBundlePath {
            check(ca.withCString { lk_easy_setopt_ptr(easy, CURLOPT_CAINFO, $0) })
        }
        // Our own proxy settings, from the injected environment; "" stops curl reading the
        // process environment behind our back.
        let isHTTPS = r.url.utf8.starts(with: "https:".utf8) || r.url.utf8.starts(with: "HTTPS:".utf8)
        let proxy = (isHTTPS ? configuration.httpsProxy : configuration.httpProxy) ?? ""
        check(proxy.withCString { lk_easy_setopt_ptr(easy, CURLOPT_PROXY, $0) })
        if let noProxy = configuration.noProxy {
            check(noProxy.withCString { lk_easy_setopt_ptr(easy, CURLOPT_NOPROXY, $0) })
        }
        // Without PIPEWAIT, a burst of requests to a host with no connection yet opens one
        // connection each, multiplexing nothing: each transfer starts before the first TLS
        // handshake says (by ALPN) whether HTTP/2 will be spoken. With it they wait for that
        // handshake, then share its connection, or open their own if it is HTTP/1.1. Only for
        // https: plain http is never HTTP/2 here, yet curl would hold the burst until the
        // first response arrived to learn that.
        if configuration.allowHTTP2 && isHTTPS {
            lk_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        }

        // Method and body.
        if t.upload != nil {
            // Read while it is sent: a known length goes out as Content-Length, else chunked.
            lk_easy_setopt_long(easy, CURLOPT_UPLOAD, 1)
            lk_easy_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(r.bodySource?.length ?? -1))
            check(r.method.withCString { lk_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, $0) })
            lk_easy_setopt_write(easy, CURLOPT_READFUNCTION) { data, size, count, user in
                let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
                guard let data else { return Int(CURL_READFUNC_ABORT) }
                return t.readUpload(into: UnsafeMutableRawBufferPointer(start: data, count: size * count))
            }
            lk_easy_setopt_ptr(easy, CURLOPT_READDATA, me)
        } else {
            switch r.method {
            case "GET":
                lk_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
            case "HEAD":
                lk_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
            default:
                check(r.method.withCString { lk_easy_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, $0) })
            }
        }
        if t.upload == nil, !r.body.isEmpty || r.method == "POST" || r.method == "PUT" || r.method == "PATCH" {
            lk_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(r.body.count))
            check(r.body.withUnsafeBytes { lk_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)) })
        }

        // Headers: ours, plus blanks that stop curl adding Expect: 100-continue, its own
        // Accept, and a form Content-Type to bodies that have none.
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for field in r.headers {
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            list = curl_slist_append(list, line)
        }
        list = curl_slist_append(list, "Expect:")
        if !r.headers.contains("accept") { list = curl_slist_append(list, "Accept:") }
        if !r.headers.contains("content-type") { list = curl_slist_append(list, "Content-Type:") }
        t.headerList = list
        lk_easy_setopt_ptr(easy, CURLOPT_HTTPHEADER, list.map { UnsafeRawPointer($0) })

        // Callbacks.
        lk_easy_setopt_write(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if let pipe = t.pipe {
                if !t.headDelivered { t.deliverHead(status: CurlEngine.status(t)) }
                guard pipe.offer(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : n)) else {
                    t.recvPaused = true
                    return Int(CURL_WRITEFUNC_PAUSE)
                }
                t.received(n, at: monotonicNanoseconds())
                return n
            }
            if t.body.count + n > t.limit {
                t.tooLarge = true
                return 0  // makes curl stop with CURLE_WRITE_ERROR
            }
            if let data { t.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
            t.received(n, at: monotonicNanoseconds())
            return n
        }
        lk_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
        lk_easy_setopt_write(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            t.received(n, at: monotonicNanoseconds())
            guard let data else { return n }
            let line = UnsafeRawBufferPointer(start: data, count: n)
            CurlEngine.parseHeaderLine(line, into: &t.headers)
            // Streaming: the blank line that ends a final (not 1xx) header block hands the
            // head over.
            if t.pipe != nil, !t.headDelivered, line.allSatisfy({ $0 == 0x0d || $0 == 0x0a }) {
                let status = CurlEngine.status(t)
                if status >= 200 { t.deliverHead(status: status) }
            }
            return n
        }
        lk_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, me)
        if t.pipe != nil {
            // A proxy's answer to CONNECT is not the response.
            lk_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        }
        lk_easy_setopt_prereq(easy) { user, _, _, _, _ in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            t.requestSent = true
            t.lastActivity = monotonicNanoseconds()
            return Int32(CURL_PREREQFUNC_OK)
        }
        lk_easy_setopt_ptr(easy, CURLOPT_PREREQDATA, me)

        return ok ? nil : TransportError(.invalidRequest, "libcurl rejected the request \(r.method) \(Self.host(r.url)): \(String(cString: t.errorBuffer)); check the URL, proxy and CA bundle settings")
    }

    /// One header line: a status line starts a new header block (after 1xx or redirects).
    static func parseHeaderLine(_ line: UnsafeRawBufferPointer, into headers: inout HTTPHeaders) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0a || line[end - 1] == 0x0d { end -= 1 }
        guard end > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if bytes.starts(with: "HTTP/".utf8) {
            headers = HTTPHeaders()
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[0..<colon], as: UTF8.self)
        var start = colon + 1
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        var stop = end
        while stop > start, bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 { stop -= 1 }
        headers.add(name: name, value: String(decoding: bytes[start..<stop], as: UTF8.self))
    }

    /// The status of the response being received.
    static func status(_ t: Transfer) -> Int {
        var status = 0
        if let easy = t.easy { lk_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        return status
    }

    private func finishDone(easy: UnsafeMutableRawPointer, code: CURLcode) {
        guard let t = active.values.first(where: { $0.easy == easy }) else {
            curl_multi_remove_handle(multi, easy)
            return
        }
        if code != CURLE_OK, let failure = t.uploadFailure {
            complete(t, .failure(failure))
        } else if code == CURLE_OK {
            var status = 0
            lk_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            complete(t, .success(HTTPResponse(status: status, headers: t.headers, body: t.body)))
        } else {
            complete(t, .failure(error(for: code, t)))
        }
    }

    private func complete(_ t: Transfer, _ result: Result<HTTPResponse, any Error>) {
        if let easy = t.easy {
            curl_multi_remove_handle(multi, easy)
            recycle(easy)
            t.easy = nil
        }
        active[ObjectIdentifier(t)] = nil
        activeCount.store(active.count, ordering: .relaxed)
        if let upload = t.upload { peakUploadBuffered.max(upload.peakBuffered, ordering: .relaxed) }
        t.finish(result)
    }

    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if spareHandles.count < 16 {
            curl_easy_reset(easy)
            spareHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    private func error(for code: CURLcode, _ t: Transfer) -> TransportError {
        let host = Self.host(t.request.url)
        let detail = String(cString: t.errorBuffer)
        let said = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_WRITE_ERROR where t.tooLarge:
            return TransportError(.responseTooLarge, "the response from \(host) is larger than the limit of \(t.limit) bytes; raise maxResponseBytes if that is expected")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.dnsFailure, "cannot resolve \(host): \(said); check the endpoint URL, region and network")
        case CURLE_COULDNT_CONNECT:
            return TransportError(.connectFailed, "cannot connect to \(host): \(said); check that the endpoint is reachable")
        case CURLE_OPERATION_TIMEDOUT:
            if t.requestSent {
                return TransportError(.readTimeout, "no response from \(host) in time: \(said); raise the read timeout or check the server")
            }
            return TransportError(.connectTimeout, "no connection to \(host) within \(t.timeouts.connect) s: \(said); raise the connect timeout or check the network")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return TransportError(.tls, "TLS with \(host) failed: \(said); check AWS_CA_BUNDLE and the endpoint's certificate")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return TransportError(.connectionLost, "the connection to \(host) closed before the whole response arrived: \(said)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return TransportError(.invalidRequest, "cannot send to '\(t.request.url)': \(said); check the endpoint URL")
        default:
            return TransportError(.other, "the request to \(host) failed: \(said) (curl error \(code.rawValue))")
        }
    }

    /// scheme://host[:port] of a URL, for messages (never the path or query, which may hold
    /// presigned credentials).
    static func host(_ url: String) -> String {
        let bytes = Array(url.utf8)
        var i = 0
        while i + 2 < bytes.count, !(bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] == UInt8(ascii: "/")) { i += 1 }
        guard i + 2 < bytes.count else { return "the endpoint" }
        var end = i + 3
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }
}
