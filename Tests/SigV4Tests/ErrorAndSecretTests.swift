import Foundation
import Testing
@testable import SigV4

@Suite struct SigV4ErrorTests {
    static let url = "https://vpc-lattice.us-east-1.amazonaws.com/services"

    @Test func emptyRegionThrowsMissingScope() {
        let signer = Fixture.signer(region: "")
        var request = SigV4Request(method: "GET", url: Self.url)
        #expect(sigV4Error { try signer.sign(&request, date: Fixture.date) } == .missingScope("region"))
        #expect(sigV4Error { _ = try signer.presign(request, expires: 60, date: Fixture.date) } == .missingScope("region"))
        #expect(request.headers.isEmpty)
    }

    @Test func emptyServiceThrowsMissingScope() {
        let signer = Fixture.signer(service: "")
        var request = SigV4Request(method: "GET", url: Self.url)
        #expect(sigV4Error { try signer.sign(&request, date: Fixture.date) } == .missingScope("service name"))
        #expect(sigV4Error { _ = try signer.presign(request, expires: 60, date: Fixture.date) } == .missingScope("service name"))
        #expect(request.headers.isEmpty)
    }

    @Test func everyDescriptionSaysWhatToDo() {
        let cases: [(SigV4Error, [String])] = [
            (.invalidURL("example.com/x"), ["example.com/x", "scheme", "host", "https://"]),
            (.invalidURL(""), ["''", "scheme", "host"]),
            (.invalidExpiry(seconds: 0), ["0 seconds", "1 to 604800"]),
            (.invalidExpiry(seconds: 604_801), ["604801", "7 days"]),
            (.missingScope("region"), ["region", "is empty", "us-east-1"]),
            (.missingScope("service name"), ["service name", "is empty", "vpc-lattice"]),
            (.invalidDate, ["1970", "9999", "UTC"]),
        ]
        for (error, needles) in cases {
            let text = error.description
            #expect(text.hasPrefix("SigV4: "), "\(text)")
            #expect(text.count > 40, "\(text)")
            for needle in needles {
                #expect(text.contains(needle), "\(text) should mention \(needle)")
            }
            #expect(String(describing: error) == text)
            #expect("\(error)" == text)
        }
    }
}

@Suite struct SecretRedactionTests {
    static let secret = "SeCrEt-9f2bQ7xK-DISTINCT/SECRET+VALUE"
    static let token = "ToKeN-Zx81-DISTINCT//SESSION+TOKEN=="
    static let credentials = SigV4Credentials(accessKeyId: "AKIAREDACTIONTEST", secretAccessKey: secret, sessionToken: token)

    /// The secret and the token in every form that might leak: as is, percent-encoded, and
    /// in a distinctive middle piece.
    static func leaks(_ text: String) -> [String] {
        var found: [String] = []
        for value in [secret, token] {
            for form in [value, PercentEncoding.encode(value), String(value.dropFirst(6).prefix(12))] where text.contains(form) {
                found.append(form)
            }
        }
        return found
    }

    static func dumped(_ value: some Any) -> String {
        var out = ""
        dump(value, to: &out)
        return out
    }

    @Test func credentialsNeverShowTheSecretOrToken() {
        let c = Self.credentials
        let texts = [
            c.description, c.debugDescription, String(describing: c), String(reflecting: c), Self.dumped(c), "\(c)",
            "\([c])", "\(Optional(c) as Any)", String(reflecting: [c]), Self.dumped([c]), Self.dumped(Optional(c)),
        ]
        for text in texts {
            #expect(Self.leaks(text).isEmpty, "\(text)")
            #expect(text.contains("AKIAREDACTIONTEST"), "\(text)")
        }
        #expect(c.description.contains("<redacted>"))
        let noToken = SigV4Credentials(accessKeyId: "AKIA", secretAccessKey: Self.secret)
        #expect(noToken.description.contains("sessionToken: nil"))
        #expect(Self.leaks(Self.dumped(noToken)).isEmpty)
    }

