import Foundation
import LatticeKit
import Testing

/// A topology file is refused before anything is sent, with each problem at its place.
@Suite struct LoadingTests {
    /// The seed file, as JSON text with `edit` applied to its text.
    func seedText(_ edit: (String) -> String) throws -> String {
        edit(try String(contentsOfFile: repositoryRoot + "/Examples/topologies/seed.json", encoding: .utf8))
    }

    /// The issues of loading `text`.
    func issues(_ text: String) throws -> [TopologyIssue] {
        do {
            _ = try Topology(json: Array(text.utf8))
        } catch let error as TopologyError {
            return error.issues
        }
        Issue.record("the topology was accepted")
        return []
    }

    @Test func theSeedFileLoadsAndRoundTrips() throws {
        let topology = try seedTopology()
        #expect(topology.name == "seed")
        #expect(topology.targetGroups?.first?.config?.healthCheck?.path == "/health")
        #expect(try Topology(json: Array(topology.jsonText().utf8)) == topology)
    }

    @Test func aReferenceToNoTargetGroupIsNamedAtItsPlace() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""targetGroupIdentifier": "provider-tg""#, with: #""targetGroupIdentifier": "x""#) })
        #expect(found.map(\.description) == [
            "services[0].listeners[0].defaultAction.forward.targetGroups[0].targetGroupIdentifier: no target group named 'x' in the topology (name one of its target groups, or give the ID or ARN of another target group)",
        ])
    }

    @Test func aReferenceToNoServiceIsNamedAtItsPlace() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""serviceIdentifier": "provider-svc""#, with: #""serviceIdentifier": "provider""#) })
        #expect(found.map(\.path) == ["serviceNetworks[0].serviceAssociations[0].serviceIdentifier"])
        #expect(found.first?.problem.contains("no service named 'provider'") == true)
    }

    @Test func anIdentifierOfAResourceOutsideTheTopologyIsAccepted() throws {
        let text = try seedText { $0.replacingOccurrences(of: #""targetGroupIdentifier": "provider-tg""#, with: #""targetGroupIdentifier": "tg-0123456789abcdef0""#) }
        #expect(try Topology(json: Array(text.utf8)).services?.first?.listeners?.first?.defaultAction.targetGroupIdentifiersForTests == ["tg-0123456789abcdef0"])
    }

    @Test func anUnknownMemberIsRefusedWithTheCloseOne() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""protocol": "HTTP","#, with: #""prot": "HTTP", "protocol": "HTTP","#) })
        #expect(found.contains { $0.path == "services[0].listeners[0].prot" && $0.problem.contains("unknown member 'prot'") && $0.problem.contains("did you mean protocol") })
    }

    @Test func anUnknownMemberInsideAnAPIShapeIsRefused() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""path": "/health","#, with: #""path": "/health", "pth": "/x","#) })
        #expect(found.map(\.path) == ["targetGroups[0].config.healthCheck.pth"])
        #expect(found.first?.problem.contains("did you mean path") == true)
    }

    @Test func aValueOutsideTheModelsRangeIsRefusedWithTheRule() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""port": 80,"#, with: #""port": 70000,"#) })
        #expect(found.map(\.description) == ["services[0].listeners[0].port: 70000 is too large (the model allows values from 1 to 65535)"])
    }

    @Test func aValueBreakingTheModelsPatternIsRefused() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""name": "provider-svc""#, with: #""name": "Provider_Svc""#) })
        #expect(found.contains { $0.path == "services[0].name" && $0.problem.contains("does not match the pattern") })
    }

    @Test func anEnumValueTheAPIDoesNotKnowIsRefused() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""protocol": "HTTP","#, with: #""protocol": "HTTPX","#) })
        #expect(found.map(\.description) == [
            "services[0].listeners[0].protocol: 'HTTPX' is not a value the API knows; use one of HTTP, HTTPS, TLS_PASSTHROUGH",
            "targetGroups[0].config.protocol: 'HTTPX' is not a value the API knows; use one of HTTP, HTTPS, TCP",
            "targetGroups[0].config.healthCheck.protocol: 'HTTPX' is not a value the API knows; use one of HTTP, HTTPS, TCP",
        ])
    }

    @Test func aUnionMemberTheAPIDoesNotKnowIsRefused() throws {
        let found = try issues(seedText {
            $0.replacingOccurrences(of: #""defaultAction": {"#, with: #""defaultAction": { "redirect": { "to": "/x" } }, "unused": {"#)
        })
        #expect(found.contains { $0.path == "services[0].listeners[0].defaultAction.redirect" && $0.problem.contains("use one of forward, fixedResponse") })
    }

    @Test func nullIsRefusedRatherThanTakenAsAbsent() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""port": 80,"#, with: #""port": null,"#) })
        #expect(found.map(\.description) == ["services[0].listeners[0].port: is null; leave the member out instead"])
    }

    @Test func aValueOfTheWrongTypeIsRefused() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""port": 80,"#, with: #""port": "80","#) })
        #expect(found.map(\.description) == ["services[0].listeners[0].port: expected a whole number, found a string"])
    }

    @Test func aMissingRequiredMemberIsRefused() throws {
        let found = try issues(seedText { $0.replacingOccurrences(of: #""type": "IP","#, with: "") })
        #expect(found.map(\.description) == ["targetGroups[0]: the required member 'type' is missing"])
    }

    @Test func textThatIsNotJSONIsRefused() throws {
        let found = try issues("{ \"name\": ")
        #expect(found.first?.problem.hasPrefix("it is not valid JSON") == true)
    }

    @Test func namesAndKeysTheServiceNeedsUniqueAreChecked() throws {
        var topology = try seedTopology()
        let group = try #require(topology.targetGroups?.first)
        topology.targetGroups?.append(group)
        topology.services?[0].listeners?.append(Topology.Listener(name: "http-80", protocol: .http, port: 80,
                                                                 defaultAction: .fixedResponse(FixedResponseAction(statusCode: 404))))
        let error = try #require(throws: TopologyError.self) { try topology.validate() }
        #expect(error.issues.map(\.path).sorted() == [
            "services[0].listeners[1].name", "services[0].listeners[1].port", "targetGroups[1].name",
        ])
    }

    @Test func theOwnershipTagCannotBeSetByHand() throws {
        var topology = try seedTopology()
        topology.services?[0].tags = [Topology.ownershipTagKey: "other"]
        let error = try #require(throws: TopologyError.self) { try topology.validate() }
        #expect(error.issues.map(\.path) == ["services[0].tags"])
    }

    @Test func aFileThatIsNotThereNamesItself() throws {
        let error = try #require(throws: TopologyError.self) { try Topology.load(contentsOfFile: "/nonexistent/topology.json") }
        #expect(error.description.hasPrefix("the topology file /nonexistent/topology.json has 1 problem"))
    }

    @Test func planningAnInvalidTopologySendsNothing() async throws {
        let lab = try Lab()
        var topology = try seedTopology()
        topology.services?[0].listeners?[0].port = 0
        await #expect(throws: TopologyError.self) { _ = try await lab.client.plan(topology) }
        #expect(lab.log.count == 0)
    }
}

extension RuleAction {
    var targetGroupIdentifiersForTests: [String] {
        guard case let .forward(forward) = self else { return [] }
        return forward.targetGroups.map(\.targetGroupIdentifier)
    }
}
