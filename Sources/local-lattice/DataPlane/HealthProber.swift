#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import LatticeKitTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Runs the health monitor's checks over the network on wall time: every tick it takes in the
/// control plane's state and performs the checks due (a TCP connect, or a GET of the path on
/// a connection of its own, closed after, as the service does), each within its timeout.
final class HealthProber: Sendable {
    let dataPlane: DataPlane
    let loop: any EventLoop
    private let clientTLS: NIOSSLContext?

    init(dataPlane: DataPlane) {
        self.dataPlane = dataPlane
        loop = dataPlane.group.next()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        clientTLS = try? NIOSSLContext(configuration: tls)
    }

    func start() {
        let tick = Int64(dataPlane.settings.healthTick * 1000)
        loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(tick)) { [self] _ in
            self.tick()
        }
    }

    private func tick() {
        let map = dataPlane.settings.targetMap
        let snapshot = dataPlane.router().snapshot
        dataPlane.monitor.sync(snapshot, now: Date()) { id, port in
            if case .success = map.address(of: id, port: port) { return true }
            return false
        }
        for probe in dataPlane.monitor.dueProbes(at: Date()) {
            guard case let .success(address) = map.address(of: probe.targetId, port: probe.port) else {
                dataPlane.monitor.record(.failed("not reachable from this machine"), for: probe.key)
                continue
            }
            run(probe, address)
        }
    }

    private func run(_ probe: HealthMonitor.Probe, _ address: TargetMap.Address) {
        let monitor = dataPlane.monitor
        let once = ProbeOutcome(loop: loop) { outcome in monitor.record(outcome, for: probe.key) }
        let timeout = TimeAmount.milliseconds(Int64(probe.timeout * 1000))
        loop.scheduleTask(in: timeout) { once.finish(.timedOut) }
        let tls = probe.protocol == .https ? clientTLS : nil
        let http = probe.protocol != .tcp
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: probe.path, headers: [
            "host": address.description, "user-agent": "local-lattice-health-check", "connection": "close",
        ])
        let connecting = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    if http {
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(ProbeResponseHandler(probe: probe, once: once))
                    }
                }
            }
            .connect(host: address.host, port: address.port)
        connecting.whenComplete { result in
            switch result {
            case let .failure(error):
                once.finish(error is ChannelError && "\(error)".contains("connectTimeout") ? .timedOut : .failed("\(error)"))
            case let .success(channel):
                once.onFinish { channel.close(promise: nil) }
                if http {
                    channel.write(HTTPClientRequestPart.head(request), promise: nil)
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                } else {
                    once.finish(.passed)
                }
            }
        }
    }
}

/// A check's outcome, recorded once (the answer, the timeout or the failure, whichever is first).
final class ProbeOutcome: @unchecked Sendable {
    // Touched only on `loop`.
    private var done = false
    private var cleanup: [() -> Void] = []
    private let loop: any EventLoop
    private let record: @Sendable (HealthMonitor.Outcome) -> Void

    init(loop: any EventLoop, record: @escaping @Sendable (HealthMonitor.Outcome) -> Void) {
        self.loop = loop
        self.record = record
    }

    func finish(_ outcome: HealthMonitor.Outcome) {
        loop.preconditionInEventLoop()
        guard !done else { return }
        done = true
        record(outcome)
        for step in cleanup { step() }
        cleanup = []
    }

    func onFinish(_ step: @escaping () -> Void) {
        loop.preconditionInEventLoop()
        if done { step() } else { cleanup.append(step) }
    }
}

/// Reads a check's answer: the status line decides.
final class ProbeResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let probe: HealthMonitor.Probe
    let once: ProbeOutcome

    init(probe: HealthMonitor.Probe, once: ProbeOutcome) {
        self.probe = probe
        self.once = once
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case let .head(head) = unwrapInboundIn(data) {
            let code = Int(head.status.code)
            once.finish(probe.accepts(code) ? .passed : .responseCodeMismatch(code))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        once.finish(.failed("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        once.finish(.failed("the target closed the connection without an answer"))
        context.fireChannelInactive()
    }
}
