// local-lattice: the in-process local Lattice served over HTTP/1.1 on 127.0.0.1, so tools in
// other processes (the lattice CLI, the aws CLI, boto3) can use it with --endpoint-url.
// `local-lattice --help` lists the options; Options.swift has the text.
#if canImport(Glibc)
import Glibc
#endif
import LatticeKitTesting

// A parent may start this server with signals blocked (the threads of Swift's dispatch block
// them, and a child inherits the mask): unblock them, so that SIGTERM and SIGINT stop it.
// SIGPIPE is ignored: a reader of stdout or stderr that goes away must not end the server.
var unblocked = sigset_t()
sigemptyset(&unblocked)
sigprocmask(SIG_SETMASK, &unblocked, nil)
signal(SIGTERM, SIG_DFL)
signal(SIGINT, SIG_DFL)
signal(SIGPIPE, SIG_IGN)

let options: Options
do {
    guard let parsed = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
        writeLine(Options.usage, to: 1)
        exit(0)
    }
    options = parsed
} catch {
    log(error.description)
    exit(2)
}

let listener: Int32
let url: String
switch Listener.open(port: options.port) {
case let .success((fd, port)):
    listener = fd
    url = "http://127.0.0.1:\(port)"
case let .failure(error):
    log(error.description)
    exit(1)
}
if let path = options.portFile, let problem = Listener.writeAtomically(url, to: path) {
    log(problem)
    exit(1)
}
writeLine(url, to: 1)

// Wall time is the clock (the configuration's default), so statuses settle as time passes.
let lattice = LocalLattice(options.configuration)
Server(listener: listener, lattice: lattice, limits: options.limits, latency: .milliseconds(options.latencyMilliseconds)).run()
