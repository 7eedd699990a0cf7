import Foundation
import Testing
import LatticeTestSupport
import LatticeKit

/// `lattice` against the installed aws CLI (awscli 1.45, botocore 1.43.11) as the oracle: both
/// send the same input to one loopback server, which records the requests and answers canned
/// bodies; the requests must match (method, path, query multiset, JSON body) and what they print
/// must be the same JSON (json), or the same bytes (text and table).
///
/// Each run of a CLI gets its own endpoint path prefix, `/c<case>/<cli>`, so the server knows
/// which case and which CLI a request belongs to (both CLIs keep an endpoint's base path).
@Suite(.serialized) struct AWSParityTests {
    static let seed = 20_261_122
    static let pageTwoToken = "page-2-token"

    /// One canned answer.
    struct Canned: Sendable {
        var status: Int
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: String
    }

    /// A server whose answers are decided per case: `answer(case, request)`.
    final class Server: @unchecked Sendable {
        let loopback: LoopbackServer
        init(_ answer: @escaping @Sendable (Int, LoopbackServer.Request, String) -> Canned) throws {
            loopback = try LoopbackServer { request in
                let parts = request.target.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[1].hasPrefix("c"), let n = Int(parts[1].dropFirst()) else {
                    return .respond(status: 400, headers: [], body: Array("{\"message\":\"no case prefix\"}".utf8))
                }
                let rest = "/" + (parts.count > 3 ? String(parts[3]) : "")
                let canned = answer(n, request, rest)
                return .respond(status: canned.status, headers: canned.headers, body: Array(canned.body.utf8))
            }
        }

        func endpoint(_ n: Int, _ who: String) -> String { "\(loopback.url)/c\(n)/\(who)" }

        /// The requests of one case and CLI, with the prefix taken off the path.
        func requests(_ n: Int, _ who: String) -> [LoopbackServer.Request] {
            let prefix = "/c\(n)/\(who)/"
            return loopback.requests.filter { $0.target.hasPrefix(prefix) }.map {
                var r = $0
                r.target = String(r.target.dropFirst(prefix.count - 1))
                return r
            }
        }
    }

    /// What differs between two recorded request lists; empty when they match.
    static func compareRequests(_ ours: [LoopbackServer.Request], _ theirs: [LoopbackServer.Request]) throws -> [String] {
        guard ours.count == theirs.count else { return ["\(ours.count) requests vs the aws CLI's \(theirs.count): \(ours.map(\.target)) vs \(theirs.map(\.target))"] }
        var problems: [String] = []
        for (k, (a, b)) in zip(ours, theirs).enumerated() {
            let (pa, qa) = splitTarget(a.target)
            let (pb, qb) = splitTarget(b.target)
            if a.method != b.method { problems.append("request \(k): method \(a.method) vs \(b.method)") }
            if pa != pb { problems.append("request \(k): path \(pa) vs \(pb)") }
            if qa != qb { problems.append("request \(k): query \(qa) vs \(qb)") }
            let ba = String(decoding: a.body, as: UTF8.self), bb = String(decoding: b.body, as: UTF8.self)
            if ba.isEmpty || bb.isEmpty {
                if ba != bb { problems.append("request \(k): body '\(ba)' vs '\(bb)'") }
            } else if !JSONText.same(try JSONText.parse(ba), try JSONText.parse(bb)) {
                problems.append("request \(k): body \(ba) vs \(bb)")
            }
        }
        return problems
    }

    /// Inputs and outputs for every operation from the model-driven generator; a fixed
    /// clientToken where the aws CLI would make up its own.
    static func cases() async throws -> [(operation: String, params: [String: Any], page1: [String: Any], page2: [String: Any])] {
        let inputs = try await Oracle.lines("Tests/Oracles/cases.py", ["inputs", "--seed", String(seed), "--per-op", "1"])
        let outputs = try await Oracle.lines("Tests/Oracles/cases.py", ["outputs", "--seed", String(seed), "--per-op", "2"])
        var result: [(String, [String: Any], [String: Any], [String: Any])] = []
        for (i, input) in inputs.enumerated() {
            let name = input["operation"] as! String
            var params = input["params"] as! [String: Any]
            let descriptor = try #require(OperationDescriptor.named(name))
            if descriptor.spec.members.contains(where: { $0.name == "clientToken" }), params["clientToken"] == nil {
                params["clientToken"] = String(format: "00000000-0000-4000-8000-%012d", i)
            }
            let bodies = outputs.filter { $0["operation"] as? String == name }.map { $0["body"] as! [String: Any] }
            try #require(bodies.count == 2)
            result.append((name, params, bodies[0], bodies[1]))
        }
        return result
    }

