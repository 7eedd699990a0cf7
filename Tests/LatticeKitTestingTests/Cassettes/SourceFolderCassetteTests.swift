import Foundation
import LatticeKit
import LatticeKitTesting
import Testing

/// Cassettes kept beside the test's source file: recorded there, still there after the build
/// folder is rebuilt, replayed from there, or from a bundle's copy when the sources are gone.
@Suite struct SourceFolderCassetteTests {
    typealias S = CassetteTestSupport

    /// A test file in a temporary source tree, and a simulated resource bundle in a build
    /// folder beside it.
    struct Tree {
        let root: URL
        var testFile: String { root.appendingPathComponent("Tests/MyTests/SeedTests.swift").path }
        var sourceCassette: URL { root.appendingPathComponent("Tests/MyTests/Cassettes/seed.json") }
        var build: URL { root.appendingPathComponent(".build/debug/MyPackage_MyTests.resources") }

        init() throws {
            root = try S.temporaryDirectory()
            try FileManager.default.createDirectory(at: root.appendingPathComponent("Tests/MyTests"), withIntermediateDirectories: true)
            try Data("// the test\n".utf8).write(to: URL(fileURLWithPath: testFile))
        }

        /// What `swift build` does to a resource bundle: delete it and copy the sources again.
        func rebuild() throws {
            try? FileManager.default.removeItem(at: build)
            try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
            let cassettes = sourceCassette.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: cassettes.path) {
                try FileManager.default.copyItem(at: cassettes, to: build.appendingPathComponent("Cassettes"))
            }
        }
    }

    /// The seed network and a listing, through whatever transport.
    static func flow(_ transport: CassetteTransport) async throws -> [String] {
        let client = try S.client(transport, credentials: Cassette.replayCredentials)
        let network = try await client.createServiceNetwork(CreateServiceNetworkRequest(clientToken: "fixed-token", name: "seed-network"))
        let names = try await client.listServiceNetworksItems().collect().compactMap(\.name)
        try transport.finish()
        return [try network.require(\.id)] + names
    }

    @Test func recordsIntoTheSourceFolderAndReplaysAfterARebuild() async throws {
        let tree = try Tree()
        let recorder = try Cassette.transport(named: "seed", mode: .record, live: LocalLattice(), filePath: tree.testFile)
        let recorded = try await Self.flow(recorder)
        #expect(FileManager.default.fileExists(atPath: tree.sourceCassette.path), "recorded beside the test, not in the build folder")

        try tree.rebuild()
        try tree.rebuild()   // the build folder's copy is replaced; the source stays
        let replayer = try Cassette.transport(named: "seed", mode: .replay, filePath: tree.testFile)
        #expect(replayer.isReplaying)
        #expect(try await Self.flow(replayer) == recorded)
    }

    @Test func replayFallsBackToTheBundleWhenTheSourcesAreGone() async throws {
        let tree = try Tree()
        _ = try await Self.flow(try Cassette.transport(named: "seed", mode: .record, live: LocalLattice(), filePath: tree.testFile))
        try tree.rebuild()
        try FileManager.default.removeItem(at: tree.sourceCassette.deletingLastPathComponent())
        let bundle = try #require(Bundle(path: tree.build.path))
        let replayer = try Cassette.transport(named: "seed", bundle: bundle, mode: .replay, filePath: tree.testFile)
        #expect(try await Self.flow(replayer).count == 2)
        // Without the bundle, the error says where it looked and how to record.
        #expect {
            _ = try Cassette.transport(named: "seed", mode: .replay, filePath: tree.testFile)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Tests/MyTests/Cassettes/seed.json") && text.contains("LATTICE_CASSETTE_MODE=record")
        }
    }

    @Test func aFolderThatLeavesTheTestsFolderIsRefused() throws {
        let tree = try Tree()
        for folder in ["../Elsewhere", "/tmp/x", "Cassettes/../../x", "", "."] {
            #expect(throws: CassetteError.self, "\(folder)") {
                _ = try Cassette.transport(named: "seed", folder: folder, mode: .replay, filePath: tree.testFile)
            }
        }
    }
}
