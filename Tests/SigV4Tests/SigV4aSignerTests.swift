import Foundation
import Testing
@testable import SigV4

/// SigV4aSigner beyond the suite: headers, region sets, presigning, randomized signatures,
/// redaction of secrets, and errors.
@Suite struct SigV4aSignerTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "SESSIONTOKEN/with+specials=="
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let cache = SigV4aKeyCache()

    static func signer(
        token: String? = nil,
        regionSet: [String] = ["us-east-1"],
        service: String = "vpc-lattice",
        options: SigV4Options = SigV4Options()
    ) -> SigV4aSigner {
        SigV4aSigner(
            credentials: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token),
            service: service, regionSet: regionSet, options: options, cache: cache
        )
    }

    static func request(_ url: String = "https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=5") -> SigV4Request {
        SigV4Request(method: "GET", url: url, headers: ["Host": "vpc-lattice.us-east-1.amazonaws.com", "X-Custom": "  a   b "])
    }

    // MARK: - Signing

    @Test func signAddsTheSigV4aHeadersAndAVerifiableSignature() throws {
        let signer = Self.signer(token: Self.token)
        var request = Self.request()
        let details = try signer.sign(&request, date: Self.date)
        #expect(request.headers["x-amz-date"] == "20150830T123600Z")
        #expect(request.headers["x-amz-region-set"] == "us-east-1")
        #expect(request.headers["x-amz-security-token"] == Self.token)
        #expect(request.headers["x-amz-content-sha256"] == nil)
        #expect(request.headers["authorization"] == "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/vpc-lattice/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set;x-amz-security-token;x-custom, Signature=\(details.signature)")
        #expect(details.stringToSign.hasPrefix("AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/vpc-lattice/aws4_request\n"))
        #expect(details.canonicalRequest.contains("\nx-custom:a b\n"))
        #expect(try signer.publicKey().isValidSignature(hex: details.signature, for: details.stringToSign))
    }

    @Test func signaturesAreRandomizedAndAllVerify() throws {
        let signer = Self.signer()
        var first = Self.request()
        var second = Self.request()
        let a = try signer.sign(&first, date: Self.date)
        let b = try signer.sign(&second, date: Self.date)
        #expect(a.stringToSign == b.stringToSign)
        #expect(a.signature != b.signature)
        let key = try signer.publicKey()
        #expect(try key.isValidSignature(hex: a.signature, for: a.stringToSign))
        #expect(try key.isValidSignature(hex: b.signature, for: b.stringToSign))
    }

    @Test func aSignatureDoesNotVerifyForAnotherMessageOrKey() throws {
        let signer = Self.signer()
        var request = Self.request()
        let details = try signer.sign(&request, date: Self.date)
        let key = try signer.publicKey()
        #expect(try !key.isValidSignature(hex: details.signature, for: details.stringToSign.replacingOccurrences(of: "20150830", with: "20150831")))
        let otherKey = try Self.cache.publicKey(for: SigV4Credentials(accessKeyId: "AKIDOTHER", secretAccessKey: Self.secret))
        #expect(try !otherKey.isValidSignature(hex: details.signature, for: details.stringToSign))
        // Not hex, or not DER: not a valid signature (and no throw).
        #expect(try !key.isValidSignature(hex: "zz", for: details.stringToSign))
        #expect(try !key.isValidSignature(hex: "3006020101020101", for: details.stringToSign))
        #expect(try !key.isValidSignature([], for: details.stringToSign.utf8))
    }

    @Test func aPublicKeyOffTheCurveIsAnError() {
        let key = SigV4aPublicKey(x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32))
        #expect {
            try key.isValidSignature(hex: "3006020101020101", for: "message")
        } throws: { error in
            guard case .cryptoFailure(let operation, _) = error as? SigV4Error else { return false }
            return operation.contains("public key")
        }
    }

    @Test func signingAgainReplacesTheHeadersItAdded() throws {
        let signer = Self.signer(token: Self.token, options: SigV4Options(addContentSHA256Header: true))
        var request = Self.request()
        try signer.sign(&request, payload: .string("{}"), date: Self.date)
        let details = try signer.sign(&request, payload: .string("{}"), date: Self.date.addingTimeInterval(60))
        for name in ["authorization", "x-amz-date", "x-amz-region-set", "x-amz-security-token", "x-amz-content-sha256"] {
            #expect(request.headers.values(for: name).count == 1, "\(name)")
        }
        #expect(request.headers["x-amz-date"] == "20150830T123700Z")
        #expect(request.headers["x-amz-content-sha256"] == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(try signer.publicKey().isValidSignature(hex: details.signature, for: details.stringToSign))
    }

    @Test func aRegionSetIsJoinedWithCommasAndAlwaysSigned() throws {
        // Even a rule that signs nothing else signs the region set.
        let signer = Self.signer(regionSet: ["us-east-1", "eu-*", "*"], options: SigV4Options(signedHeaders: .only([])))
        var request = Self.request()
        request.headers.add(name: "X-Amz-Region-Set", value: "stale")
        let details = try signer.sign(&request, date: Self.date)
        #expect(request.headers.values(for: "x-amz-region-set") == ["us-east-1,eu-*,*"])
        #expect(details.signedHeaders == "host;x-amz-date;x-amz-region-set")
        #expect(details.canonicalRequest.contains("\nx-amz-region-set:us-east-1,eu-*,*\n"))
    }

    @Test func anOmittedSessionTokenIsSentButNotSigned() throws {
        let signer = Self.signer(token: Self.token, options: SigV4Options(omitSessionTokenFromSigning: true))
        var request = Self.request()
        let details = try signer.sign(&request, date: Self.date)
        #expect(request.headers["x-amz-security-token"] == Self.token)
        #expect(!details.signedHeaders.contains("x-amz-security-token"))
        #expect(!details.canonicalRequest.contains(Self.token))
    }

    @Test func signingFromManyTasksAtOnceSharesOneKey() async throws {
        let cache = SigV4aKeyCache()
        let signer = SigV4aSigner(credentials: SigV4Credentials(accessKeyId: "AKIDCONCURRENT", secretAccessKey: Self.secret), service: "vpc-lattice", regionSet: ["*"], cache: cache)
        let results = try await withThrowingTaskGroup(of: SigV4SigningDetails.self) { group in
            for i in 0..<32 {
                group.addTask {
                    var request = Self.request("https://vpc-lattice.us-east-1.amazonaws.com/services/\(i)")
                    return try signer.sign(&request, date: Self.date)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32)
        #expect(cache.count == 1)
        let key = try signer.publicKey()
        for details in results {
            #expect(try key.isValidSignature(hex: details.signature, for: details.stringToSign))
        }
    }

    // MARK: - Presigning

    @Test func presignPutsTheRegionSetInTheQuery() throws {
        let signer = Self.signer(token: Self.token, regionSet: ["us-east-1", "us-west-2"])
        var request = Self.request()
        request.headers.add(name: "x-amz-region-set", value: "stale")
        let (url, details) = try signer.presign(request, expires: 300, date: Self.date)
        #expect(url.hasPrefix("https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=5&X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fvpc-lattice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bx-custom&X-Amz-Expires=300&X-Amz-Security-Token=SESSIONTOKEN%2Fwith%2Bspecials%3D%3D&X-Amz-Region-Set=us-east-1%2Cus-west-2&X-Amz-Signature="))
        #expect(url.hasSuffix("&X-Amz-Signature=" + details.signature))
        #expect(details.signedHeaders == "host;x-custom")
        let query = details.canonicalRequest.split(separator: "\n")[2]
        #expect(query.contains("&X-Amz-Region-Set=us-east-1%2Cus-west-2&X-Amz-Security-Token="))
        #expect(query.hasPrefix("X-Amz-Algorithm="))
        #expect(query.hasSuffix("&maxResults=5"))
        #expect(try signer.publicKey().isValidSignature(hex: details.signature, for: details.stringToSign))
    }

    @Test func presignWithTheTokenOmittedLeavesItOutOfTheSignedQuery() throws {
        let signer = Self.signer(token: Self.token, options: SigV4Options(omitSessionTokenFromSigning: true))
        let (url, details) = try signer.presign(Self.request("https://example.amazonaws.com/"), expires: 60, date: Self.date)
        #expect(url.contains("&X-Amz-Security-Token=SESSIONTOKEN%2Fwith%2Bspecials%3D%3D&X-Amz-Region-Set=us-east-1&X-Amz-Signature="))
        #expect(!details.canonicalRequest.contains("X-Amz-Security-Token"))
    }

    @Test(arguments: [0, -1, 604_801])
    func presignRefusesExpiriesOutsideOneSecondToSevenDays(_ seconds: Int) {
        #expect(throws: SigV4Error.invalidExpiry(seconds: seconds)) {
            try Self.signer().presign(Self.request(), expires: seconds, date: Self.date)
        }
    }

    // MARK: - Errors

    @Test(arguments: [[], [""], ["us-east-1", ""], ["us-east-1,us-west-2"], ["us east 1"], ["us-east-1\n"]])
    func invalidRegionSetsAreRefused(_ regionSet: [String]) {
        var request = Self.request()
        let before = request
        #expect(throws: SigV4Error.invalidRegionSet(regionSet)) {
            try Self.signer(regionSet: regionSet).sign(&request, date: Self.date)
        }
        #expect(request == before, "a failed signature leaves the request as it was")
        #expect(throws: SigV4Error.invalidRegionSet(regionSet)) {
            try Self.signer(regionSet: regionSet).presign(Self.request(), expires: 60, date: Self.date)
        }
    }

    @Test func anEmptyServiceIsRefused() {
        var request = Self.request()
        #expect(throws: SigV4Error.missingScope("service name")) {
            try Self.signer(service: "").sign(&request, date: Self.date)
        }
    }

    @Test func aURLWithoutHostIsRefusedAndTheRequestKept() {
        var request = SigV4Request(method: "GET", url: "/services")
        #expect(throws: SigV4Error.invalidURL("/services")) {
            try Self.signer().sign(&request, date: Self.date)
        }
        #expect(request == SigV4Request(method: "GET", url: "/services"))
        #expect(throws: SigV4Error.invalidURL("/services")) {
            try Self.signer().presign(request, expires: 60, date: Self.date)
        }
    }

    @Test func aTimeOutsideTheYearRangeIsRefused() {
        var request = Self.request()
        #expect(throws: SigV4Error.invalidDate) {
            try Self.signer().sign(&request, date: Date(timeIntervalSince1970: -1))
        }
    }

    @Test func errorsSayWhatToFix() {
        #expect(SigV4Error.invalidRegionSet([]).description.contains("us-east-1"))
        #expect(SigV4Error.keyDerivationFailed(accessKeyId: "AKID").description.contains("AKID"))
        let crypto = SigV4Error.cryptoFailure(operation: "load the P-256 curve", detail: "error:1234:reason")
        #expect(crypto.description == "SigV4a: libcrypto failed to load the P-256 curve (error:1234:reason): check that OpenSSL 3 (libcrypto) is installed and supports the P-256 curve")
        #expect(!SigV4Error.cryptoFailure(operation: "x", detail: "").description.contains("()"))
    }

    // MARK: - Redaction

    @Test func secretsNeverAppearInDescriptions() throws {
        let signer = Self.signer(token: Self.token)
        var request = Self.request()
        let details = try signer.sign(&request, date: Self.date)
        let key = try Self.cache.privateKey(accessKeyId: "AKIDEXAMPLE", secret: Self.secret)
        var dumped = ""
        dump(signer, to: &dumped)
        var dumpedCache = ""
        dump(Self.cache, to: &dumpedCache)
        let texts = [
            signer.description, signer.debugDescription, String(describing: signer), String(reflecting: signer), "\(signer)",
            dumped, dumpedCache, Self.cache.description, details.description, String(reflecting: details),
            key.description, String(reflecting: key),
            try signer.publicKey().description,
        ]
        let scalar = Hex.encode(try SigV4aKeyDerivation.privateScalar(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret))
        for text in texts {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(!text.contains(Self.token), "\(text)")
            #expect(!text.contains(scalar), "\(text)")
        }
        #expect(signer.description.contains("AKIDEXAMPLE"))
        #expect(dumped.contains("<redacted>"))
        // The details keep the exact canonical request for comparison, and redact on display.
        #expect(details.canonicalRequest.contains(Self.token))
        #expect(details.redactedCanonicalRequest.contains("x-amz-security-token:<redacted>"))
    }
}
