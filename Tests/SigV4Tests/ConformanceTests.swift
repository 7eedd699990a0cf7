import Foundation
import Testing
@testable import SigV4

/// Every v4 case of the AWS signing test suite, header and query signing: canonical request,
/// string to sign and signature must match byte for byte.
@Suite struct ConformanceTests {
    static let cases = SuiteCase.all("v4")

    @Test func suiteIsPresent() {
        #expect(Self.cases.count == 38)
    }

    @Test(arguments: cases)
    func headerSigning(_ c: SuiteCase) throws {
        let signer = SigV4Signer(credentials: c.credentials, region: c.context.region, service: c.context.service, options: c.options, cache: SigningKeyCache())
        var request = c.request
        let details = try signer.sign(&request, payload: c.payload, date: c.timestamp)
        #expect(details.canonicalRequest == c.text("header-canonical-request.txt"))
        #expect(details.stringToSign == c.text("header-string-to-sign.txt"))
        #expect(details.signature == c.text("header-signature.txt"))
        // The signed request's Authorization line is what the suite shows.
        let expectedAuth = c.text("header-signed-request.txt")!
            .split(separator: "\n").first { $0.hasPrefix("Authorization:") }
            .map { String($0.dropFirst("Authorization:".count)) }
        #expect(request.headers["authorization"] == expectedAuth)
        #expect(request.headers["x-amz-date"] == "20150830T123600Z")
        if let token = c.context.credentials.token {
            #expect(request.headers["x-amz-security-token"] == token)
        }
    }

    @Test(arguments: cases)
    func querySigning(_ c: SuiteCase) throws {
        let signer = SigV4Signer(credentials: c.credentials, region: c.context.region, service: c.context.service, options: c.options, cache: SigningKeyCache())
        let (url, details) = try signer.presign(c.request, expires: c.context.expiration_in_seconds, payload: c.payload, date: c.timestamp)
        #expect(details.canonicalRequest == c.text("query-canonical-request.txt"))
        #expect(details.stringToSign == c.text("query-string-to-sign.txt"))
        #expect(details.signature == c.text("query-signature.txt"))
        // The presigned URL's path and query are the suite's request line.
        let requestLine = c.text("query-signed-request.txt")!.split(separator: "\n").first!
        let target = requestLine.dropFirst(c.request.method.count + 1).dropLast(" HTTP/1.1".count)
        #expect(url == "https://example.amazonaws.com" + target)
    }
}
