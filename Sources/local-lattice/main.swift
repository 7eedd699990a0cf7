// local-lattice: the in-process local Lattice served over HTTP/1.1 on 127.0.0.1, so tools in
// other processes (the lattice CLI, the aws CLI, boto3) can use it with --endpoint-url.
// `local-lattice --help` lists the options; Options.swift has the text.
#if canImport(Glibc)
import Glibc
#endif
import LatticeKit
import LatticeKitTesting
import NIOCore
import NIOPosix
import SigV4

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

// The data plane accepts signatures of local-lattice's own credentials too (those a client
// started from the same shell signs with), unless --no-auth-process-credentials.
var dataPlaneSettings = options.dataPlane
if options.processCredentials {
    let own = CredentialBook.processCredentials(variables: RuntimeEnvironment.processEnvironment(), accountId: options.processAccount)
    for note in own.notes { log("data plane auth: " + note) }
    for found in own.found {
        let key = found.credential.accessKeyId
        if dataPlaneSettings.credentials.addIfNew(found.credential) {
            log("data plane auth: accepting signatures of the access key \(key) from \(found.source) as \(found.credential.principalArn)"
                + " (--auth-process-account sets the account; --no-auth-process-credentials turns this off)")
        } else {
            log("data plane auth: the access key \(key) from \(found.source) is in --auth-credentials already; its entry there applies")
        }
    }
}

// The data plane: its own event loops (one per core), beside the control plane's threads.
let dataPlane: DataPlane
do {
    dataPlane = try DataPlane(lattice: lattice, settings: dataPlaneSettings, group: MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount))
    try dataPlane.start()
} catch {
    log("cannot start the data plane: \(error)")
    exit(1)
}
let ports = dataPlane.ports
log("data plane: HTTP listeners on http://127.0.0.1:\(ports.http), HTTPS listeners on https://127.0.0.1:\(ports.https)"
    + (options.dataPlane.caOut.map { " (CA certificate in \($0))" } ?? "") + "; GET \(url)/_local/dataplane lists the services")

let meter = ControlPlaneMeter(options.throttle)
if let throttle = options.throttle {
    log("throttle: \(ControlPlaneMeter.number(throttle.rate)) control-plane calls a second, bursts of \(ControlPlaneMeter.number(throttle.burst)); beyond, 429 ThrottlingException; GET \(url)/_local/stats counts them")
}

Server(listener: listener, lattice: lattice, limits: options.limits, latency: .milliseconds(options.latencyMilliseconds), meter: meter,
       localRoutes: { method, target in
           func json(_ text: String) -> HTTPResponse {
               var headers = HTTPHeaders()
               headers.add(name: "Content-Type", value: "application/json")
               return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
           }
           guard method == "GET" else { return nil }
           if target == "/_local/dataplane" || target.hasPrefix("/_local/dataplane?") { return json(dataPlane.mapJSON(services: true)) }
           if target == "/_local/stats" { return json(meter.statsJSON()) }
           return nil
       }).run()
