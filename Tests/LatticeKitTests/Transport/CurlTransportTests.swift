import Foundation
import Synchronization
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// A one-shot event a test can await, fired from any thread.
final class Signal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func fire() {
        let w: [CheckedContinuation<Void, Never>] = lock.withLock {
            fired = true
            defer { waiters.removeAll() }
            return waiters
        }
        for c in w { c.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if fired { return true }
                waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// Counts requests until `n` are inside the server at once, then lets them all answer.
final class Barrier: @unchecked Sendable {
    private let lock = NSLock()
    private let n: Int
    private var inside = 0
    private(set) var maxInside = 0
    private let release = DispatchSemaphore(value: 0)

    init(_ n: Int) { self.n = n }

    /// Blocks the calling server thread until `n` requests are inside at once (at most 10 s).
    func arriveAndWait() {
        let open: Bool = lock.withLock {
            inside += 1
            maxInside = max(maxInside, inside)
            return inside == n
        }
        if open { for _ in 0..<n { release.signal() } }
        _ = release.wait(timeout: .now() + 10)
        // Leaving counts, so requests sent one after another never make a peak of `n`.
        lock.withLock { inside -= 1 }
    }

    var peak: Int { lock.withLock { maxInside } }
}

@Suite struct CurlTransportTests {
    let transport: CurlTransport

    init() throws {
        transport = try CurlTransport(configuration: .init(timeouts: HTTPTimeouts(connect: 5, read: 10), allowHTTP2: false))
    }

    @Test func sendsMethodPathHeadersAndBodyAndReturnsTheResponse() async throws {
        let server = try LoopbackServer { r in
            .respond(status: 201, headers: [("X-Echo-Method", r.method), ("x-amzn-RequestId", "req-1")], body: r.body)
        }
        let body = Array(#"{"name":"provider-svc"}"#.utf8)
        let response = try await transport.send(HTTPRequest(
            method: "POST", url: server.url + "/services?maxResults=10",
            headers: ["Content-Type": "application/json", "X-Custom": "a b"], body: body))
        #expect(response.status == 201)
        #expect(response.body == body)
        #expect(response.headers["x-echo-method"] == "POST")
        #expect(response.headers["X-AMZN-REQUESTID"] == "req-1")
        let seen = try #require(server.requests.first)
        #expect(seen.target == "/services?maxResults=10")
        #expect(seen.header("content-type") == "application/json")
        #expect(seen.header("x-custom") == "a b")
        // curl's own defaults that would break or confuse signing are not sent.
        #expect(seen.header("expect") == nil)
        #expect(seen.header("accept") == nil)
    }

    @Test func everyMethodGoesOutAsAsked() async throws {
        let server = try LoopbackServer { r in .respond(status: 200, headers: [], body: Array(r.method.utf8)) }
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let response = try await transport.send(HTTPRequest(method: method, url: server.url + "/x"))
            #expect(response.bodyText == method)
        }
        let head = try await transport.send(HTTPRequest(method: "HEAD", url: server.url + "/x"))
        #expect(head.status == 200)
        #expect(server.requests.map(\.method) == ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
        // A POST without a body gets no form Content-Type from curl.
        #expect(server.requests[1].header("content-type") == nil)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try LoopbackServer()
        for _ in 0..<20 {
            let r = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/services"))
            #expect(r.status == 200)
        }
        #expect(server.requests.count == 20)
        #expect(server.connections == 1)
    }

    /// Also with HTTP/2 allowed: it is only negotiated over TLS, so a plain http burst must
    /// not wait to learn whether its first connection multiplexes.
    @Test(arguments: [false, true]) func concurrentRequestsAreAllInFlightAtOnce(allowHTTP2: Bool) async throws {
        let n = 8
        let barrier = Barrier(n)
        let server = try LoopbackServer { _ in
            barrier.arriveAndWait()
            return .respond(status: 200, headers: [], body: Array("done".utf8))
        }
        let transport = allowHTTP2 ? try CurlTransport(configuration: .init(timeouts: HTTPTimeouts(connect: 5, read: 10))) : self.transport
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<n {
                group.addTask { try await transport.send(HTTPRequest(method: "GET", url: server.url + "/slow")).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        // Had the transport sent them one after another, the barrier would never have filled.
        #expect(barrier.peak == n)
        // The connections stay bounded by the pool and are kept for reuse.
        #expect(server.connections == n)
    }

    @Test func connectionPoolIsBounded() async throws {
        let small = try CurlTransport(configuration: .init(maxConnections: 2, allowHTTP2: false))
        let inside = Mutex(0)
        let peak = Mutex(0)
        let gate = DispatchSemaphore(value: 0)
        let server = try LoopbackServer { _ in
            let now = inside.withLock { $0 += 1; return $0 }
            peak.withLock { $0 = max($0, now) }
            if now == 2 { gate.signal(); gate.signal() }
            _ = gate.wait(timeout: .now() + 0.5)
            inside.withLock { $0 -= 1 }
            return .respond(status: 200, headers: [], body: [])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { _ = try await small.send(HTTPRequest(method: "GET", url: server.url)) } }
            try await group.waitForAll()
        }
        #expect(peak.withLock { $0 } <= 2)
        #expect(server.connections <= 2)
        #expect(server.requests.count == 6)
    }

    @Test func readTimeoutFailsWithReadTimeout() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try LoopbackServer { _ in .after(release, .respond(status: 200, headers: [], body: [])) }
        defer { release.signal() }
        let request = HTTPRequest(method: "GET", url: server.url + "/hang", timeouts: HTTPTimeouts(connect: 5, read: 0.2))
        await #expect {
            _ = try await transport.send(request)
        } throws: { error in
            (error as? TransportError)?.kind == .readTimeout && "\(error)".contains("read timeout")
        }
    }

    @Test func aConnectThatGetsNoAnswerFailsWithConnectTimeout() async throws {
        let listener = try FullBacklogListener()
        let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(listener.port)/x", timeouts: HTTPTimeouts(connect: 0.3, read: 10))
        await #expect {
            _ = try await transport.send(request)
        } throws: { error in
            (error as? TransportError)?.kind == .connectTimeout && "\(error)".contains("within 0.3 s")
        }
    }

