import Foundation
import LatticeTestSupport
import Testing
@testable import SigV4

@Suite struct SigningKeyCacheTests {
    static let url = "https://vpc-lattice.us-east-1.amazonaws.com/services"

    static func sign(_ signer: SigV4Signer, at date: Date = Fixture.date, path: String = "/services") throws -> String {
        var request = SigV4Request(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com" + path)
        return try signer.sign(&request, date: date).signature
    }

    @Test func deriveKeyMatchesTheAWSDocumentationExample() throws {
        let key = try SigningKeyCache.deriveKey(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            date: Fixture.utc(2012, 2, 15),
            region: "us-east-1",
            service: "iam"
        )
        #expect(key.count == 32)
        #expect(Hex.encode(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        // Only the day counts, not the time of day.
        let later = try SigningKeyCache.deriveKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date: Fixture.utc(2012, 2, 15, 23, 59, 59), region: "us-east-1", service: "iam")
        #expect(later == key)
    }

    /// Expected keys computed with Python's hmac and hashlib.
    @Test(arguments: [
        ("", "ccc4f52a5d36356833c9f33130d51efd5c8945c5e9f3672b8457c2f9b528ca90"),
        (String(repeating: "x", count: 60), "dfe70563d2237a145bf4f2444f15313f86f269727b5ebb9715b4dd3b01c98e57"),  // "AWS4" + secret: one block
        (String(repeating: "x", count: 61), "2e820b7a3f56069f054f75a67197eaf52a94bb08b1c628b9ab186863c350b64f"),  // one byte over: hashed first
        (String(repeating: "K", count: 61) + String(repeating: "/long+secret", count: 5), "af9a6f2866dc7e7306fc73ad171e1edc0d05829065e2b791557ed8e6538168ad"),
    ])
    func deriveKeyHandlesEmptyBlockSizedAndLongSecrets(_ secret: String, _ expected: String) throws {
        let key = try SigningKeyCache.deriveKey(secret: secret, date: Fixture.date, region: "us-east-1", service: "vpc-lattice")
        #expect(Hex.encode(key) == expected)
    }

    @Test func cachedKeyEqualsTheDerivedKey() throws {
        // HMAC with the cached key equals HMAC with a key built from deriveKey's bytes.
        let cache = SigningKeyCache()
        let amz = try AmzDate(Fixture.date)
        let cached = cache.signingKey(secret: Fixture.secret, date: amz, region: "eu-west-3", service: "vpc-lattice")
        let raw = try SigningKeyCache.deriveKey(secret: Fixture.secret, date: Fixture.date, region: "eu-west-3", service: "vpc-lattice")
        let message = Array("AWS4-HMAC-SHA256\n20150830T123600Z\n...".utf8)
        #expect(cached.authenticate(message) == HMACKey(key: raw).authenticate(message))
    }

    @Test func sameScopeReusesOneKey() throws {
        let cache = SigningKeyCache()
        let signer = Fixture.signer(cache: cache)
        #expect(cache.count == 0)
        for second in stride(from: 0, to: 40_000, by: 97) {  // all on 2015-08-30 (12:36 + 11 h)
            _ = try Self.sign(signer, at: Fixture.date.addingTimeInterval(TimeInterval(second)), path: "/s/\(second)")
            #expect(cache.count == 1)
        }
        // Another signer with equal credentials and scope shares the key.
        _ = try Self.sign(Fixture.signer(cache: cache))
        #expect(cache.count == 1)
    }

    @Test func eachNewDayRegionServiceOrSecretAddsOneKey() throws {
        let cache = SigningKeyCache()
        _ = try Self.sign(Fixture.signer(cache: cache))
        #expect(cache.count == 1)
        _ = try Self.sign(Fixture.signer(cache: cache), at: Fixture.date.addingTimeInterval(86_400))
        #expect(cache.count == 2)
        _ = try Self.sign(Fixture.signer(region: "eu-west-3", cache: cache))
        #expect(cache.count == 3)
        _ = try Self.sign(Fixture.signer(service: "sts", cache: cache))
        #expect(cache.count == 4)
        let otherSecret = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "another-secret")
        _ = try Self.sign(Fixture.signer(credentials: otherSecret, cache: cache))
        #expect(cache.count == 5)
        // The access key id and the session token are not part of the key.
        _ = try Self.sign(Fixture.signer(credentials: SigV4Credentials(accessKeyId: "AKIDOTHER", secretAccessKey: Fixture.secret, sessionToken: "t"), cache: cache))
        #expect(cache.count == 5)
        // All of them again: no new keys.
        _ = try Self.sign(Fixture.signer(cache: cache))
        _ = try Self.sign(Fixture.signer(region: "eu-west-3", cache: cache))
        _ = try Self.sign(Fixture.signer(cache: cache), at: Fixture.date.addingTimeInterval(86_400))
        #expect(cache.count == 5)
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func reachingCapacityEmptiesTheCache() throws {
        let cache = SigningKeyCache(capacity: 2)
        _ = try Self.sign(Fixture.signer(region: "r1", cache: cache))
        #expect(cache.count == 1)
        _ = try Self.sign(Fixture.signer(region: "r2", cache: cache))
        #expect(cache.count == 2)
        _ = try Self.sign(Fixture.signer(region: "r3", cache: cache))
        #expect(cache.count == 1)
        _ = try Self.sign(Fixture.signer(region: "r1", cache: cache))
        #expect(cache.count == 2)
        _ = try Self.sign(Fixture.signer(region: "r3", cache: cache))
        #expect(cache.count == 2)
    }

