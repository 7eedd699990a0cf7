import Foundation
import Testing
@testable import SigV4

@Suite struct HeaderSigningTests {
    static let url = "https://vpc-lattice.us-east-1.amazonaws.com/services"

    @Test func valuesAreTrimmedAndInnerWhitespaceFolded() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: [
            "X-A": "   leading and trailing   ",
            "X-B": "a    b\t\tc \t d",
            "X-C": "\tonly-tab\t",
            "X-D": "",
            "X-E": "   ",
            "X-F": "multi\n line\r\n value",
        ])
        #expect(c.header("x-a") == "leading and trailing")
        #expect(c.header("x-b") == "a b c d")
        #expect(c.header("x-c") == "only-tab")
        #expect(c.header("x-d") == "")
        #expect(c.header("x-e") == "")
        #expect(c.header("x-f") == "multi line value")
    }

    @Test func duplicateNamesAreJoinedWithCommasInOriginalOrder() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: HTTPHeaders([
            ("X-Dup", " 3 "), ("Accept", "a"), ("x-dup", "1"), ("Zeta", "z"), ("X-DUP", "2  two"), ("x-dup", ""),
        ]))
        #expect(c.header("x-dup") == "3,1,2 two,")
        #expect(c.headerLines.filter { $0.hasPrefix("x-dup:") }.count == 1)
        #expect(c.signedHeaderNames.filter { $0 == "x-dup" }.count == 1)
    }

    @Test func namesAreLowerCasedAndSorted() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: HTTPHeaders([
            ("Zeta", "1"), ("alpha", "2"), ("MID", "3"), ("X-Amz-Target", "4"), ("content-TYPE", "5"), ("A-b", "6"), ("a", "7"),
        ]))
        let names = ["a", "a-b", "alpha", "content-type", "host", "mid", "x-amz-date", "x-amz-target", "zeta"]
        #expect(c.signedHeaders == names.joined(separator: ";"))
        #expect(c.headerLines.map { String($0.prefix { $0 != ":" }) } == names)
        #expect(c.header("mid") == "3")
    }

    @Test func defaultRuleLeavesOutHeadersThatChangeOnTheWay() throws {
        let (request, _, c) = try Fixture.sign(Self.url, method: "POST", headers: HTTPHeaders([
            ("User-Agent", "lattice/1.0"), ("Expect", "100-continue"), ("X-Amzn-Trace-Id", "Root=1-abc"),
            ("Content-Length", "12"), ("AUTHORIZATION", "stale"), ("Content-Type", "application/json"),
        ]), payload: .string("{\"a\":\"b\"}\n\n"))
        #expect(c.signedHeaders == "content-type;host;x-amz-date")
        for name in ["user-agent", "expect", "x-amzn-trace-id", "content-length", "authorization"] {
            #expect(c.header(name) == nil, "\(name) must not be signed")
        }
        // They are still sent.
        #expect(request.headers["user-agent"] == "lattice/1.0")
        #expect(request.headers["content-length"] == "12")
        #expect(request.headers.values(for: "authorization").count == 1)
        #expect(request.headers["authorization"] != "stale")
    }

    @Test func onlyRuleSignsTheListedHeadersPlusTheAlwaysSignedOnes() throws {
        let options = SigV4Options(signedHeaders: .only(["Content-Type", "x-custom"]), addContentSHA256Header: true)
        let (request, _, c) = try Fixture.sign(Self.url, headers: HTTPHeaders([
            ("Content-Type", "application/json"), ("X-Custom", "1"), ("X-Other", "2"), ("User-Agent", "ua"),
        ]), options: options, credentials: Fixture.tokenCredentials)
        #expect(c.signedHeaders == "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom")
        #expect(c.header("x-other") == nil)
        #expect(request.headers["x-other"] == "2")
        #expect(c.header("x-amz-security-token") == Fixture.token)
    }

    @Test func onlyRuleWithNoNamesStillSignsHostAndDate() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: ["X-Custom": "1"], options: SigV4Options(signedHeaders: .only([])))
        #expect(c.signedHeaders == "host;x-amz-date")
    }

    @Test
    func onlyRuleStillSignsTheRequestsXAmzHeaders() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: ["X-Amz-Target": "Lattice.CreateService", "X-Amz-Meta-Owner": "me"],
                                         options: SigV4Options(signedHeaders: .only(["content-type"])))
        #expect(c.signedHeaderNames.contains("x-amz-target"))
        #expect(c.signedHeaderNames.contains("x-amz-meta-owner"))
    }

    @Test func allExceptRuleLeavesOutTheNamedHeadersInAnyCase() throws {
        let (_, _, c) = try Fixture.sign(Self.url, headers: ["X-Skip": "1", "x-keep": "2"], options: SigV4Options(signedHeaders: .allExcept(["x-SKIP"])))
        #expect(c.signedHeaders == "host;x-amz-date;x-keep")
    }

    @Test func theAlwaysSignedHeadersCannotBeExcluded() throws {
        let options = SigV4Options(signedHeaders: .allExcept(["host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]), addContentSHA256Header: true)
        let (_, _, c) = try Fixture.sign(Self.url, options: options, credentials: Fixture.tokenCredentials)
        #expect(c.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
    }

    @Test func authorizationIsNeverSignedEvenWhenListed() throws {
        var request = SigV4Request(method: "GET", url: Self.url)
        let signer = Fixture.signer(options: SigV4Options(signedHeaders: .only(["authorization"])))
        try signer.sign(&request, date: Fixture.date)
        let again = try signer.sign(&request, date: Fixture.date)
        #expect(try CanonicalRequest(again.canonicalRequest).header("authorization") == nil)
    }

    @Test func signingAgainReplacesTheSignatureHeaders() throws {
        let signer = Fixture.signer(credentials: Fixture.tokenCredentials, options: SigV4Options(addContentSHA256Header: true))
        var request = SigV4Request(method: "POST", url: Self.url, headers: ["Content-Type": "application/json"])
        let first = try signer.sign(&request, payload: .string("{}"), date: Fixture.date)
        let later = Fixture.date.addingTimeInterval(86_400 + 61)
        let second = try signer.sign(&request, payload: .string("{}"), date: later)

        for name in ["x-amz-date", "authorization", "x-amz-security-token", "x-amz-content-sha256"] {
            #expect(request.headers.values(for: name).count == 1, "\(name)")
        }
        #expect(request.headers["x-amz-date"] == "20150831T123701Z")
        #expect(request.headers["authorization"]?.hasSuffix("Signature=" + second.signature) == true)
        #expect(request.headers["authorization"]?.contains("/20150831/us-east-1/") == true)
        #expect(second.signature != first.signature)

        // The second signature is what a fresh request gets at that time.
        var fresh = SigV4Request(method: "POST", url: Self.url, headers: ["Content-Type": "application/json"])
        let direct = try signer.sign(&fresh, payload: .string("{}"), date: later)
        #expect(second.canonicalRequest == direct.canonicalRequest)
        #expect(second.signature == direct.signature)
        #expect(request.headers.count == fresh.headers.count)
    }

    @Test func signingAgainReplacesSignatureHeadersOfAnyCase() throws {
        let signer = Fixture.signer(credentials: Fixture.tokenCredentials)
        var request = SigV4Request(method: "GET", url: Self.url, headers: HTTPHeaders([
            ("Authorization", "AWS4-HMAC-SHA256 Credential=OLD"), ("X-Amz-Date", "20000101T000000Z"),
            ("X-AMZ-SECURITY-TOKEN", "old-token"), ("authorization", "another"),
        ]))
        let details = try signer.sign(&request, date: Fixture.date)
        #expect(request.headers.values(for: "authorization").count == 1)
        #expect(request.headers.values(for: "x-amz-date") == [Fixture.dateString])
        #expect(request.headers.values(for: "x-amz-security-token") == [Fixture.token])
        #expect(!details.canonicalRequest.contains("old-token"))
        #expect(!details.canonicalRequest.contains("20000101"))
    }

    @Test func signedRequestCarriesTheAuthorizationHeaderInAWSForm() throws {
        let (request, details, c) = try Fixture.sign(Self.url, headers: ["Content-Type": "application/json"])
        #expect(request.headers["authorization"]
            == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/vpc-lattice/aws4_request, SignedHeaders=\(c.signedHeaders), Signature=\(details.signature)")
        #expect(details.signedHeaders == c.signedHeaders)
        #expect(details.signature.count == 64)
        #expect(details.signature.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(c.method == "GET")
    }

    @Test func methodIsUpperCased() throws {
        #expect(try Fixture.sign(Self.url, method: "post").canonical.method == "POST")
        #expect(try Fixture.sign(Self.url, method: "Delete").canonical.method == "DELETE")
    }
}

@Suite struct SigningOptionTests {
    static let url = "https://vpc-lattice.us-east-1.amazonaws.com/services"

    @Test func sessionTokenIsSignedByDefault() throws {
        let (request, _, c) = try Fixture.sign(Self.url, credentials: Fixture.tokenCredentials)
        #expect(request.headers["x-amz-security-token"] == Fixture.token)
        #expect(c.signedHeaderNames.contains("x-amz-security-token"))
        #expect(c.header("x-amz-security-token") == Fixture.token)
    }

    @Test func omitSessionTokenFromSigningSendsButDoesNotSignTheToken() throws {
        let (request, details, c) = try Fixture.sign(Self.url, options: SigV4Options(omitSessionTokenFromSigning: true), credentials: Fixture.tokenCredentials)
        #expect(request.headers.values(for: "x-amz-security-token") == [Fixture.token])
        #expect(!c.signedHeaderNames.contains("x-amz-security-token"))
        #expect(!details.canonicalRequest.contains(Fixture.token))
        #expect(c.signedHeaders == "host;x-amz-date")
        // The same as signing without a token, but for the header.
        let (_, plain, _) = try Fixture.sign(Self.url)
        #expect(details.signature == plain.signature)
    }

    @Test func omitSessionTokenSurvivesSigningAgain() throws {
        let signer = Fixture.signer(credentials: Fixture.tokenCredentials, options: SigV4Options(omitSessionTokenFromSigning: true))
        var request = SigV4Request(method: "GET", url: Self.url)
        try signer.sign(&request, date: Fixture.date)
        let again = try signer.sign(&request, date: Fixture.date.addingTimeInterval(5))
        #expect(request.headers.values(for: "x-amz-security-token") == [Fixture.token])
        #expect(!again.signedHeaders.contains("x-amz-security-token"))
    }

    @Test func addContentSHA256HeaderSendsAndSignsThePayloadHash() throws {
        let body = "{\"name\":\"svc\"}"
        let (request, _, c) = try Fixture.sign(Self.url, method: "POST", payload: .string(body), options: SigV4Options(addContentSHA256Header: true))
        let hash = try #require(request.headers["x-amz-content-sha256"])
        #expect(hash == c.payloadHash)
        #expect(c.header("x-amz-content-sha256") == hash)
        #expect(c.signedHeaderNames.contains("x-amz-content-sha256"))
        #expect(hash == String(decoding: SigV4Signer.payloadHash(.string(body)), as: UTF8.self))
    }

    @Test func withoutTheOptionThereIsNoContentSHA256Header() throws {
        let (request, _, c) = try Fixture.sign(Self.url, payload: .string("x"))
        #expect(request.headers["x-amz-content-sha256"] == nil)
        #expect(c.header("x-amz-content-sha256") == nil)
    }

    @Test func emptyPayloadIsTheHashOfTheEmptyString() throws {
        #expect(SigV4Signer.emptyPayloadHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for payload: SigV4Payload in [.empty, .bytes([]), .string("")] {
            #expect(try Fixture.sign(Self.url, payload: payload).canonical.payloadHash == SigV4Signer.emptyPayloadHash)
        }
        let hash = [UInt8]().withUnsafeBytes { Hex.encode(Digest.sha256($0)) }
        #expect(hash == SigV4Signer.emptyPayloadHash)
    }

    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
        ("é", "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"),
    ])
    func bytesAndStringPayloadsAreHashedWithSHA256(_ body: String, _ hash: String) throws {
        #expect(try Fixture.sign(Self.url, payload: .string(body)).canonical.payloadHash == hash)
        #expect(try Fixture.sign(Self.url, payload: .bytes(Array(body.utf8))).canonical.payloadHash == hash)
    }

    @Test func everyByteValueIsHashed() throws {
        #expect(try Fixture.sign(Self.url, payload: .bytes(Array(UInt8.min...UInt8.max))).canonical.payloadHash
            == "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880")
    }

    @Test func oneMillionLetterAsHashLikeTheNISTVector() throws {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(try Fixture.sign(Self.url, payload: .bytes(body)).canonical.payloadHash
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func precomputedHashIsUsedLowerCased() throws {
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        let (request, _, c) = try Fixture.sign(Self.url, payload: .precomputedHash(upper), options: SigV4Options(addContentSHA256Header: true))
        #expect(c.payloadHash == upper.lowercased())
        #expect(request.headers["x-amz-content-sha256"] == upper.lowercased())
        // The same signature as hashing the body here.
        let (_, direct, _) = try Fixture.sign(Self.url, payload: .string("abc"), options: SigV4Options(addContentSHA256Header: true))
        #expect(try Fixture.sign(Self.url, payload: .precomputedHash(upper), options: SigV4Options(addContentSHA256Header: true)).details.signature == direct.signature)
    }

    @Test func unsignedPayloadIsTheCanonicalRequestsLastLine() throws {
        let (request, details, c) = try Fixture.sign(Self.url, payload: .unsigned, options: SigV4Options(addContentSHA256Header: true))
        #expect(c.payloadHash == "UNSIGNED-PAYLOAD")
        #expect(SigV4Signer.unsignedPayload == "UNSIGNED-PAYLOAD")
        #expect(details.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
    }
}
