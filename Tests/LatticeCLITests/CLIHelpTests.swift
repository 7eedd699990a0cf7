import Foundation
import Testing
import LatticeKit
@testable import lattice

/// Help from the model's documentation (issue 14, item 8): what each command and option is
/// for, its constraints and allowed values; and an unknown command or option named, with the
/// closest valid ones.
@Suite struct CLIHelpTests {
    @Test func theCommandListGivesEachCommandItsOneLineDescription() async throws {
        let top = try await CLI.lattice(["help"], try CLI.Sandbox())
        #expect(top.status == 0)
        let lines = top.stdout.split(separator: "\n").map(String.init)
        for d in OperationDescriptor.all {
            let summary = try #require(CommandHelp.summary(d.spec.name), "\(d.spec.name) has no description")
            // A sentence (one of the model's ends "verification.ß", carried as the model has it).
            #expect(summary.count > 10 && !summary.contains("<") && summary.contains("."), "\(d.spec.name): \(summary)")
            let line = try #require(lines.first { $0.split(separator: " ").first.map(String.init) == d.cliName }, "\(d.cliName)")
            #expect(line.hasPrefix("  \(d.cliName) ") && line.hasSuffix(" " + summary), "\(line)")
        }
        #expect(lines.contains("  create-listener                                 Creates a listener for a service."))
    }

