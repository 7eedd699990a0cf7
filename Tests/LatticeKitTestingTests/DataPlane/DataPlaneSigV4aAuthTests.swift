import Foundation
import LatticeKit
import LatticeTestSupport
@testable import LatticeKitTesting
import SigV4
import Testing

/// The data plane's SigV4a check (AWS4-ECDSA-P256-SHA256 for a region set): requests that
/// LatticeKit's LatticeServiceClient signs with `.sigV4a(regionSet:)` verify against the public
/// key SigV4a derives from the known secret; a tampered header, path or query, a region set
/// without the service's region, an expired date, a missing UNSIGNED-PAYLOAD header, a wrong
/// secret and an unknown key are refused, each with a reason that names it.
///
/// botocore's v4a signer needs awscrt, which this machine's botocore lacks, so the oracle is
/// the SigV4 module's SigV4aSigner, itself checked against the AWS v4a test suite
/// (SigV4Tests); the verifier never calls the client's code.
///
/// And the process's own credentials (environment, shared files' profile), which
/// local-lattice adds to the ones it knows.
@Suite struct DataPlaneSigV4aAuthTests {
    static let host = DataPlaneAuthTests.host
    static let alice = DataPlaneAuthTests.alice
    static let bob = DataPlaneAuthTests.bob
    static let book = DataPlaneAuthTests.book
    static let date = Date(timeIntervalSince1970: 1_764_000_000)   // 2025-11-24T16:00:00Z

