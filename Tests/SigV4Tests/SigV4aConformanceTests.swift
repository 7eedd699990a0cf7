import Foundation
import Testing
@testable import SigV4

/// Every v4a case of the AWS signing test suite, header and query signing. ECDSA signatures are
/// randomized, so they cannot match the suite's byte for byte; instead: the canonical request
/// and the string to sign match exactly, the derived public key is the suite's, our signature
/// verifies under the suite's key, and the suite's signatures verify under our derived key
/// (so we hash exactly what AWS hashes).
@Suite struct SigV4aConformanceTests {
    static let cases = SuiteCase.all("v4a")

    /// Two cases of the suite hold only context.json and request.txt (the AWS SDKs skip them
    /// as incomplete): no expected output, so they are signed and self-verified only.
    static let incomplete: [String: String] = [
        "get-vanilla-query-order-key": "Param1=Value1&Param1=value2",
        "get-vanilla-query-order-value": "Param1=value1&Param1=value2",
    ]

    @Test func suiteIsPresent() {
        #expect(Self.cases.count == 40)
        let complete = Self.cases.filter { $0.text("header-canonical-request.txt") != nil }
        #expect(complete.count == 38)
        #expect(Set(Self.cases.filter { $0.text("header-canonical-request.txt") == nil }.map(\.name)) == Set(Self.incomplete.keys))
    }

    @Test(arguments: cases)
    func headerSigning(_ c: SuiteCase) throws {
        let signer = SigV4aSigner(credentials: c.credentials, service: c.context.service, regionSet: [c.context.region], options: c.options, cache: SigV4aKeyCache())
        var request = c.request
        let details = try signer.sign(&request, payload: c.payload, date: c.timestamp)
        let ourKey = try signer.publicKey()

        #expect(request.headers["x-amz-date"] == "20150830T123600Z")
        #expect(request.headers["x-amz-region-set"] == c.context.region)
        if let token = c.context.credentials.token {
            #expect(request.headers["x-amz-security-token"] == token)
        }
        let authorization = try #require(request.headers["authorization"])
        #expect(authorization.hasSuffix(", Signature=" + details.signature))
        #expect(details.signature.hasPrefix("30"), "a DER SEQUENCE")
        #expect(try ourKey.isValidSignature(hex: details.signature, for: details.stringToSign))

        if let expectedQuery = Self.incomplete[c.name] {
            #expect(details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == expectedQuery)
            return
        }

        let suiteKey = try c.suitePublicKey()
        #expect(ourKey == suiteKey, "the key derived from context.json is public-key.json's")

        let expectedCanonical = try #require(c.text("header-canonical-request.txt"))
        let expectedStringToSign = try #require(c.text("header-string-to-sign.txt"))
        #expect(details.canonicalRequest == expectedCanonical)
        #expect(details.stringToSign == expectedStringToSign)
        // get-vanilla also keeps the older file names.
        if let legacy = c.text("canonical-request.txt") { #expect(details.canonicalRequest == legacy) }
        if let legacy = c.text("string-to-sign.txt") { #expect(details.stringToSign == legacy) }

        // Our signature, under the suite's public key.
        #expect(try suiteKey.isValidSignature(hex: details.signature, for: expectedStringToSign))

        // The Authorization line is the suite's but for the (randomized) signature.
        let suiteAuthorization = try #require(c.text("header-signed-request.txt")?
            .split(separator: "\n").first { $0.hasPrefix("Authorization:") }
            .map { String($0.dropFirst("Authorization:".count)) })
        let (suitePrefix, suiteSignature) = try Self.splitSignature(suiteAuthorization, marker: ", Signature=")
        let (ourPrefix, _) = try Self.splitSignature(authorization, marker: ", Signature=")
        #expect(ourPrefix == suitePrefix)

        // The suite's signatures, under our derived public key.
        let fileSignature = try #require(c.text("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try ourKey.isValidSignature(hex: fileSignature, for: expectedStringToSign))
        #expect(try ourKey.isValidSignature(hex: suiteSignature, for: expectedStringToSign))
        // And a control: they do not verify for another message.
        #expect(try !ourKey.isValidSignature(hex: fileSignature, for: expectedStringToSign + "\n"))
    }

    @Test(arguments: cases)
    func querySigning(_ c: SuiteCase) throws {
        let signer = SigV4aSigner(credentials: c.credentials, service: c.context.service, regionSet: [c.context.region], options: c.options, cache: SigV4aKeyCache())
        let (url, details) = try signer.presign(c.request, expires: c.context.expiration_in_seconds, payload: c.payload, date: c.timestamp)
        let ourKey = try signer.publicKey()
        let (_, ourSignature) = try Self.splitSignature(url, marker: "&X-Amz-Signature=")
        #expect(ourSignature == details.signature)
        #expect(try ourKey.isValidSignature(hex: details.signature, for: details.stringToSign))

        if let expectedQuery = Self.incomplete[c.name] {
            #expect(details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2].hasPrefix(expectedQuery + "&X-Amz-Algorithm="))
            return
        }

        let suiteKey = try c.suitePublicKey()
        let expectedCanonical = try #require(c.text("query-canonical-request.txt"))
        let expectedStringToSign = try #require(c.text("query-string-to-sign.txt"))
        #expect(details.canonicalRequest == expectedCanonical)
        #expect(details.stringToSign == expectedStringToSign)
        #expect(try suiteKey.isValidSignature(hex: details.signature, for: expectedStringToSign))

        // The presigned URL's path and query are the suite's request line but for the signature.
        let requestLine = try #require(c.text("query-signed-request.txt")?.split(separator: "\n").first)
        let target = String(requestLine.dropFirst(c.request.method.count + 1).dropLast(" HTTP/1.1".count))
        let (suitePrefix, suiteSignature) = try Self.splitSignature("https://example.amazonaws.com" + target, marker: "&X-Amz-Signature=")
        let (ourPrefix, _) = try Self.splitSignature(url, marker: "&X-Amz-Signature=")
        #expect(ourPrefix == suitePrefix)

        let fileSignature = try #require(c.text("query-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try ourKey.isValidSignature(hex: fileSignature, for: expectedStringToSign))
        #expect(try ourKey.isValidSignature(hex: suiteSignature, for: expectedStringToSign))
        #expect(try !ourKey.isValidSignature(hex: fileSignature, for: c.text("header-string-to-sign.txt") ?? ""))
    }

    /// Splits `text` at the last `marker` into what precedes it and the signature after it.
    static func splitSignature(_ text: String, marker: String) throws -> (String, String) {
        let range = try #require(text.range(of: marker, options: .backwards), "no \(marker) in \(text)")
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }
}

extension SuiteCase {
    /// The case's public-key.json: the key AWS derives from context.json's credentials.
    func suitePublicKey() throws -> SigV4aPublicKey {
        let json = try #require(text("public-key.json"), "\(name) has no public-key.json")
        let coordinates = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        return try #require(SigV4aPublicKey(hexX: coordinates["X"] ?? "", hexY: coordinates["Y"] ?? ""))
    }
}
