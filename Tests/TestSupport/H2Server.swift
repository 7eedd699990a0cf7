import Foundation

/// An HTTP/2-over-TLS echo server on 127.0.0.1 with a throwaway self-signed certificate, for
/// the length of one test (Tests/Support/h2_server.py says what each path answers).
public final class H2Server: StoppableServer {
    /// https://127.0.0.1:PORT
    public let url: String
    /// The PEM certificate to trust (as `caBundlePath` or `AWS_CA_BUNDLE`) to reach `url`.
    public let caFile: String
    private let server: BackgroundServer
    static let script = BackgroundServer.repoRoot.appendingPathComponent("Tests/Support/h2_server.py").path

    /// `alpn`: the protocols the server offers, in its order of preference; by default h2 and
    /// http/1.1. ["http/1.1"] makes a TLS server that declines HTTP/2.
    public init(alpn: [String] = ["h2", "http/1.1"]) async throws {
        let started = try await BackgroundServer(
            "python3 '\(Self.script)'", arguments: alpn.map { "'\($0)'" }.joined(separator: " "),
            name: "h2", hint: "make test installs the pinned h2")
        let words = started.output.split(separator: " ")
        guard words.count == 2 else {
            await started.stop()
            throw BackgroundServerError(description: "h2_server.py printed '\(started.output)', not 'URL CAFILE'")
        }
        server = started
        url = String(words[0])
        caFile = String(words[1])
    }

    public func stop() async {
        await server.stop()
    }
}
