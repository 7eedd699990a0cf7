import Foundation
import LatticeKit
import LatticeTestSupport
import Synchronization
import Testing

/// The built local-lattice's data plane, end to end: a topology made through the API, called
/// through its listener, proxied to HTTP servers this test starts on 127.0.0.1, with health
/// checks performed for real; hostile targets; the data plane's own caps.
@Suite struct DataPlaneEndToEndTests {
    static let vpc = "vpc-0123456789abcdef0"

    /// A target: answers `/health` with 200 (or 503 while `failing`), anything else with its
    /// name, and counts the health checks it got.
    final class Target: Sendable {
        let name: String
        let server: LoopbackServer
        private let shared = Shared()

        final class Shared: Sendable {
            let state = Mutex<(failing: Bool, checks: Int)>((false, 0))
        }

        init(_ name: String) throws {
            self.name = name
            let shared = self.shared
            server = try LoopbackServer { request in
                if request.target == "/health" {
                    let failing = shared.state.withLock { s -> Bool in
                        s.checks += 1
                        return s.failing
                    }
                    return .respond(status: failing ? 503 : 200, headers: [], body: Array("health".utf8))
                }
                return .respond(status: 200, headers: [("x-target", name)], body: Array(name.utf8))
            }
        }

        var failing: Bool {
            get { shared.state.withLock { $0.failing } }
            set { shared.state.withLock { $0.failing = newValue } }
        }

        var checks: Int { shared.state.withLock { $0.checks } }
    }

    /// An answer read off a raw connection.
    struct Answer {
        var status: Int?
        var head: String
        var body: String

