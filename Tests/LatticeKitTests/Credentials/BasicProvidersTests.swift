import Foundation
import SigV4
import Testing
@testable import LatticeKit

let secretMarker = "SECRETzzTOPsecret42"
let tokenMarker = "TOKENzzSESSIONtoken42"

@Suite("Credentials values and simple providers")
struct BasicProvidersTests {
    @Test("secrets never appear in description, String(reflecting:), interpolation or dump")
    func redaction() {
        let creds = AWSCredentials(accessKeyId: "AKIDVISIBLE", secretAccessKey: secretMarker, sessionToken: tokenMarker, expiration: testStart)
        let provider = StaticCredentialsProvider(creds)
        for text in [creds.description, String(reflecting: creds), "\(creds)", dumped(creds), dumped(provider), String(describing: provider), String(reflecting: provider), dumped([creds])] {
            #expect(!text.contains(secretMarker), "leaked the secret: \(text)")
            #expect(!text.contains(tokenMarker), "leaked the token: \(text)")
        }
        #expect(creds.description.contains("AKIDVISIBLE"))
        #expect(creds.description.contains("2024-05-01T12:00:00Z"))
    }

    @Test("environment: keys and session token")
    func environment() async throws {
        let env = testEnvironment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": secretMarker, "AWS_SESSION_TOKEN": tokenMarker])
        let creds = try await EnvironmentCredentialsProvider(environment: env).credentials()
        #expect(creds == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: secretMarker, sessionToken: tokenMarker))
        let noToken = try await EnvironmentCredentialsProvider(environment: testEnvironment(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"])).credentials()
        #expect(noToken.sessionToken == nil)
        #expect(noToken.expiration == nil)
    }

    @Test("environment: nothing set is noCredentials; half a pair is an error that leaks nothing")
    func environmentMissing() async {
        let none = await configurationError { _ = try await EnvironmentCredentialsProvider(environment: testEnvironment([:])).credentials() }
        #expect(none?.kind == .noCredentials)
        let half = await configurationError {
            _ = try await EnvironmentCredentialsProvider(environment: testEnvironment(["AWS_SECRET_ACCESS_KEY": secretMarker])).credentials()
        }
        #expect(half?.kind == .invalidConfiguration)
        #expect(half?.message.contains("AWS_ACCESS_KEY_ID") == true)
        #expect(half?.message.contains(secretMarker) == false)
    }

    @Test("RFC 3339 timestamps with fractions and offsets")
    func timestamps() {
        #expect(RFC3339.parse("2024-05-01T12:00:00Z") == testStart)
        #expect(RFC3339.parse("2024-05-01T12:00:00.500Z") == testStart.addingTimeInterval(0.5))
        #expect(RFC3339.parse("2024-05-01T14:00:00+02:00") == testStart)
        #expect(RFC3339.parse("2024-05-01T11:30:00-0030") == testStart)
        #expect(RFC3339.parse("2024-05-01 12:00:00") == nil)
        #expect(RFC3339.parse("tomorrow") == nil)
        #expect(RFC3339.format(testStart) == "2024-05-01T12:00:00Z")
    }
}

@Suite("credential_process")
struct ProcessCredentialsTests {
    func provider(_ script: String, in dir: TempDirectory, profile: String = "proc") throws -> ProcessCredentialsProvider {
        // Run through sh rather than exec'ing the file: another test thread spawning a
        // process while this file is being written would make exec fail with ETXTBSY.
        let path = try dir.write("creds.sh", script)
        return ProcessCredentialsProvider(command: "/bin/sh '\(path)' --flag", profileName: profile, environment: testEnvironment(["GREETING": "hi"]))
    }

    @Test("runs the command through /bin/sh and parses Version 1 JSON with an expiration")
    func success() async throws {
        let dir = try TempDirectory()
        let p = try provider("""
            #!/bin/sh
            [ "$1" = "--flag" ] || exit 9
            [ "$GREETING" = "hi" ] || exit 8
            echo '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "\(secretMarker)", "SessionToken": "\(tokenMarker)", "Expiration": "2024-05-01T13:00:00Z"}'
            """, in: dir)
        let creds = try await p.credentials()
        #expect(creds == AWSCredentials(accessKeyId: "AKIDPROC", secretAccessKey: secretMarker, sessionToken: tokenMarker, expiration: testStart.addingTimeInterval(3600)))
    }

    @Test("a non-zero exit is an error naming the profile with stderr trimmed, never stdout's secret")
    func failure() async throws {
        let dir = try TempDirectory()
        let p = try provider("""
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "\(secretMarker)"}'
            echo "   token expired, run login   " >&2
            exit 3
            """, in: dir)
        let error = await configurationError { _ = try await p.credentials() }
        #expect(error?.kind == .credentialsFailed)
        #expect(error?.message.contains("'proc'") == true)
        #expect(error?.message.contains("status 3: token expired, run login.") == true)
        #expect(error?.message.contains(secretMarker) == false)
    }

    @Test("bad JSON, missing fields and another Version are errors that never quote the output")
    func badOutput() async throws {
        let cases = [
            ("echo 'SecretAccessKey \(secretMarker) not json'", "valid JSON"),
            ("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "SecretAccessKey"),
            ("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"\(secretMarker)\"}'", "Version 2"),
            ("echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"\(secretMarker)\", \"Expiration\": \"soon\"}'", "Expiration"),
        ]
        for (body, expected) in cases {
            let dir = try TempDirectory()
            let p = try provider("#!/bin/sh\n\(body)\n", in: dir)
            let error = await configurationError { _ = try await p.credentials() }
            #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
            #expect(error?.message.contains("'proc'") == true)
            #expect(error?.message.contains(secretMarker) == false)
        }
    }

    @Test("large output on both streams does not deadlock, and several commands run at once")
    func largeOutputAndConcurrency() async throws {
        let dir = try TempDirectory()
        let p = try provider("""
            #!/bin/sh
            i=0
            while [ $i -lt 3000 ]; do echo "noise line $i .........................................." >&2; i=$((i+1)); done
            echo '{"Version": 1, "AccessKeyId": "AKIDBIG", "SecretAccessKey": "s"}'
            """, in: dir)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 { group.addTask { try await p.credentials().accessKeyId } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ids == Array(repeating: "AKIDBIG", count: 6))
    }
}
