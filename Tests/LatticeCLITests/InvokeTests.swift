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
}