    @Test func refusedConnectionFailsWithConnectFailed() async throws {
        let server = try LoopbackServer()
        let url = server.url
        server.stop()
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: url + "/x"))
        } throws: { error in
            (error as? TransportError)?.kind == .connectFailed && "\(error)".contains("127.0.0.1")
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let received = Signal()
        let release = DispatchSemaphore(value: 0)
        let server = try LoopbackServer { _ in
            received.fire()
            return .after(release, .respond(status: 200, headers: [], body: []))
        }
        defer { release.signal() }
        let transport = self.transport
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: server.url + "/forever")) }
        await received.wait()
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(transport.activeTransfers == 0)
    }

    @Test func droppedConnectionFailsWithConnectionLost() async throws {
        let server = try LoopbackServer { _ in .close }
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/drop"))
        } throws: { error in
            (error as? TransportError)?.kind == .connectionLost
        }
        // A body cut short is lost too.
        server.setHandler { _ in .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b".utf8)) }
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/short"))
        } throws: { error in
            (error as? TransportError)?.kind == .connectionLost
        }
    }

    @Test func oversizedBodyFailsWithAClearError() async throws {
        let small = try CurlTransport(configuration: .init(maxResponseBytes: 64 * 1024))
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [], body: [UInt8](repeating: 0x61, count: 300_000)) }
        await #expect {
            _ = try await small.send(HTTPRequest(method: "GET", url: server.url + "/big"))
        } throws: { error in
            (error as? TransportError)?.kind == .responseTooLarge && "\(error)".contains("65536 bytes")
        }
        // At the limit exactly is fine.
        server.setHandler { _ in .respond(status: 200, headers: [], body: [UInt8](repeating: 0x62, count: 64 * 1024)) }
        let ok = try await small.send(HTTPRequest(method: "GET", url: server.url + "/exact"))
        #expect(ok.body.count == 64 * 1024)
    }

    @Test func chunkedResponsesAreReassembled() async throws {
        let chunks = (0..<50).map { i in Array("chunk-\(i);".utf8) }
        let server = try LoopbackServer { _ in .chunked(status: 200, chunks: chunks) }
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/chunked"))
        #expect(response.body == chunks.flatMap { $0 })
    }

    @Test func repeatedResponseHeadersAreKeptInOrder() async throws {
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [("Set-Thing", "a"), ("Set-Thing", "b")], body: []) }
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url))
        #expect(response.headers.values(for: "set-thing") == ["a", "b"])
    }

    @Test func httpProxyFromTheEnvironmentIsUsedAndNoProxyIsHonoured() async throws {
        let proxy = try LoopbackServer { r in .respond(status: 200, headers: [], body: Array(r.target.utf8)) }
        let config = CurlTransport.Configuration.fromEnvironment(["HTTP_PROXY": proxy.url, "NO_PROXY": "skip.invalid"])
        #expect(config.httpProxy == proxy.url)
        let viaProxy = try CurlTransport(configuration: config)
        let r = try await viaProxy.send(HTTPRequest(method: "GET", url: "http://vpc-lattice.example.invalid/services"))
        // A proxy receives the absolute URL.
        #expect(r.bodyText == "http://vpc-lattice.example.invalid/services")
        await #expect(throws: TransportError.self) {
            _ = try await viaProxy.send(HTTPRequest(method: "GET", url: "http://skip.invalid/services"))
        }
        #expect(proxy.requests.count == 1)
    }

    @Test func environmentSettingsAreReadInEitherCase() {
        let c = CurlTransport.Configuration.fromEnvironment([
            "AWS_CA_BUNDLE": "/etc/ca.pem", "https_proxy": "http://p:3128", "no_proxy": "localhost",
        ])
        #expect(c.caBundlePath == "/etc/ca.pem")
        #expect(c.httpsProxy == "http://p:3128")
        #expect(c.noProxy == "localhost")
        #expect(c.verifyTLS)
    }

    @Test func tlsIsAttemptedForHTTPSAndFailureIsReportedAsTLS() async throws {
        // A server that answers a TLS hello with plain HTTP cannot complete a handshake.
        let server = try LoopbackServer()
        server.greeting = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/"))
        } throws: { error in
            (error as? TransportError)?.kind == .tls
        }
    }

    @Test func errorsNameTheHostButNeverTheQuery() async throws {
        let server = try LoopbackServer()
        let url = server.url
        server.stop()
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: url + "/x?X-Amz-Signature=secretsig&X-Amz-Security-Token=tok"))
            Issue.record("expected a failure")
        } catch {
            #expect(!"\(error)".contains("secretsig"))
            #expect(!"\(error)".contains("tok"))
        }
    }
}
