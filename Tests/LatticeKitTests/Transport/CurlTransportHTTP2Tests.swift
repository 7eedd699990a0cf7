import Foundation
import Testing
import LatticeTestSupport
@testable import LatticeKit
import SigV4

/// What Tests/Support/h2_server.py saw of one request.
struct H2Echo: Decodable {
    var `protocol`: String
    /// This TLS connection's number (from 1), and how many the server had accepted.
    var connection: Int
    var connections: Int
    /// The HTTP/2 stream id; nil over HTTP/1.1.
    var stream: Int?
    var method: String
    var path: String
    /// In the order received, pseudo-headers (":authority", ...) included.
    var headers: [[String]]
    var bodyLength: Int
    /// For /wait/N: the streams open on the connection when the server answered.
    var openStreams: Int?

    enum CodingKeys: String, CodingKey {
        case `protocol`, connection, connections, stream, method, path, headers
        case bodyLength = "body_length", openStreams = "open_streams"
    }

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(H2Echo.self, from: Data(response.body))
    }

    init(json: String) throws {
        self = try JSONDecoder().decode(H2Echo.self, from: Data(json.utf8))
    }

    func header(_ name: String) -> String? { headers.first { $0[0] == name }?[1] }

    /// The regular header fields, as "name: value" lines, sorted.
    var fields: [String] { headers.filter { !$0[0].hasPrefix(":") }.map { "\($0[0]): \($0[1])" }.sorted() }

    /// Whether the request as it arrived carries the signature it was sent with: signed again
    /// from the received method, authority, path and headers, it gets the same Authorization.
    /// An extra header curl slipped in, or one it dropped or changed, breaks it.
    func signatureHolds(_ credentials: SigV4Credentials, date: Date, body: [UInt8]) throws -> Bool {
        let url = "https://\(header(":authority") ?? "")\(path)"
        var again = SigV4Request(method: method, url: url, headers: HTTPHeaders(headers.filter {
            !$0[0].hasPrefix(":") && !["authorization", "x-amz-date", "x-amz-security-token"].contains($0[0])
        }.map { ($0[0], $0[1]) }))
        try SigV4Signer(credentials: credentials, region: "us-east-1", service: "vpc-lattice").sign(&again, payload: body.isEmpty ? .empty : .bytes(body), date: date)
        return again.headers["authorization"] != nil && again.headers["authorization"] == header("authorization")
    }
}

/// CurlTransport against a real HTTP/2 server (h2 over TLS, Tests/Support/h2_server.py):
/// each test starts its own, so connection counts start from zero.
@Suite struct CurlTransportHTTP2Tests {
    static let credentials = SigV4Credentials(accessKeyId: "AKIDH2TEST", secretAccessKey: "h2-secret", sessionToken: "h2-token")

    static func transport(_ server: H2Server, allowHTTP2: Bool = true) throws -> CurlTransport {
        try CurlTransport(configuration: .init(timeouts: HTTPTimeouts(connect: 5, read: 20), caBundlePath: server.caFile, allowHTTP2: allowHTTP2))
    }

    /// Sends `n` GETs of `url` at once; their statuses and echoes, in the order they ended.
    static func burst(_ transport: CurlTransport, _ url: String, _ n: Int) async throws -> [(status: Int, echo: H2Echo)] {
        try await withThrowingTaskGroup(of: (Int, H2Echo).self) { group in
            for _ in 0..<n {
                group.addTask {
                    let r = try await transport.send(HTTPRequest(method: "GET", url: url))
                    return (r.status, try H2Echo(r))
                }
            }
            var all: [(status: Int, echo: H2Echo)] = []
            for try await e in group { all.append(e) }
            return all
        }
    }

    /// A request signed the way LatticeClient signs one.
    static func signed(_ method: String, _ url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) throws -> HTTPRequest {
        var request = SigV4Request(method: method, url: url, headers: headers)
        try SigV4Signer(credentials: credentials, region: "us-east-1", service: "vpc-lattice").sign(&request, payload: body.isEmpty ? .empty : .bytes(body), date: testStart)
        return HTTPRequest(method: method, url: url, headers: request.headers, body: body)
    }

