import NIOCore
import NIOHTTP1
import NIOHTTP2

/// Answers 503 and closes: a connection beyond --dataplane-max-connections.
final class RefuseAtOnce: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let message: String

    init(message: String) {
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        let body = "{\"message\":\(DataPlane.quoted("local-lattice: " + message))}"
        let text = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n\(body)"
        let buffer = context.channel.allocator.buffer(string: text)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// The time from a request's first byte (the TLS handshake's, over TLS) to the end of its
/// head: past it, the connection gets 408 (when HTTP can still be spoken) and is closed, so a
/// client that trickles bytes (slowloris) holds a connection for this long at most. The
/// request handler disarms it when a head arrives and re-arms it for the next request.
final class RequestDeadline: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Sent through the pipeline when the deadline passes.
    struct Expired: Error {
        let seconds: Double
    }

    private let seconds: Double
    private var timer: Scheduled<Void>?
    private var waiting = true
    private var disabled = false

    init(seconds: Double) {
        self.seconds = seconds
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if waiting, timer == nil, !disabled {
            let seconds = seconds
            let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                // The 408 goes out if HTTP/1.1 is spoken by then; the connection closes in any case.
                loopContext.value.fireErrorCaught(Expired(seconds: seconds))
                loopContext.value.eventLoop.scheduleTask(in: .milliseconds(500)) { loopContext.value.close(promise: nil) }
            }
        }
        context.fireChannelRead(data)
    }

    /// A request's head has arrived: no deadline until the next request starts.
    func headArrived() {
        timer?.cancel()
        timer = nil
        waiting = false
    }

    /// The answer is done: the next byte starts the next request's deadline.
    func rearm() {
        waiting = true
    }

    /// For the rest of the connection (HTTP/2 has its own limits).
    func disable() {
        headArrived()
        disabled = true
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }
}

/// Closes a connection that passed --dataplane-idle-timeout with no byte either way.
final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// On the cleartext port: HTTP/2 when the client starts with the HTTP/2 connection preface
/// (prior knowledge, as `curl --http2-prior-knowledge` and gRPC clients do), HTTP/1.1 otherwise.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    private let dataPlane: DataPlane
    private var seen: ByteBuffer?

    init(dataPlane: DataPlane) {
        self.dataPlane = dataPlane
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var seen {
            seen.writeBuffer(&buffer)
            buffer = seen
        }
        let bytes = buffer.readableBytesView
        let n = min(bytes.count, Self.preface.count)
        let agrees = bytes.prefix(n).elementsEqual(Self.preface.prefix(n))
        if agrees, n < Self.preface.count {
            seen = buffer
            return
        }
        seen = nil
        do {
            let sync = context.pipeline.syncOperations
            // This handler is the last: what is added goes after it.
            if agrees {
                try dataPlane.addHTTP2(sync, context.channel, secure: false)
            } else {
                try dataPlane.addHTTP1(sync, secure: false)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(buffer))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
    }
}

/// Answers an HTTP/1.1 request that cannot be parsed (431 for a head beyond the caps, 400
/// otherwise), or whose head did not arrive in time (408), then closes the connection.
final class HTTP1ErrorAnswer: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether a response is being written (then an error can only close the connection).
    private var responding = false
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !answered else { return }
        answered = true
        let (status, message): (HTTPResponseStatus, String)
        switch error {
        case let expired as RequestDeadline.Expired:
            (status, message) = (.requestTimeout, "The request head did not arrive within \(expired.seconds) seconds of its first byte (--dataplane-request-timeout): send it at once.")
        case HTTPParserError.headerOverflow:
            (status, message) = (.requestHeaderFieldsTooLarge, "The request head is larger than the data plane takes (64 KiB, 100 fields): send fewer or shorter header fields.")
        case is HTTPParserError:
            (status, message) = (.badRequest, "The request is not valid HTTP/1.1 (\(error)): send a well-formed request.")
        default:
            context.close(promise: nil)
            return
        }
        guard !responding, context.channel.isActive else {
            context.close(promise: nil)
            return
        }
        let body = context.channel.allocator.buffer(string: "{\"message\":\(DataPlane.quoted("local-lattice: " + message))}")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        headers.add(name: "x-local-lattice-error", value: status == .requestTimeout ? "RequestTimeout" : "BadRequest")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
