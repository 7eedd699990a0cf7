import Foundation
import Testing
import LatticeKit
@testable import lattice

/// Help from the model's documentation (issue 14, item 8): what each command and option is
/// for, its constraints and allowed values.
@Suite struct CLIHelpTests {
    @Test func theCommandListGivesEachCommandItsOneLineDescription() throws {
        let top = try CLI.lattice(["help"], try CLI.Sandbox())
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

    @Test func commandHelpShowsEachOptionsDescriptionConstraintsAndAllowedValues() throws {
        let help = try CLI.lattice(["create-listener", "help"], try CLI.Sandbox())
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
        let targets = try CLI.lattice(["list-targets", "help"], try CLI.Sandbox()).stdout
        #expect(targets.contains("  --targets <value> [<value> ...]"))
        #expect(targets.contains("      at most 20 items"), "\(targets)")
        let associations = try CLI.lattice(["create-service-network-vpc-association", "help"], try CLI.Sandbox()).stdout
        #expect(associations.contains("      at most 5 items; each 5 to 200 characters, pattern sg-(([0-9a-z]{8})|([0-9a-z]{17}))"), "\(associations)")
    }

    @Test func everyOptionOfEveryCommandIsDescribed() throws {
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
}