    @Test func getAndPostComeBackIntactOverHTTP2WithTheSignedHeadersOnly() async throws {
        try await H2Server().whileRunning { server in
            let transport = try Self.transport(server)

            let get = try Self.signed("GET", server.url + "/echo?maxResults=10", headers: ["user-agent": "LatticeKit-test"])
            let got = try await transport.send(get)
            #expect(got.status == 200)
            #expect(got.headers["content-type"] == "application/json")
            #expect(got.headers["content-length"] == "\(got.body.count)")
            let seenGet = try H2Echo(got)
            #expect(seenGet.protocol == "h2")
            let stream = try #require(seenGet.stream)
            #expect(stream > 0 && stream % 2 == 1)  // a client-initiated HTTP/2 stream
            #expect(seenGet.method == "GET" && seenGet.path == "/echo?maxResults=10" && seenGet.bodyLength == 0)
            #expect(seenGet.header(":authority") == "127.0.0.1:\(server.url.split(separator: ":").last!)")
            // Exactly our headers: no Expect, Accept, Content-Type or User-Agent of curl's own.
            #expect(seenGet.fields == get.headers.map { "\($0.name.lowercased()): \($0.value)" }.sorted())
            #expect(try seenGet.signatureHolds(Self.credentials, date: testStart, body: []))

            let body = Array(#"{"name":"provider-svc","tags":{"k":"ü"}}"#.utf8)
            let post = try Self.signed("POST", server.url + "/echo", headers: ["content-type": "application/json"], body: body)
            let posted = try await transport.send(post)
            #expect(posted.status == 200)
            let seenPost = try H2Echo(posted)
            #expect(seenPost.protocol == "h2" && seenPost.method == "POST" && seenPost.bodyLength == body.count)
            // curl adds only content-length, which SigV4 leaves unsigned.
            #expect(seenPost.fields == (post.headers.map { "\($0.name.lowercased()): \($0.value)" } + ["content-length: \(body.count)"]).sorted())
            #expect(seenPost.header("expect") == nil && seenPost.header("accept") == nil)
            #expect(try seenPost.signatureHolds(Self.credentials, date: testStart, body: body))

            // A body without a Content-Type gets none (curl would add a form type).
            let bare = try await transport.send(HTTPRequest(method: "PUT", url: server.url + "/bare", body: Array("x".utf8)))
            #expect(try H2Echo(bare).fields == ["content-length: 1"])
        }
    }

    /// Streamed bodies over HTTP/2: a file with its length, a stream of unknown length (no
    /// chunked coding in HTTP/2: DATA frames until the stream ends), and a streamed answer.
    @Test func streamedBodiesGoBothWaysOverHTTP2() async throws {
        try await H2Server().whileRunning { server in
            let transport = try Self.transport(server)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("h2-\(UUID().uuidString).bin").path
            try PatternBody.writeFile(path, total: 3 << 20)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let file = try await transport.stream(HTTPRequest(method: "PUT", url: server.url + "/echo", bodySource: try .file(path)))
            #expect(file.status == 200)
            let fileEcho = try H2Echo(HTTPResponse(status: file.status, headers: file.headers, body: try await file.body.collect(upTo: 1 << 20)))
            #expect(fileEcho.protocol == "h2" && fileEcho.bodyLength == 3 << 20)
            #expect(fileEcho.header("content-length") == String(3 << 20))

            let chunks = try await transport.send(HTTPRequest(method: "POST", url: server.url + "/echo", bodySource: .stream { PatternBody.chunks(total: 2 << 20, chunk: 10_000) }))
            let chunksEcho = try H2Echo(chunks)
            #expect(chunksEcho.protocol == "h2" && chunksEcho.bodyLength == 2 << 20)
            #expect(chunksEcho.header("transfer-encoding") == nil)
        }
    }

    @Test func concurrentRequestsAreMultiplexedOnOneConnection() async throws {
        try await H2Server().whileRunning { server in
            let transport = try Self.transport(server)
            let n = 8
            // Each /wait/8 is held by the server until 8 streams are open at once on its
            // connection, so all answering 200 is multiplexing, observed by the server.
            let answers = try await Self.burst(transport, server.url + "/wait/\(n)", n)
            #expect(answers.map(\.status) == Array(repeating: 200, count: n))
            #expect(answers.allSatisfy { $0.echo.protocol == "h2" && $0.echo.openStreams == n })
            #expect(Set(answers.map(\.echo.connection)) == [1])
            #expect(Set(answers.compactMap(\.echo.stream)).count == n)
            #expect(answers.map(\.echo.connections).max() == 1)
        }
    }

    /// Waiting for the first handshake to learn whether HTTP/2 is spoken must not hold a burst
    /// back once it is not: over HTTP/1.1 it gets a connection per request, all at once.
    @Test func aTLSServerThatDeclinesHTTP2StillGetsTheBurstAtOnce() async throws {
        try await H2Server(alpn: ["http/1.1"]).whileRunning { server in
            let transport = try Self.transport(server)
            let n = 4
            // Over HTTP/1.1 the server holds /wait/4 until 4 are held across its connections.
            let answers = try await Self.burst(transport, server.url + "/wait/\(n)", n)
            #expect(answers.map(\.status) == Array(repeating: 200, count: n))
            #expect(answers.allSatisfy { $0.echo.protocol == "http/1.1" && $0.echo.openStreams == n })
            #expect(Set(answers.map(\.echo.connection)).count == n)
        }
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        try await H2Server().whileRunning { server in
            let transport = try Self.transport(server)
            var echoes: [H2Echo] = []
            for _ in 0..<10 {
                echoes.append(try H2Echo(try await transport.send(HTTPRequest(method: "GET", url: server.url + "/echo"))))
            }
            #expect(echoes.allSatisfy { $0.protocol == "h2" && $0.connection == 1 && $0.connections == 1 })
            // One stream after another on the same connection: 1, 3, 5, ...
            #expect(echoes.compactMap(\.stream) == Array(stride(from: 1, to: 20, by: 2)))
        }
    }

    /// The server offers h2 and http/1.1 by ALPN; without allowHTTP2 the client offers only
    /// http/1.1, and speaks it.
    @Test func withoutAllowHTTP2TheClientSpeaksHTTP1() async throws {
        try await H2Server().whileRunning { server in
            let transport = try Self.transport(server, allowHTTP2: false)
            let response = try await transport.send(HTTPRequest(method: "POST", url: server.url + "/x", body: Array("abc".utf8)))
            let seen = try H2Echo(response)
            #expect(response.status == 200)
            #expect(seen.protocol == "http/1.1" && seen.stream == nil && seen.bodyLength == 3)
            #expect(seen.header("Host") == String(server.url.dropFirst("https://".count)))
            #expect(seen.header("Expect") == nil && seen.header("Accept") == nil && seen.header("Content-Type") == nil)
            // The same server, with HTTP/2 allowed, speaks h2.
            let again = try H2Echo(try await Self.transport(server).send(HTTPRequest(method: "GET", url: server.url + "/x")))
            #expect(again.protocol == "h2")
            #expect(again.connections == 2)
        }
    }

    @Test func aCertificateThatIsNotTrustedFailsWithTLS() async throws {
        try await H2Server().whileRunning { server in
            let untrusting = try CurlTransport(configuration: .init(timeouts: HTTPTimeouts(connect: 5, read: 20)))
            await #expect {
                _ = try await untrusting.send(HTTPRequest(method: "GET", url: server.url + "/x"))
            } throws: { error in
                (error as? TransportError)?.kind == .tls && "\(error)".contains("AWS_CA_BUNDLE")
            }
        }
    }

