import Foundation

/// A moto_server on 127.0.0.1 for the length of one test (Tests/Support/moto.sh).
public final class MotoServer: StoppableServer {
    public let url: String
    private let server: BackgroundServer
    public static let repoRoot = BackgroundServer.repoRoot
    static let script = repoRoot.appendingPathComponent("Tests/Support/moto.sh").path

    public init() async throws {
        server = try await BackgroundServer("bash '\(Self.script)'", name: "moto", hint: "make test installs the pinned moto")
        url = server.output
    }

    public func stop() async {
        await server.stop()
    }
}
