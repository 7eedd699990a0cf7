import Foundation
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// Bodies streamed both ways through the libcurl transport, never held whole: a 100 MiB body
/// each way with the buffering measured by counters (the response's pipe, the upload's
/// pump), backpressure onto the server, the time limits while streaming, cancellation, and
/// servers that send too much, too little, or stop.
@Suite struct CurlTransportStreamingTests {
    static let hundredMiB = 100 << 20
    static let capacity = 1 << 20

    let transport: CurlTransport

    init() throws {
        transport = try CurlTransport(configuration: .init(allowHTTP2: false, streamBufferSize: Self.capacity))
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)-\(name)").path
    }

    /// Reads a body to its end through the pattern verifier.
    static func verify(_ body: HTTPResponseBody) async throws -> PatternBody.Verifier {
        var verifier = PatternBody.Verifier()
        for try await chunk in body { verifier.consume(chunk) }
        return verifier
    }

    @Test func aHundredMiBResponseStreamsThroughABoundedBuffer() async throws {
        let server = try LoopbackServer { _ in .pattern(status: 200, length: Self.hundredMiB) }
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/big"))
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == String(Self.hundredMiB))
        let verifier = try await Self.verify(response.body)
        #expect(verifier.offset == Self.hundredMiB && verifier.intact)
        // Never more than the buffer's capacity held at once, whatever the pace of the reader.
        #expect(response.body.peakBufferedBytes <= Self.capacity, "peak \(response.body.peakBufferedBytes)")
        #expect(transport.activeTransfers == 0)
    }

    @Test func aSlowConsumerMakesTheServerWaitAndTheBufferStaysBounded() async throws {
        let progress = LoopbackServer.SendProgress()
        let total = 64 << 20
        let server = try LoopbackServer { _ in .pattern(status: 200, length: total, progress: progress) }
        // A read timeout far shorter than the consumer's pause: a paused transfer is waiting
        // for this side, not for the server, and does not time out.
        let timeouts = HTTPTimeouts(connect: 5, read: 0.2, attempt: 0.2, minimumRate: 1 << 20, minimumRateWindow: 0.1)
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/big", timeouts: timeouts))
        var iterator = response.body.makeAsyncIterator()
        var verifier = PatternBody.Verifier()
        verifier.consume(try #require(try await iterator.next()))
        // The consumer stops: the client's buffer fills, libcurl stops reading, the socket
        // fills, and the server's send would block.
        await progress.waitUntilBlocked()
        #expect(progress.written < total)
        #expect(response.body.peakBufferedBytes <= Self.capacity)
        try await Task.sleep(for: .milliseconds(600))   // three read timeouts, six rate windows
        while let chunk = try await iterator.next() { verifier.consume(chunk) }
        #expect(verifier.offset == total && verifier.intact)
        #expect(response.body.peakBufferedBytes <= Self.capacity, "peak \(response.body.peakBufferedBytes)")
        #expect(progress.blocked >= 1)
    }

    @Test func aServerThatStallsMidBodyEndsWithAReadTimeout() async throws {
        let server = try LoopbackServer { _ in .pattern(status: 200, length: 8 << 20, stallAfter: 2 << 20) }
        let timeouts = HTTPTimeouts(connect: 5, read: 0.3, attempt: 60, minimumRate: 0)
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/stall", timeouts: timeouts))
        var verifier = PatternBody.Verifier()
        await #expect {
            for try await chunk in response.body { verifier.consume(chunk) }
        } throws: { error in
            (error as? TransportError)?.kind == .readTimeout && "\(error)".contains("read timeout")
        }
        #expect(verifier.offset == 2 << 20 && verifier.intact, "the bytes before the stall arrived: \(verifier.offset)")
        #expect(transport.activeTransfers == 0)
    }

    @Test func aTrickledBodyStillMeetsTheMinimumRate() async throws {
        let server = try LoopbackServer { _ in .trickle(head: "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", bytes: 100_000, interval: 0.01) }
        let timeouts = HTTPTimeouts(connect: 5, read: 60, attempt: 60, minimumRate: 1000, minimumRateWindow: 0.3)
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/slow", timeouts: timeouts))
        await #expect {
            for try await _ in response.body {}
        } throws: { error in
            (error as? TransportError)?.kind == .tooSlow
        }
    }

    @Test func cancellingTheConsumerAbortsTheTransfer() async throws {
        let server = try LoopbackServer { _ in .pattern(status: 200, length: Self.hundredMiB) }
        let transport = self.transport
        let started = Signal()
        let task = Task {
            let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/big"))
            var count = 0
            for try await chunk in response.body {
                count += chunk.count
                if count >= 1 << 20 { started.fire() }
            }
            return count
        }
        await started.wait()
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // The server sees its connection closed: the transfer was aborted, not drained.
        await server.waitForClosedConnections(1)
        #expect(transport.activeTransfers == 0)

        // A body dropped unread ends its transfer too.
        var response: HTTPStreamedResponse? = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/big"))
        #expect(response?.status == 200)
        response = nil
        await server.waitForClosedConnections(2)
    }

    @Test func aBodyCutShortOrOverlongIsNeverTakenAsWhole() async throws {
        // Closed before Content-Length: an error after the bytes that came.
        let server = try LoopbackServer { _ in .pattern(status: 200, length: 3 << 20, declared: 5 << 20) }
        var response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/short"))
        var verifier = PatternBody.Verifier()
        await #expect {
            for try await chunk in response.body { verifier.consume(chunk) }
        } throws: { error in
            (error as? TransportError)?.kind == .connectionLost
        }
        #expect(verifier.offset == 3 << 20 && verifier.intact)
        // A chunked body without its last chunk.
        server.setHandler { _ in .raw(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".utf8)) }
        response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/chunked"))
        await #expect {
            for try await _ in response.body {}
        } throws: { error in
            (error as? TransportError)?.kind == .connectionLost
        }
        // More than Content-Length: exactly the declared bytes, nothing of the excess.
        server.setHandler { _ in .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789EXCESS BYTES THAT ARE NOT THE BODY".utf8)) }
        response = try await transport.stream(HTTPRequest(method: "GET", url: server.url + "/long"))
        #expect(try await response.body.collect(upTo: 1 << 20) == Array("0123456789".utf8))
        // The buffered send agrees.
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.url + "/long")).body == Array("0123456789".utf8))
    }

    @Test func aHundredMiBFileIsSentFromDiskWithItsLength() async throws {
        let path = Self.temporaryFile("upload.bin")
        try PatternBody.writeFile(path, total: Self.hundredMiB)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [], body: Array("stored".utf8)) }
        server.verifyPatternBodies = true
        let source = try HTTPBodySource.file(path)
        #expect(source.length == Self.hundredMiB && source.isReplayable)
        let response = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/objects/a", bodySource: source))
        #expect(response.status == 200 && response.bodyText == "stored")
        let received = try #require(server.requests.first)
        #expect(received.method == "PUT")
        #expect(received.header("content-length") == String(Self.hundredMiB))
        #expect(received.header("transfer-encoding") == nil && received.header("expect") == nil)
        #expect(received.bodyLength == Self.hundredMiB && received.bodyIsPattern)
        // Read straight into libcurl's buffer: nothing held besides.
        #expect(transport.peakUploadBuffered == 0)
    }

    @Test func aHundredMiBStreamIsSentChunkedThroughABoundedBuffer() async throws {
        let server = try LoopbackServer { _ in .respond(status: 201, headers: [], body: []) }
        server.verifyPatternBodies = true
        let made = PatternBody.MadeCounter()
        let source = HTTPBodySource.stream { PatternBody.chunks(total: Self.hundredMiB, made: made) }
        let response = try await transport.stream(HTTPRequest(method: "POST", url: server.url + "/ingest", bodySource: source))
        #expect(response.status == 201)
        let received = try #require(server.requests.first)
        #expect(received.header("transfer-encoding") == "chunked" && received.header("content-length") == nil)
        #expect(received.bodyLength == Self.hundredMiB && received.bodyIsPattern)
        #expect(made.count == Self.hundredMiB)
        // The producer never got more than the buffer (and one chunk) ahead of the network.
        #expect(transport.peakUploadBuffered > 0 && transport.peakUploadBuffered <= Self.capacity + 65_536, "peak \(transport.peakUploadBuffered)")
    }

    @Test func bodySourcesThatLieOrCannotBeReadFailTheRequest() async throws {
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [], body: []) }
        // Shorter than announced.
        let short = HTTPBodySource.stream(length: 1000) { PatternBody.chunks(total: 600, chunk: 100) }
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/x", bodySource: short))
        } throws: { error in
            (error as? TransportError)?.kind == .invalidRequest && "\(error)".contains("ended after 600 of the 1000 bytes announced")
        }
        // A producer that fails: its own error.
        struct Broken: Error {}
        let failing = HTTPBodySource.stream {
            AsyncThrowingStream<[UInt8], any Error> { c in
                c.yield([1, 2, 3])
                c.finish(throwing: Broken())
            }
        }
        await #expect(throws: Broken.self) {
            _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/x", bodySource: failing))
        }
        // Not a regular file, or missing: refused before anything is sent.
        let fifo = Self.temporaryFile("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        #expect { _ = try HTTPBodySource.file(fifo) } throws: { "\($0)".contains("a FIFO (named pipe), not a regular file") }
        #expect { _ = try HTTPBodySource.file("/nonexistent/body.bin") } throws: { "\($0)".contains("No such file or directory") }
        // A file that changed size between attempts.
        let path = Self.temporaryFile("grows.bin")
        try PatternBody.writeFile(path, total: 1000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try HTTPBodySource.file(path)
        try PatternBody.writeFile(path, total: 2000)
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/x", bodySource: source))
        } throws: { "\($0)".contains("changed size") }
        #expect(server.requests.isEmpty, "no whole request reached the server: the short and failing streams were cut off")
        // A one-time body is read once.
        let once = HTTPBodySource.once(length: 3, AsyncStream { c in c.yield([1, 2, 3]); c.finish() })
        #expect(!once.isReplayable)
        _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/x", bodySource: once))
        await #expect { _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/x", bodySource: once)) } throws: {
            "\($0)".contains("cannot be read again")
        }
    }

    /// A transport written for `send` alone gets bodies buffered by the protocol's default.
    @Test func aTransportWithoutStreamingGetsTheBodyWhole() async throws {
        final class Whole: Transport, @unchecked Sendable {
            var seen: HTTPRequest?
            func send(_ request: HTTPRequest) async throws -> HTTPResponse {
                seen = request
                return HTTPResponse(status: 200, body: Array("whole".utf8))
            }
        }
        let whole = Whole()
        let response = try await whole.stream(HTTPRequest(method: "PUT", url: "http://127.0.0.1:1/x", bodySource: .stream { PatternBody.chunks(total: 3000, chunk: 1000) }))
        #expect(response.status == 200)
        #expect(try await response.body.collect(upTo: 100) == Array("whole".utf8))
        #expect(whole.seen?.bodySource == nil && whole.seen?.body == PatternBody.bytes(at: 0, count: 3000))
    }
}
