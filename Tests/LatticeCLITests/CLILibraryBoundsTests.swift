import Foundation
import Testing
import LatticeTestSupport

/// Hostile input the CLI hands to the library: dot-segment identifiers, files that are not
/// regular files or are too big, servers that trickle, commands that never end.
@Suite struct CLILibraryBoundsTests {
    @Test func deleteRuleWithADotDotIdentifierNeverReachesTheListener() throws {
        let server = try LoopbackServer { _ in .respond(status: 204, headers: [], body: []) }
        let sandbox = try CLI.Sandbox()
        let arguments = ["delete-rule", "--service-identifier", "svc-1", "--listener-identifier", "listener-1", "--rule-identifier", "..",
                         "--validation", "off", "--endpoint-url", server.url]
        let r = try CLI.lattice(arguments, sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(server.requests.map(\.target) == ["/services/svc-1/listeners/listener-1/rules/%2E%2E"])
        // --dry-run shows exactly what went on the wire.
        let dry = try CLI.lattice(arguments + ["--dry-run"], sandbox)
        let doc = try JSONText.parse(dry.stdout) as? [String: Any]
        #expect(doc?["url"] as? String == server.url + "/services/svc-1/listeners/listener-1/rules/%2E%2E")
    }
}