    @Test func capacityBelowOneActsAsOne() throws {
        let cache = SigningKeyCache(capacity: 0)
        for region in ["r1", "r2", "r3"] {
            _ = try Self.sign(Fixture.signer(region: region, cache: cache))
            #expect(cache.count == 1)
        }
    }

    @Test func customCacheGivesTheSameSignaturesAsTheSharedOne() throws {
        let custom = SigningKeyCache()
        let tiny = SigningKeyCache(capacity: 1)
        for (region, service) in [("us-east-1", "vpc-lattice"), ("eu-west-3", "sts"), ("ap-southeast-2", "execute-api")] {
            for day in 0..<3 {
                let date = Fixture.date.addingTimeInterval(TimeInterval(day * 86_400))
                let shared = try Self.sign(Fixture.signer(credentials: Fixture.tokenCredentials, region: region, service: service, cache: .shared), at: date)
                #expect(try Self.sign(Fixture.signer(credentials: Fixture.tokenCredentials, region: region, service: service, cache: custom), at: date) == shared)
                #expect(try Self.sign(Fixture.signer(credentials: Fixture.tokenCredentials, region: region, service: service, cache: tiny), at: date) == shared)
                #expect(try Self.sign(SigV4Signer(credentials: Fixture.tokenCredentials, region: region, service: service), at: date) == shared)
            }
        }
        #expect(custom.count == 9)
    }

    @Test func aSmallCacheNeverReturnsAnotherScopesKey() throws {
        // Seeded random scopes through a cache that keeps emptying: each signature must equal
        // the one made with a cache of its own.
        let small = SigningKeyCache(capacity: 3)
        var rng = SeededRandom(seed: 0xCAC4_E000_0000_0001)
        let secrets = ["secret-a", "secret-b", "secret-c"]
        let regions = ["us-east-1", "eu-west-3"]
        let services = ["vpc-lattice", "sts"]
        for n in 0..<300 {
            let credentials = SigV4Credentials(accessKeyId: "AKID", secretAccessKey: secrets.randomElement(using: &rng)!)
            let region = regions.randomElement(using: &rng)!
            let service = services.randomElement(using: &rng)!
            let date = Fixture.date.addingTimeInterval(TimeInterval(Int.random(in: 0..<3, using: &rng) * 86_400))
            let cached = try Self.sign(Fixture.signer(credentials: credentials, region: region, service: service, cache: small), at: date, path: "/\(n)")
            let fresh = try Self.sign(Fixture.signer(credentials: credentials, region: region, service: service, cache: SigningKeyCache()), at: date, path: "/\(n)")
            #expect(cached == fresh, "case \(n)")
            #expect(small.count <= 3)
        }
    }
}

@Suite struct ConcurrentSigningTests {
    static func request(_ task: Int, _ n: Int) -> (SigV4Request, SigV4Payload, Date) {
        let request = SigV4Request(
            method: n % 3 == 0 ? "POST" : "GET",
            url: "https://vpc-lattice.us-east-1.amazonaws.com/services/svc-\(task)/\(n)?maxResults=\(n % 7)&nextToken=t\(task)",
            headers: ["Content-Type": "application/json", "X-Task": "\(task)  \(n)"]
        )
        let payload: SigV4Payload = n % 3 == 0 ? .string("{\"n\":\(n)}") : .empty
        // Four days, so the shared cache is also written to while the tasks run.
        let date = Fixture.date.addingTimeInterval(TimeInterval((n % 4) * 86_400 + n))
        return (request, payload, date)
    }

    @Test func eightTasksSigningConcurrentlyMatchSequentialSigning() async throws {
        let tasks = 8, perTask = 500
        let sequentialSigner = Fixture.signer(credentials: Fixture.tokenCredentials, cache: SigningKeyCache())
        var expected: [[String]] = []
        for task in 0..<tasks {
            expected.append(try (0..<perTask).map { n in
                var (request, payload, date) = Self.request(task, n)
                try sequentialSigner.sign(&request, payload: payload, date: date)
                return request.headers["authorization"] ?? ""
            })
        }

        let cache = SigningKeyCache()
        let shared = Fixture.signer(credentials: Fixture.tokenCredentials, cache: cache)
        let results = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var out: [String] = []
                    out.reserveCapacity(perTask)
                    for n in 0..<perTask {
                        var (request, payload, date) = Self.request(task, n)
                        try shared.sign(&request, payload: payload, date: date)
                        out.append(request.headers["authorization"] ?? "")
                    }
                    return (task, out)
                }
            }
            var byTask = [[String]](repeating: [], count: tasks)
            for try await (task, out) in group { byTask[task] = out }
            return byTask
        }
        #expect(results == expected)
        #expect(Set(expected.joined()).count == tasks * perTask)
        #expect(cache.count == 4)
    }
}
