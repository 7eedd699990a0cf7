import Foundation
import LatticeTestSupport
@testable import LatticeKit
import SigV4
import Testing

/// `LatticeServiceClient` with streamed bodies: retries re-open a replayable body and happen
/// only before any of the answer's body is handed over; a body read once, or a POST, gets one
/// attempt; a streamed answer with a retryable status is read (bounded) to decide.
@Suite struct LatticeServiceStreamingTests {
    typealias Scripted = LatticeServiceClientTests.ScriptedTransport

    static func client(_ transport: any Transport) throws -> LatticeServiceClient {
        try LatticeServiceClientTests.client(transport)
    }

    static func temporaryFile(_ total: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString).bin").path
        try PatternBody.writeFile(path, total: total)
        return path
    }

    @Test func aRetriedPutSendsTheFileAgainFromItsStart() async throws {
        let size = 8 << 20
        let path = try Self.temporaryFile(size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let attempts = LockedCounter()
        let server = try LoopbackServer { _ in
            attempts.next() == 1 ? .respond(status: 503, headers: [], body: Array("busy".utf8)) : .respond(status: 200, headers: [], body: Array("stored".utf8))
        }
        server.verifyPatternBodies = true
        let client = try Self.client(try CurlTransport(configuration: .init(allowHTTP2: false)))
        let answer = try await client.send(HTTPRequest(method: "PUT", url: server.url + "/objects/a", bodySource: try .file(path)))
        #expect(answer.status == 200 && answer.bodyText == "stored")
        #expect(server.requests.count == 2)
        for request in server.requests {
            #expect(request.bodyLength == size && request.bodyIsPattern, "attempt \(request.connection): the whole file from its start")
            #expect(request.header("content-length") == String(size))
            #expect(request.header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
            #expect(request.header("authorization")?.contains("/us-west-2/vpc-lattice-svcs/aws4_request") == true)
        }
    }

    @Test func aPostOrABodyReadOnceIsSentOnce() async throws {
        let busy = HTTPResponse(status: 503, body: Array("busy".utf8))
        let ok = HTTPResponse(status: 200)
        let post = Scripted([busy, ok])
        let path = try Self.temporaryFile(1000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let answer = try await Self.client(post).send(HTTPRequest(method: "POST", url: LatticeServiceClientTests.url, bodySource: try .file(path)))
        #expect(answer.status == 503 && answer.bodyText == "busy")
        #expect(post.sent.count == 1)
        // The transport that does not stream got the file's bytes in `body`.
        #expect(post.sent.first?.body == PatternBody.bytes(at: 0, count: 1000) && post.sent.first?.bodySource == nil)

        let once = Scripted([busy, ok])
        let source = HTTPBodySource.once(PatternBody.chunks(total: 100))
        let put = try await Self.client(once).send(HTTPRequest(method: "PUT", url: LatticeServiceClientTests.url, bodySource: source))
        #expect(put.status == 503 && once.sent.count == 1, "a PUT whose body cannot be read again is not retried")

        let replayable = Scripted([busy, ok])
        let again = try await Self.client(replayable).send(HTTPRequest(method: "PUT", url: LatticeServiceClientTests.url, bodySource: .stream { PatternBody.chunks(total: 100) }))
        #expect(again.status == 200 && replayable.sent.count == 2)
        #expect(replayable.sent.allSatisfy { $0.body == PatternBody.bytes(at: 0, count: 100) })
    }

    @Test func streamRetriesBeforeTheBodyAndHandsOverTheLastAnswer() async throws {
        let get = Scripted([HTTPResponse(status: 503, body: Array("busy".utf8)), HTTPResponse(status: 200, headers: ["x-a": "1"], body: Array("fine".utf8))])
        let answer = try await Self.client(get).stream(HTTPRequest(method: "GET", url: LatticeServiceClientTests.url))
        #expect(answer.status == 200 && answer.headers["x-a"] == "1")
        #expect(try await answer.body.collect(upTo: 100) == Array("fine".utf8))
        #expect(get.sent.count == 2)
        // Retries end with the last answer, its body intact.
        let always = Scripted([HTTPResponse(status: 503, body: Array("one".utf8)), HTTPResponse(status: 503, body: Array("two".utf8)), HTTPResponse(status: 503, body: Array("three".utf8))])
        let last = try await Self.client(always).stream(HTTPRequest(method: "GET", url: LatticeServiceClientTests.url))
        let lastBody = try await last.body.collect(upTo: 100)
        #expect(last.status == 503 && lastBody == Array("three".utf8))
        // A 404 is the answer at once.
        let missing = Scripted([HTTPResponse(status: 404, body: [0xff, 0x00])])
        let notFound = try await Self.client(missing).stream(HTTPRequest(method: "GET", url: LatticeServiceClientTests.url))
        let notFoundBody = try await notFound.body.collect(upTo: 100)
        #expect(notFound.status == 404 && notFoundBody == [0xff, 0x00])
    }

    /// Over the libcurl transport: a failure after the body began is the reader's error, never
    /// a retry (the server sees one request); a large 503 body is the answer, read on.
    @Test func aFailureMidBodyIsNotRetried() async throws {
        let server = try LoopbackServer { _ in .pattern(status: 200, length: 2 << 20, declared: 4 << 20) }
        let client = try Self.client(try CurlTransport(configuration: .init(allowHTTP2: false)))
        let answer = try await client.stream(HTTPRequest(method: "GET", url: server.url + "/cut"))
        #expect(answer.status == 200)
        await #expect {
            for try await _ in answer.body {}
        } throws: { ($0 as? TransportError)?.kind == .connectionLost }
        #expect(server.requests.count == 1)

        server.setHandler { _ in .pattern(status: 503, length: 3 << 20) }
        let large = try await client.stream(HTTPRequest(method: "GET", url: server.url + "/busy"))
        #expect(large.status == 503)
        var verifier = PatternBody.Verifier()
        for try await chunk in large.body { verifier.consume(chunk) }
        #expect(verifier.offset == 3 << 20 && verifier.intact)
        #expect(server.requests.count == 2, "read on from the first megabyte, not retried")
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// Counts one more and returns the count.
    func next() -> Int { lock.withLock { value += 1; return value } }
}