    @Test func mirrorChildrenAreRedacted() {
        let children = Mirror(reflecting: Self.credentials).children.map { "\($0.label ?? ""): \($0.value)" }
        #expect(children.count == 3)
        for child in children { #expect(Self.leaks(child).isEmpty, "\(child)") }
    }

    @Test func signingDetailsDescriptionAndDumpNeverShowTheSecretOrToken() throws {
        let signer = Fixture.signer(credentials: Self.credentials)
        var request = SigV4Request(method: "POST", url: "https://vpc-lattice.us-east-1.amazonaws.com/services?a=b", headers: ["Content-Type": "application/json"])
        let details = try signer.sign(&request, payload: .string("{}"), date: Fixture.date)
        // By design the exact canonical request holds the token...
        #expect(details.canonicalRequest.contains(Self.token))
        // ...and nothing else does.
        for text in [
            details.redactedCanonicalRequest, details.description, String(describing: details), String(reflecting: details),
            "\(details)", Self.dumped(details), details.stringToSign, details.signature, details.signedHeaders,
        ] {
            #expect(Self.leaks(text).isEmpty, "\(text)")
        }
        #expect(details.redactedCanonicalRequest.contains("x-amz-security-token:<redacted>"))
        #expect(details.description.contains(details.signature))
        #expect(details.description.contains(details.stringToSign))
        #expect(!request.headers.contains { $0.value.contains(Self.secret) })
    }

    @Test func signingDetailsWithoutATokenAreShownWhole() throws {
        let details = try Fixture.sign("https://example.amazonaws.com/").details
        #expect(details.redactedCanonicalRequest == details.canonicalRequest)
        #expect(!details.description.contains("<redacted>"))
    }

    @Test
    func presignedDetailsNeverShowTheToken() throws {
        let signer = Fixture.signer(credentials: Self.credentials)
        let (url, details) = try signer.presign(SigV4Request(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com/services"), expires: 60, date: Fixture.date)
        #expect(url.contains(PercentEncoding.encode(Self.token)))  // the URL carries it by design
        for text in [details.redactedCanonicalRequest, details.description, String(reflecting: details), Self.dumped(details)] {
            #expect(Self.leaks(text).isEmpty, "\(text)")
        }
    }

    @Test
    func paddedTokenIsRedacted() throws {
        let padded = SigV4Credentials(accessKeyId: "AKIA", secretAccessKey: Self.secret, sessionToken: "  PADDEDtokenDISTINCT  ")
        var request = SigV4Request(method: "GET", url: "https://example.amazonaws.com/")
        let details = try Fixture.signer(credentials: padded).sign(&request, date: Fixture.date)
        #expect(!details.redactedCanonicalRequest.contains("PADDEDtokenDISTINCT"))
        #expect(!details.description.contains("PADDEDtokenDISTINCT"))
    }

    @Test func presignedDetailsOfAPlainTokenAreRedacted() throws {
        // A token made of unreserved characters only is the same percent-encoded.
        let plain = SigV4Credentials(accessKeyId: "AKIA", secretAccessKey: Self.secret, sessionToken: "PLAINtokenDISTINCT0123456789")
        let (_, details) = try Fixture.signer(credentials: plain).presign(SigV4Request(method: "GET", url: "https://example.amazonaws.com/"), expires: 60, date: Fixture.date)
        #expect(details.canonicalRequest.contains("PLAINtokenDISTINCT0123456789"))
        #expect(!details.redactedCanonicalRequest.contains("PLAINtokenDISTINCT"))
        #expect(!details.description.contains("PLAINtokenDISTINCT"))
    }

    @Test func errorsNeverShowTheSecretOrToken() {
        let signer = Fixture.signer(credentials: Self.credentials, region: "")
        var request = SigV4Request(method: "GET", url: "https://example.amazonaws.com/")
        let error = sigV4Error { try signer.sign(&request, date: Fixture.date) }
        #expect(Self.leaks(error.map { "\($0)" } ?? "").isEmpty)
        #expect(Self.leaks(Self.dumped(error as Any)).isEmpty)
    }

    @Test func signerDescriptionAndDumpNeverShowTheSecretOrToken() throws {
        let cache = SigningKeyCache()
        let signer = Fixture.signer(credentials: Self.credentials, cache: cache)
        var request = SigV4Request(method: "GET", url: "https://example.amazonaws.com/")
        try signer.sign(&request, date: Fixture.date)  // the cache now holds a key for the secret
        for text in [String(describing: signer), String(reflecting: signer), "\(signer)", Self.dumped(signer), Self.dumped(cache), String(reflecting: cache)] {
            #expect(Self.leaks(text).isEmpty, "\(text)")
        }
    }
}