    @Test func commandHelpShowsEachOptionsDescriptionConstraintsAndAllowedValues() async throws {
        let help = try await CLI.lattice(["create-listener", "help"], try CLI.Sandbox())
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("""
            lattice create-listener: the CreateListener operation (POST /services/{serviceIdentifier}/listeners)
            Creates a listener for a service.

            """))
        #expect(help.stdout.contains("""
              --name <value>                name: string, body
                  The name of the listener.
                  3 to 63 characters; pattern (?!listener-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+
              --protocol <value>            protocol: string, body
                  The listener protocol.
                  Allowed values: HTTP | HTTPS | TLS_PASSTHROUGH

            """), "\(help.stdout)")
        #expect(help.stdout.contains("      1 to 65535\n"))
        #expect(help.stdout.contains("      at most 200 entries; keys 1 to 128 characters; values at most 256 characters\n"))
        // A list of enum values, and a list's size with its elements' constraints.
        let targets = try await CLI.lattice(["list-targets", "help"], try CLI.Sandbox()).stdout
        #expect(targets.contains("  --targets <value> [<value> ...]"))
        #expect(targets.contains("      at most 20 items"), "\(targets)")
        let associations = try await CLI.lattice(["create-service-network-vpc-association", "help"], try CLI.Sandbox()).stdout
        #expect(associations.contains("      at most 5 items; each 5 to 200 characters, pattern sg-(([0-9a-z]{8})|([0-9a-z]{17}))"), "\(associations)")
    }

    @Test func everyOptionOfEveryCommandIsDescribed() async throws {
        for d in OperationDescriptor.all {
            let documented = CommandHelp.members(d.spec.name)
            #expect(documented.map(\.name) == d.spec.members.map(\.name), "\(d.spec.name)")
            for m in documented {
                #expect(!m.about.isEmpty && !m.about.contains("<") && !m.about.contains("`"), "\(d.spec.name).\(m.name): \(m.about)")
            }
            // Help prints them all, and wraps prose at 100 columns (a pattern may be longer).
            let text = Help.command(Command(d))
            for m in documented {
                #expect(text.contains(Help.wrap(m.about, indent: Help.detailIndent)), "\(d.cliName) \(m.name)")
            }
            for line in text.split(separator: "\n") where line.hasPrefix(Help.detailIndent) && line.count > 100 {
                #expect(!line.dropFirst(Help.detailIndent.count).contains(" "), "\(d.cliName): \(line)")
            }
        }
    }

    @Test func anUnknownCommandIsNamedWithTheClosestCommands() async throws {
        let sandbox = try CLI.Sandbox()
        let cases: [(args: [String], says: String)] = [
            (["list-service"], "Invalid choice 'list-service': did you mean list-services?"),
            (["creat-listener"], "Invalid choice 'creat-listener': did you mean create-listener?"),
            (["get-listner", "--service-identifier", "x"], "Invalid choice 'get-listner': did you mean get-listener?"),
            (["help", "list-servic"], "Invalid choice 'list-servic': did you mean list-services?"),
            (["frobnicate"], "Invalid choice 'frobnicate'. Run 'lattice help' for the list of commands."),
        ]
        let runs = try await CLI.parallel(cases.count, width: 2) { i in try await CLI.lattice(cases[i].args, sandbox) }
        for (c, r) in zip(cases, runs) {
            #expect(r.status == 252, "\(c.args): \(r.status)")
            #expect(r.stderr.contains("lattice: error: argument command: " + c.says), "\(c.args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func anUnknownOptionIsNamedWithTheClosestOptions() async throws {
        let sandbox = try CLI.Sandbox()
        let e = ["--endpoint-url", "http://127.0.0.1:9"]
        let cases: [(args: [String], says: String)] = [
            (["get-service", "--service-identifer", "svc-0123456789abcdef0"] + e,
             "Unknown options: --service-identifer, svc-0123456789abcdef0. Did you mean --service-identifier? Run 'lattice get-service help' for its options."),
            (["--regoin", "us-east-1", "list-services"], "Unknown options: --regoin. Did you mean --region? Run 'lattice help' for the options."),
            (["list-services", "--max-item", "2"] + e, "Did you mean --max-items?"),
            (["create-service-network-vpc-association", "--private-dns-enable"] + e, "Did you mean --private-dns-enabled?"),
            (["create-listener", "--protcol", "HTTP", "--defualt-action", "{}"] + e,
             "For --protcol, did you mean --protocol? For --defualt-action, did you mean --default-action?"),
            (["get-service", "--max-items", "2"] + e, "--max-items applies only to the commands that page (the list commands), not to get-service."),
            (["get-service", "--bogus", "1"] + e, "Unknown options: --bogus, 1. Run 'lattice get-service help' for its options."),
        ]
        let runs = try await CLI.parallel(cases.count, width: 2) { i in try await CLI.lattice(cases[i].args, sandbox) }
        for (c, r) in zip(cases, runs) {
            #expect(r.status == 252, "\(c.args): \(r.status)")
            #expect(r.stderr.contains(c.says), "\(c.args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func suggestionsAreTheNearestNamesByEditDistanceElseByPrefix() {
        let commands = OperationDescriptor.all.map(\.cliName)
        #expect(Suggestions.closest(to: "list-service", in: commands) == ["list-services"])
        #expect(Suggestions.closest(to: "LIST-SERVICES", in: commands) == ["list-services"])
        #expect(Suggestions.closest(to: "delete-servce", in: commands) == ["delete-service"])
        // A swap of two letters is one edit.
        #expect(Suggestions.distance("regoin", "region") == 1)
        #expect(Suggestions.distance("kitten", "sitting") == 3)
        #expect(Suggestions.distance("", "abc") == 3)
        // Far from everything: the names it starts, shortest first; else nothing.
        #expect(Suggestions.closest(to: "list-target", in: commands) == ["list-targets"])
        #expect(Suggestions.closest(to: "deregister", in: commands) == ["deregister-targets"])
        #expect(Suggestions.closest(to: "vpc-endpoint", in: commands) == ["list-service-network-vpc-endpoint-associations"])
        #expect(Suggestions.closest(to: "zzzzzzzz", in: commands).isEmpty)
        #expect(Suggestions.closest(to: "", in: commands).isEmpty)
        #expect(Suggestions.phrase(["a"]) == "a" && Suggestions.phrase(["a", "b", "c"]) == "a, b or c")
    }
}