        func header(_ name: String) -> String? {
            head.split(separator: "\r\n").dropFirst().first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Sends `request` (bytes of HTTP/1.1) on a new connection and reads the answer to the end.
    static func exchange(_ port: Int, _ request: String, seconds: Int = 20) throws -> Answer {
        let c = try RawConnection(port: UInt16(port))
        c.send(request)
        let bytes = c.readToEnd(seconds: seconds)
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return Answer(status: statusCode(bytes), head: parts.first ?? "", body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func get(_ port: Int, host: String, path: String = "/", headers: String = "") throws -> Answer {
        try exchange(port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)Connection: close\r\n\r\n")
    }

    /// The data plane's HTTP port, from `GET /_local/dataplane` on the control plane.
    static func dataPlanePort(_ server: LocalLatticeProcess) throws -> Int {
        let answer = try exchange(Int(server.port), "GET /_local/dataplane HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        return try #require(object["httpPort"] as? Int)
    }

    /// Polls ListTargets (bounded: 400 looks, 50 ms apart) until `done` holds; the last listing.
    static func waitForTargets(_ c: LatticeClient, _ group: String, until done: ([String]) -> Bool) async throws -> [String] {
        var listed: [String] = []
        for _ in 0..<400 {
            listed = try await c.listTargets(ListTargetsRequest(targetGroupIdentifier: group)).items
                .sorted { ($0.id ?? "") < ($1.id ?? "") }
                .map { "\($0.id ?? ""):\($0.status?.rawValue ?? "")" + ($0.reasonCode.map { ":\($0)" } ?? "") }
            if done(listed) { return listed }
            usleep(50_000)
        }
        return listed
    }

    /// The seed topology (network auth NONE; provider-svc HTTP:80 forwarding to provider-tg,
    /// IP, port 8080, GET /health; three VPC addresses mapped with --target-map to three
    /// loopback servers) made through the API, then called through its listener.
    @Test func theSeedTopologyRoundRobinsOverHealthyTargetsAndListTargetsShowsRealChecks() async throws {
        let targets = try ["one", "two", "three"].map { try Target($0) }
        defer { for t in targets { t.server.stop() } }
        let ips = ["10.0.1.10", "10.0.1.11", "10.0.1.12"]
        var arguments = ["--settle-seconds", "0"]
        for (ip, t) in zip(ips, targets) { arguments += ["--target-map", "\(ip):8080=127.0.0.1:\(t.server.port)"] }
        try await LocalLatticeProcess(arguments).whileRunning { server in
            let c = try server.client()
            let network = try #require(try await c.createServiceNetwork(CreateServiceNetworkRequest(name: "seed-network", authType: AuthType.noAuth)).id)
            let service = try await c.createService(CreateServiceRequest(name: "provider-svc", authType: AuthType.noAuth))
            let serviceId = try #require(service.id)
            let host = try #require(service.dnsEntry?.domainName)
            let group = try #require(try await c.createTargetGroup(CreateTargetGroupRequest(name: "provider-tg", type: .ip, config: TargetGroupConfig(
                port: 8080, protocol: .http, vpcIdentifier: Self.vpc,
                // Checks every 2 s (the timeout must be shorter), so that the thresholds pass within the test's bound.
                healthCheck: HealthCheckConfig(enabled: true, protocol: .http, port: 8080, path: "/health", healthCheckIntervalSeconds: 2,
                                               healthCheckTimeoutSeconds: 1, healthyThresholdCount: 2, unhealthyThresholdCount: 2,
                                               matcher: .httpCode("200"))))).id)
            _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: serviceId, name: "http", protocol: .http, port: 80,
                                                                 defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group, weight: 1)]))))
            _ = try await c.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(serviceIdentifier: serviceId, serviceNetworkIdentifier: network))
            _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group, targets: ips.map { LatticeKit.Target(id: $0, port: 8080) }))
            let port = try Self.dataPlanePort(server)

            let healthy = ips.map { "\($0):HEALTHY" }
            #expect(try await Self.waitForTargets(c, group) { $0 == healthy } == healthy, "the first passed check of each target")
            #expect(targets.allSatisfy { $0.checks >= 1 }, "the checks reached the mapped servers")

            func names(_ n: Int) throws -> [String] {
                try (0..<n).map { i in
                    let answer = try Self.get(port, host: host, path: "/item/\(i)")
                    #expect(answer.status == 200, "\(answer.head)")
                    return answer.body
                }
            }
            let six = try names(6)
            #expect(Set(six) == ["one", "two", "three"], "\(six)")
            #expect(Array(six[0..<3]) == Array(six[3..<6]), "round robin: \(six)")
            #expect(try Self.get(port, host: host.uppercased() + ":80").status == 200, "the Host header ignores case and may carry the port")
            let unknown = try Self.get(port, host: "nobody.example.com")
            #expect(unknown.status == 404)

            // Target two fails its check: UNHEALTHY after 2 failures, then no traffic.
            targets[1].failing = true
            let sick = try await Self.waitForTargets(c, group) { $0[1] == "10.0.1.11:UNHEALTHY:Target.ResponseCodeMismatch" }
            #expect(sick == ["10.0.1.10:HEALTHY", "10.0.1.11:UNHEALTHY:Target.ResponseCodeMismatch", "10.0.1.12:HEALTHY"])
            #expect(Set(try names(6)) == ["one", "three"])

            // Healthy again after 2 passes, and back in the rotation.
            targets[1].failing = false
            #expect(try await Self.waitForTargets(c, group) { $0 == healthy } == healthy)
            #expect(Set(try names(6)) == ["one", "two", "three"])

            // All failing: the service fails open.
            for t in targets { t.failing = true }
            let allSick = try await Self.waitForTargets(c, group) { $0.allSatisfy { $0.hasSuffix(":UNHEALTHY:Target.ResponseCodeMismatch") } }
            #expect(allSick.count == 3 && allSick.allSatisfy { $0.contains(":UNHEALTHY:") }, "\(allSick)")
            #expect(Set(try names(6)) == ["one", "two", "three"], "no healthy target: traffic goes to all")
        }
    }

    /// A service `name` whose listener forwards to one target at 127.0.0.1:`port` (checks off).
    static func serviceTo(_ c: LatticeClient, _ name: String, port: UInt16) async throws -> String {
        let service = try await c.createService(CreateServiceRequest(name: name))
        let group = try #require(try await c.createTargetGroup(CreateTargetGroupRequest(name: "\(name)-tg", type: .ip, config: TargetGroupConfig(
            port: Int(port), protocol: .http, vpcIdentifier: vpc, healthCheck: HealthCheckConfig(enabled: false)))).id)
        _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: try #require(service.id), name: "http", protocol: .http,
                                                             defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group)]))))
        _ = try await c.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: group, targets: [LatticeKit.Target(id: "127.0.0.1", port: Int(port))]))
        return try #require(service.dnsEntry?.domainName)
    }

    @Test func aStallingTargetGets504WithinTheTimeoutAndAGarbageAnswer502() async throws {
        let release = DispatchSemaphore(value: 0)
        let stalling = try LoopbackServer { _ in .after(release, .respond(status: 200, headers: [], body: [])) }
        let garbage = try LoopbackServer { _ in .raw(Array("SSH-2.0-not-http\r\n\r\n".utf8)) }
        let silent = try LoopbackServer { _ in .close }
        defer {
            release.signal()
            for s in [stalling, garbage, silent] { s.stop() }
        }
        try await LocalLatticeProcess(["--settle-seconds", "0", "--target-timeout", "1"]).whileRunning { server in
            let c = try server.client()
            let stallHost = try await Self.serviceTo(c, "stalls", port: stalling.port)
            let garbageHost = try await Self.serviceTo(c, "garbage", port: garbage.port)
            let silentHost = try await Self.serviceTo(c, "silent", port: silent.port)
            let port = try Self.dataPlanePort(server)

            let start = ContinuousClock.now
            let stalled = try Self.get(port, host: stallHost)
            #expect(stalled.status == 504, "\(stalled.head)")
            #expect(ContinuousClock.now - start < .seconds(8), "--target-timeout 1 bounds the wait")
            #expect(stalled.body.contains("TargetTimeout") || stalled.head.contains("TargetTimeout"), "\(stalled.head)\n\(stalled.body)")

            let bad = try Self.get(port, host: garbageHost)
            #expect(bad.status == 502, "\(bad.head)")
            let closed = try Self.get(port, host: silentHost)
            #expect(closed.status == 502, "\(closed.head)")
            #expect(server.state == "running")
        }
    }

    @Test func theDataPlanesCapsOnHeadsBodiesAndConnections() async throws {
        let target = try LoopbackServer()
        defer { target.stop() }
        try await LocalLatticeProcess(["--settle-seconds", "0", "--dataplane-max-body", "1000"]).whileRunning { server in
            let c = try server.client()
            let host = try await Self.serviceTo(c, "capped", port: target.port)
            let port = try Self.dataPlanePort(server)
            #expect(try Self.get(port, host: host).status == 200)

            let big = String(repeating: "a", count: 70 * 1024)
            #expect(try Self.get(port, host: host, headers: "x-big: \(big)\r\n").status == 431)
            let body = String(repeating: "b", count: 5000)
            let tooLarge = try Self.exchange(port, "POST / HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n\(body)")
            #expect(tooLarge.status == 413, "\(tooLarge.head)")
        }
        // In a server of its own, whose count of open connections no earlier test has touched
        // (a closed connection leaves the count a moment after the client sees the end).
        try await LocalLatticeProcess(["--settle-seconds", "0", "--dataplane-max-connections", "2"]).whileRunning { server in
            let c = try server.client()
            let host = try await Self.serviceTo(c, "limited", port: target.port)
            let port = try Self.dataPlanePort(server)
            // Two connections held open (each has been answered, so each is counted); a third is refused.
            let held = try (0..<2).map { _ in try RawConnection(port: UInt16(port)) }
            for h in held {
                h.send("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                #expect(Self.readHead(h).hasPrefix("HTTP/1.1 200"))
            }
            let third = try Self.exchange(port, "GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
            #expect(third.status == 503, "\(third.head)")
            _ = held
        }
    }

    /// A service of auth type AWS_IAM: requests botocore signed with a key from
    /// --auth-credentials pass the service's policy, or get 403 with the deciding statement
    /// in x-local-lattice-auth-reason and the server's log; unsigned, tampered and unknown-key
    /// requests are refused.
    @Test func aServiceOfAuthTypeAwsIamChecksSignaturesAndItsPolicy() async throws {
        let target = try LoopbackServer { request in .respond(status: 200, headers: [], body: Array("hello \(request.target)".utf8)) }
        defer { target.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dp-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("credentials.json")
        try Data(#"[{"accessKeyId":"AKIDALICE0000000","secretAccessKey":"alice-secret","accountId":"111122223333","principalArn":"arn:aws:iam::111122223333:role/alice"}]"#.utf8)
            .write(to: credentials)
        try await LocalLatticeProcess(["--settle-seconds", "0", "--auth-credentials", credentials.path]).whileRunning { server in
            let c = try server.client()
            let host = try await Self.serviceTo(c, "guarded", port: target.port)
            let services = try await c.listServices(ListServicesRequest()).items ?? []
            let service = try #require(services.first { $0.name == "guarded" })
            let arn = try #require(service.arn)
            let policy = #"{"Version":"2012-10-17","Statement":[{"Sid":"AllowAlice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/alice"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"},"#
                + #"{"Sid":"NoAdmin","Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"\#(arn)/admin/*"}]}"#
            _ = try await c.updateService(UpdateServiceRequest(serviceIdentifier: try #require(service.id), authType: .awsIam))
            _ = try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: arn, policy: policy))
            let port = try Self.dataPlanePort(server)

            func signed(_ path: String) throws -> String {
                let all = try BotocoreSigner.sign([BotocoreSigner.Request(
                    method: "GET", url: "http://\(host)\(path)", region: "us-east-1", accessKeyId: "AKIDALICE0000000", secretAccessKey: "alice-secret")])
                let headers = try #require(all.first)
                return headers.map { "\($0.name): \($0.value)\r\n" }.joined()
            }
            let allowed = try Self.get(port, host: host, path: "/orders", headers: try signed("/orders"))
            #expect(allowed.status == 200 && allowed.body == "hello /orders", "\(allowed.head)\n\(allowed.body)")
            #expect(target.requests.last?.header("x-amzn-lattice-identity") == "Principal=arn:aws:iam::111122223333:role/alice",
                    "the target learns who called")

            let admin = try Self.get(port, host: host, path: "/admin/users", headers: try signed("/admin/users"))
            #expect(admin.status == 403)
            #expect(admin.header("x-amzn-errortype") == "AccessDeniedException")
            let reason = try #require(admin.header("x-local-lattice-auth-reason"))
            #expect(reason.contains("explicit deny") && reason.contains("NoAdmin"), "\(reason)")

            let anonymous = try Self.get(port, host: host, path: "/orders")
            #expect(anonymous.status == 403)
            #expect(anonymous.header("x-local-lattice-auth-reason")?.contains("implicit deny") == true, "\(anonymous.head)")

            let tampered = try Self.get(port, host: host, path: "/orders/other", headers: try signed("/orders"))
            #expect(tampered.status == 403)
            #expect(tampered.header("x-local-lattice-auth-reason")?.contains("does not match") == true, "\(tampered.head)")
            #expect(server.stderr.contains("denied GET \(host)/admin/users"), "the log says it too")
            #expect(!server.stderr.contains("alice-secret"))
        }
    }

    /// An HTTPS listener over TLS with the local CA (--dataplane-ca-out), HTTP/2 by ALPN and
    /// HTTP/1.1, and HTTP/2 in the clear by prior knowledge, through curl.
    @Test func httpsWithTheLocalCAAndHttp2() async throws {
        let target = try LoopbackServer { request in .respond(status: 200, headers: [], body: Array("tls \(request.target)".utf8)) }
        defer { target.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ca = directory.appendingPathComponent("ca.pem").path
        let map = directory.appendingPathComponent("map.json").path
        try await LocalLatticeProcess(["--settle-seconds", "0", "--dataplane-ca-out", ca, "--dataplane-map", map]).whileRunning { server in
            let c = try server.client()
            let host = try await Self.serviceTo(c, "secure", port: target.port)
            let service = try #require((try await c.listServices(ListServicesRequest()).items ?? []).first { $0.name == "secure" })
            let group = try #require((try await c.listTargetGroups(ListTargetGroupsRequest()).items ?? []).first { $0.name == "secure-tg" }?.id)
            _ = try await c.createListener(CreateListenerRequest(serviceIdentifier: try #require(service.id), name: "https", protocol: .https, port: 443,
                                                                 defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: group)]))))
            let ports = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: map))) as? [String: Any])
            let (http, https) = (try #require(ports["httpPort"] as? Int), try #require(ports["httpsPort"] as? Int))

            func curl(_ arguments: [String]) throws -> String {
                let out = directory.appendingPathComponent("curl-\(UUID().uuidString)")
                let shell = try ProcessLaunch.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", #"curl -sS --max-time 20 -o /dev/null -w '%{http_version} %{http_code}' "$@" > "$0" 2>&1"#, out.path] + arguments)
                shell.waitUntilExit()
                return (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            }
            #expect(try curl(["--cacert", ca, "--http2", "--connect-to", "\(host):443:127.0.0.1:\(https)", "https://\(host)/a"]) == "2 200", "TLS with ALPN h2")
            #expect(try curl(["--cacert", ca, "--http1.1", "--connect-to", "\(host):443:127.0.0.1:\(https)", "https://\(host)/b"]) == "1.1 200")
            #expect(try curl(["--http2-prior-knowledge", "-H", "Host: \(host)", "http://127.0.0.1:\(http)/c"]) == "2 200", "h2c")
            let untrusted = try curl(["--connect-to", "\(host):443:127.0.0.1:\(https)", "https://\(host)/d"])
            #expect(!untrusted.hasSuffix(" 200"), "without the CA, curl refuses the certificate: \(untrusted)")
        }
    }

    /// Reads one answer's head (up to the blank line; bounded to 64 KiB) from a kept-alive connection.
    static func readHead(_ c: RawConnection) -> String {
        var out: [UInt8] = []
        var byte: UInt8 = 0
        while out.count < 65536 {
            let n = recv(c.fd, &byte, 1, 0)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            out.append(byte)
            if out.count >= 4, out.suffix(4) == [13, 10, 13, 10] { break }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
