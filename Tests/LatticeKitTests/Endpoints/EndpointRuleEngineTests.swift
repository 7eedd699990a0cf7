import Foundation
import Testing
@testable import LatticeKit

/// The pieces of the rules engine, one behaviour per test.
@Suite struct EndpointRuleEngineTests {
    typealias Engine = RuleEngine

    // MARK: JSON

    @Test func jsonKeepsEachKindApart() throws {
        let json = try Engine.JSON.parse(#"{"a":[true,0,1,2.5,"s",null,{}],"b":{"c":false}}"#, what: "test")
        #expect(json == .object([
            "a": .array([.bool(true), .int(0), .int(1), .double(2.5), .string("s"), .null, .object([:])]),
            "b": .object(["c": .bool(false)]),
        ]))
    }

    @Test func jsonErrorNamesTheDocument() {
        let error = #expect(throws: EndpointError.self) { try Engine.JSON.parse("{", what: "the test document") }
        #expect(error?.reason.contains("the test document") == true)
    }

    // MARK: templates

    @Test func templateSplitsTextAndReferences() throws {
        let t = try Engine.Parser.template("https://svc.{Region}.{P#dnsSuffix}", at: "t")
        #expect(t.parts == [
            .text("https://svc."), .reference(name: "Region", path: []),
            .text("."), .reference(name: "P", path: [.key("dnsSuffix")]),
        ])
    }

    @Test func templateDoubledBracesAreLiteral() throws {
        let t = try Engine.Parser.template("{{a}}-{{", at: "t")
        #expect(t.parts == [.text("{a}-{")])
    }

    @Test func templateUnclosedBraceIsRejected() {
        #expect(throws: EndpointError.self) { try Engine.Parser.template("https://{Region", at: "t") }
    }

    @Test func templateRendersAttributes() throws {
        let engine = try evaluator(rules: #"[{"conditions":[{"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"}],"type":"endpoint","endpoint":{"url":"https://x.{Region}.{P#dualStackDnsSuffix}/{P#name}"}}]"#)
        let out = try engine.evaluate(engine.inputs(for: EndpointParameters(region: "cn-north-1")))
        #expect(out.url == "https://x.cn-north-1.api.amazonwebservices.com.cn/aws-cn")
    }

    @Test func templateOfANonStringIsAnError() throws {
        let engine = try evaluator(rules: #"[{"conditions":[{"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"}],"type":"endpoint","endpoint":{"url":"https://{P#supportsFIPS}"}}]"#)
        #expect(throws: EndpointError.self) { try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-east-1"))) }
    }

    // MARK: getAttr

    @Test func attrPathParsesKeysAndIndexes() throws {
        #expect(try Engine.Parser.attrPath("name", at: "p") == [.key("name")])
        #expect(try Engine.Parser.attrPath("a.b[2]", at: "p") == [.key("a"), .key("b"), .index(2)])
        #expect(try Engine.Parser.attrPath("[0][1]", at: "p") == [.index(0), .index(1)])
        #expect(throws: EndpointError.self) { try Engine.Parser.attrPath("a..b", at: "p") }
        #expect(throws: EndpointError.self) { try Engine.Parser.attrPath("a[x]", at: "p") }
    }

    @Test func getAttrFollowsPathsAndMissingIsUnset() throws {
        let value = Engine.Value.object(["a": .array([.string("x"), .object(["b": .bool(true)])])])
        #expect(try Engine.Evaluator.attribute(of: value, [.key("a"), .index(1), .key("b")]) == .bool(true))
        #expect(try Engine.Evaluator.attribute(of: value, [.key("a"), .index(5)]) == nil)
        #expect(try Engine.Evaluator.attribute(of: value, [.key("zzz")]) == nil)
        #expect(throws: EndpointError.self) { try Engine.Evaluator.attribute(of: value, [.key("a"), .key("b")]) }
    }

    @Test func getAttrOnPartitionResult() throws {
        let engine = try evaluator(rules: #"""
        [{"conditions":[{"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"},
                        {"fn":"booleanEquals","argv":[true,{"fn":"getAttr","argv":[{"ref":"P"},"supportsFIPS"]}]},
                        {"fn":"stringEquals","argv":[{"fn":"getAttr","argv":[{"ref":"P"},"name"]},"aws-us-gov"]}],
          "type":"endpoint","endpoint":{"url":"https://gov"}},
         {"conditions":[],"type":"endpoint","endpoint":{"url":"https://other"}}]
        """#)
        #expect(try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-gov-west-1"))).url == "https://gov")
        #expect(try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-west-1"))).url == "https://other")
    }

    // MARK: isValidHostLabel

    @Test(arguments: [
        ("us-east-1", false, true), ("a", false, true), (String(repeating: "a", count: 63), false, true),
        (String(repeating: "a", count: 64), false, false), ("", false, false), ("-a", false, false),
        ("a-", false, false), ("a_b", false, false), ("a.b", false, false), ("a.b", true, true),
        ("a..b", true, false), ("a.-b", true, false), ("é", false, false), ("A9", false, true),
    ])
    func isValidHostLabel(_ value: String, _ subdomains: Bool, _ expected: Bool) {
        #expect(Engine.Library.isValidHostLabel(value, allowSubdomains: subdomains) == expected)
    }

    // MARK: parseURL

    @Test func parseURLSplitsAnHTTPSURL() throws {
        let u = try #require(Engine.Library.parseURL("https://example.com:8443/a/b"))
        #expect(u == .init(scheme: "https", authority: "example.com:8443", path: "/a/b", normalizedPath: "/a/b/", isIp: false))
    }

    @Test func parseURLWithoutPath() throws {
        let u = try #require(Engine.Library.parseURL("http://example.com"))
        #expect(u.path == "" && u.normalizedPath == "/" && u.scheme == "http")
    }

    @Test func parseURLRecognisesIPs() throws {
        #expect(Engine.Library.parseURL("https://127.0.0.1:5000/")?.isIp == true)
        #expect(Engine.Library.parseURL("https://[fe80::1%25en0]/")?.isIp == true)
        #expect(Engine.Library.parseURL("https://[::ffff:10.0.0.1]:443")?.isIp == true)
        #expect(Engine.Library.parseURL("https://[2001:db8::1]")?.authority == "[2001:db8::1]")
        #expect(Engine.Library.parseURL("https://1.2.3.example.com")?.isIp == false)
    }

    @Test(arguments: ["ftp://example.com", "example.com", "https://example.com?x=1", "https://example.com:99999",
                      "https://example.com:abc", "https://", "https://[::1"])
    func parseURLRejects(_ raw: String) {
        #expect(Engine.Library.parseURL(raw) == nil)
    }

    @Test func parseURLInARule() throws {
        let engine = try evaluator(rules: #"""
        [{"conditions":[{"fn":"isSet","argv":[{"ref":"Endpoint"}]},
                        {"fn":"parseURL","argv":[{"ref":"Endpoint"}],"assign":"U"},
                        {"fn":"booleanEquals","argv":[{"fn":"getAttr","argv":[{"ref":"U"},"isIp"]},true]}],
          "type":"endpoint","endpoint":{"url":"{U#scheme}://{U#authority}{U#normalizedPath}ip"}},
         {"conditions":[],"type":"error","error":"not an IP endpoint"}]
        """#)
        let out = try engine.evaluate(engine.inputs(for: EndpointParameters(endpoint: "http://10.0.0.1:80/x")))
        #expect(out.url == "http://10.0.0.1:80/x/ip")
        #expect(throws: EndpointError.ruleSetRejected("not an IP endpoint")) {
            try engine.evaluate(engine.inputs(for: EndpointParameters(endpoint: "http://example.com")))
        }
    }

    // MARK: substring, uriEncode, not

    @Test func substringForwardAndReverse() {
        #expect(Engine.Library.substring("abcdef", start: 0, stop: 3, reverse: false) == "abc")
        #expect(Engine.Library.substring("abcdef", start: 0, stop: 3, reverse: true) == "def")
        #expect(Engine.Library.substring("abcdef", start: 1, stop: 7, reverse: false) == nil)
        #expect(Engine.Library.substring("abcdef", start: 3, stop: 3, reverse: false) == nil)
        #expect(Engine.Library.substring("abcdé", start: 0, stop: 2, reverse: false) == nil)
    }

    @Test func uriEncodeKeepsOnlyUnreserved() {
        #expect(Engine.Library.uriEncode("a b/c~d_e.f-g%é") == "a%20b%2Fc~d_e.f-g%25%C3%A9")
    }

    @Test func functionsInRules() throws {
        let engine = try evaluator(rules: #"""
        [{"conditions":[{"fn":"substring","argv":[{"ref":"Region"},0,2,false],"assign":"Prefix"},
                        {"fn":"not","argv":[{"fn":"stringEquals","argv":[{"ref":"Prefix"},"cn"]}]},
                        {"fn":"isValidHostLabel","argv":[{"ref":"Region"},false]}],
          "type":"endpoint","endpoint":{"url":"https://{Prefix}.example/{Region}",
                                        "headers":{"x-enc":[{"fn":"uriEncode","argv":["a b"]}, "{Region}"]},
                                        "properties":{"p":[{"ref":"Prefix"}]}}},
         {"conditions":[],"type":"error","error":"no: {Region}"}]
        """#)
        let out = try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-east-1")))
        #expect(out.url == "https://us.example/us-east-1")
        #expect(out.headers == ["x-enc": ["a%20b", "us-east-1"]])
        #expect(out.properties == ["p": .array([.string("us")])])
        #expect(throws: EndpointError.ruleSetRejected("no: cn-north-1")) {
            try engine.evaluate(engine.inputs(for: EndpointParameters(region: "cn-north-1")))
        }
    }

    // MARK: aws.partition

    static let testPartitions = #"""
    {"version":"1.1","partitions":[
      {"id":"aws","regionRegex":"^(us|eu)\\-\\w+\\-\\d+$","regions":{"us-east-1":{}},
       "outputs":{"name":"aws","dnsSuffix":"amazonaws.com","dualStackDnsSuffix":"api.aws","supportsFIPS":true,"supportsDualStack":true}},
      {"id":"other","regionRegex":"^zz\\-\\w+\\-\\d+$","regions":{"us-special-1":{}},
       "outputs":{"name":"other","dnsSuffix":"other.test","dualStackDnsSuffix":"ds.other.test","supportsFIPS":false,"supportsDualStack":false}}]}
    """#

    @Test func partitionPrefersTheExplicitRegionList() throws {
        let table = try Engine.PartitionTable(json: Engine.JSON.parse(Self.testPartitions, what: "test"))
        #expect(table.partition(for: "us-special-1").id == "other")  // matches aws's regex, listed in other
        #expect(table.partition(for: "us-east-1").id == "aws")
        #expect(table.partition(for: "zz-top-9").id == "other")
        #expect(table.partition(for: "eu-west-42").id == "aws")
    }

    @Test func partitionFallsBackToAws() throws {
        let table = try Engine.PartitionTable(json: Engine.JSON.parse(Self.testPartitions, what: "test"))
        #expect(table.partition(for: "xx-nowhere-1").id == "aws")
        #expect(table.partition(for: "zz-top-9x").id == "aws")
        #expect(table.fallback.outputs == table.partitions[0].outputs)
    }

    @Test func embeddedPartitionsMapRegions() throws {
        let table = try EndpointResolver.engine.get().partitions
        #expect(table.partition(for: "us-gov-west-1").id == "aws-us-gov")
        #expect(table.partition(for: "cn-northwest-1").id == "aws-cn")
        #expect(table.partition(for: "us-isob-west-7").id == "aws-iso-b")
        #expect(table.partition(for: "eusc-de-east-1").id == "aws-eusc")
        #expect(table.partition(for: "mars-central-1").id == "aws")
    }

    @Test func partitionWithoutFIPSIsTheRuleSetsError() throws {
        let engine = try Engine.Evaluator(ruleSetJSON: EndpointData.ruleSet, partitionsJSON: Self.testPartitions)
        let fips = EndpointParameters(region: "zz-top-1", useFIPS: true)
        #expect(throws: EndpointError.ruleSetRejected("FIPS is enabled but this partition does not support FIPS")) {
            try engine.evaluate(engine.inputs(for: fips))
        }
        let both = EndpointParameters(region: "zz-top-1", useFIPS: true, useDualStack: true)
        #expect(throws: EndpointError.ruleSetRejected("FIPS and DualStack are enabled, but this partition does not support one or both")) {
            try engine.evaluate(engine.inputs(for: both))
        }
        let dual = EndpointParameters(region: "zz-top-1", useDualStack: true)
        #expect(throws: EndpointError.ruleSetRejected("DualStack is enabled but this partition does not support DualStack")) {
            try engine.evaluate(engine.inputs(for: dual))
        }
        #expect(try engine.evaluate(engine.inputs(for: EndpointParameters(region: "zz-top-1"))).url == "https://vpc-lattice.zz-top-1.other.test")
    }

    // MARK: rule semantics and rejection of what the engine does not know

    @Test func assignedNamesDoNotLeakToSiblingRules() throws {
        #expect(throws: EndpointError.self) {
            try evaluator(rules: #"""
            [{"conditions":[{"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"}],"type":"tree","rules":[]},
             {"conditions":[],"type":"endpoint","endpoint":{"url":"{P#name}"}}]
            """#)
        }
    }

    @Test func treeWhoseConditionsHoldIsTerminal() throws {
        let engine = try evaluator(rules: #"""
        [{"conditions":[{"fn":"isSet","argv":[{"ref":"Region"}]}],"type":"tree",
          "rules":[{"conditions":[{"fn":"booleanEquals","argv":[{"ref":"UseFIPS"},true]}],"type":"endpoint","endpoint":{"url":"https://f"}}]},
         {"conditions":[],"type":"endpoint","endpoint":{"url":"https://fallback"}}]
        """#)
        #expect(try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-east-1", useFIPS: true))).url == "https://f")
        #expect(try engine.evaluate(engine.inputs(for: EndpointParameters())).url == "https://fallback")
        let error = #expect(throws: EndpointError.self) { try engine.evaluate(engine.inputs(for: EndpointParameters(region: "us-east-1"))) }
        #expect(error?.kind == .noMatchingRule)
        #expect(error?.reason.contains("Region=us-east-1") == true)
    }

    @Test(arguments: [
        (#"[{"conditions":[{"fn":"aws.parseArn","argv":[{"ref":"Region"}]}],"type":"endpoint","endpoint":{"url":"x"}}]"#, "aws.parseArn"),
        (#"[{"conditions":[],"type":"redirect"}]"#, "redirect"),
        (#"[{"conditions":[],"type":"endpoint","endpoint":{"url":{"ref":"Nope"}}}]"#, "Nope"),
        (#"[{"conditions":[{"fn":"isSet","argv":[]}],"type":"endpoint","endpoint":{"url":"x"}}]"#, "isSet"),
        (#"[{"conditions":[{"fn":"isSet","argv":[{"ref":"Region"}],"assign":"Region"}],"type":"endpoint","endpoint":{"url":"x"}}]"#, "Region"),
        (#"[{"conditions":[],"type":"endpoint","endpoint":{"url":"https://{Missing}"}}]"#, "Missing"),
    ])
    func unknownConstructsAreRejectedWhenParsed(_ rules: String, _ mentioned: String) {
        let error = #expect(throws: EndpointError.self) { try evaluator(rules: rules) }
        #expect(error?.kind == .invalidRuleSet)
        #expect(error?.reason.contains(mentioned) == true, "\(error?.reason ?? "")")
    }

    @Test func unknownBuiltInIsRejected() {
        let ruleSet = #"{"version":"1.0","parameters":{"Acct":{"type":"string","builtIn":"AWS::Auth::AccountId","required":false}},"rules":[]}"#
        let error = #expect(throws: EndpointError.self) {
            try Engine.Evaluator(ruleSetJSON: ruleSet, partitionsJSON: EndpointData.partitions)
        }
        #expect(error?.reason.contains("AWS::Auth::AccountId") == true)
    }

    @Test func embeddedRuleSetDeclaresTheFourParameters() throws {
        let ruleSet = try EndpointResolver.engine.get().ruleSet
        #expect(ruleSet.parameters.map(\.name) == ["Endpoint", "Region", "UseDualStack", "UseFIPS"])
        #expect(ruleSet.parameters.map(\.builtIn) == [.endpoint, .region, .useDualStack, .useFIPS])
    }

    // MARK: helpers

    /// An evaluator over the four built-in parameters, `rules`, and the embedded partitions.
    func evaluator(rules: String) throws -> Engine.Evaluator {
        let ruleSet = #"""
        {"version":"1.0","parameters":{
          "Region":{"type":"String","builtIn":"AWS::Region","required":false},
          "UseFIPS":{"type":"Boolean","builtIn":"AWS::UseFIPS","required":true,"default":false},
          "UseDualStack":{"type":"Boolean","builtIn":"AWS::UseDualStack","required":true,"default":false},
          "Endpoint":{"type":"String","builtIn":"SDK::Endpoint","required":false}},
         "rules":
        """# + rules + "}"
        return try Engine.Evaluator(ruleSetJSON: ruleSet, partitionsJSON: EndpointData.partitions)
    }
}
