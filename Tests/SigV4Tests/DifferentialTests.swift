import Foundation
import LatticeTestSupport
import Testing
@testable import SigV4

/// Seeded random requests signed by SigV4 and by botocore's SigV4Auth at the same fixed time
/// must carry identical Authorization headers.
@Suite struct DifferentialTests {
    static let count = 2_000
    static let seed: UInt64 = 0x5EED_1A77_1CE0_0001

    struct Case: Codable {
        var method: String
        var url: String
        var headers: [[String]]
        var body_hex: String
        var access_key: String
        var secret_key: String
        var token: String?
        var region: String
        var service: String
        var time: String
    }

    struct Answer: Codable {
        var authorization: String
        var canonical_request: String
        var string_to_sign: String
    }

    @Test func botocoreIsThePinnedVersion() throws {
        let version = try Oracle.runPython("Tests/Oracles/botocore_sigv4.py", arguments: ["--version"], input: Data())
        let pinned = try #require(Oracle.pinnedBotocore)
        #expect(String(decoding: version, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == pinned,
                "the oracle must be the botocore pinned in Tests/requirements.txt: run `make test` to install it")
    }

    @Test func twoThousandRandomRequestsMatchBotocore() throws {
        var rng = SeededRandom(seed: Self.seed)
        let cases = (0..<Self.count).map { _ in Self.makeCase(&rng) }
        let encoder = JSONEncoder()
        var input = Data()
        for c in cases {
            input.append(try encoder.encode(c))
            input.append(0x0a)
        }
        let output = try Oracle.runPython("Tests/Oracles/botocore_sigv4.py", input: input)
        let answers = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Answer.self, from: Data($0.utf8))
        }
        try #require(answers.count == cases.count)
        var mismatches = 0
        var features = Set<String>()
        for (c, expected) in zip(cases, answers) {
            let (details, authorization) = try Self.sign(c)
            features.formUnion(Self.features(of: c))
            if authorization != expected.authorization {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        \(c.method) \(c.url)
                        ours:     \(authorization)
                        botocore: \(expected.authorization)
                        our canonical request:
                        \(details.canonicalRequest)
                        botocore's:
                        \(expected.canonical_request)
                        """)
                }
            }
        }
        #expect(mismatches == 0)
        // The generator really produced every feature the comparison is meant to cover.
        #expect(features == Self.allFeatures, "missing: \(Self.allFeatures.subtracting(features))")
    }

    static func sign(_ c: Case) throws -> (SigV4SigningDetails, String) {
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyId: c.access_key, secretAccessKey: c.secret_key, sessionToken: c.token),
            region: c.region, service: c.service
        )
        var request = SigV4Request(method: c.method, url: c.url, headers: HTTPHeaders(c.headers.map { ($0[0], $0[1]) }))
        let body = hexBytes(c.body_hex)
        let date = try parseAmzDate(c.time)
        let details = try signer.sign(&request, payload: body.isEmpty ? .empty : .bytes(body), date: date)
        return (details, request.headers["authorization"] ?? "")
    }

    // MARK: - The generator

    static let allFeatures: Set<String> = [
        "unicode-path", "space-path", "reserved-path", "arn-label", "dot-dot", "double-slash", "repeated-query-key",
        "empty-query-value", "space-run-header", "duplicate-header", "body", "no-body", "token", "no-token", "resign",
    ]

    static func features(of c: Case) -> Set<String> {
        var f = Set<String>()
        let path = c.url.split(separator: "?", maxSplits: 1)[0].split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).dropFirst(2).joined()
        let afterHost = path.drop { $0 != "/" }
        if afterHost.contains("%E") || afterHost.contains("%F") || afterHost.contains("%D") || afterHost.contains("%C") { f.insert("unicode-path") }
        if afterHost.contains("%20") { f.insert("space-path") }
        if afterHost.contains("%21") || afterHost.contains("%2A") || afterHost.contains("%40") { f.insert("reserved-path") }
        if afterHost.contains("arn%3Aaws%3A") && afterHost.contains("%2F") { f.insert("arn-label") }
        if afterHost.contains("/../") || afterHost.hasSuffix("/..") { f.insert("dot-dot") }
        if afterHost.contains("//") { f.insert("double-slash") }
        if let q = c.url.split(separator: "?", maxSplits: 1).dropFirst().first {
            let keys = q.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0] }
            if Set(keys).count < keys.count { f.insert("repeated-query-key") }
            if q.split(separator: "&").contains(where: { $0.hasSuffix("=") || !$0.contains("=") }) { f.insert("empty-query-value") }
        }
        if c.headers.contains(where: { $0[1].contains("  ") }) { f.insert("space-run-header") }
        let names = c.headers.map { $0[0].lowercased() }
        if Set(names).count < names.count { f.insert("duplicate-header") }
        f.insert(c.body_hex.isEmpty ? "no-body" : "body")
        f.insert(c.token == nil ? "no-token" : "token")
        if names.contains("authorization") { f.insert("resign") }
        return f
    }

    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    static let hosts = [
        "https://vpc-lattice.us-east-1.amazonaws.com", "https://vpc-lattice-fips.us-gov-west-1.amazonaws.com",
        "http://127.0.0.1:8080", "https://127.0.0.1:443", "http://localhost:80", "https://Example.COM:8443",
        "http://[::1]:9000", "https://vpc-lattice.cn-north-1.amazonaws.com.cn",
    ]
    static let regions = ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
    static let services = ["vpc-lattice", "sts", "execute-api", "service"]
    static let labelPieces = [
        "services", "svc-0123456789abcdef0", "target groups", "é", "ሴ", "😀", "naïve", "a b", "!*'()", ";:@&=+$,",
        "[x]", "#frag", "?q", "%", "100%", "~user", "-._~", "ümlaut", "tab\there", "a+b", "c=d", ".hidden",
    ]
    static let arns = [
        "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0",
        "arn:aws:vpc-lattice:eu-west-3:123456789012:servicenetwork/sn-0123456789abcdef0",
    ]
    static let queryKeys = ["maxResults", "nextToken", "tagKeys", "a b", "ключ", "k:1", "flag", "x/y", "Z"]
    static let headerNames = ["X-Custom", "x-custom", "Content-Type", "My-Header1", "X-Amz-Target", "x-amz-meta-Mixed_Case"]

    static func pick<T>(_ items: [T], _ rng: inout SeededRandom) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    static func randomText(_ rng: inout SeededRandom, pieces: Int) -> String {
        (0..<pieces).map { _ in pick(labelPieces, &rng) }.joined()
    }

    static func makeCase(_ rng: inout SeededRandom) -> Case {
        let host = pick(hosts, &rng)
        var path = ""
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: path += "/.."
            case 1: path += "/."
            case 2: path += "/"  // makes "//"
            case 3: path += "/" + PercentEncoding.encode(pick(arns, &rng))  // ':' and '/' inside a label
            case 4: path += "/" + PercentEncoding.encode(randomText(&rng, pieces: 2), keepSlash: true)  // greedy label
            default: path += "/" + PercentEncoding.encode(randomText(&rng, pieces: Int.random(in: 1...3, using: &rng)))
            }
        }
        if Bool.random(using: &rng) { path += "/" }
        var query: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let key = PercentEncoding.encode(pick(queryKeys, &rng))
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: query.append(key)  // no '=' at all
            case 1: query.append(key + "=")
            default: query.append(key + "=" + PercentEncoding.encode(randomText(&rng, pieces: Int.random(in: 1...2, using: &rng))))
            }
        }
        if Int.random(in: 0..<5, using: &rng) == 0, let first = query.first { query.append(first) }  // exact repeat
        var headers: [[String]] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let name = pick(headerNames, &rng)
            let value = [" ", "", "  "].randomElement(using: &rng)! + randomText(&rng, pieces: 1).replacingOccurrences(of: "\t", with: " ")
                + ["   ", " ", ""].randomElement(using: &rng)! + "v" + String(Int.random(in: 0..<100, using: &rng))
                + [" ", "", "    "].randomElement(using: &rng)!
            headers.append([name, value])
        }
        if Int.random(in: 0..<8, using: &rng) == 0 {
            // A request being signed again (a retry): stale signature headers must be replaced.
            headers.append(["Authorization", "AWS4-HMAC-SHA256 Credential=OLD"])
            headers.append(["X-Amz-Date", "20000101T000000Z"])
        }
        var body: [UInt8] = []
        if Bool.random(using: &rng) {
            body = (0..<Int.random(in: 1...2048, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let token: String? = Bool.random(using: &rng)
            ? String((0..<Int.random(in: 20...300, using: &rng)).map { _ in b64.randomElement(using: &rng)! }) + "=="
            : nil
        let day = Int.random(in: 0..<4, using: &rng)
        let time = String(format: "202611%02dT%02d%02d%02dZ", 20 + day, Int.random(in: 0..<24, using: &rng), Int.random(in: 0..<60, using: &rng), Int.random(in: 0..<60, using: &rng))
        return Case(
            method: pick(methods, &rng),
            url: host + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&")),
            headers: headers,
            body_hex: body.map { String(format: "%02x", $0) }.joined(),
            access_key: "AKIA" + String((0..<16).map { _ in alnum.randomElement(using: &rng)! }),
            secret_key: String((0..<40).map { _ in b64.randomElement(using: &rng)! }),
            token: token,
            region: pick(regions, &rng),
            service: pick(services, &rng),
            time: time
        )
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        while let h = it.next(), let l = it.next() {
            out.append(UInt8(Hex.value(h)! << 4 | Hex.value(l)!))
        }
        return out
    }

    static func parseAmzDate(_ s: String) throws -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return try #require(f.date(from: s))
    }
}
