import LatticeKitTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What receives a target's answer: the request handler of the client's connection, on the
/// same event loop.
protocol TargetSink: AnyObject {
    func targetResponded(_ part: HTTPClientResponsePart)
    /// The connection failed or closed before the answer ended.
    func targetFailed(_ error: any Error)
    /// The target connection can take more bytes again.
    func targetWritable()
}

/// Sits at the end of a target connection's pipeline and hands what arrives to the sink of
/// the exchange in progress; between exchanges (kept alive in the pool) it has none.
final class TargetBridge: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    weak var sink: (any TargetSink)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        sink?.targetResponded(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let sink = sink
        self.sink = nil
        sink?.targetFailed(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let sink = sink
        self.sink = nil
        sink?.targetFailed(TargetClosed())
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { sink?.targetWritable() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            let sink = sink
            self.sink = nil
            sink?.targetFailed(TargetTimedOut())
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

struct TargetClosed: Error, CustomStringConvertible {
    var description: String { "the target closed the connection before its answer ended" }
}

struct TargetTimedOut: Error, CustomStringConvertible {
    var description: String { "the target sent nothing for longer than --target-timeout" }
}

/// A target connection and the bridge at its end (touched only on the channel's event loop).
struct TargetConnection: @unchecked Sendable {
    let channel: any Channel
    let bridge: TargetBridge
    let key: String
}

/// Kept-alive connections to targets, for one event loop (used only on it): a connection
/// whose exchange ended cleanly goes back here and serves the next request to the same
/// target, as a load balancer's connection reuse does; idle ones close after a few seconds.
final class TargetPool {
    let eventLoop: any EventLoop
    let limits: DataPlaneLimits
    private var idle: [String: [TargetConnection]] = [:]
    /// Connections kept per target at most.
    static let keptPerTarget = 64
    private let clientTLS: NIOSSLContext?

    init(eventLoop: any EventLoop, limits: DataPlaneLimits) {
        self.eventLoop = eventLoop
        self.limits = limits
        // Targets' certificates are not checked, as the service does not check them:
        // https://docs.aws.amazon.com/vpc-lattice/latest/ug/target-groups.html (HTTPS targets).
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        clientTLS = try? NIOSSLContext(configuration: tls)
    }

    static func key(_ address: TargetMap.Address, tls: Bool) -> String {
        "\(tls ? "https" : "http")://\(address)"
    }

    /// A connection to `address`: a kept one if any is still open, else a new one.
    func acquire(_ address: TargetMap.Address, tls: Bool) -> EventLoopFuture<TargetConnection> {
        let key = Self.key(address, tls: tls)
        while var list = idle[key], let last = list.popLast() {
            idle[key] = list.isEmpty ? nil : list
            if last.channel.isActive { return eventLoop.makeSucceededFuture(last) }
        }
        let bridge = TargetBridge()
        let limits = limits
        let clientTLS = clientTLS
        let host = address.host
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(Int64(limits.targetConnectTimeout * 1000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if tls {
                        guard let clientTLS else { throw TargetClosed() }
                        try sync.addHandler(try NIOSSLClientHandler(context: clientTLS, serverHostname: TargetMap.isLoopback(host) ? nil : host))
                    }
                    var decoderLimits = NIOHTTPDecoderLimitConfiguration()
                    decoderLimits.maxHeaderListSize = limits.maxHeadBytes
                    decoderLimits.maxHeaderFieldSize = limits.maxHeadBytes
                    decoderLimits.maxHeaderFieldCount = limits.maxHeaderFields * 2
                    try sync.addHTTPClientHandlers(decoderLimitConfiguration: decoderLimits)
                    try sync.addHandler(IdleStateHandler(readTimeout: .milliseconds(Int64(limits.targetTimeout * 1000))))
                }
            }
            .connect(host: address.host, port: address.port)
            .assumeIsolated()
            .flatMapThrowing { channel in
                try channel.pipeline.syncOperations.addHandler(bridge)
                return TargetConnection(channel: channel, bridge: bridge, key: key)
            }
            .nonisolated()
    }

    /// Keeps a connection whose exchange ended cleanly, for the next request to its target.
    func release(_ connection: TargetConnection) {
        connection.bridge.sink = nil
        guard connection.channel.isActive, idle[connection.key, default: []].count < Self.keptPerTarget else {
            connection.channel.close(promise: nil)
            return
        }
        idle[connection.key, default: []].append(connection)
    }
}
