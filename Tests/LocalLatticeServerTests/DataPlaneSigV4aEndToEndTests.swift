import Foundation
import LatticeKit
import LatticeTestSupport
import Testing

/// The built local-lattice's data plane checking SigV4a (AWS4-ECDSA-P256-SHA256) signatures
/// that LatticeServiceClient and `lattice invoke --region-set` make, and accepting the
/// server's own credentials (its environment) besides the --auth-credentials file's.
@Suite struct DataPlaneSigV4aEndToEndTests {
    typealias E2E = DataPlaneEndToEndTests

    /// The test's environment without its AWS settings, with no shared files, plus `extra`:
    /// a local-lattice whose own credentials are only what `extra` gives it.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        variables["HOME"] = "/nonexistent-home"
        variables["AWS_CONFIG_FILE"] = "/nonexistent/config"
        variables["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
        return variables.merging(extra) { $1 }
    }

    /// A service of auth type AWS_IAM proxied to `port`, whose policy lets `principal` invoke
    /// it; its DNS name.
    static func guarded(_ server: LocalLatticeProcess, _ name: String, port: UInt16, principal: String) async throws -> String {
        let c = try server.client()
        let host = try await E2E.serviceTo(c, name, port: port)
        let service = try #require((try await c.listServices(ListServicesRequest()).items ?? []).first { $0.name == name })
        let arn = try #require(service.arn)
        _ = try await c.updateService(UpdateServiceRequest(serviceIdentifier: try #require(service.id), authType: .awsIam))
        let policy = #"{"Version":"2012-10-17","Statement":[{"Sid":"AllowTheCaller","Effect":"Allow","Principal":{"AWS":"\#(principal)"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#
        _ = try await c.putAuthPolicy(PutAuthPolicyRequest(resourceIdentifier: arn, policy: policy))
        return host
    }

    struct NoTransport: Transport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw TransportError(.connectFailed, "these requests go over a raw connection") }
    }