    struct NoTransport: Transport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw TransportError(.connectFailed, "these tests send nothing") }
    }

    /// The headers LatticeServiceClient signs `target` with (SigV4a for `regionSet`), as the
    /// data plane receives them: with the Host header.
    static func signed(_ target: String, method: String = "GET", headers: HTTPHeaders = HTTPHeaders(), regionSet: [String] = ["*"],
                       as who: KnownCredential = alice, at date: Date = date) async throws -> [(name: String, value: String)] {
        let variables = ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        let environment = RuntimeEnvironment(now: { date }, sleep: { _ in }, random: { 0.5 }, variables: variables)
        let client = try LatticeServiceClient(
            LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey, sessionToken: who.sessionToken)),
            signing: .sigV4a(regionSet: regionSet), transport: NoTransport(), environment: environment)
        let request = try await client.signed(HTTPRequest(method: method, url: "https://\(host)\(target)", headers: headers), date: date)
        return [(name: "Host", value: host)] + request.headers.map { (name: $0.name, value: $0.value) }
    }

    static func verify(_ method: String, _ target: String, _ headers: [(name: String, value: String)], now: Date = date,
                       book: CredentialBook = book) -> SignatureCheck {
        SignatureVerifier.verify(method: method, target: target, headers: headers, secure: true, region: "us-east-1", now: now, book: book)
    }

    static func reason(_ check: SignatureCheck) -> String {
        if case let .rejected(why) = check { return why }
        return "not rejected: \(check)"
    }

    static func replacing(_ headers: [(name: String, value: String)], _ name: String, with value: String?) -> [(name: String, value: String)] {
        headers.compactMap { $0.name.lowercased() == name ? value.map { v in (name: name, value: v) } : $0 }
    }

    @Test func latticeServiceClientSigV4aSignaturesVerifyForAnyOrAnExplicitRegionSet() async throws {
        let any = try await Self.signed("/orders/42?b=2&a=1", headers: ["x-tenant": "blue"])
        #expect(any.contains { $0.name.lowercased() == "authorization" && $0.value.hasPrefix("AWS4-ECDSA-P256-SHA256 Credential=AKIDALICE0000000/20251124/vpc-lattice-svcs/aws4_request") })
        #expect(Self.verify("GET", "/orders/42?b=2&a=1", any) == .verified(Self.alice))

        for set in [["us-east-1"], ["eu-west-1", "us-east-1"], ["us-*"], ["*-east-1"]] {
            let headers = try await Self.signed("/", regionSet: set)
            #expect(Self.verify("GET", "/", headers) == .verified(Self.alice), "\(set)")
        }
        // Temporary credentials: the session token goes with the signature.
        let bobs = try await Self.signed("/api/v1/items", method: "POST", headers: ["content-type": "application/json"], as: Self.bob)
        #expect(Self.verify("POST", "/api/v1/items", bobs) == .verified(Self.bob))
        #expect(Self.reason(Self.verify("POST", "/api/v1/items", Self.replacing(bobs, "x-amz-security-token", with: nil))).contains("x-amz-security-token"))
        // Within five minutes either way.
        #expect(Self.verify("GET", "/orders/42?b=2&a=1", any, now: Self.date + 299) == .verified(Self.alice))
        #expect(Self.verify("GET", "/orders/42?b=2&a=1", any, now: Self.date - 299) == .verified(Self.alice))
    }

    @Test func changedRequestsAndWrongRegionsDatesKeysAndSecretsAreRefusedWithTheReason() async throws {
        let target = "/orders/42?b=2&a=1"
        let headers = try await Self.signed(target, headers: ["x-tenant": "blue"], regionSet: ["us-east-1", "eu-west-1"])
        let mismatch = "does not match"
        #expect(Self.reason(Self.verify("GET", "/orders/43?b=2&a=1", headers)).contains(mismatch), "path")
        #expect(Self.reason(Self.verify("GET", "/orders/42?b=2&a=2", headers)).contains(mismatch), "query")
        #expect(Self.reason(Self.verify("DELETE", target, headers)).contains(mismatch), "method")
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-tenant", with: "green"))).contains(mismatch), "signed header")
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "host", with: "other.example.com"))).contains(mismatch), "host")
        // The region set is signed: widening it to * after signing is a change like any other.
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-amz-region-set", with: "*"))).contains(mismatch), "region set")
        // The signature itself: another valid-looking DER, non-hex, empty.
        let authorization = try #require(headers.first { $0.name.lowercased() == "authorization" }?.value)
        let prefix = try #require(authorization.components(separatedBy: "Signature=").first)
        for (forged, expected) in [("3006020101020101", mismatch), ("zz", mismatch), (String(repeating: "0", count: 144), mismatch), ("", "lacks")] {
            let why = Self.reason(Self.verify("GET", target, Self.replacing(headers, "authorization", with: prefix + "Signature=" + forged)))
            #expect(why.contains(expected), "'\(forged)': \(why)")
        }

        // A region set without the service's region (us-east-1).
        for set in [["eu-*"], ["us-east-2", "us-west-*"], ["us-east-1x"], ["US-EAST-1"], ["?s-east-1"]] {
            let other = try await Self.signed("/", regionSet: set)
            let why = Self.reason(Self.verify("GET", "/", other))
            #expect(why.contains("region set '\(set.joined(separator: ","))'") && why.contains("us-east-1"), "\(set): \(why)")
        }
        // Expired: more than 5 minutes either way.
        #expect(Self.reason(Self.verify("GET", target, headers, now: Self.date + 301)).contains("5 minutes"))
        #expect(Self.reason(Self.verify("GET", target, headers, now: Self.date - 301)).contains("5 minutes"))
        // No UNSIGNED-PAYLOAD header, or another value.
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-amz-content-sha256", with: nil))).contains("UNSIGNED-PAYLOAD"))
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-amz-content-sha256", with: String(repeating: "0", count: 64)))).contains("UNSIGNED-PAYLOAD"))
        // The emulator knows the key with another secret: another derived key pair.
        var wrongSecret = Self.alice
        wrongSecret.secretAccessKey = "not-alice-secret"
        #expect(Self.reason(Self.verify("GET", target, headers, book: CredentialBook([wrongSecret]))).contains(mismatch))
        // A key it does not know.
        #expect(Self.reason(Self.verify("GET", target, headers, book: CredentialBook([Self.bob]))).contains("--auth-credentials"))
        // The scope's service.
        let wrongService = authorization.replacingOccurrences(of: "/vpc-lattice-svcs/", with: "/vpc-lattice/")
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "authorization", with: wrongService))).contains("signing name vpc-lattice-svcs"))
        // A SigV4-shaped scope (with a region) under the SigV4a algorithm.
        let regional = authorization.replacingOccurrences(of: "/20251124/", with: "/20251124/us-east-1/")
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "authorization", with: regional))).contains("SigV4a credential scope"))
        // The region set header: missing, repeated, with spaces or empty names.
        #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-amz-region-set", with: nil))).contains("one x-amz-region-set"))
        #expect(Self.reason(Self.verify("GET", target, headers + [(name: "X-Amz-Region-Set", value: "*")])).contains("one x-amz-region-set"))
        for bad in ["us-east-1, eu-west-1", "us-east-1,,eu-west-1", "", ",", "us-east-1\u{7f}"] {
            #expect(Self.reason(Self.verify("GET", target, Self.replacing(headers, "x-amz-region-set", with: bad))).contains("not a list of regions"), "'\(bad)'")
        }
        // No reason carries a secret.
        let reasons = [Self.verify("GET", "/x", headers), Self.verify("GET", target, headers, now: Self.date + 400),
                       Self.verify("GET", target, headers, book: CredentialBook([wrongSecret]))].map(Self.reason)
        #expect(!reasons.contains { $0.contains(Self.alice.secretAccessKey) || $0.contains("not-alice-secret") })
    }

    @Test func regionSetsMatchAsAWSMatchesThem() {
        let covers = SignatureVerifier.regionSetCovers
        #expect(covers(["*"], "us-east-1") && covers(["us-*"], "us-east-1") && covers(["us-east-1"], "us-east-1"))
        #expect(covers(["eu-west-1", "us-east-1"], "us-east-1") && covers(["*-1"], "us-east-1") && covers(["us-*-1"], "us-east-1"))
        #expect(!covers(["eu-*"], "us-east-1") && !covers(["us-east-1x"], "us-east-1") && !covers(["us-east"], "us-east-1"))
        #expect(!covers(["US-EAST-1"], "us-east-1"), "names are compared exactly")
        #expect(!covers(["?s-east-1"], "us-east-1"), "* is the only wildcard")
        #expect(!covers([], "us-east-1"))
        // A long hostile pattern (the header may be 64 KiB) against a region's few characters.
        // (Results in variables, so that a failure does not print the patterns.)
        let hostileMatched = covers([String(repeating: "*u", count: 30_000) + "b"], "us-east-1")
        let starsMatched = covers([String(repeating: "*", count: 60_000)], "us-east-1")
        #expect(!hostileMatched && starsMatched)
    }

    // MARK: The process's own credentials

    @Test func theProcessCredentialsComeFromTheEnvironmentAndTheProfilesStaticKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("credentials").path
        let config = directory.appendingPathComponent("config").path
        try Data("""
            [default]
            aws_access_key_id = AKIDPROFILE00000
            aws_secret_access_key = profile-secret
            [team]
            aws_access_key_id = AKIDTEAM00000000
            aws_secret_access_key = team-secret
            aws_session_token = team-token
            [half]
            aws_access_key_id = AKIDHALF00000000
            """.utf8).write(to: URL(fileURLWithPath: credentials))
        try Data("""
            [profile role]
            role_arn = arn:aws:iam::111122223333:role/r
            source_profile = default
            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Dev
            """.utf8).write(to: URL(fileURLWithPath: config))
        let files = ["HOME": directory.path, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config]
        func own(_ extra: [String: String]) -> (found: [CredentialBook.Found], notes: [String]) {
            CredentialBook.processCredentials(variables: files.merging(extra) { $1 }, accountId: "123456789012")
        }

        // The environment and the default profile, each as the account's root.
        let both = own(["AWS_ACCESS_KEY_ID": "AKIDENV000000000", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"])
        #expect(both.found.map(\.credential) == [
            KnownCredential(accessKeyId: "AKIDENV000000000", secretAccessKey: "env-secret", sessionToken: "env-token", accountId: "123456789012",
                            principalArn: "arn:aws:iam::123456789012:root"),
            KnownCredential(accessKeyId: "AKIDPROFILE00000", secretAccessKey: "profile-secret", accountId: "123456789012", principalArn: "arn:aws:iam::123456789012:root"),
        ])
        #expect(both.found.map(\.source) == ["the environment (AWS_ACCESS_KEY_ID)", "profile 'default' of the shared files"])
        #expect(both.notes.isEmpty)
        // AWS_PROFILE chooses the profile; its session token comes along.
        #expect(own(["AWS_PROFILE": "team"]).found.map(\.credential) == [
            KnownCredential(accessKeyId: "AKIDTEAM00000000", secretAccessKey: "team-secret", sessionToken: "team-token", accountId: "123456789012",
                            principalArn: "arn:aws:iam::123456789012:root"),
        ])
        // What cannot be used is said, never its secret: a role, SSO, half a key pair, a missing profile, a lone variable.
        for (extra, expected) in [(["AWS_PROFILE": "role"], "role_arn"), (["AWS_PROFILE": "sso"], "sso_account_id, sso_session"),
                                  (["AWS_PROFILE": "half"], "only one of"), (["AWS_PROFILE": "missing"], "'missing' is not read"),
                                  (["AWS_ACCESS_KEY_ID": "AKIDLONE00000000", "AWS_PROFILE": "role"], "without AWS_SECRET_ACCESS_KEY"),
                                  (["AWS_SECRET_ACCESS_KEY": "lone-secret", "AWS_PROFILE": "role"], "without AWS_ACCESS_KEY_ID")] {
            let result = own(extra)
            #expect(result.found.isEmpty, "\(extra)")
            #expect(result.notes.contains { $0.contains(expected) }, "\(extra): \(result.notes)")
            #expect(!["profile-secret", "team-secret", "lone-secret"].contains { result.notes.joined().contains($0) }, "\(result.notes)")
        }
        // Nothing at all: nothing found, nothing to say.
        let none = CredentialBook.processCredentials(variables: ["HOME": "/nonexistent-home"], accountId: "123456789012")
        #expect(none.found.isEmpty && none.notes.isEmpty)

        // A key the --auth-credentials file has keeps the file's entry.
        var book = CredentialBook([Self.alice])
        var sameKey = both.found[0].credential
        sameKey.accessKeyId = Self.alice.accessKeyId
        let addedAgain = book.addIfNew(sameKey)
        #expect(!addedAgain)
        #expect(book.byAccessKey[Self.alice.accessKeyId] == Self.alice)
        let added = book.addIfNew(both.found[0].credential)
        #expect(added)
        #expect(book.byAccessKey["AKIDENV000000000"]?.principalArn == "arn:aws:iam::123456789012:root")
    }
}
