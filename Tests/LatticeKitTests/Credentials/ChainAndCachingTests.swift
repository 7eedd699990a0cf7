import Foundation
import SigV4
import Synchronization
import Testing
@testable import LatticeKit

@Suite("Default credentials chain")
struct DefaultChainTests {
    /// Every source configured; a test removes the ones before the one it checks.
    func variables(_ dir: TempDirectory) throws -> [String: String] {
        try dir.write("config", "[default]\nregion = us-west-2\n[profile keys]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n")
        let token = try dir.write("token", "jwt")
        return [
            "AWS_CONFIG_FILE": dir.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials",
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e",
            "AWS_PROFILE": "keys",
            "AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::1:role/Web",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds",
        ]
    }

    let transport = FakeTransport { request in
        switch request.url {
        case "https://sts.us-west-2.amazonaws.com/":
            return stsSuccess("AssumeRoleWithWebIdentity", keyId: "ASIAWEB", secret: "w", token: "t", expiration: "2024-05-01T13:00:00Z")
        case "http://169.254.170.2/creds":
            return containerDocument
        default:
            if let response = InstanceMetadataTests.routes("http://169.254.169.254")["\(request.method) \(request.url)"] { return response }
            throw TransportError(.connectTimeout, "timed out")
        }
    }

    func firstKey(_ vars: [String: String]) async throws -> String {
        try await DefaultCredentialsChain(transport: transport, environment: testEnvironment(vars)).credentials().accessKeyId
    }

    @Test("order: environment, profile, web identity, container, instance metadata")
    func order() async throws {
        let dir = try TempDirectory()
        var vars = try variables(dir)
        #expect(try await firstKey(vars) == "AKIDENV")
        vars["AWS_ACCESS_KEY_ID"] = nil
        vars["AWS_SECRET_ACCESS_KEY"] = nil
        #expect(try await firstKey(vars) == "AKIDPROFILE")
        vars["AWS_PROFILE"] = nil
        #expect(try await firstKey(vars) == "ASIAWEB")  // the default profile has no keys; region us-west-2 from it
        vars["AWS_ROLE_ARN"] = nil
        #expect(try await firstKey(vars) == "ASIATASK")
        vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = nil
        #expect(try await firstKey(vars) == "ASIAEC2")
    }

    @Test("nothing anywhere: one error listing every source and file, and how to fix it")
    func nothing() async throws {
        let dir = try TempDirectory()
        let env = testEnvironment(["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true"])
        let error = await configurationError { _ = try await DefaultCredentialsChain(transport: FakeTransport(routes: [:]), environment: env).credentials() }
        #expect(error?.kind == .noCredentials)
        let message = error?.message ?? ""
        for needle in [
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            "\(dir.path)/.aws/config (not found)", "\(dir.path)/.aws/credentials (not found)",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED",
            "aws configure", "--profile", "AWS_PROFILE",
        ] {
            #expect(message.contains(needle), "missing \(needle) in: \(message)")
        }
    }

    @Test("a configured source that fails stops the chain; a missing AWS_PROFILE is an error")
    func failuresStop() async throws {
        let dir = try TempDirectory()
        try dir.write("config", "[profile role]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n")
        let denied = FakeTransport { _ in stsError(code: "AccessDenied", message: "no") }
        let base = ["AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"]
        let error = await configurationError {
            _ = try await DefaultCredentialsChain(profile: "role", transport: denied, environment: testEnvironment(base)).credentials()
        }
        #expect(error?.kind == .credentialsFailed)
        let missing = await configurationError {
            _ = try await DefaultCredentialsChain(transport: denied, environment: testEnvironment(base.merging(["AWS_PROFILE": "nope"]) { $1 })).credentials()
        }
        #expect(missing?.kind == .profileNotFound)
        #expect(denied.requests.allSatisfy { !$0.url.contains("169.254") })
    }

    @Test("LatticeConfiguration picks static credentials, then a given provider, then the cached chain")
    func configurationProvider() async throws {
        let t = FakeTransport(routes: [:])
        let env = testEnvironment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e"])
        let fixed = LatticeConfiguration(credentials: AWSCredentials(accessKeyId: "AKIDSTATIC", secretAccessKey: "s"))
        #expect(try await fixed.makeCredentialsProvider(transport: t, environment: env).credentials().accessKeyId == "AKIDSTATIC")
        let custom = LatticeConfiguration(credentialsProvider: StaticCredentialsProvider(AWSCredentials(accessKeyId: "AKIDCUSTOM", secretAccessKey: "s")))
        #expect(try await custom.makeCredentialsProvider(transport: t, environment: env).credentials().accessKeyId == "AKIDCUSTOM")
        let chain = LatticeConfiguration().makeCredentialsProvider(transport: t, environment: env)
        #expect(chain is CachingCredentialsProvider)
        #expect(try await chain.credentials().accessKeyId == "AKIDENV")
    }
}

