import Foundation
import LatticeKit
import LatticeKitTesting
import SigV4
import Testing

/// The committed cassettes were recorded signing with `RecordingCredentials` (a secret key and
/// a session token with `/`, `+` and `=` in them). No file under Fixtures may hold any of
/// them, in any spelling, nor a signature.
@Suite struct CassetteSecretLeakTests {
    static func fixtureFiles(in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The recording credentials, and any the environment running this test holds.
    static var secrets: [String] {
        var forms = RecordingCredentials.leakForms
        for variable in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"] {
            if let value = ProcessInfo.processInfo.environment[variable], value.count >= Redaction.minimumSecretLength {
                forms += [value, PercentEncoding.encode(value)]
            }
        }
        return forms
    }

    @Test(arguments: ["source tree", "test bundle"])
    func noCommittedCassetteHoldsASecretOrASignature(_ location: String) throws {
        let directory = location == "source tree" ? CassetteTestSupport.sourceFixtures : try CassetteTestSupport.bundledFixtures()
        let files = try Self.fixtureFiles(in: directory)
        let cassettes = Set(files.filter { $0.pathExtension == "json" }.map { $0.deletingPathExtension().lastPathComponent })
        #expect(cassettes.isSuperset(of: CassetteFixtureTests.names), "the fixtures are missing: \(Set(CassetteFixtureTests.names).subtracting(cassettes).sorted())")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8).lowercased()
            for secret in Self.secrets {
                #expect(!text.contains(secret.lowercased()), "\(file.lastPathComponent) holds a recording secret (\(secret.prefix(6))…)")
            }
            #expect(!text.contains("signature="), "\(file.lastPathComponent) holds a signature")
            #expect(!text.contains("credential="), "\(file.lastPathComponent) holds a credential scope")
        }
    }

    @Test func everyRecordedRequestWasSignedWithASessionTokenAndRedacted() throws {
        let directory = try CassetteTestSupport.bundledFixtures()
        for name in CassetteFixtureTests.names {
            let cassette = try Cassette.load(from: directory.appendingPathComponent(name + ".json"))
            #expect(!cassette.interactions.isEmpty)
            for interaction in cassette.interactions {
                for header in ["authorization", "x-amz-security-token", "x-amz-date"] {
                    #expect(interaction.request.headers[header] == Redaction.placeholder, "\(name) #\(interaction.sequence): \(header)")
                }
            }
        }
    }
}
