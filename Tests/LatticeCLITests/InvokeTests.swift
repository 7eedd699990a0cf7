import Foundation
import LatticeTestSupport
import Testing

/// `lattice invoke`: a request to a Lattice service, signed for vpc-lattice-svcs with
/// UNSIGNED-PAYLOAD, against a loopback server standing in for the service.
@Suite struct InvokeTests {
    @Test func aGetIsSignedForVpcLatticeSvcsAndItsBodyPrinted() async throws {
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array("healthy\n".utf8)) }
        let sandbox = try CLI.Sandbox()
        let r = try await CLI.lattice(["invoke", "--url", server.url + "/health?verbose=1", "--header", "x-trace: abc", "--region", "us-west-2"], sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "healthy\n")
        let sent = try #require(server.requests.first)
        #expect(sent.method == "GET" && sent.target == "/health?verbose=1")
        #expect(sent.header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        #expect(sent.header("x-trace") == "abc")
        let authorization = try #require(sent.header("authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDCLIPARITYTEST/"))
        #expect(authorization.contains("/us-west-2/vpc-lattice-svcs/aws4_request"))
        #expect(authorization.contains("x-amz-content-sha256") && authorization.contains("x-trace"), "both headers are signed: \(authorization)")
    }

    @Test func sigV4aSignsForTheRegionSetAndABodyGoesFromAFile() async throws {
        let server = try LoopbackServer { _ in .respond(status: 201, headers: [], body: []) }
        let sandbox = try CLI.Sandbox()
        let file = try sandbox.file("item.json", #"{"name":"x"}"#)
        let r = try await CLI.lattice(["invoke", "--url", server.url + "/items", "--method", "post", "--body", "file://\(file)", "--region-set", "*"], sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.body == Array(#"{"name":"x"}"#.utf8))
        #expect(sent.header("x-amz-region-set") == "*")
        #expect(sent.header("authorization")?.hasPrefix("AWS4-ECDSA-P256-SHA256 Credential=AKIDCLIPARITYTEST/") == true)
    }

    @Test func latticesRefusalIsExplainedAndAPostIsSentOnce() async throws {
        let denied = try LoopbackServer { _ in
            .respond(status: 403, headers: [("Content-Type", "application/json")],
                     body: Array(#"{"__type":"AccessDeniedException","message":"not authorized to perform: vpc-lattice-svcs:Invoke"}"#.utf8))
        }
        let sandbox = try CLI.Sandbox()
        let r = try await CLI.lattice(["invoke", "--url", denied.url + "/"], sandbox)
        #expect(r.status == 254, "\(r.stderr)")
        #expect(r.stderr.contains("Lattice refused the call (HTTP 403, AccessDeniedException): not authorized to perform: vpc-lattice-svcs:Invoke"))
        #expect(r.stderr.contains("auth policies"))

        let busy = try LoopbackServer { _ in .respond(status: 503, headers: [], body: Array("busy".utf8)) }
        let post = try await CLI.lattice(["invoke", "--url", busy.url + "/orders", "--method", "POST", "--body", "{}"], sandbox)
        #expect(post.status == 254 && post.stderr.contains("HTTP 503") && post.stdout == "busy", "\(post.stderr)")
        #expect(busy.requests.count == 1, "a POST is not retried")
        let get = try await CLI.lattice(["invoke", "--url", busy.url + "/orders"], sandbox)
        #expect(get.status == 254)
        #expect(busy.requests.count == 3, "a GET is retried (the sandbox allows two attempts)")
    }

    @Test func badCommandLinesAndConfigurationAreRefusedBeforeSending() async throws {
        let server = try LoopbackServer()
        let sandbox = try CLI.Sandbox()
        for arguments in [["invoke"], ["invoke", "--url", server.url, "--header", "no-colon"], ["invoke", "--url", server.url, "--header", "x: a\u{1b}b"],
                          ["invoke", "--url", server.url, "--method", "GE T"], ["invoke", "--url", server.url, "--endpoint-url", server.url],
                          ["invoke", "--url", "ftp://example.com/x"]] {
            let r = try await CLI.lattice(arguments, sandbox)
            #expect(r.status == 252 || r.status == 253, "\(arguments): \(r.status) \(r.stderr)")
        }
        let noRegion = try CLI.Sandbox()
        noRegion.environment["AWS_DEFAULT_REGION"] = nil
        let r = try await CLI.lattice(["invoke", "--url", server.url], noRegion)
        #expect(r.status == 253 && r.stderr.contains("--region"), "\(r.stderr)")
        #expect(server.requests.isEmpty)
        let help = try await CLI.lattice(["invoke", "help"], sandbox)
        #expect(help.status == 0 && help.stdout.contains("--region-set"))
    }

    /// `--data-binary @file` streams the file (retried from its start), and the answer's body
    /// goes to standard output as it arrives: more than the 32 MiB a whole response may hold.
    @Test func aFileIsStreamedUpAndALargeAnswerStreamedToStandardOutput() async throws {
        let sandbox = try CLI.Sandbox()
        let size = 24 << 20
        let file = sandbox.directory.appendingPathComponent("upload.bin").path
        try PatternBody.writeFile(file, total: size)
        let attempts = Locked(0)
        let upload = try LoopbackServer { _ in
            attempts.withLock { count -> Int in count += 1; return count } == 1 ? .respond(status: 503, headers: [], body: Array("busy".utf8)) : .respond(status: 200, headers: [], body: Array("stored".utf8))
        }
        upload.verifyPatternBodies = true
        let put = try await CLI.lattice(["invoke", "--url", upload.url + "/objects/a", "--method", "PUT", "--data-binary", "@" + file], sandbox)
        #expect(put.status == 0 && put.stdout == "stored", "\(put.stderr)")
        #expect(upload.requests.count == 2, "a PUT is retried")
        for request in upload.requests {
            #expect(request.header("content-length") == String(size))
            #expect(request.bodyLength == size && request.bodyIsPattern, "each attempt sends the whole file from its start")
            #expect(request.header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        }
        // Text as given, and a missing or special file refused before sending.
        let text = try await CLI.lattice(["invoke", "--url", upload.url + "/t", "--method", "POST", "--data-binary", "a=b"], sandbox)
        #expect(text.status == 0, "\(text.stderr)")
        for bad in ["@" + sandbox.directory.appendingPathComponent("missing.bin").path, "@/dev/zero"] {
            let r = try await CLI.lattice(["invoke", "--url", upload.url + "/x", "--method", "PUT", "--data-binary", bad], sandbox)
            #expect(r.status == 252 && r.stderr.contains("--data-binary"), "\(bad): \(r.status) \(r.stderr)")
        }
        #expect(upload.requests.count == 3)

        let large = 40 << 20
        let download = try LoopbackServer { _ in .pattern(status: 200, length: large) }
        let out = sandbox.directory.appendingPathComponent("big.bin")
        let get = try await CLI.lattice(["invoke", "--url", download.url + "/objects/big"], sandbox, stdoutTo: out)
        #expect(get.status == 0, "\(get.stderr)")
        let handle = try FileHandle(forReadingFrom: out)
        defer { try? handle.close() }
        var verifier = PatternBody.Verifier()
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { verifier.consume(Array(piece)) }
        #expect(verifier.offset == large && verifier.intact)

        // A body cut short is an error, not a short file that looks whole.
        let cut = try LoopbackServer { _ in .pattern(status: 200, length: 2 << 20, declared: 4 << 20) }
        let short = try await CLI.lattice(["invoke", "--url", cut.url + "/objects/cut"], sandbox, stdoutTo: sandbox.directory.appendingPathComponent("cut.bin"))
        #expect(short.status == 255 && short.stderr.contains("closed before the whole response arrived"), "\(short.status) \(short.stderr)")

        let help = try await CLI.lattice(["invoke", "--help"], sandbox)
        #expect(help.stdout.contains("--data-binary") && help.stdout.contains("streamed from the disk"))
    }
}