    @Test func latticeClientListsServicesOverHTTP2() async throws {
        try await H2Server().whileRunning { server in
            // No transport given: the client makes its CurlTransport from the environment,
            // so AWS_CA_BUNDLE is what lets it trust the server.
            let client = try LatticeClient(
                LatticeConfiguration(region: "us-east-1", endpoint: server.url, credentials: AWSCredentials(Self.credentials), maxAttempts: 1),
                environment: testEnvironment(LatticeClientTests.variables(["AWS_CA_BUNDLE": server.caFile])))
            let page = try await client.listServices(ListServicesRequest(maxResults: 5))
            let service = try #require(page.items?.first)
            #expect(service.id == "svc-0123456789abcdef0" && service.name == "h2-echo" && service.status == .active)
            // The server hands back what it saw in nextToken.
            let seen = try H2Echo(json: try #require(page.nextToken))
            #expect(seen.protocol == "h2" && (seen.stream ?? 0) % 2 == 1)
            #expect(seen.method == "GET" && seen.path == "/services?maxResults=5")
            #expect(seen.header("user-agent") == LatticeClient.userAgent)
            #expect(seen.header("accept") == nil && seen.header("content-type") == nil)
            #expect(try seen.signatureHolds(Self.credentials, date: testStart, body: []))
        }
    }
}
