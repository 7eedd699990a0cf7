#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import LatticeKitTesting
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// What one client or target may take of the data plane.
struct DataPlaneLimits: Sendable {
    /// Request line and header fields of one request (HTTP/1.1), or its header list (HTTP/2): 431 beyond.
    var maxHeadBytes = 64 * 1024
    /// Header fields in one request: 431 beyond.
    var maxHeaderFields = 100
    /// A request body streamed to a target: 413 beyond (and the connection closes).
    var maxBodyBytes = 64 * 1024 * 1024
    /// Seconds from a request's first byte to the end of its head (TLS handshake included): 408 beyond.
    var requestTimeout: Double = 10
    /// Seconds a connection may pass with no byte either way before it is closed.
    var idleTimeout: Double = 60
    /// Client connections served at once: beyond, a new one is answered 503 and closed.
    var maxConnections = 1024
    /// HTTP/2 streams open at once on one connection.
    var maxConcurrentStreams = 100
    /// Seconds to connect to a target: 504 beyond.
    var targetConnectTimeout: Double = 5
    /// Seconds a target may take to start its answer, and may stay silent within it: 504 (or,
    /// once the answer has started, a cut connection) beyond.
    var targetTimeout: Double = 60
}

/// How the data plane is set up (local-lattice's data plane options).
struct DataPlaneSettings: Sendable {
    var httpPort = 0
    var httpsPort = 0
    /// Where to write the local CA's certificate (PEM), for clients to trust.
    var caOut: String?
    /// Where to write the ports and the CA file, as JSON, once listening.
    var mapFile: String?
    /// The seed of the draws between weighted target groups.
    var seed: UInt64 = 0x1A77_1CE
    var targetMap = TargetMap()
    /// The folder access log destinations map to; nil: access logs are not written.
    var accessLogDir: String?
    /// The VPC requests come from (`vpc-...`), for `x-amzn-lattice-network`, access logs and
    /// the SourceVpc condition key; a request's `x-local-lattice-source-vpc` header overrides it.
    var sourceVpc: String?
    var limits = DataPlaneLimits()
    /// The credentials whose signatures the data plane accepts (`--auth-credentials`).
    var credentials = CredentialBook()
    /// Seconds between passes of the health checker over the targets.
    var healthTick: Double = 0.2
}

/// The local data plane: HTTP/1.1 and HTTP/2 on a cleartext port (listeners of protocol
/// HTTP) and a TLS port (HTTPS), choosing the service by the Host header, routing by its
/// listener's rules, and proxying to the targets, which are health-checked for real.
final class DataPlane: Sendable {
    let lattice: LocalLattice
    let settings: DataPlaneSettings
    let group: MultiThreadedEventLoopGroup
    let monitor: HealthMonitor
    let selector = TargetSelector()
    let random: SeededRandom
    let accessLogs: AccessLogWriter?
    let auth: DataPlaneAuth
    let certificates: LocalCertificates
    private let pools: [ObjectIdentifier: PoolBox]
    let connections = Atomic<Int>(0)
    private let routing = Mutex<(router: DataPlaneRouter, at: ContinuousClock.Instant)?>(nil)
    private let boundPorts = Mutex<(http: Int, https: Int)>((0, 0))