    /// `path` signed by LatticeServiceClient with SigV4a for `regionSet` at `date`, as header
    /// lines for a raw request (the Host line is the caller's).
    static func signed(_ host: String, _ path: String, regionSet: [String], key: String, secret: String, date: Date = Date(),
                       dropping dropped: String? = nil) async throws -> String {
        let client = try LatticeServiceClient(
            LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(accessKeyId: key, secretAccessKey: secret)),
            signing: .sigV4a(regionSet: regionSet), transport: NoTransport(), environment: RuntimeEnvironment(
                now: { date }, sleep: { _ in }, random: { 0.5 },
                variables: ["HOME": "/nonexistent-home", "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]))
        let request = try await client.signed(HTTPRequest(method: "GET", url: "http://\(host)\(path)"), date: date)
        return request.headers.filter { !["host", dropped].contains($0.name.lowercased()) }.map { "\($0.name): \($0.value)\r\n" }.joined()
    }

    @Test func sigV4aSignaturesOfLatticeServiceClientAreCheckedByTheServer() async throws {
        let target = try LoopbackServer { request in .respond(status: 200, headers: [], body: Array("hello \(request.target)".utf8)) }
        defer { target.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dp-v4a-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("credentials.json")
        try Data(#"[{"accessKeyId":"AKIDALICE0000000","secretAccessKey":"alice-secret","accountId":"111122223333","principalArn":"arn:aws:iam::111122223333:role/alice"}]"#.utf8)
            .write(to: credentials)
        try await LocalLatticeProcess(["--settle-seconds", "0", "--auth-credentials", credentials.path], environment: Self.environment()).whileRunning { server in
            let host = try await Self.guarded(server, "v4a", port: target.port, principal: "arn:aws:iam::111122223333:role/alice")
            let port = try E2E.dataPlanePort(server)
            func call(_ path: String, signedPath: String? = nil, regionSet: [String] = ["*"], secret: String = "alice-secret", key: String = "AKIDALICE0000000",
                      date: Date = Date(), dropping: String? = nil) async throws -> E2E.Answer {
                let headers = try await Self.signed(host, signedPath ?? path, regionSet: regionSet, key: key, secret: secret, date: date, dropping: dropping)
                return try E2E.get(port, host: host, path: path, headers: headers)
            }
            for set in [["*"], ["us-east-1", "eu-west-1"], ["us-*"]] {
                let allowed = try await call("/orders?id=7", regionSet: set)
                #expect(allowed.status == 200 && allowed.body == "hello /orders?id=7", "\(set): \(allowed.head)")
            }
            #expect(target.requests.last?.header("x-amzn-lattice-identity") == "Principal=arn:aws:iam::111122223333:role/alice")

            func refused(_ answer: E2E.Answer, _ expected: String, _ what: String) {
                #expect(answer.status == 403 && answer.header("x-amzn-errortype") == "AccessDeniedException", "\(what): \(answer.head)")
                let reason = answer.header("x-local-lattice-auth-reason") ?? ""
                #expect(reason.hasPrefix("signature rejected") && reason.contains(expected), "\(what): \(reason)")
            }
            refused(try await call("/orders?id=8", signedPath: "/orders?id=7"), "does not match", "a changed query")
            refused(try await call("/admin", signedPath: "/orders"), "does not match", "a changed path")
            refused(try await call("/orders", regionSet: ["eu-*", "ap-*"]), "region set 'eu-*,ap-*'", "a region set without us-east-1")
            refused(try await call("/orders", date: Date() - 600), "5 minutes", "signed 10 minutes ago")
            refused(try await call("/orders", dropping: "x-amz-content-sha256"), "UNSIGNED-PAYLOAD", "no UNSIGNED-PAYLOAD header")
            refused(try await call("/orders", secret: "another-secret"), "does not match", "another secret")
            refused(try await call("/orders", key: "AKIDSTRANGER0000"), "not one local-lattice knows", "an unknown key")
            // A signed header changed on the way.
            let headers = try await Self.signed(host, "/orders", regionSet: ["*"], key: "AKIDALICE0000000", secret: "alice-secret")
            let moved = headers.replacingOccurrences(of: "x-amz-region-set: *", with: "x-amz-region-set: us-east-1")
            #expect(moved != headers)
            refused(try E2E.get(port, host: host, path: "/orders", headers: moved), "does not match", "a changed x-amz-region-set")
            #expect(!server.stderr.contains("alice-secret"))
            #expect(!server.stderr.contains("accepting signatures"), "the server's environment has no credentials of its own")
        }
    }

    /// `lattice invoke` (SigV4a with --region-set, and SigV4) with the credentials the server
    /// itself has in its environment: accepted as --auth-process-account's root; refused by a
    /// server without them, or told --no-auth-process-credentials.
    @Test func theServersOwnCredentialsAreAcceptedOnlyWhenItsEnvironmentCarriesThem() async throws {
        let lattice = try #require(TopologyOnServerTests.latticeBinary, "the lattice binary is not built: run `swift build --build-tests` before `swift test`")
        let target = try LoopbackServer { request in .respond(status: 200, headers: [], body: Array("hello \(request.target)".utf8)) }
        defer { target.stop() }
        // The keys TopologyOnServerTests.run gives the lattice CLI.
        let own = ["AWS_ACCESS_KEY_ID": "AKIDLOCALLATTICE", "AWS_SECRET_ACCESS_KEY": "local-lattice-test-secret"]
        func invoke(_ server: LocalLatticeProcess, _ name: String, _ signing: [String]) async throws -> (status: Int32, output: String) {
            let host = try await Self.guarded(server, name, port: target.port, principal: "111122223333")
            let port = try E2E.dataPlanePort(server)
            return try TopologyOnServerTests.run(lattice, ["invoke", "--url", "http://127.0.0.1:\(port)/orders", "--header", "Host: \(host)", "--region", "us-east-1"] + signing)
        }

        try await LocalLatticeProcess(["--settle-seconds", "0", "--auth-process-account", "111122223333"], environment: Self.environment(own)).whileRunning { server in
            let v4a = try await invoke(server, "own-v4a", ["--region-set", "*"])
            #expect(v4a.status == 0 && v4a.output.hasPrefix("hello /orders"), "\(v4a.output)")
            #expect(target.requests.last?.header("authorization")?.hasPrefix("AWS4-ECDSA-P256-SHA256 ") == true)
            #expect(target.requests.last?.header("x-amzn-lattice-identity") == "Principal=arn:aws:iam::111122223333:root")
            let v4 = try await invoke(server, "own-v4", [])
            #expect(v4.status == 0 && v4.output.hasPrefix("hello /orders"), "\(v4.output)")
            #expect(server.stderr.contains("accepting signatures of the access key AKIDLOCALLATTICE from the environment (AWS_ACCESS_KEY_ID) as arn:aws:iam::111122223333:root"),
                    "\(server.stderr)")
            #expect(!server.stderr.contains("local-lattice-test-secret"))
        }
        for (arguments, environment) in [([String](), Self.environment()), (["--no-auth-process-credentials"], Self.environment(own))] {
            try await LocalLatticeProcess(["--settle-seconds", "0"] + arguments, environment: environment).whileRunning { server in
                let refused = try await invoke(server, "not-own", ["--region-set", "*"])
                #expect(refused.status == 254, "\(arguments): \(refused.output)")
                #expect(refused.output.contains("AccessDeniedException") && refused.output.contains("AKIDLOCALLATTICE is not one local-lattice knows"), "\(arguments): \(refused.output)")
                #expect(!server.stderr.contains("accepting signatures"))
            }
        }
    }
}
