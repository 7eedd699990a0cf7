#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import LatticeKitTesting
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP/1.1 connection (requests one after another) or one HTTP/2 stream of the data
/// plane: routes each request, answers it here (fixed responses, refusals) or streams it to a
/// target and the target's answer back, with backpressure both ways (a side that does not
/// read stops the other from being read), and writes its access log line.
final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let dataPlane: DataPlane
    let secure: Bool
    let http2: Bool
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?

    init(dataPlane: DataPlane, secure: Bool, http2: Bool) {
        self.dataPlane = dataPlane
        self.secure = secure
        self.http2 = http2
    }

    /// One request and its answer.
    final class Exchange: TargetSink {
        weak var handler: ProxyHandler?
        let head: HTTPRequestHead
        let keepAlive: Bool
        var log: AccessLogEntry
        var logPaths: Set<String> = []
        let started = ContinuousClock.now
        var bodyBytes = 0
        var requestEnded = false
        /// The answer to give here once the request has arrived in whole.
        var localAnswer: LocalAnswer?
        /// `x-amzn-lattice-identity` for the target, when a signature was verified.
        var identity: String?
        // Forwarding:
        var forwarding = false
        var target: TargetConnection?
        var targetAddress: TargetMap.Address?
        var targetTLS = false
        var targetHead: HTTPRequestHead?
        var pending: [HTTPClientRequestPart] = []
        var reused = false
        var retried = false
        var responseStarted = false
        var finished = false
        var responseTimer: Scheduled<Void>?
        var toTarget: ContinuousClock.Instant?
        var firstResponseByte: ContinuousClock.Instant?

        init(head: HTTPRequestHead, keepAlive: Bool, log: AccessLogEntry) {
            self.head = head
            self.keepAlive = keepAlive
            self.log = log
        }

        func targetResponded(_ part: HTTPClientResponsePart) { handler?.targetResponded(self, part) }
        func targetFailed(_ error: any Error) { handler?.targetFailed(self, error) }
        func targetWritable() { handler?.resumeClient(self) }
    }

    struct LocalAnswer {
        var status: Int
        var code: String?
        var message: String?
        var headers: [(String, String)] = []
        /// Close the connection after it (the request's body was not read in whole).
        var close = false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: The client's side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            if let deadline = try? context.pipeline.syncOperations.handler(type: RequestDeadline.self) { deadline.headArrived() }
            begin(head, context: context)
        case let .body(buffer):
            guard let exchange, !exchange.finished || exchange.forwarding else { return }
            exchange.bodyBytes += buffer.readableBytes
            exchange.log.bytesReceived += buffer.readableBytes
            if exchange.bodyBytes > dataPlane.settings.limits.maxBodyBytes {
                refuseBody(exchange)
                return
            }
            guard exchange.forwarding else { return }
            if let target = exchange.target {
                target.channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
                if !target.channel.isWritable { pauseClient() }
            } else {
                exchange.pending.append(.body(.byteBuffer(buffer)))
            }
        case .end:
            guard let exchange else { return }
            exchange.requestEnded = true
            if exchange.forwarding {
                if let target = exchange.target {
                    target.channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                } else {
                    exchange.pending.append(.end(nil))
                }
            } else if let answer = exchange.localAnswer {
                exchange.localAnswer = nil
                answerLocally(exchange, answer)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.target?.channel.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let target = exchange?.target { target.channel.setOption(.autoRead, value: true).whenFailure { _ in } }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange, !exchange.finished {
            exchange.finished = true
            exchange.responseTimer?.cancel()
            exchange.target?.bridge.sink = nil
            exchange.target?.channel.close(promise: nil)
            exchange.log.failureReason = exchange.log.failureReason ?? "ClientConnectionClosed"
            writeLog(exchange)
        }
        exchange = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.fireErrorCaught(error)
    }

    private func pauseClient() {
        context?.channel.setOption(.autoRead, value: false).whenFailure { _ in }
    }

    func resumeClient(_ exchange: Exchange) {
        guard exchange === self.exchange else { return }
        context?.channel.setOption(.autoRead, value: true).whenFailure { _ in }
    }

    // MARK: Routing

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let host = head.headers.first(name: "host") ?? ""
        let path = String(head.uri.prefix { $0 != "?" })
        var log = AccessLogEntry(startTime: Date(), requestMethod: head.method.rawValue, requestPath: path, protocol: http2 ? "HTTP/2.0" : "HTTP/1.1")
        log.hostHeader = host
        log.userAgent = head.headers.first(name: "user-agent")
        log.listenerType = secure ? "HTTPS" : "HTTP"
        if let remote = context.channel.remoteAddress ?? context.channel.parent?.remoteAddress, let ip = remote.ipAddress, let port = remote.port {
            log.sourceIpPort = "\(ip):\(port)"
        }
        log.bytesReceived = Self.headSize(head)
        let exchange = Exchange(head: head, keepAlive: http2 || head.isKeepAlive, log: log)
        exchange.handler = self
        self.exchange = exchange

        let router = dataPlane.router()
        let routed = RoutedRequest(method: head.method.rawValue, path: path, host: host,
                                   headers: head.headers.map { ($0.name, $0.value) }, listenerProtocol: secure ? .https : .http)
        let decision = router.route(routed)
        switch decision {
        case let .refused(refusal):
            note(exchange, refusal.service, refusal.listener, refusal.targetGroup, router.snapshot)
            exchange.log.failureReason = refusal.code
            answerWhenRead(exchange, LocalAnswer(status: refusal.status, code: refusal.code, message: refusal.message))
        case let .fixedResponse(service, listener, _, status):
            note(exchange, service, listener, nil, router.snapshot)
            if let denial = authorize(exchange, service, listener) { return answerWhenRead(exchange, denial) }
            answerWhenRead(exchange, LocalAnswer(status: status))
        case let .forward(service, listener, _, group):
            note(exchange, service, listener, group, router.snapshot)
            if let denial = authorize(exchange, service, listener) { return answerWhenRead(exchange, denial) }
            forward(exchange, service: service, listener: listener, group: group, snapshot: router.snapshot)
        }
    }

    /// Auth as the service network and the service set it (signature, then their auth
    /// policies); nil when the request may go on, else the 403 to answer, which also says why
    /// in `x-local-lattice-auth-reason` (the server's log says it too).
    private func authorize(_ exchange: Exchange, _ service: DataPlaneSnapshot.Service, _ listener: DataPlaneSnapshot.Listener) -> LocalAnswer? {
        let head = exchange.head
        let remote = context?.channel.remoteAddress ?? context?.channel.parent?.remoteAddress
        let verdict = dataPlane.auth.check(
            method: head.method.rawValue, target: head.uri, headers: head.headers.map { ($0.name, $0.value) }, secure: secure, port: listener.port,
            service: service, network: Self.network(of: service, head), sourceVpc: exchange.log.sourceVpcId, sourceIp: remote?.ipAddress, now: Date())
        switch verdict {
        case let .allowed(caller, _):
            if let caller, let arn = caller.arn {
                exchange.log.callerPrincipal = arn
                exchange.log.resolvedUser = arn
                exchange.log.callerPrincipalOrgID = caller.orgID
                // The fields https://docs.aws.amazon.com/vpc-lattice/latest/ug/http-targets.html lists
                // (it does not show the separator: `; ` here).
                var fields = ["Principal=\(arn)"]
                if let org = caller.orgID { fields.append("PrincipalOrgID=\(org)") }
                let parts = arn.split(separator: "/")
                if arn.contains(":assumed-role/"), parts.count >= 3, let session = parts.last { fields.append("SessionName=\(session)") }
                exchange.identity = fields.joined(separator: "; ")
            }
            return nil
        case let .denied(reason, caller):
            exchange.log.authDeniedReason = reason
            exchange.log.callerPrincipal = caller?.arn
            let who = caller.map { $0.arn ?? "anonymous" } ?? "an unauthenticated caller"
            log("data plane: denied \(head.method.rawValue) \(exchange.log.hostHeader ?? "")\(exchange.log.requestPath) for \(who): \(reason)")
            return LocalAnswer(
                status: 403, code: "AccessDeniedException",
                message: "\(who) is not authorized to perform vpc-lattice-svcs:Invoke on \(service.arn): \(reason)",
                headers: [("x-amzn-errortype", "AccessDeniedException"), ("x-local-lattice-auth-reason", reason)])
        }
    }

    /// Puts what routing found into the log line, and finds the log files it goes to.
    private func note(_ exchange: Exchange, _ service: DataPlaneSnapshot.Service?, _ listener: DataPlaneSnapshot.Listener?,
                      _ group: DataPlaneSnapshot.TargetGroup?, _ snapshot: DataPlaneSnapshot) {
        exchange.log.serviceArn = service?.arn
        exchange.log.listenerId = listener?.id
        exchange.log.targetGroupArn = group?.arn
        if secure { exchange.log.serverNameIndication = exchange.log.hostHeader.map { RoutedRequest(method: "", path: "", host: $0, headers: [], listenerProtocol: .https).hostName } }
        guard let service else { return }
        let network = Self.network(of: service, exchange.head)
        exchange.log.serviceNetworkArn = network?.arn
        if let vpc = exchange.head.headers.first(name: "x-local-lattice-source-vpc") ?? dataPlane.settings.sourceVpc {
            exchange.log.sourceVpcId = vpc
            exchange.log.sourceVpcArn = "arn:aws:ec2:\(service.region):\(snapshot.account):vpc/\(vpc)"
        }
        guard dataPlane.accessLogs != nil else { return }
        for subscription in snapshot.accessLogSubscriptions
        where subscription.resourceId == service.id || (subscription.resourceId == network?.id && subscription.logType != .resource) {
            if let path = AccessLogDestination.relativePath(destinationArn: subscription.destinationArn, resourceId: subscription.resourceId) {
                exchange.logPaths.insert(path)
            }
        }
    }

    /// The service network a request comes through: the one its `x-local-lattice-service-network`
    /// header names (ID, name or ARN), else the service's oldest association; nil when the
    /// service is in no network.
    static func network(of service: DataPlaneSnapshot.Service, _ head: HTTPRequestHead) -> DataPlaneSnapshot.Network? {
        if let wanted = head.headers.first(name: "x-local-lattice-service-network") {
            return service.networks.first { $0.id == wanted || $0.name == wanted || $0.arn == wanted }
        }
        return service.networks.first
    }

    // MARK: Answers from here

    /// Answers once the request's body has been read (so the connection stays usable).
    private func answerWhenRead(_ exchange: Exchange, _ answer: LocalAnswer) {
        if exchange.requestEnded {
            answerLocally(exchange, answer)
        } else {
            exchange.localAnswer = answer
        }
    }

    private func answerLocally(_ exchange: Exchange, _ answer: LocalAnswer) {
        guard let context, !exchange.finished else { return }
        var body = context.channel.allocator.buffer(capacity: 0)
        var headers = HTTPHeaders()
        if let message = answer.message {
            body.writeString("{\"message\":\(DataPlane.quoted("local-lattice: " + message))}")
            headers.add(name: "content-type", value: "application/json")
        }
        if let code = answer.code { headers.add(name: "x-local-lattice-error", value: code) }
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        headers.add(name: "content-length", value: String(body.readableBytes))
        let close = answer.close || !exchange.keepAlive
        if close, !http2 { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: answer.status)
        exchange.log.responseCode = answer.status
        exchange.log.bytesSent = Self.headSize(status, headers) + body.readableBytes
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.head.version, status: status, headers: headers))), promise: nil)
        if body.readableBytes > 0, exchange.head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        finish(exchange, close: close)
    }

    private func refuseBody(_ exchange: Exchange) {
        let limit = dataPlane.settings.limits.maxBodyBytes
        exchange.log.failureReason = "RequestTooLarge"
        exchange.requestEnded = true
        if exchange.forwarding {
            exchange.forwarding = false
            exchange.responseTimer?.cancel()
            exchange.target?.bridge.sink = nil
            exchange.target?.channel.close(promise: nil)
            exchange.target = nil
        }
        guard !exchange.responseStarted else {
            exchange.finished = true
            writeLog(exchange)
            context?.close(promise: nil)
            return
        }
        answerLocally(exchange, LocalAnswer(status: 413, code: "RequestTooLarge",
                                            message: "The request body is larger than \(limit) bytes (--dataplane-max-body): send a smaller one.", close: true))
    }

    /// Ends an exchange: the answer's end, the log line, then the next request (or the close).
    private func finish(_ exchange: Exchange, close: Bool) {
        guard let context, !exchange.finished else { return }
        exchange.finished = true
        exchange.responseTimer?.cancel()
        exchange.log.duration = Self.milliseconds(since: exchange.started)
        writeLog(exchange)
        if self.exchange === exchange { self.exchange = nil }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else if !http2, let deadline = try? context.pipeline.syncOperations.handler(type: RequestDeadline.self) {
            deadline.rearm()
        }
        context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
    }

    private func writeLog(_ exchange: Exchange) {
        guard let writer = dataPlane.accessLogs, !exchange.logPaths.isEmpty else { return }
        for problem in writer.append(exchange.log.jsonLine, to: exchange.logPaths) { log(problem) }
    }

    // MARK: Forwarding

    private func forward(_ exchange: Exchange, service: DataPlaneSnapshot.Service, listener: DataPlaneSnapshot.Listener,
                         group: DataPlaneSnapshot.TargetGroup, snapshot: DataPlaneSnapshot) {
        if group.type == .lambda || group.type == .alb {
            exchange.log.failureReason = "TargetTypeNotEmulated"
            answerWhenRead(exchange, LocalAnswer(
                status: 501, code: "TargetTypeNotEmulated",
                message: "The target group \(group.id) is of type \(group.type.rawValue), which local-lattice does not emulate (it proxies to IP and INSTANCE targets): forward to an IP target group on 127.0.0.1 to test locally."))
            return
        }
        guard let target = dataPlane.selector.choose(in: group, health: dataPlane.monitor) else {
            exchange.log.failureReason = "NoTargets"
            answerWhenRead(exchange, LocalAnswer(
                status: 503, code: "NoTargets",
                message: "The target group \(group.id) has no registered targets: register one with RegisterTargets."))
            return
        }
        let port = target.port ?? group.config?.port ?? 80
        let address: TargetMap.Address
        switch dataPlane.settings.targetMap.address(of: target.id, port: port) {
        case let .success(found): address = found
        case let .failure(unmapped):
            exchange.log.failureReason = "TargetUnmapped"
            answerWhenRead(exchange, LocalAnswer(status: 502, code: "TargetUnmapped", message: unmapped.description))
            return
        }
        exchange.log.targetIpPort = "\(target.id):\(port)"
        exchange.targetAddress = address
        exchange.targetTLS = group.config?.protocol == .https
        exchange.targetHead = targetHead(exchange, service: service, listener: listener, group: group)
        exchange.forwarding = true
        connect(exchange)
    }

    /// The request as it goes to the target: hop-by-hop fields and any `x-amzn-lattice-*`
    /// or `x-local-lattice-*` field the client sent removed (they cannot be spoofed), the
    /// `x-forwarded-*` fields and `x-amzn-lattice-target` added, as the service adds them:
    /// https://docs.aws.amazon.com/vpc-lattice/latest/ug/http-targets.html
    private func targetHead(_ exchange: Exchange, service: DataPlaneSnapshot.Service, listener: DataPlaneSnapshot.Listener,
                            group: DataPlaneSnapshot.TargetGroup) -> HTTPRequestHead {
        let original = exchange.head
        let named = Set(original.headers[canonicalForm: "connection"].map { $0.lowercased() })
        var headers = HTTPHeaders()
        for (name, value) in original.headers {
            let lower = name.lowercased()
            if Self.hopByHop.contains(lower) || named.contains(lower) || lower.hasPrefix("x-amzn-lattice-") || lower.hasPrefix("x-local-lattice-") { continue }
            headers.add(name: name, value: value)
        }
        if let ip = exchange.log.sourceIpPort?.split(separator: ":").dropLast().joined(separator: ":") {
            let earlier = original.headers.first(name: "x-forwarded-for")
            headers.replaceOrAdd(name: "x-forwarded-for", value: earlier.map { "\($0), \(ip)" } ?? ip)
        }
        headers.replaceOrAdd(name: "x-forwarded-for-port", value: String(listener.port))
        headers.replaceOrAdd(name: "x-forwarded-for-proto", value: secure ? "https" : "http")
        var target = "ServiceArn=\(service.arn)"
        if let network = exchange.log.serviceNetworkArn { target += ";ServiceNetworkArn=\(network)" }
        target += ";TargetGroupArn=\(group.arn)"
        headers.add(name: "x-amzn-lattice-target", value: target)
        if let identity = exchange.identity { headers.add(name: "x-amzn-lattice-identity", value: identity) }
        if let vpc = exchange.log.sourceVpcArn { headers.add(name: "x-amzn-lattice-network", value: "SourceVpcArn=\(vpc)") }
        return HTTPRequestHead(version: .http1_1, method: original.method, uri: original.uri, headers: headers)
    }

    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect", "http2-settings"]

    private func connect(_ exchange: Exchange) {
        guard let context, let address = exchange.targetAddress, let pool = dataPlane.pool(for: context.eventLoop) else {
            targetFailed(exchange, TargetClosed())
            return
        }
        pauseClient()
        let limits = dataPlane.settings.limits
        let bound = NIOLoopBound((handler: self, exchange: exchange), eventLoop: context.eventLoop)
        exchange.responseTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(limits.targetTimeout * 1000))) {
            bound.value.handler.targetFailed(bound.value.exchange, TargetTimedOut())
        }
        pool.acquire(address, tls: exchange.targetTLS).assumeIsolated().whenComplete { result in
            self.connected(exchange, result)
        }
    }

    private func connected(_ exchange: Exchange, _ result: Result<TargetConnection, any Error>) {
        switch result {
        case let .failure(error):
            targetFailed(exchange, error)
        case let .success(connection):
            guard !exchange.finished, exchange.forwarding, let head = exchange.targetHead else {
                dataPlane.pool(for: connection.channel.eventLoop)?.release(connection)
                return
            }
            connection.bridge.sink = exchange
            exchange.target = connection
            exchange.toTarget = .now
            exchange.log.requestToTargetDuration = Self.milliseconds(since: exchange.started)
            let channel = connection.channel
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            for part in exchange.pending { channel.write(part, promise: nil) }
            exchange.pending = []
            channel.flush()
            if channel.isWritable { resumeClient(exchange) }
        }
    }

    // MARK: The target's side

    func targetResponded(_ exchange: Exchange, _ part: HTTPClientResponsePart) {
        guard let context, exchange === self.exchange, !exchange.finished else { return }
        switch part {
        case let .head(response):
            exchange.responseTimer?.cancel()
            exchange.responseStarted = true
            exchange.firstResponseByte = .now
            var headers = HTTPHeaders()
            let named = Set(response.headers[canonicalForm: "connection"].map { $0.lowercased() })
            for (name, value) in response.headers {
                let lower = name.lowercased()
                if Self.hopByHop.contains(lower) || lower == "transfer-encoding" || named.contains(lower) { continue }
                headers.add(name: name, value: value)
            }
            if !exchange.keepAlive, !http2 { headers.add(name: "connection", value: "close") }
            exchange.log.responseCode = Int(response.status.code)
            exchange.log.bytesSent += Self.headSize(response.status, headers)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.head.version, status: response.status, headers: headers))), promise: nil)
        case let .body(buffer):
            exchange.log.bytesSent += buffer.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            if !context.channel.isWritable {
                // The client reads slower than the target sends: stop reading the target.
                exchange.target?.channel.setOption(.autoRead, value: false).whenFailure { _ in }
                context.flush()
            }
        case .end:
            if let first = exchange.firstResponseByte { exchange.log.responseFromTargetDuration = Self.milliseconds(since: first) }
            let connection = exchange.target
            exchange.target = nil
            exchange.forwarding = false
            let reusable = exchange.requestEnded
            if let connection {
                connection.bridge.sink = nil
                connection.channel.setOption(.autoRead, value: true).whenFailure { _ in }
                if reusable { dataPlane.pool(for: connection.channel.eventLoop)?.release(connection) } else { connection.channel.close(promise: nil) }
            }
            // A target that answered before the request's body ended: the rest of the body is
            // not read, so the connection cannot serve another request.
            finish(exchange, close: !exchange.keepAlive || !exchange.requestEnded)
        }
    }

    func targetFailed(_ exchange: Exchange, _ error: any Error) {
        guard exchange === self.exchange, !exchange.finished, exchange.forwarding else { return }
        exchange.responseTimer?.cancel()
        let connection = exchange.target
        exchange.target = nil
        connection?.bridge.sink = nil
        connection?.channel.close(promise: nil)
        exchange.forwarding = false
        if exchange.responseStarted {
            // Half an answer cannot be mended: cut the client's connection (or stream).
            exchange.finished = true
            exchange.log.failureReason = "TargetConnectionError"
            exchange.log.duration = Self.milliseconds(since: exchange.started)
            writeLog(exchange)
            self.exchange = nil
            context?.close(promise: nil)
            return
        }
        let target = exchange.log.targetIpPort ?? "the target"
        let address = exchange.targetAddress.map { " (at \($0))" } ?? ""
        let answer: LocalAnswer
        switch error {
        case is TargetTimedOut:
            answer = LocalAnswer(status: 504, code: "TargetTimeout",
                                 message: "The target \(target)\(address) did not answer within \(dataPlane.settings.limits.targetTimeout) seconds (--target-timeout).")
        case ChannelError.connectTimeout:
            answer = LocalAnswer(status: 504, code: "TargetConnectTimeout",
                                 message: "Connecting to the target \(target)\(address) took longer than \(dataPlane.settings.limits.targetConnectTimeout) seconds.")
        case is NIOSSLError:
            answer = LocalAnswer(status: 502, code: "TargetTLSError", message: "TLS with the target \(target)\(address) failed: \(error). Is it an HTTPS target?")
        default:
            answer = LocalAnswer(status: 502, code: "TargetConnectionError",
                                 message: "The target \(target)\(address) could not be reached or broke off: \(error). Is it listening?")
        }
        exchange.log.failureReason = answer.code
        if !exchange.requestEnded {
            var closing = answer
            closing.close = true
            answerLocally(exchange, closing)
        } else {
            answerLocally(exchange, answer)
        }
    }

    // MARK: Sizes and times

    static func headSize(_ head: HTTPRequestHead) -> Int {
        head.method.rawValue.utf8.count + head.uri.utf8.count + 12 + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + 2
    }

    static func headSize(_ status: HTTPResponseStatus, _ headers: HTTPHeaders) -> Int {
        15 + status.reasonPhrase.utf8.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + 2
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
