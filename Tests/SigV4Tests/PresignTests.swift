import Foundation
import Testing
@testable import SigV4

@Suite struct PresignTests {
    static let url = "https://vpc-lattice.us-east-1.amazonaws.com/services"
    static let authParameters = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Signature",
    ]

    static func presign(
        _ url: String = PresignTests.url,
        headers: HTTPHeaders = HTTPHeaders(),
        expires: Int = 900,
        options: SigV4Options = SigV4Options(),
        credentials: SigV4Credentials = Fixture.credentials
    ) throws -> (url: String, details: SigV4SigningDetails) {
        try Fixture.signer(credentials: credentials, options: options)
            .presign(SigV4Request(method: "GET", url: url, headers: headers), expires: expires, date: Fixture.date)
    }

    @Test(arguments: [0, -1, 604_801, Int.min, Int.max])
    func expiriesOutsideOneSecondToSevenDaysThrow(_ seconds: Int) {
        let signer = Fixture.signer()
        let error = sigV4Error { _ = try signer.presign(SigV4Request(method: "GET", url: Self.url), expires: seconds, date: Fixture.date) }
        #expect(error == .invalidExpiry(seconds: seconds))
        #expect(error?.description.contains("\(seconds)") == true)
        #expect(error?.description.contains("604800") == true)
    }

    @Test(arguments: [1, 604_800])
    func expiriesAtTheBoundsWork(_ seconds: Int) throws {
        let (url, details) = try Self.presign(expires: seconds)
        let items = queryItems(of: url)
        #expect(items.first { $0.name == "X-Amz-Expires" }?.value == String(seconds))
        #expect(details.canonicalRequest.contains("X-Amz-Expires=\(seconds)&"))
        #expect(SigV4Signer.maxPresignExpiry == 604_800)
    }

    @Test func everyAuthParameterAppearsOnce() throws {
        let (url, details) = try Self.presign()
        let items = queryItems(of: url)
        for name in Self.authParameters {
            #expect(items.filter { $0.name == name }.count == 1, "\(name)")
        }
        #expect(!items.contains { $0.name == "X-Amz-Security-Token" })
        let value = { (name: String) in items.first { $0.name == name }?.value }
        #expect(value("X-Amz-Algorithm") == "AWS4-HMAC-SHA256")
        #expect(value("X-Amz-Credential") == "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fvpc-lattice%2Faws4_request")
        #expect(value("X-Amz-Date") == Fixture.dateString)
        #expect(value("X-Amz-SignedHeaders") == "host")
        #expect(value("X-Amz-Expires") == "900")
        #expect(value("X-Amz-Signature") == details.signature)
        #expect(url.hasPrefix(Self.url + "?X-Amz-Algorithm="))
        #expect(url.hasSuffix("&X-Amz-Signature=" + details.signature))
        // The signature parameter is the only one the canonical request leaves out.
        let c = try CanonicalRequest(details.canonicalRequest)
        #expect(!c.query.contains("X-Amz-Signature"))
        #expect(c.query.split(separator: "&").count == 5)
        #expect(c.signedHeaders == "host")
        #expect(c.headerLines == ["host:vpc-lattice.us-east-1.amazonaws.com"])
    }

    @Test func signedHeadersListsTheRequestsHeaders() throws {
        let (url, details) = try Self.presign(headers: ["Content-Type": "text/plain", "X-Custom": " a  b ", "User-Agent": "ua"])
        #expect(queryItems(of: url).first { $0.name == "X-Amz-SignedHeaders" }?.value == "content-type%3Bhost%3Bx-custom")
        let c = try CanonicalRequest(details.canonicalRequest)
        #expect(c.signedHeaders == "content-type;host;x-custom")
        #expect(c.header("x-custom") == "a b")
    }

    @Test func anExistingQueryIsKeptAndSignedWithTheAuthParameters() throws {
        let (url, details) = try Self.presign(Self.url + "?maxResults=10&nextToken=a%2Fb")
        #expect(url.hasPrefix(Self.url + "?maxResults=10&nextToken=a%2Fb&X-Amz-Algorithm="))
        let items = queryItems(of: url)
        for name in Self.authParameters {
            #expect(items.filter { $0.name == name }.count == 1, "\(name)")
        }
        let c = try CanonicalRequest(details.canonicalRequest)
        let names = c.query.split(separator: "&").map { String($0.prefix { $0 != "=" }) }
        #expect(names == ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "maxResults", "nextToken"])
        #expect(c.query.hasSuffix("&maxResults=10&nextToken=a%2Fb"))
    }

    @Test func anEmptyQueryMarkIsHandled() throws {
        let (url, details) = try Self.presign(Self.url + "?")
        #expect(queryItems(of: url).filter { $0.name == "X-Amz-Signature" }.count == 1)
        #expect(try CanonicalRequest(details.canonicalRequest).query.hasPrefix("X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
    }

    @Test func aFragmentStaysOutOfTheSignedQuery() throws {
        let (url, details) = try Self.presign(Self.url + "?a=1#section-2")
        let beforeFragment = String(url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
        #expect(beforeFragment.hasPrefix(Self.url + "?a=1&X-Amz-Algorithm="))
        #expect(beforeFragment.hasSuffix("&X-Amz-Signature=" + details.signature))
        // Whatever happens to the fragment, it never comes before or inside the query.
        if let hash = url.firstIndex(of: "#") { #expect(url[hash...] == "#section-2") }
        #expect(!details.canonicalRequest.contains("section"))
        let (plain, _) = try Self.presign(Self.url + "#frag")
        #expect(plain.hasPrefix(Self.url + "?X-Amz-Algorithm="))
    }

    @Test func sessionTokenGoesIntoTheSignedQuery() throws {
        let (url, details) = try Self.presign(credentials: Fixture.tokenCredentials)
        let items = queryItems(of: url)
        let token = try #require(items.first { $0.name == "X-Amz-Security-Token" })
        #expect(items.filter { $0.name == "X-Amz-Security-Token" }.count == 1)
        #expect(token.value == PercentEncoding.encode(Fixture.token))
        #expect(PercentEncoding.decode(token.value) == Fixture.token)
        let c = try CanonicalRequest(details.canonicalRequest)
        #expect(c.query.contains("X-Amz-Security-Token=" + PercentEncoding.encode(Fixture.token)))
        #expect(c.signedHeaders == "host")
    }

    @Test func omittedSessionTokenIsInTheURLButNotSigned() throws {
        let (url, details) = try Self.presign(options: SigV4Options(omitSessionTokenFromSigning: true), credentials: Fixture.tokenCredentials)
        let items = queryItems(of: url)
        #expect(items.filter { $0.name == "X-Amz-Security-Token" }.map(\.value) == [PercentEncoding.encode(Fixture.token)])
        #expect(!details.canonicalRequest.contains("X-Amz-Security-Token"))
        let (plainURL, plain) = try Self.presign()
        #expect(details.signature == plain.signature)
        #expect(url.hasSuffix("&X-Amz-Signature=" + plain.signature))
        #expect(plainURL.count < url.count)
    }

    @Test func staleSignatureHeadersAreIgnored() throws {
        let (url, details) = try Self.presign(headers: ["Authorization": "AWS4-HMAC-SHA256 old", "X-Amz-Date": "20000101T000000Z"])
        let (cleanURL, clean) = try Self.presign()
        #expect(details.signature == clean.signature)
        #expect(url == cleanURL)
    }

    @Test func presigningIsDeterministic() throws {
        let (a, _) = try Self.presign(credentials: Fixture.tokenCredentials)
        let (b, _) = try Self.presign(credentials: Fixture.tokenCredentials)
        #expect(a == b)
    }

    @Test func payloadHashIsTheLastLine() throws {
        let signer = Fixture.signer()
        let request = SigV4Request(method: "PUT", url: Self.url)
        #expect(try signer.presign(request, expires: 60, date: Fixture.date).details.canonicalRequest.hasSuffix("\n" + SigV4Signer.emptyPayloadHash))
        #expect(try signer.presign(request, expires: 60, payload: .unsigned, date: Fixture.date).details.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }
}
