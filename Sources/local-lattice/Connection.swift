#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LatticeKit
import SigV4

/// One client connection, served on its own thread: requests one after another (keep-alive,
/// pipelining), each read against a deadline, each answered by the local Lattice, or refused
/// with the status HTTP names when its framing cannot be trusted.
final class Connection {
    let fd: Int32
    let id: Int
    let server: Server
    private var limits: ServerLimits { server.limits }
    /// What has arrived and not been consumed; it starts with the next request.
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32, id: Int, server: Server) {
        self.fd = fd
        self.id = id
        self.server = server
    }

    func run() {
        defer {
            server.connections.remove(id)
            close(fd)
        }
        // A client that does not read its answers blocks a send for this long at most.
        var timeout = timeval(tv_sec: Int(limits.requestTimeout.rounded(.up)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while serveOne() {}
    }

    /// Serves one request; false when the connection is to be closed.
    private func serveOne() -> Bool {
        if buffer.isEmpty {
            guard server.connections.setIdle(id, true) else { return false }
            guard read(until: .now + .seconds(limits.idleTimeout)) == .data, server.connections.setIdle(id, false) else { return false }
        }
        // The answer leaves no sooner than the latency after the request began to arrive:
        // the time spent on the call is part of the round trip, as on the service, so the
        // local Lattice's own work overlaps the latency of calls made concurrently.
        let arrived = ContinuousClock.now
        let deadline = arrived + .seconds(limits.requestTimeout)
        var scanner = HeadScanner(maxBytes: limits.maxHeadBytes, maxFields: limits.maxHeaderFields)
        var headRange: Range<Int>
        var bodyStart: Int
        while true {
            switch scanner.scan(buffer) {
            case let .complete(start, end):
                headRange = start..<(end - 2)
                bodyStart = end
            case let .refused(refusal):
                return refuse(refusal)
            case .incomplete:
                switch read(until: deadline) {
                case .data: continue
                case .closed: return false
                case .timedOut: return refuse(Self.timedOut(limits.requestTimeout))
                }
            }
            break
        }
        let head: RequestHead
        switch RequestHead.parse(buffer[headRange], maxBodyBytes: limits.maxBodyBytes) {
        case let .success(parsed): head = parsed
        case let .failure(refusal): return refuse(refusal)
        }
        let body: [UInt8]
        switch readBody(head, from: bodyStart, deadline: deadline) {
        case let .success((bytes, end)):
            body = bytes
            buffer.removeFirst(end)
        case let .failure(failure):
            guard let refusal = failure.refusal else { return false }
            return refuse(refusal)
        }

        var headers = HTTPHeaders()
        for field in head.fields { headers.add(name: field.name, value: field.value) }
        let request = HTTPRequest(method: head.method, url: "http://\(head.host)\(head.target)", headers: headers, body: body)
        if let local = server.localRoutes(head.method, head.target) {
            return write(Answer.serialize(local, close: !head.keepAlive, includeBody: true)) && head.keepAlive
        }
        let response = server.meter.admit() ? server.lattice.handle(request) : server.meter.throttledAnswer()
        pause(until: arrived + server.latency)
        let bytes = Answer.serialize(response, close: !head.keepAlive, includeBody: head.method != "HEAD")
        return write(bytes) && head.keepAlive
    }

    private struct BodyFailure: Error {
        /// nil when the client went away.
        var refusal: Refusal?
    }

    /// The body (and where the next request starts), read to its end before `deadline`.
    private func readBody(_ head: RequestHead, from start: Int, deadline: ContinuousClock.Instant) -> Result<([UInt8], Int), BodyFailure> {
        switch head.framing {
        case .none:
            return .success(([], start))
        case let .length(length):
            if head.expectsContinue, buffer.count == start, !write(Answer.continue) { return .failure(BodyFailure()) }
            while buffer.count - start < length {
                if let failure = readMore(until: deadline) { return .failure(failure) }
            }
            return .success((Array(buffer[start..<(start + length)]), start + length))
        case .chunked:
            var decoder = ChunkedDecoder(start: start, maxBodyBytes: limits.maxBodyBytes, maxLineBytes: 4096,
                                         maxFramingBytes: limits.maxHeadBytes + limits.maxBodyBytes / 8)
            if head.expectsContinue, buffer.count == start, !write(Answer.continue) { return .failure(BodyFailure()) }
            while true {
                switch decoder.decode(buffer) {
                case let .complete(end): return .success((decoder.body, end))
                case let .refused(refusal): return .failure(BodyFailure(refusal: refusal))
                case .incomplete:
                    if let failure = readMore(until: deadline) { return .failure(failure) }
                }
            }
        }
    }

    private func readMore(until deadline: ContinuousClock.Instant) -> BodyFailure? {
        switch read(until: deadline) {
        case .data: nil
        case .closed: BodyFailure()
        case .timedOut: BodyFailure(refusal: Self.timedOut(limits.requestTimeout))
        }
    }

    private static func timedOut(_ seconds: Double) -> Refusal {
        Refusal(408, "The request did not arrive in whole within \(seconds) seconds of its first byte (--request-timeout): send it at once.")
    }

    /// Answers a refusal, then closes the connection the way that lets the client read the
    /// answer: stop sending, read and drop what the client still sends for a moment, close.
    private func refuse(_ refusal: Refusal) -> Bool {
        if write(Answer.refusal(refusal)) {
            shutdown(fd, Int32(SHUT_WR))
            let until = ContinuousClock.now + .seconds(limits.lingerSeconds)
            buffer.removeAll()
            while read(until: until) == .data { buffer.removeAll(keepingCapacity: true) }
        }
        return false
    }

    private enum ReadOutcome { case data, closed, timedOut }

    /// Appends what arrives to the buffer, waiting until `deadline` at most.
    private func read(until deadline: ContinuousClock.Instant) -> ReadOutcome {
        while true {
            let left = deadline - .now
            guard left > .zero else { return .timedOut }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if ready == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return .data
            }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            return .closed
        }
    }

    /// Writes all of `bytes`; false when the client is gone or reads nothing for the send timeout.
    private func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}

/// The bytes of answers.
enum Answer {
    static let `continue` = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// An answer of the local Lattice, framed with Content-Length.
    static func serialize(_ response: HTTPResponse, close: Bool, includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        for field in response.headers {
            let name = field.name.lowercased()
            if name == "content-length" || name == "connection" || name == "transfer-encoding" { continue }
            head += "\(field.name): \(field.value.filter { $0 != "\r" && $0 != "\n" })\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? response.body : [])
    }

    /// A refusal: the status, `{"message": ...}`, and `Connection: close`.
    static func refusal(_ refusal: Refusal, retryAfter: Int? = nil) -> [UInt8] {
        var headers = HTTPHeaders()
        headers.add(name: "x-amzn-ErrorType", value: reason(refusal.status).filter { $0 != " " && $0 != "-" })
        headers.add(name: "Content-Type", value: "application/json")
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode(["message": "local-lattice: " + refusal.message])).map(Array.init) ?? []
        return serialize(HTTPResponse(status: refusal.status, headers: headers, body: body), close: true, includeBody: true)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 417: "Expectation Failed"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: status < 400 ? "OK" : "Error"
        }
    }
}