    init(lattice: LocalLattice, settings: DataPlaneSettings, group: MultiThreadedEventLoopGroup) throws {
        self.lattice = lattice
        self.settings = settings
        self.group = group
        monitor = HealthMonitor(board: lattice.health)
        random = SeededRandom(seed: settings.seed)
        accessLogs = settings.accessLogDir.map { AccessLogWriter(root: $0) }
        auth = DataPlaneAuth(book: settings.credentials)
        certificates = try LocalCertificates()
        var pools: [ObjectIdentifier: PoolBox] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = PoolBox(pool: TargetPool(eventLoop: loop, limits: settings.limits))
        }
        self.pools = pools
    }

    var ports: (http: Int, https: Int) { boundPorts.withLock { $0 } }

    /// The router for the current state: rebuilt when a control-plane call changed something,
    /// and at least every half second (statuses that settle by time).
    func router() -> DataPlaneRouter {
        let now = ContinuousClock.now
        let current = routing.withLock { $0 }
        if let current, now - current.at < .milliseconds(500),
           lattice.dataPlaneSnapshot(ifChangedSince: current.router.snapshot.generation) == nil {
            return current.router
        }
        let snapshot = lattice.dataPlaneSnapshot() ?? DataPlaneSnapshot()
        let router = DataPlaneRouter(snapshot, random: random)
        routing.withLock { $0 = (router, now) }
        return router
    }

    /// The pool of target connections of the event loop the caller runs on.
    func pool(for loop: any EventLoop) -> TargetPool? {
        guard loop.inEventLoop else { return nil }
        return pools[ObjectIdentifier(loop)]?.pool
    }

    /// A pool, handed out only on its own event loop (so never used from two threads).
    private struct PoolBox: @unchecked Sendable {
        let pool: TargetPool
    }

    // MARK: Starting

    /// Binds both ports on 127.0.0.1, starts the health checker, writes the CA and map files.
    func start() throws {
        let tls = try makeTLSContext()
        let http = try bootstrap(tls: nil).bind(host: "127.0.0.1", port: settings.httpPort).wait()
        let https = try bootstrap(tls: tls).bind(host: "127.0.0.1", port: settings.httpsPort).wait()
        boundPorts.withLock { $0 = (http.localAddress?.port ?? 0, https.localAddress?.port ?? 0) }
        if let path = settings.caOut, let problem = Listener.writeAtomically(certificates.caPEM, to: path, flag: "--dataplane-ca-out") {
            throw Listener.Failure(description: problem)
        }
        if let path = settings.mapFile, let problem = Listener.writeAtomically(mapJSON(services: false), to: path, flag: "--dataplane-map") {
            throw Listener.Failure(description: problem)
        }
        let map = settings.targetMap
        lattice.health.expectChecks { id, port in
            if case .success = map.address(of: id, port: port ?? 80) { return true }
            return false
        }
        HealthProber(dataPlane: self).start()
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        let identity = try certificates.defaultIdentity()
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: identity.chain, privateKey: identity.key)
        configuration.applicationProtocols = ["h2", "http/1.1"]
        let certificates = certificates
        configuration.sslContextCallback = { values, promise in
            do {
                promise.succeed(try certificates.override(for: values.serverHostname))
            } catch {
                log("cannot make a certificate for the server name \(values.serverHostname ?? "-"): \(error)")
                promise.fail(error)
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private func bootstrap(tls: NIOSSLContext?) -> ServerBootstrap {
        let limits = settings.limits
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.initialize(channel, tls: tls, limits: limits)
                }
            }
    }

    /// A new client connection: counted (refused with 503 beyond the limit), given a deadline
    /// for its first request's head and an idle timeout, then TLS with ALPN or, in the clear,
    /// HTTP/2 by prior knowledge or HTTP/1.1.
    private func initialize(_ channel: any Channel, tls: NIOSSLContext?, limits: DataPlaneLimits) throws {
        let open = connections.add(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { [self] _ in _ = connections.subtract(1, ordering: .relaxed) }
        let sync = channel.pipeline.syncOperations
        if open > limits.maxConnections {
            try sync.addHandler(RefuseAtOnce(message: "local-lattice's data plane is serving \(limits.maxConnections) connections (--dataplane-max-connections); retry later."))
            return
        }
        try sync.addHandler(RequestDeadline(seconds: limits.requestTimeout))
        try sync.addHandler(IdleStateHandler(allTimeout: .milliseconds(Int64(limits.idleTimeout * 1000))))
        try sync.addHandler(IdleCloser())
        if let tls {
            try sync.addHandler(NIOSSLServerHandler(context: tls))
            try sync.addHandler(ApplicationProtocolNegotiationHandler { [self] (result: ALPNResult, channel: any Channel) in
                channel.eventLoop.makeCompletedFuture {
                    switch result {
                    case .negotiated("h2"): try self.addHTTP2(channel.pipeline.syncOperations, channel, secure: true)
                    default: try self.addHTTP1(channel.pipeline.syncOperations, secure: true)
                    }
                }
            })
        } else {
            try sync.addHandler(ProtocolSniffer(dataPlane: self))
        }
    }

    func addHTTP1(_ sync: ChannelPipeline.SynchronousOperations, secure: Bool) throws {
        var limitConfiguration = NIOHTTPDecoderLimitConfiguration()
        limitConfiguration.maxHeaderListSize = settings.limits.maxHeadBytes
        limitConfiguration.maxHeaderFieldSize = settings.limits.maxHeadBytes
        limitConfiguration.maxHeaderFieldCount = settings.limits.maxHeaderFields
        let decoder = HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limitConfiguration)
        try sync.addHandlers([
            HTTPResponseEncoder(configuration: .init()),
            ByteToMessageHandler(decoder),
            HTTPServerPipelineHandler(),
            HTTP1ErrorAnswer(),
            ProxyHandler(dataPlane: self, secure: secure, http2: false),
        ])
    }

    func addHTTP2(_ sync: ChannelPipeline.SynchronousOperations, _ channel: any Channel, secure: Bool) throws {
        // HTTP/2 has its own framing and limits: the head deadline of HTTP/1.1 gives way to them.
        if let deadline = try? sync.handler(type: RequestDeadline.self) { deadline.disable() }
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: settings.limits.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: settings.limits.maxHeadBytes),
        ]
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = 1 << 20
        _ = try sync.configureHTTP2Pipeline(mode: .server, connectionConfiguration: connection, streamConfiguration: stream) { [self] streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                try streamChannel.pipeline.syncOperations.addHandlers([
                    HTTP2FramePayloadToHTTP1ServerCodec(),
                    ProxyHandler(dataPlane: self, secure: secure, http2: true),
                ])
            }
        }
    }

    // MARK: The map

    /// The ports, the CA file and (with `services`) each service's names and listeners, as
    /// JSON: what `GET /_local/dataplane` answers and `--dataplane-map` holds.
    func mapJSON(services: Bool) -> String {
        let (http, https) = ports
        var out = "{\"http\":\"http://127.0.0.1:\(http)\",\"https\":\"https://127.0.0.1:\(https)\",\"httpPort\":\(http),\"httpsPort\":\(https)"
        out += ",\"caFile\":" + (settings.caOut.map(Self.quoted) ?? "null")
        if services {
            out += ",\"services\":["
            out += router().snapshot.services.map { s in
                let listeners = s.listeners.map { l in
                    let port = l.protocol == .https ? https : http
                    let scheme = l.protocol == .https ? "https" : "http"
                    let host = s.customDomainName ?? s.dnsName ?? ""
                    let url = l.protocol == .tlsPassthrough ? "null" : Self.quoted("\(scheme)://127.0.0.1:\(port)")
                    return "{\"id\":\(Self.quoted(l.id)),\"protocol\":\(Self.quoted(l.protocol.rawValue)),\"port\":\(l.port),\"url\":\(url),"
                        + "\"curl\":\(l.protocol == .tlsPassthrough ? "null" : Self.quoted("curl --connect-to \(host):\(l.port):127.0.0.1:\(port) \(scheme)://\(host):\(l.port)/"))}"
                }
                return "{\"id\":\(Self.quoted(s.id)),\"name\":\(Self.quoted(s.name)),\"arn\":\(Self.quoted(s.arn)),"
                    + "\"dnsName\":\(s.dnsName.map(Self.quoted) ?? "null"),\"customDomainName\":\(s.customDomainName.map(Self.quoted) ?? "null"),"
                    + "\"authType\":\(Self.quoted(s.authType.rawValue)),\"listeners\":[\(listeners.joined(separator: ","))]}"
            }.joined(separator: ",")
            out += "]"
        }
        return out + "}"
    }

    static func quoted(_ text: String) -> String {
        var out = ""
        AccessLogEntry.appendString(text, to: &out)
        return out
    }
}
