import Foundation
import Testing
@testable import SigV4

@Suite struct HostHeaderTests {
    static func signedHost(_ url: String) throws -> String? {
        try Fixture.sign(url).canonical.header("host")
    }

    @Test(arguments: [
        ("http://example.com:80/", "example.com"),
        ("https://example.com:443/", "example.com"),
        ("HTTPS://example.com:443/", "example.com"),
        ("Http://example.com:80", "example.com"),
        ("https://example.com/", "example.com"),
        ("http://example.com", "example.com"),
    ])
    func defaultPortsAreDropped(_ url: String, _ host: String) throws {
        #expect(try Self.signedHost(url) == host)
    }

    @Test(arguments: [
        ("https://example.com:80/", "example.com:80"),
        ("http://example.com:443/", "example.com:443"),
        ("https://example.com:8443/x", "example.com:8443"),
        ("http://127.0.0.1:8080?a=b", "127.0.0.1:8080"),
        ("https://localhost:4430", "localhost:4430"),
        ("https://example.com:0443/", "example.com:0443"),
    ])
    func otherPortsAreKept(_ url: String, _ host: String) throws {
        #expect(try Self.signedHost(url) == host)
    }

    @Test func upperCaseHostsAreLowered() throws {
        #expect(try Self.signedHost("https://Example.COM:8443/Path") == "example.com:8443")
        #expect(try Self.signedHost("https://VPC-LATTICE.US-EAST-1.AMAZONAWS.COM/") == "vpc-lattice.us-east-1.amazonaws.com")
        // The path keeps its case.
        #expect(try Fixture.sign("https://Example.COM/Path").canonical.uri == "/Path")
    }

    @Test func userinfoIsIgnored() throws {
        #expect(try Self.signedHost("https://user@example.com/") == "example.com")
        #expect(try Self.signedHost("https://user:p%40ss@example.com:8443/x") == "example.com:8443")
        #expect(try Self.signedHost("http://user:pw@Example.com:80") == "example.com")
    }

    @Test func ipv6LiteralsKeepTheirBracketsAndPort() throws {
        #expect(try Self.signedHost("http://[::1]:9000/x") == "[::1]:9000")
        #expect(try Self.signedHost("http://[::1]/x") == "[::1]")
        #expect(try Self.signedHost("https://[2001:DB8::1]:443/") == "[2001:db8::1]")
        #expect(try Self.signedHost("https://[2001:db8::1]:8443") == "[2001:db8::1]:8443")
        #expect(try Self.signedHost("http://user@[fe80::1]:80/") == "[fe80::1]")
    }

    @Test func fragmentIsNotSigned() throws {
        let (_, _, c) = try Fixture.sign("https://example.com/p#frag")
        #expect(c.uri == "/p")
        #expect(c.query == "")
        #expect(c.header("host") == "example.com")
        let (_, _, q) = try Fixture.sign("https://example.com/p?a=1#frag&b=2")
        #expect(q.query == "a=1")
        let (_, _, h) = try Fixture.sign("https://example.com#/a/b?c=d")
        #expect(h.uri == "/")
        #expect(h.query == "")
        #expect(h.header("host") == "example.com")
    }

    @Test func anExplicitHostHeaderIsSignedInsteadOfTheURLs() throws {
        let (_, _, c) = try Fixture.sign("https://127.0.0.1:8443/", headers: ["Host": " vpc-lattice.us-east-1.amazonaws.com "])
        #expect(c.header("host") == "vpc-lattice.us-east-1.amazonaws.com")
        #expect(c.headerLines.filter { $0.hasPrefix("host:") }.count == 1)
    }

    static let invalidURLs = [
        "", "not a url", "example.com/path", "example.com", "/services", "https://", "https:///path",
        "https://user@/path", "https://:443/", "://example.com/", "1https://example.com/", "https:/example.com/",
        "ht tp://example.com/",
    ]

    @Test(arguments: invalidURLs)
    func urlsWithoutSchemeOrHostThrowInvalidURL(_ url: String) {
        var request = SigV4Request(method: "GET", url: url)
        let signer = Fixture.signer()
        let error = sigV4Error { try signer.sign(&request, date: Fixture.date) }
        #expect(error == .invalidURL(url))
        #expect(sigV4Error { _ = try signer.presign(request, expires: 60, date: Fixture.date) } == .invalidURL(url))
        let description = error?.description ?? ""
        #expect(description.contains("'\(url)'"))
        #expect(description.contains("scheme") && description.contains("host"))
        #expect(description.contains("https://"))
    }

