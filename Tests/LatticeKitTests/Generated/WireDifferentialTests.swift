import Foundation
import Testing
@testable import LatticeKit
import SigV4

/// For every operation, seeded random model-valid inputs: the request LatticeKit builds equals
/// what botocore builds (method, path, query, content type, JSON body), and its signature equals
/// the one botocore's SigV4Auth computes over the same bytes at the same fixed time.
@Suite struct WireDifferentialTests {
    static let perOperation = 3
    static let seed = 20_261_121
    static let time = "20261121T120000Z"
    static let date = Date(timeIntervalSince1970: 1_795_262_400)
    static let credentials = SigV4Credentials(accessKeyId: "AKIDWIRETEST", secretAccessKey: "wire/test+secret/key/0123456789abcdefgh", sessionToken: "session/token+wire==")

    static func client() throws -> LatticeClient {
        try LatticeClient(LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(credentials)),
                          transport: FakeTransport { _ in HTTPResponse(status: 500) },
                          environment: testEnvironment(LatticeClientTests.variables()))
    }

    @Test func everyOperationSerializesAndSignsAsBotocoreDoes() async throws {
        let client = try Self.client()
        var cases = try PythonOracle.lines("Tests/Oracles/cases.py", ["inputs", "--seed", String(Self.seed), "--per-op", String(Self.perOperation)])
        #expect(cases.count == OperationDescriptor.all.count * Self.perOperation)
        // botocore leaves a missing idempotency token empty; LatticeKit fills one. Give both
        // the same token so the bodies can be compared.
        for i in cases.indices {
            let name = cases[i]["operation"] as! String
            var params = cases[i]["params"] as! [String: Any]
            if OperationDescriptor.named(name)!.spec.members.contains(where: { $0.name == "clientToken" }), params["clientToken"] == nil {
                params["clientToken"] = String(format: "00000000-0000-4000-8000-%012d", i)
            }
            cases[i]["params"] = params
        }

        // Ours, built and signed.
        var ours: [HTTPRequest] = []
        for c in cases {
            let descriptor = try #require(OperationDescriptor.named(c["operation"] as! String))
            let request = try descriptor.request(client, try PythonOracle.json(c["params"]!))
            ours.append(try await client.signedRequest(request, date: Self.date))
        }

        // botocore's serialization of the same params.
        let wireInput = try cases.map { c in
            try PythonOracle.json([
                "operation": c["operation"]!, "params": c["params"]!, "access_key": Self.credentials.accessKeyId,
                "secret_key": Self.credentials.secretAccessKey, "token": Self.credentials.sessionToken!, "region": "us-east-1",
                "endpoint": "https://vpc-lattice.us-east-1.amazonaws.com", "time": Self.time,
            ] as [String: Any])
        }
        let theirs = try PythonOracle.lines("Tests/Oracles/botocore_wire.py", input: wireInput)
        try #require(theirs.count == cases.count)

        // botocore's SigV4Auth over our exact bytes.
        let signInput = try ours.map { r in
            try PythonOracle.json([
                "method": r.method, "url": r.url,
                "headers": r.headers.fields.filter { !["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased()) }.map { [$0.name, $0.value] },
                "body_hex": r.body.map { String(format: "%02x", $0) }.joined(),
                "access_key": Self.credentials.accessKeyId, "secret_key": Self.credentials.secretAccessKey,
                "token": Self.credentials.sessionToken!, "region": "us-east-1", "service": "vpc-lattice", "time": Self.time,
            ] as [String: Any])
        }
        let signatures = try PythonOracle.lines("Tests/Oracles/botocore_sigv4.py", input: signInput)

        var failures = 0
        var covered = Set<String>()
        for (i, c) in cases.enumerated() {
            let name = c["operation"] as! String
            let mine = ours[i]
            let other = theirs[i]
            var problems: [String] = []
            if let error = other["error"] { problems.append("botocore failed: \(error)") }
            let (path, query) = Self.split(mine.url)
            if mine.method != other["method"] as? String { problems.append("method \(mine.method) vs \(other["method"] ?? "")") }
            if path != other["path"] as? String { problems.append("path \(path) vs \(other["path"] ?? "")") }
            let theirQuery = (other["query"] as? [[String]] ?? []).map { $0.joined(separator: "=") }.sorted()
            if query.sorted() != theirQuery { problems.append("query \(query.sorted()) vs \(theirQuery)") }
            let theirHeaders = other["headers"] as? [String: String] ?? [:]
            if mine.headers["content-type"] != theirHeaders["content-type"] {
                problems.append("content-type \(mine.headers["content-type"] ?? "none") vs \(theirHeaders["content-type"] ?? "none")")
            }
            let theirBody = other["body"] as? String ?? ""
            if mine.body.isEmpty || theirBody.isEmpty {
                if !(mine.body.isEmpty && theirBody.isEmpty) { problems.append("body \(String(decoding: mine.body, as: UTF8.self)) vs \(theirBody)") }
                // Same bytes (none): botocore's own request carries our signature.
                if mine.headers["authorization"] != other["authorization"] as? String { problems.append("authorization differs from botocore's request") }
            } else {
                let a = try JSONSerialization.jsonObject(with: Data(mine.body))
                let b = try JSONSerialization.jsonObject(with: Data(theirBody.utf8))
                if !PythonOracle.sameJSON(a, b) { problems.append("body \(String(decoding: mine.body, as: UTF8.self)) vs \(theirBody)") }
            }
            if mine.headers["authorization"] != signatures[i]["authorization"] as? String { problems.append("signature differs from botocore's over the same bytes") }
            if problems.isEmpty {
                covered.insert(name)
            } else {
                failures += 1
                if failures <= 5 { Issue.record("\(name) seed \(c["seed"] ?? ""): \(problems.joined(separator: "; "))") }
            }
        }
        #expect(failures == 0)
        #expect(covered.count == 73, "operations that matched on every case: \(covered.count) of 73")
    }

    /// The URL's path and its query as decoded `name=value` pairs.
    static func split(_ url: String) -> (String, [String]) {
        let afterScheme = url.components(separatedBy: "://")[1]
        let pathAndQuery = String(afterScheme[afterScheme.firstIndex(of: "/")!...])
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? parts[1].split(separator: "&").map { pair -> String in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return PercentEncoding.decode(String(kv[0])) + "=" + PercentEncoding.decode(kv.count > 1 ? String(kv[1]) : "")
        } : []
        return (String(parts[0]), query)
    }
}
