import Foundation
import LatticeTestSupport
import LatticeKit
@testable import LatticeKitTesting
import Testing

/// local-lattice against clients that break HTTP on purpose: each bad request is refused with
/// the status HTTP names for it and its connection closed, and afterwards the server is still
/// running and answers a signed call.
@Suite struct HostileClientTests {
    struct BadRequest: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let status: Int
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ status: Int) {
            self.init(name, Array(text.utf8), status)
        }

        init(_ name: String, _ bytes: [UInt8], _ status: Int) {
            self.name = name
            self.bytes = bytes
            self.status = status
        }
    }

    static let post = "POST /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\n"

    static let badRequests: [BadRequest] = [
        // Framing: Content-Length.
        BadRequest("Content-Length -1", post + "Content-Length: -1\r\n\r\n", 400),
        BadRequest("Content-Length not a number", post + "Content-Length: ten\r\n\r\n", 400),
        BadRequest("Content-Length with a plus sign", post + "Content-Length: +2\r\n\r\n{}", 400),
        BadRequest("Content-Length empty", post + "Content-Length:\r\n\r\n", 400),
        BadRequest("two different Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
        BadRequest("a list of different Content-Lengths", post + "Content-Length: 2, 3\r\n\r\n{}", 400),
        BadRequest("Content-Length of 30 digits", post + "Content-Length: 999999999999999999999999999999\r\n\r\n", 400),
        BadRequest("Content-Length beyond Int64", post + "Content-Length: 18446744073709551617\r\n\r\n", 400),
        BadRequest("Content-Length over the body cap", post + "Content-Length: 2097152\r\n\r\n", 413),
        // Framing: Transfer-Encoding.
        BadRequest("Transfer-Encoding gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
        BadRequest("Transfer-Encoding not ending in chunked", post + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
        BadRequest("Transfer-Encoding chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        BadRequest("Transfer-Encoding and Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
        BadRequest("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        BadRequest("a chunk size that is not hexadecimal", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        BadRequest("a chunk size over the body cap", post + "Transfer-Encoding: chunked\r\n\r\n200000\r\n", 413),
        BadRequest("a chunk size of 40 digits", post + "Transfer-Encoding: chunked\r\n\r\n" + String(repeating: "f", count: 40) + "\r\n", 413),
        BadRequest("chunk data longer than its size", post + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n", 400),
        // The request line.
        BadRequest("a request line of two words", "GET /services\r\nHost: x\r\n\r\n", 400),
        BadRequest("two spaces in the request line", "GET  /services HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        BadRequest("a method with a slash", "GE/T /services HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        BadRequest("no HTTP version", "GET /services FTP/1.1\r\nHost: x\r\n\r\n", 400),
        BadRequest("HTTP/2.0 over HTTP/1 framing", "GET /services HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        BadRequest("a target that is not a path", "GET services HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        BadRequest("a request line beyond the head cap", "GET /" + String(repeating: "a", count: 70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        // Control characters and encodings.
        BadRequest("NUL in the target", [UInt8]("GET /ser".utf8) + [0] + [UInt8]("vices HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        BadRequest("ESC in a header value", "GET /services HTTP/1.1\r\nHost: x\r\nX-Note: \u{1B}[2J\r\n\r\n", 400),
        BadRequest("DEL in a header name", "GET /services HTTP/1.1\r\nHost: x\r\nX\u{7F}: 1\r\n\r\n", 400),
        BadRequest("a header value that is not UTF-8", [UInt8]("GET /services HTTP/1.1\r\nHost: x\r\nX-Note: ".utf8) + [0xFF, 0xFE, 0xC3] + [UInt8]("\r\n\r\n".utf8), 400),
        BadRequest("a target that is not ASCII", [UInt8]("GET /services/".utf8) + [0xC3, 0xA9] + [UInt8](" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        BadRequest("lines ending with a bare LF", "GET /services HTTP/1.1\nHost: x\n\n", 400),
        BadRequest("a CR inside a line", "GET /services HTTP/1.1\r\nHost: x\rX: 1\r\n\r\n", 400),
        // Header fields.
        BadRequest("a folded header line", "GET /services HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n b\r\n\r\n", 400),
        BadRequest("whitespace before the colon", "GET /services HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        BadRequest("a header line without a colon", "GET /services HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n", 400),
        BadRequest("no Host in HTTP/1.1", "GET /services HTTP/1.1\r\n\r\n", 400),
        BadRequest("two Host fields", "GET /services HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        BadRequest("a Host with a path in it", "GET /services HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        BadRequest("an unknown expectation", "GET /services HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417),
        BadRequest("101 header fields", "GET /services HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n", 431),
    ]

    @Test(arguments: badRequests)
    func aBadRequestIsRefusedAndTheServerStaysUp(_ bad: BadRequest) async throws {
        try await LocalLatticeProcess().whileRunning { server in
            let connection = try RawConnection(port: server.port)
            connection.send(bad.bytes)
            try await expectRefusal(connection.readToEnd(seconds: 10), bad.status, server)
        }
    }

    /// The answer refuses with `status` and closes, and the server still runs and answers a
    /// signed call.
    func expectRefusal(_ answer: [UInt8], _ status: Int, _ server: LocalLatticeProcess) async throws {
        #expect(statusCode(answer) == status, "answered: \(String(decoding: answer.prefix(400), as: UTF8.self))")
        #expect(String(decoding: answer, as: UTF8.self).contains("Connection: close"), "a refused request's connection is closed")
        #expect(server.process.isRunning, "\(server.state)")
        #expect(try await server.client().listServiceNetworks().items.isEmpty)
    }

    @Test func fiveHundredSeededRandomRequestsNeverStopIt() async throws {
        // Requests made of plausible pieces, then mutated: a fixed seed, the same inputs every run.
        let lines = ["POST /servicenetworks HTTP/1.1", "GET /services?maxResults=1 HTTP/1.1", "DELETE /services/svc-0123456789abcdef0 HTTP/1.0",
                     "GET / HTTP/9.9", "PUT  /x HTTP/1.1", "GET http://127.0.0.1/services HTTP/1.1"]
        let names = ["Host", "Content-Length", "Transfer-Encoding", "Expect", "Connection", "X-Amz-Date", "Authorization", " Folded", "Bad Name"]
        let values = ["127.0.0.1", "-1", "0", "7", "2, 3", "99999999999999999999", "chunked", "gzip, chunked", "100-continue", "close",
                      "\u{0}", "\u{1B}[2J", "é", ""]
        let bodies = ["{\"name\":\"n\"}", "5\r\nhello\r\n0\r\n\r\n", "zz\r\n", "0\r\n\r\n", ""]
        var random = SplitMix64(seed: 0x1A77_1CE)
        func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        try await LocalLatticeProcess().whileRunning { server in
            var previous: [UInt8] = []
            for _ in 0..<500 {
                var text = lines[below(lines.count)] + "\r\n"
                for _ in 0..<below(5) { text += names[below(names.count)] + ": " + values[below(values.count)] + "\r\n" }
                text += (below(4) == 0 ? "\n" : "\r\n") + bodies[below(bodies.count)]
                var bytes = Array(text.utf8)
                for _ in 0..<below(3) where !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: below(256)) }
                if below(4) == 0 { bytes = Array(bytes.prefix(below(bytes.count + 1))) }
                guard let connection = try? RawConnection(port: server.port) else {
                    Issue.record("it refuses connections after these inputs, the last \(String(decoding: previous, as: UTF8.self).debugDescription): \(server.stderr.prefix(400))")
                    return
                }
                connection.send(bytes)
                shutdown(connection.fd, Int32(SHUT_WR))
                _ = connection.readToEnd(seconds: 10)
                previous = bytes
            }
            let networks = try await server.client().listServiceNetworks()
            #expect(networks.items.isEmpty)
        }
    }

    @Test func aMultiMegabyteUnterminatedHeaderIsAnswered431AtOnce() async throws {
        try await LocalLatticeProcess().whileRunning { server in
            let connection = try RawConnection(port: server.port)
            // Sent from another thread: the server answers long before the client has sent it all.
            let flood = Array("GET /services HTTP/1.1\r\nHost: x\r\nX-Flood: ".utf8) + [UInt8](repeating: 0x61, count: 8 * 1024 * 1024)
            connection.sendInBackground(flood)
            try await expectRefusal(connection.readToEnd(seconds: 10), 431, server)
        }
    }

    @Test func aChunkedBodyIsReadWhateverTheChunks() async throws {
        try await LocalLatticeProcess().whileRunning { server in
            let connection = try RawConnection(port: server.port)
            // Unsigned, so the local Lattice answers 403 MissingAuthenticationToken: the body
            // was framed and the request reached it; then the same connection serves another.
            let chunked = "POST /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1;ext=1\r\n{\r\n10\r\n\"name\":\"chunked-\r\n3\r\nnw\"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n"
            connection.send(chunked + "GET /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let answers = String(decoding: connection.readToEnd(seconds: 10), as: UTF8.self)
            #expect(answers.components(separatedBy: "HTTP/1.1 403 Forbidden").count == 3, "two answers: \(answers.prefix(800))")
            #expect(answers.contains("MissingAuthenticationTokenException"))
        }
    }

    @Test func aSlowClientIsCutOffAtTheRequestDeadline() async throws {
        try await LocalLatticeProcess(["--request-timeout", "1"]).whileRunning { server in
            let connection = try RawConnection(port: server.port)
            // A byte every 100 ms, for at most 30 s: each byte arrives well within any per-read
            // timeout, so only a deadline for the whole request ends it.
            connection.sendInBackground(Array("GET /services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + [UInt8](repeating: 0x61, count: 300),
                                        pauseAfterEachByte: 100_000)
            try await expectRefusal(connection.readToEnd(seconds: 20), 408, server)
        }
    }

    @Test func idleConnectionsMakeRoomForNewOnes() async throws {
        try await LocalLatticeProcess(["--max-connections", "4"]).whileRunning { server in
            // Eight idle connections on a server that serves four at once: the oldest idle ones
            // are closed to make room, and a signed call is answered.
            let idle = try (0..<8).map { _ in try RawConnection(port: server.port) }
            _ = try await server.client().listServiceNetworks()
            #expect(idle.prefix(4).allSatisfy { $0.isClosedByServer(seconds: 10) }, "the four oldest idle connections were closed to make room")
            withExtendedLifetime(idle) {}
        }
    }

    @Test func whenEveryConnectionIsBusyTheNextIsAnswered503() async throws {
        try await LocalLatticeProcess(["--max-connections", "4", "--request-timeout", "30"]).whileRunning { server in
            // Four connections in the middle of a request fill it (a request that has arrived is
            // not idle, read or not): a fifth is answered 503 at once.
            let busy = try (0..<4).map { _ in try RawConnection(port: server.port) }
            for connection in busy { connection.send("GET /services HTTP/1.1\r\nHost: x\r\nConnection: close\r\n") }
            let refused = try RawConnection(port: server.port).readToEnd(seconds: 10)
            #expect(statusCode(refused) == 503, "answered: \(String(decoding: refused.prefix(400), as: UTF8.self))")
            #expect(String(decoding: refused, as: UTF8.self).contains("--max-connections"))
            busy.forEach { $0.send("\r\n") }
            let answers = busy.map { String(decoding: $0.readToEnd(seconds: 10).prefix(300), as: UTF8.self) }
            #expect(answers.allSatisfy { $0.hasPrefix("HTTP/1.1 403") }, "the four busy requests are answered: \(answers)")
            _ = try await server.client().listServiceNetworks()
        }
    }

    @Test func sigtermStopsItThoughItsParentBlocksSignals() throws {
        // Threads of a Swift test process block SIGTERM, and a child inherits the mask.
        let server = try LocalLatticeProcess()
        #expect(server.stop(), "SIGTERM alone stopped it")
    }

    @Test func outOfDescriptorsItBacksOffAndRecoversWhenClientsClose() async throws {
        let limit = 64
        try await LocalLatticeProcess(openFiles: limit).whileRunning { server in
            // Clients in the middle of a request (not idle, so not closed to make room) hold
            // every descriptor the server may open; more wait in the backlog.
            var clients: [RawConnection] = []
            for _ in 0..<(limit + 40) {
                let client = try RawConnection(port: server.port)
                client.send("POST /servicenetworks HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                clients.append(client)
            }
            let fdDirectory = "/proc/\(server.process.processIdentifier)/fd"
            func openDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory).count) ?? 0 }
            for _ in 0..<1000 where openDescriptors() < limit - 1 { usleep(10_000) }
            #expect(openDescriptors() >= limit - 1, "the server holds \(openDescriptors()) descriptors of \(limit)")

            // While accept fails with EMFILE, the accept loop sleeps instead of spinning.
            let before = server.cpuSeconds
            let start = Date()
            usleep(1_500_000)
            let used = server.cpuSeconds - before
            let elapsed = Date().timeIntervalSince(start)
            #expect(used < 0.3 * elapsed, "the server used \(used) s of CPU in \(elapsed) s with its descriptors exhausted")
            #expect(server.process.isRunning, "\(server.state)")

            // The clients go; the server answers again.
            clients.removeAll()
            var answered = false
            for _ in 0..<20 where !answered {
                answered = (try? await server.client().listServiceNetworks()) != nil
            }
            #expect(answered, "the server answers once descriptors are free: \(server.state)")
        }
    }
}