/// Answers from a script of results, counting calls; optionally held until a gate opens.
final class ScriptedProvider: CredentialsProvider {
    private let script: Mutex<[Result<AWSCredentials, ConfigurationError>]>
    private let count = Mutex(0)
    let gate: Gate?

    init(_ script: [Result<AWSCredentials, ConfigurationError>], gate: Gate? = nil) {
        self.script = Mutex(script)
        self.gate = gate
    }

    var calls: Int { count.withLock { $0 } }

    func credentials() async throws -> AWSCredentials {
        count.withLock { $0 += 1 }
        if let gate { await gate.wait() }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let next else { throw ConfigurationError(.credentialsFailed, "script exhausted") }
        return try next.get()
    }
}

actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters.removeAll()
    }
}

@Suite("Caching and refresh")
struct CachingTests {
    func creds(_ id: String, expiresIn seconds: Double?) -> AWSCredentials {
        AWSCredentials(accessKeyId: id, secretAccessKey: secretMarker, sessionToken: "t", expiration: seconds.map { testStart.addingTimeInterval($0) })
    }

    @Test("cached until 5 minutes before expiration, then refreshed")
    func refreshWindow() async throws {
        let clock = TestClock(testStart)
        let base = ScriptedProvider([.success(creds("FIRST", expiresIn: 3600)), .success(creds("SECOND", expiresIn: 7200))])
        let cache = CachingCredentialsProvider(base, environment: testEnvironment([:], clock: clock))
        #expect(try await cache.credentials().accessKeyId == "FIRST")
        clock.advance(3600 - 301)
        #expect(try await cache.credentials().accessKeyId == "FIRST")
        #expect(base.calls == 1)
        clock.advance(2)
        #expect(try await cache.credentials().accessKeyId == "SECOND")
        #expect(try await cache.credentials().accessKeyId == "SECOND")
        #expect(base.calls == 2)
    }

    @Test("credentials without an expiration are never refreshed")
    func staticNeverRefreshes() async throws {
        let clock = TestClock(testStart)
        let base = ScriptedProvider([.success(creds("STATIC", expiresIn: nil))])
        let cache = CachingCredentialsProvider(base, environment: testEnvironment([:], clock: clock))
        for _ in 0..<3 {
            #expect(try await cache.credentials().accessKeyId == "STATIC")
            clock.advance(86_400 * 365)
        }
        #expect(base.calls == 1)
    }

    @Test("concurrent callers share one refresh")
    func oneRefreshAtATime() async throws {
        let gate = Gate()
        let base = ScriptedProvider([.success(creds("SHARED", expiresIn: 3600)), .success(creds("EXTRA", expiresIn: 3600))], gate: gate)
        let cache = CachingCredentialsProvider(base, environment: testEnvironment([:]))
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            // Let the callers pile up on the held fetch, then let it finish.
            for _ in 0..<50 { await Task.yield() }
            try await Task.sleep(nanoseconds: 20_000_000)
            await gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ids == Array(repeating: "SHARED", count: 20))
        #expect(base.calls == 1)
        #expect(await cache.fetchCount == 1)
    }

    @Test("a failed refresh throws to its caller and is tried again on the next call")
    func failureThenSuccess() async throws {
        let clock = TestClock(testStart)
        let base = ScriptedProvider([
            .success(creds("OLD", expiresIn: 600)),
            .failure(ConfigurationError(.credentialsFailed, "STS is down")),
            .success(creds("NEW", expiresIn: 3600)),
        ])
        let cache = CachingCredentialsProvider(base, environment: testEnvironment([:], clock: clock))
        #expect(try await cache.credentials().accessKeyId == "OLD")
        clock.advance(400)
        let error = await configurationError { _ = try await cache.credentials() }
        #expect(error?.message == "STS is down")
        #expect(try await cache.credentials().accessKeyId == "NEW")
        #expect(base.calls == 3)
    }

    @Test("invalidate forces the next call to fetch")
    func invalidate() async throws {
        let base = ScriptedProvider([.success(creds("A", expiresIn: nil)), .success(creds("B", expiresIn: nil))])
        let cache = CachingCredentialsProvider(base, environment: testEnvironment([:]))
        #expect(try await cache.credentials().accessKeyId == "A")
        await cache.invalidate()
        #expect(try await cache.credentials().accessKeyId == "B")
        #expect(!dumped(cache).contains(secretMarker))
    }
}
