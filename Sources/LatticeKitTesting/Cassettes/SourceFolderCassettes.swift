import Foundation
public import LatticeKit

extension Cassette {
    /// A cassette kept in your source tree, beside the test that uses it, so that a recording
    /// survives the next build (a resource bundle is a copy inside `.build`, rebuilt from the
    /// sources; a cassette recorded into it is lost).
    ///
    /// The cassette is `<folder of the calling file>/<folder>/<name>.json`:
    /// - record (`LATTICE_CASSETTE_MODE=record`) writes it there, creating the folder;
    /// - replay reads it from there, or, when the sources are not at hand (a test bundle run
    ///   elsewhere), from `bundle`'s resource `<folder>/<name>.json` if you pass a bundle that
    ///   copies the folder (`resources: [.copy("Cassettes")]`).
    ///
    /// ```swift
    /// let cassette = try Cassette.transport(named: "seed-topology")   // Tests/MyTests/Cassettes/seed-topology.json
    /// let client = try LatticeClient(
    ///     LatticeConfiguration(region: "us-east-1", credentials: cassette.isReplaying ? Cassette.replayCredentials : nil),
    ///     transport: cassette)
    /// // ... the test's calls ...
    /// try cassette.finish()
    /// ```
    ///
    /// - Parameters:
    ///   - name: the cassette's file name without `.json`, such as `seed-topology`.
    ///   - folder: the folder beside the calling file, relative, without `..` (`Cassettes`).
    ///   - bundle: where replay looks when the source folder has no such cassette.
    ///   - mode: record, replay, or `LATTICE_CASSETTE_MODE` (the default).
    ///   - live: the transport to record through; a `CurlTransport` from the environment when nil.
    ///   - redaction: what to redact besides the credentials in the environment.
    ///   - strict: replay demands the recorded order.
    ///   - recordedBy: a note kept in the cassette (what it was recorded against).
    ///   - environment: the variables the mode and the redaction read.
    ///   - filePath: the calling file; leave the default.
    public static func transport(
        named name: String,
        folder: String = "Cassettes",
        bundle: Bundle? = nil,
        mode: Mode = .fromEnvironment,
        live: (any Transport)? = nil,
        redaction: Redaction = Redaction(),
        strict: Bool = true,
        recordedBy: String? = nil,
        environment: [String: String] = RuntimeEnvironment.processEnvironment(),
        filePath: String = #filePath
    ) throws(CassetteError) -> CassetteTransport {
        let parts = folder.split(separator: "/", omittingEmptySubsequences: true)
        guard !folder.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw CassetteError(.invalidConfiguration, "\"\(folder)\" is not a cassette folder: give a folder relative to the test file, without \"..\", such as \"Cassettes\".")
        }
        let sourceFolder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(folder, isDirectory: true)
        var directory = sourceFolder
        if try mode.resolved(variables: environment) == .replay,
           !FileManager.default.fileExists(atPath: sourceFolder.appendingPathComponent(name + ".json").path),
           let bundle, let resources = bundle.resourceURL {
            let bundled = resources.appendingPathComponent(folder, isDirectory: true)
            if FileManager.default.fileExists(atPath: bundled.appendingPathComponent(name + ".json").path) { directory = bundled }
        }
        return try transport(named: name, directory: directory, mode: mode, live: live, redaction: redaction,
                             strict: strict, recordedBy: recordedBy, environment: environment)
    }
}
