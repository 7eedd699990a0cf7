import Foundation
import Testing
import LatticeTestSupport
@testable import lattice

/// An object of N keys costs O(N) to read, shape and print (issue 11: a 1.2 MB answer of 80k
/// keys took 9 s, 1M keys did not finish): checked by counting the key comparisons and lookups
/// of the CLI's JSON code (`KeyWork`, counted in debug builds), not by timing. A scan per key
/// makes the count grow with N², so 8 times the keys costs 64 times the work; here it must
/// cost at most 10 times, and at most a few lookups per key.
@Suite struct JSONObjectCostTests {
    /// `{"tags": {"k0": "v0", ...}}`, the answer of ListTagsForResource.
    static func tags(_ n: Int, prefix: String = "{\"tags\":", suffix: String = "}") -> String {
        prefix + "{" + (0..<n).map { "\"k\($0)\":\"v\($0)\"" }.joined(separator: ",") + "}" + suffix
    }

    /// The key work of `body` for `n` keys.
    static func work(_ n: Int, _ body: (Int) throws -> Void) rethrows -> Int {
        #if DEBUG
        let meter = KeyWork.Meter()
        try KeyWork.$meter.withValue(meter) { try body(n) }
        return meter.count
        #else
        Issue.record("KeyWork counts in debug builds only: run the tests without -c release")
        return 0
        #endif
    }

    /// Work at 2,000 and 16,000 keys: linear, and at most `perKey` per key.
    static func expectLinear(_ what: String, perKey: Int, sourceLocation: SourceLocation = #_sourceLocation, _ body: (Int) throws -> Void) throws {
        let small = try work(2_000, body), large = try work(16_000, body)
        #expect(large <= 10 * max(small, 1), "\(what): \(small) lookups for 2,000 keys, \(large) for 16,000", sourceLocation: sourceLocation)
        #expect(large <= perKey * 16_000, "\(what): \(large) lookups for 16,000 keys", sourceLocation: sourceLocation)
    }

    static func answer(_ n: Int) throws -> JSON {
        let document = try OutputShaper.document(operation: "ListTagsForResource", status: 200, body: Array(tags(n).utf8))
        return OutputShaper(timestamps: .none).shape(operation: "ListTagsForResource", document: document)
    }

    @Test func readingShapingAndPrintingAnObjectIsLinear() async throws {
        try Self.expectLinear("parse", perKey: 2) { n in _ = try JSONParser.parse(Self.tags(n)) }
        try Self.expectLinear("parse and shape", perKey: 2) { n in _ = try Self.answer(n) }
        try Self.expectLinear("--output json", perKey: 2) { n in _ = try Self.answer(n).pythonIndented }
        try Self.expectLinear("--output text", perKey: 2) { n in _ = TextFormatter.format(try Self.answer(n)) }
        try Self.expectLinear("--output table", perKey: 4) { n in
            var table = TableFormatter(terminalWidth: 80, color: false)
            _ = table.format(title: "ListTagsForResource", try Self.answer(n))
        }
        // Unknown members of a structure are dropped by lookup, not by a scan per model member.
        try Self.expectLinear("a structure with many unknown members", perKey: 4) { n in
            let body = Self.tags(n, prefix: "{\"id\":\"svc-1\",\"unknown\":", suffix: "," + (0..<n).map { "\"u\($0)\":1" }.joined(separator: ",") + "}")
            _ = OutputShaper(timestamps: .none).shape(operation: "GetService", document: try JSONParser.parse(body))
        }
        // A list of objects with many scalar keys (text and table gather their keys).
        try Self.expectLinear("a list of objects of many keys", perKey: 10) { n in
            let object = try JSONParser.parse(Self.tags(n, prefix: "", suffix: ""))
            let list = JSON.array([object, object])
            _ = TextFormatter.format(list)
            var table = TableFormatter(terminalWidth: 80, color: false)
            _ = table.format(title: "T", .object([.init(key: "items", value: list)]))
        }
    }

    @Test func inputOfManyKeysIsLinear() async throws {
        let command = try #require(Command.named("tag-resource"))
        try Self.expectLinear("--cli-input-json", perKey: 2) { n in
            var parsed = ParsedCommand(globals: GlobalOptions())
            parsed.cliInputJSON = Self.tags(n, prefix: "{\"resourceArn\":\"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1\",\"tags\":")
            _ = try InputBuilder(command: command, environment: [:]).build(parsed)
        }
        let option = try #require(command.options.first { $0.flag == "tags" })
        try Self.expectLinear("--tags k=v,...", perKey: 2) { n in
            _ = try InputBuilder(command: command, environment: [:]).value(option, .text((0..<n).map { "k\($0)=v\($0)" }.joined(separator: ",")))
        }
    }

    /// Python's dict, as json.loads and the aws CLI's shorthand build it: a repeated key keeps
    /// its first position and takes the last value, below and above the index's threshold.
    @Test func aRepeatedKeyKeepsItsPlaceAndTakesTheLastValue() async throws {
        #expect(try JSONParser.parse("{\"a\":1,\"b\":2,\"a\":3}") == .object([.init(key: "a", value: .number("3")), .init(key: "b", value: .number("2"))]))
        let many = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let parsed = try JSONParser.parse("{\(many),\"k3\":\"last\",\"k19\":null}")
        let members = try #require(parsed.objectMembers)
        #expect(members.map(\.key) == (0..<20).map { "k\($0)" })
        #expect(parsed["k3"] == .string("last") && parsed["k19"] == .null && parsed["k4"] == .number("4"))
        let command = try #require(Command.named("tag-resource"))
        let option = try #require(command.options.first { $0.flag == "tags" })
        let shorthand = try InputBuilder(command: command, environment: [:]).value(option, .text("a=1,b=2,a=3"))
        #expect(shorthand == .object([.init(key: "a", value: .string("3")), .init(key: "b", value: .string("2"))]))
    }

    /// The whole CLI path, through the binary: an answer of 200,000 tags (3.4 MB) printed as
    /// json, text and table. The counts above are the proof; this shows no other step of the
    /// binary grows faster: before, such an answer took minutes (80,000 took 10 s in a release
    /// build), here a few seconds in a debug build, well within the 60 s a run may take.
    @Test func theCLIPrintsAnAnswerOfManyKeys() async throws {
        let n = 200_000
        let server = try LoopbackServer { _ in .respond(status: 200, headers: [], body: Array(Self.tags(n).utf8)) }
        let sandbox = try CLI.Sandbox()
        let base = ["list-tags-for-resource", "--resource-arn", "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1", "--endpoint-url", server.url]
        let runs = try await CLI.parallel(3, width: 2) { k in try await CLI.lattice(base + ["--output", ["json", "text", "table"][k]], sandbox) }
        for r in runs { #expect(r.status == 0, "\(r.stderr)") }
        let json = try #require(try JSONText.parse(runs[0].stdout) as? [String: [String: String]])
        #expect(json["tags"]?.count == n && json["tags"]?["k199999"] == "v199999")
        #expect(runs[1].stdout.hasPrefix("TAGS\t") && runs[1].stdout.split(separator: "\t").count == n + 1)
        #expect(runs[2].stdout.contains("|  k199999  |  v199999  |") || runs[2].stdout.contains("k199999"))
    }
}
