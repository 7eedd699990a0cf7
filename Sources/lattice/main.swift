// lattice: the aws vpc-lattice commands on LatticeKit (LatticeKit.docc/CommandLine.md describes them).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LatticeKit

// A reader that goes away (`lattice ... | head`) ends the output, not the process.
signal(SIGPIPE, SIG_IGN)

let status: Int32
do {
    let invocation = try ArgumentParser.parse(Array(CommandLine.arguments.dropFirst()))
    switch invocation {
    case .version:
        Console.out(Version.line + "\n")
        status = ExitCode.success
    case .help:
        Console.out(Help.top())
        status = ExitCode.success
    case let .commandHelp(command):
        Console.out(Help.command(command))
        status = ExitCode.success
    case let .run(command, parsed):
        status = await Runner(command: command, parsed: parsed, environment: .live).run()
    case let .topology(invocation):
        status = await TopologyCommand(invocation: invocation, environment: .live).run()
    case let .topologyHelp(verb):
        Console.out(TopologyInvocation.help(verb))
        status = ExitCode.success
    case let .invoke(invocation):
        status = await InvokeCommand(invocation: invocation, environment: .live).run()
    case .invokeHelp:
        Console.out(InvokeInvocation.help())
        status = ExitCode.success
    }
} catch {
    status = ErrorReporter(context: ErrorContext(command: nil, input: .object([]))).report(error)
}
exit(status)