    @Test
    func anInvalidURLLeavesTheRequestUntouched() {
        var request = SigV4Request(method: "GET", url: "not a url", headers: ["X-Amz-Date": "20000101T000000Z", "Authorization": "old"])
        let before = request
        _ = sigV4Error { try Fixture.signer(credentials: Fixture.tokenCredentials).sign(&request, date: Fixture.date) }
        #expect(request == before)
    }
}

@Suite struct PathNormalizationTests {
    @Test(arguments: [
        ("", "/"),
        ("/", "/"),
        ("/a/./b", "/a/b"),
        ("/a/../b", "/b"),
        ("/a//b", "/a/b"),
        ("//a///b//", "/a/b/"),
        ("/a/b/", "/a/b/"),
        ("/a/./b/../c/", "/a/c/"),
        ("/..", "/"),
        ("/../../a", "/a"),
        ("/a/b/../../../c", "/c"),
        ("/a/..", "/"),
        ("/a/../", "/"),
        ("/a/b/..", "/a"),
        ("/a/.", "/a"),
        ("/a/./", "/a/"),
        ("//", "/"),
        ("/./", "/"),
        ("/.", "/"),
        ("/...", "/..."),
        ("/.hidden/..x/x..", "/.hidden/..x/x.."),
        ("/a/%2E%2E/b", "/a/%252E%252E/b"),
    ])
    func dotSegmentsAndEmptySegmentsAreRemoved(_ path: String, _ expected: String) throws {
        let (_, _, c) = try Fixture.sign("https://example.amazonaws.com" + path)
        #expect(c.uri == expected)
    }

    @Test func emptyPathIsSlashWithAQueryOrFragment() throws {
        #expect(try Fixture.sign("https://example.amazonaws.com?a=1").canonical.uri == "/")
        #expect(try Fixture.sign("https://example.amazonaws.com#f").canonical.uri == "/")
        #expect(try Fixture.sign("https://example.amazonaws.com", options: SigV4Options(normalizePath: false)).canonical.uri == "/")
        #expect(try Fixture.sign("https://example.amazonaws.com", options: .s3).canonical.uri == "/")
    }

    @Test func normalizePathFalseKeepsThePath() throws {
        let options = SigV4Options(normalizePath: false)
        for path in ["/a/./b", "/a/../b", "//a//b//", "/..", "/a/b/..", "/./"] {
            #expect(try Fixture.sign("https://example.amazonaws.com" + path, options: options).canonical.uri == path)
        }
    }

    @Test func wirePathIsEncodedOnceMoreByDefault() throws {
        let (_, _, c) = try Fixture.sign("https://example.amazonaws.com/tags/arn%3Aaws%3Avpc-lattice%3Aus-east-1%3A1%3Aservice%2Fsvc-1/a%20b/%C3%A9")
        #expect(c.uri == "/tags/arn%253Aaws%253Avpc-lattice%253Aus-east-1%253A1%253Aservice%252Fsvc-1/a%2520b/%25C3%25A9")
        // Characters the wire path holds unencoded are encoded for the canonical URI.
        let (_, _, raw) = try Fixture.sign("https://example.amazonaws.com/a:b@c!*")
        #expect(raw.uri == "/a%3Ab%40c%21%2A")
    }

    @Test func doubleEncodePathFalseUsesTheWirePathAsIs() throws {
        let path = "/bucket/key%20with%20space/%C3%A9/a:b/./c/../d//e"
        let (request, _, c) = try Fixture.sign("https://s3.amazonaws.com" + path, options: .s3)
        #expect(c.uri == path)
        #expect(request.headers["x-amz-content-sha256"] == SigV4Signer.emptyPayloadHash)
        // Without a second encoding but with normalization.
        let normalizing = SigV4Options(normalizePath: true, doubleEncodePath: false)
        #expect(try Fixture.sign("https://s3.amazonaws.com" + path, options: normalizing).canonical.uri == "/bucket/key%20with%20space/%C3%A9/a:b/d/e")
    }

    @Test func s3OptionsAreNoNormalizationNoSecondEncodingAndAContentHash() {
        let s3 = SigV4Options.s3
        #expect(!s3.normalizePath)
        #expect(!s3.doubleEncodePath)
        #expect(s3.addContentSHA256Header)
        #expect(!s3.omitSessionTokenFromSigning)
        #expect(s3.signedHeaders == .default)
    }
}