    @Test func everyOperationSendsAndPrintsWhatTheAWSCLIDoes() async throws {
        _ = try CLI.requireLattice()
        _ = try await CLI.requireAWS()
        let cases = try await Self.cases()
        #expect(cases.count == 73)
        // List operations answer two pages: the first with a next token, the second without.
        // Bodies have their keys sorted (not in model order) and a member the model does not
        // know, which the aws CLI leaves out.
        var answers: [Int: (page1: String, page2: String?, status: Int)] = [:]
        for (n, c) in cases.enumerated() {
            let descriptor = try #require(OperationDescriptor.named(c.operation))
            if let p = descriptor.pagination {
                var first = c.page1
                first[p.outputToken] = Self.pageTwoToken
                first["unmodeledMember"] = ["added": "later"]
                var second = c.page2
                second[p.outputToken] = nil
                answers[n] = (try JSONText.string(first), try JSONText.string(second), descriptor.spec.successCode)
            } else {
                var body = c.page1
                body["unmodeledMember"] = ["added": "later"]
                answers[n] = (try JSONText.string(body), nil, descriptor.spec.successCode)
            }
        }
        let frozen = answers
        let server = try Server { n, request, _ in
            guard let a = frozen[n] else { return Canned(status: 404, body: "{}") }
            let secondPage = splitTarget(request.target).query.contains("nextToken=\(Self.pageTwoToken)")
            return Canned(status: a.status, body: secondPage ? (a.page2 ?? a.page1) : a.page1)
        }
        let sandbox = try CLI.Sandbox()
        let inputs = try cases.map { try JSONText.string($0.params) }
        let commands = try cases.map { try #require(OperationDescriptor.named($0.operation)).cliName }

        // Ours first (quick), then the aws CLI's, four at a time.
        let ours = try await CLI.parallel(cases.count, width: 2) { n in
            try await CLI.lattice([commands[n], "--cli-input-json", inputs[n], "--endpoint-url", server.endpoint(n, "lattice")], sandbox)
        }
        let theirs = try await CLI.parallel(cases.count, width: 4) { n in
            try await CLI.aws([commands[n], "--cli-input-json", inputs[n], "--endpoint-url", server.endpoint(n, "aws")], sandbox)
        }

        var matched = 0
        var pagedTwice = 0
        for n in cases.indices {
            var problems: [String] = []
            if ours[n].status != 0 { problems.append("lattice exited \(ours[n].status): \(ours[n].stderr)") }
            if theirs[n].status != 0 { problems.append("aws exited \(theirs[n].status): \(theirs[n].stderr)") }
            problems += try Self.compareRequests(server.requests(n, "lattice"), server.requests(n, "aws"))
            let a = try JSONText.parse(ours[n].stdout), b = try JSONText.parse(theirs[n].stdout)
            if !JSONText.same(a, b) {
                problems.append("output\n\(ours[n].stdout)\nvs the aws CLI's\n\(theirs[n].stdout)")
            } else if ours[n].stdout != theirs[n].stdout {
                problems.append("the same JSON, but not the same text (member order, indentation, escapes):\n\(ours[n].stdout)\nvs the aws CLI's\n\(theirs[n].stdout)")
            }
            if problems.isEmpty { matched += 1 } else { Issue.record("\(commands[n]): \(problems.joined(separator: "; "))") }
            if answers[n]?.page2 != nil, server.requests(n, "lattice").count == 2 { pagedTwice += 1 }
        }
        #expect(matched == 73, "operations whose requests and printed output (byte for byte) match the aws CLI's: \(matched) of 73")
        let paginated = OperationDescriptor.all.filter { $0.pagination != nil }.count
        #expect(paginated == 15)
        #expect(pagedTwice == paginated, "list operations that followed a second page: \(pagedTwice) of \(paginated)")
    }

    /// Every modeled error (with the first operation that declares it), and errors without a
    /// code: the same stderr line as the aws CLI's, retries included; exit status 254 (the aws
    /// CLI v2's; the installed v1 exits 255 for every error, so that part cannot be compared).
    @Test func everyModeledErrorReadsAsTheAWSCLISays() async throws {
        _ = try await CLI.requireAWS()
        let model = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repoRoot.appendingPathComponent("Codegen/Model/service-2.json"))) as! [String: Any]
        let shapes = model["shapes"] as! [String: [String: Any]]
        let operations = model["operations"] as! [String: [String: Any]]
        var errors: [(code: String, status: Int, operation: String)] = []
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) where shape["exception"] as? Bool == true {
            let status = (shape["error"] as? [String: Any])?["httpStatusCode"] as? Int ?? 400
            let op = operations.keys.sorted().first { op in
                ((operations[op]?["errors"] as? [[String: Any]]) ?? []).contains { $0["shape"] as? String == name }
            }
            errors.append((name, status, try #require(op)))
        }
        #expect(errors.count == 7)
        let inputs = try await Oracle.lines("Tests/Oracles/cases.py", ["inputs", "--seed", String(Self.seed), "--per-op", "1"])
        // The modeled errors, a code-less 400 and a code-less 503 (retried, then final).
        var plan = errors.map { e in (code: Optional(e.code), status: e.status, operation: e.operation) }
        plan.append((nil, 400, "GetService"))
        plan.append((nil, 503, "GetService"))
        let frozen = plan
        let server = try Server { n, _, _ in
            let p = frozen[n]
            guard let code = p.code else { return Canned(status: p.status, headers: [], body: "{\"message\":\"no code here\"}") }
            let body = "{\"message\":\"\(code) for the test\",\"resourceId\":\"svc-0123456789abcdef0\",\"resourceType\":\"SERVICE\",\"reason\":\"other\"}"
            return Canned(status: p.status, headers: [("x-amzn-ErrorType", "\(code):http://internal.amazon.com/coral/"), ("x-amzn-RequestId", "req-\(n)")], body: body)
        }
        let sandbox = try CLI.Sandbox()
        let jsonInputs: [String] = try plan.map { p in
            let descriptor = try #require(OperationDescriptor.named(p.operation))
            var params = try #require(inputs.first { $0["operation"] as? String == p.operation }?["params"] as? [String: Any])
            if descriptor.spec.members.contains(where: { $0.name == "clientToken" }) { params["clientToken"] = "00000000-0000-4000-8000-000000000001" }
            return try JSONText.string(params)
        }
        let runs: [(CLI.Result, CLI.Result, String)] = try await CLI.parallel(plan.count, width: 3) { n in
            let p = frozen[n]
            let descriptor = try #require(OperationDescriptor.named(p.operation))
            let json = jsonInputs[n]
            let ours = try await CLI.lattice([descriptor.cliName, "--cli-input-json", json, "--endpoint-url", server.endpoint(n, "lattice")], sandbox)
            let theirs = try await CLI.aws([descriptor.cliName, "--cli-input-json", json, "--endpoint-url", server.endpoint(n, "aws")], sandbox)
            return (ours, theirs, descriptor.cliName)
        }
        for (n, (ours, theirs, command)) in runs.enumerated() {
            let label = "\(plan[n].code ?? "HTTP \(plan[n].status)") from \(command)"
            #expect(ours.errorLine == theirs.errorLine, "\(label): \(ours.stderr) vs \(theirs.stderr)")
            #expect(ours.errorLine.hasPrefix("An error occurred ("), "\(label): \(ours.stderr)")
            #expect(ours.status == 254, "\(label): exit \(ours.status)")
            #expect(theirs.status == 255, "\(label): the aws CLI v1 exits 255 for service errors")
            #expect(ours.stdout.isEmpty)
            #expect(server.requests(n, "lattice").count == server.requests(n, "aws").count, "\(label): attempts differ")
            switch plan[n].code {
            case "ResourceNotFoundException"?:
                let hint = ours.stderr.split(separator: "\n").first { $0.hasPrefix("Hint:") } ?? ""
                #expect(hint.contains("us-east-1") && hint.contains("Identifier '"), "\(label): \(ours.stderr)")
            case "AccessDeniedException"?:
                #expect(ours.stderr.contains("Hint: the caller needs the IAM permission vpc-lattice:\(plan[n].operation)"), "\(label): \(ours.stderr)")
            default:
                #expect(!ours.stderr.contains("Hint:"), "\(label): \(ours.stderr)")
            }
        }
        let retried = runs.indices.filter { plan[$0].status >= 500 || plan[$0].status == 429 }
        #expect(retried.allSatisfy { server.requests($0, "lattice").count == 2 }, "AWS_MAX_ATTEMPTS=2: retryable errors are sent twice")
        #expect(retried.allSatisfy { runs[$0].0.errorLine.contains("(reached max retries: 1)") })
    }

    /// `--max-items`, `--starting-token` (tokens from either CLI), `--page-size`,
    /// `--no-paginate` and `--max-results` over three pages, in json, text and table.
    @Test func pagingOptionsMatchTheAWSCLI() async throws {
        _ = try await CLI.requireAWS()
        let items = (0..<8).map { i in
            "{\"id\":\"svc-\(String(format: "%017d", i))\",\"name\":\"svc\(i)\",\"createdAt\":\"2026-11-21T12:34:5\(i).\(i)00Z\",\"status\":\"ACTIVE\",\"dnsEntry\":{\"domainName\":\"svc\(i).example.com\"}}"
        }
        let pages = ["": (items[0..<3], "t2"), "t2": (items[3..<6], "t3"), "t3": (items[6..<8], nil)] as [String: (ArraySlice<String>, String?)]
        let server = try Server { _, request, _ in
            let token = splitTarget(request.target).query.first { $0.hasPrefix("nextToken=") }.map { String($0.dropFirst(10)) } ?? ""
            guard let (list, next) = pages[token] else { return Canned(status: 400, body: "{\"message\":\"bad token\"}") }
            let body = "{\"items\":[\(list.joined(separator: ","))]" + (next.map { ",\"nextToken\":\"\($0)\"" } ?? "") + "}"
            return Canned(status: 200, body: body)
        }
        let sandbox = try CLI.Sandbox()
        // Tokens the aws CLI hands out, to resume with either CLI.
        let resume = try await CLI.aws(["list-services", "--max-items", "4", "--endpoint-url", server.endpoint(999, "aws")], sandbox)
        let token = try #require((try JSONText.parse(resume.stdout) as? [String: Any])?["NextToken"] as? String)
        let variants: [[String]] = [
            [], ["--max-items", "2"], ["--max-items", "3"], ["--max-items", "4"], ["--max-items", "8"], ["--max-items", "20"],
            ["--max-items", "7", "--page-size", "2"], ["--no-paginate"], ["--max-results", "3"], ["--next-token", "t2"],
            ["--starting-token", token], ["--starting-token", token, "--max-items", "1"], ["--starting-token", "t3"],
            ["--output", "text"], ["--output", "text", "--max-items", "4"], ["--output", "table"], ["--output", "table", "--max-items", "5"],
        ]
        let runs = try await CLI.parallel(variants.count, width: 3) { n in
            let base = ["list-services"] + variants[n]
            return (try await CLI.lattice(base + ["--endpoint-url", server.endpoint(n, "lattice")], sandbox),
                    try await CLI.aws(base + ["--endpoint-url", server.endpoint(n, "aws")], sandbox))
        }
        for (n, (ours, theirs)) in runs.enumerated() {
            let label = variants[n].joined(separator: " ")
            #expect(ours.status == 0 && theirs.status == 0, "\(label): \(ours.stderr) / \(theirs.stderr)")
            // Byte for byte, NextToken included (botocore's token format).
            #expect(ours.stdout == theirs.stdout, "\(label):\n\(ours.stdout)\nvs the aws CLI's\n\(theirs.stdout)")
            #expect(try Self.compareRequests(server.requests(n, "lattice"), server.requests(n, "aws")).isEmpty, "\(label)")
        }
        // A token lattice printed resumes the aws CLI where lattice stopped.
        let ourResume = try await CLI.lattice(["list-services", "--max-items", "5", "--endpoint-url", server.endpoint(998, "lattice")], sandbox)
        let ourToken = try #require((try JSONText.parse(ourResume.stdout) as? [String: Any])?["NextToken"] as? String)
        #expect(ourToken == (try JSONText.parse(try await CLI.aws(["list-services", "--max-items", "5", "--endpoint-url", server.endpoint(997, "aws")], sandbox).stdout) as? [String: Any])?["NextToken"] as? String)
        let rest = try await CLI.aws(["list-services", "--starting-token", ourToken, "--endpoint-url", server.endpoint(996, "aws")], sandbox)
        #expect(((try JSONText.parse(rest.stdout) as? [String: Any])?["items"] as? [Any])?.count == 3)
    }

    /// `--output text`, `table` and `json` print what the aws CLI prints, byte for byte, for a
    /// model-valid answer of every Get and List operation (nested structures, lists of
    /// structures, unions, maps, empty lists, wide characters), timestamps as the service wrote
    /// them, and a union member the model does not know.
    @Test func textAndTableOutputAreTheAWSCLIs() async throws {
        _ = try await CLI.requireAWS()
        let cases = try await Self.cases().filter { $0.operation.hasPrefix("Get") || $0.operation.hasPrefix("List") }
        var bodies: [(command: String, params: String, body: String)] = try cases.map { c in
            var page = c.page1
            if let p = OperationDescriptor.named(c.operation)?.pagination { page[p.outputToken] = nil }
            return (try #require(OperationDescriptor.named(c.operation)).cliName, try JSONText.string(c.params), try JSONText.string(page))
        }
        // Timestamps in the forms a service may write: printed verbatim by both.
        bodies.append(("get-service", "{\"serviceIdentifier\":\"svc-0123456789abcdef0\"}",
                       "{\"id\":\"svc-0123456789abcdef0\",\"createdAt\":\"2026-11-21T12:34:56Z\",\"lastUpdatedAt\":\"2026-11-21T12:34:56.123456Z\",\"name\":\"日本語のサービス\",\"status\":\"ACTIVE\",\"dnsEntry\":{}}"))
        // A union member the model does not know: SDK_UNKNOWN_MEMBER, as botocore reports it.
        bodies.append(("get-listener", "{\"serviceIdentifier\":\"svc-0123456789abcdef0\",\"listenerIdentifier\":\"listener-0123456789abcdef0\"}",
                       "{\"id\":\"listener-0123456789abcdef0\",\"port\":80,\"defaultAction\":{\"redirect\":{\"to\":\"x\"}}}"))
        let frozen = bodies
        // text and table for all; json for the two made-up answers (the other test covers json).
        let plan: [(body: Int, format: String)] = bodies.indices.flatMap { n in
            (n >= cases.count ? ["text", "table", "json"] : ["text", "table"]).map { (n, $0) }
        }
        let server = try Server { k, _, _ in Canned(status: 200, body: frozen[plan[k].body].body) }
        let sandbox = try CLI.Sandbox()
        let runs = try await CLI.parallel(plan.count, width: 4) { k in
            let (n, format) = plan[k]
            let base = [frozen[n].command, "--cli-input-json", frozen[n].params, "--output", format]
            return (try await CLI.lattice(base + ["--endpoint-url", server.endpoint(k, "lattice")], sandbox),
                    try await CLI.aws(base + ["--endpoint-url", server.endpoint(k, "aws")], sandbox))
        }
        var same = 0
        for (k, (ours, theirs)) in runs.enumerated() {
            let label = "\(bodies[plan[k].body].command) --output \(plan[k].format)"
            #expect(theirs.status == 0, "\(label): \(theirs.stderr)")
            if ours.stdout == theirs.stdout && ours.status == 0 {
                same += 1
            } else {
                Issue.record("\(label) (exit \(ours.status)) \(ours.stderr):\n\(ours.stdout)\nvs the aws CLI's\n\(theirs.stdout)")
            }
        }
        #expect(same == runs.count)
    }
}
