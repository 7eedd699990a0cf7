#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import SigV4

extension Cassette {
    /// Whether a cassette is recorded or replayed.
    public enum Mode: String, Sendable, Hashable {
        /// Send through a real transport and write the cassette on `finish()`.
        case record
        /// Answer from the cassette; no network.
        case replay
        /// `LATTICE_CASSETTE_MODE` (`record` or `replay`); replay when it is unset or empty.
        case fromEnvironment

        /// The environment variable `fromEnvironment` reads.
        public static let environmentVariable = "LATTICE_CASSETTE_MODE"

        /// `record` or `replay`; `fromEnvironment` resolved from `variables`.
        public func resolved(variables: [String: String]) throws(CassetteError) -> Mode {
            guard self == .fromEnvironment else { return self }
            let value = String((variables[Self.environmentVariable] ?? "").filter { !$0.isWhitespace }).lowercased()
            switch value {
            case "", "replay": return .replay
            case "record": return .record
            default:
                throw CassetteError(.invalidConfiguration, "\(Self.environmentVariable)=\(value) is not a cassette mode; use record (send to the real endpoint and write the cassette) or replay (the default: answer from the cassette).")
            }
        }
    }

    /// Static credentials for replay: nothing checks a replayed signature, so a client that
    /// replays needs no real credentials. Pass them in the configuration when `isReplaying`.
    public static let replayCredentials = AWSCredentials(accessKeyId: "AKIDCASSETTEREPLAY", secretAccessKey: "cassette-replay-has-no-secret")

    /// The one-line switch between live and recorded: a transport for
    /// `LatticeClient(configuration, transport:)` that records to or replays
    /// `<directory>/<name>.json`. Call `finish()` on it at the end of the test.
    ///
    /// - Record wraps `live`, or a `CurlTransport` configured from the environment (proxies, CA
    ///   bundle) when `live` is nil; the client's endpoint decides where requests go. Secrets
    ///   are redacted as `redaction` says, plus the values of `AWS_SECRET_ACCESS_KEY`,
    ///   `AWS_SESSION_TOKEN` and `AWS_SECURITY_TOKEN` in `environment`.
    /// - Replay reads the cassette now (a missing file throws, saying how to record it).
    public static func transport(
        named name: String,
        directory: URL,
        mode: Mode = .fromEnvironment,
        live: (any Transport)? = nil,
        redaction: Redaction = Redaction(),
        strict: Bool = true,
        recordedBy: String? = nil,
        environment: [String: String] = RuntimeEnvironment.processEnvironment()
    ) throws(CassetteError) -> CassetteTransport {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw CassetteError(.invalidConfiguration, "\"\(name)\" is not a cassette name; use a plain file name without a slash, such as \"seed-topology\".")
        }
        let file = directory.appendingPathComponent(name + ".json")
        switch try mode.resolved(variables: environment) {
        case .record:
            var redaction = redaction
            for variable in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"] {
                if let value = environment[variable] { redaction.addSecret(value) }
            }
            let transport: any Transport
            if let live {
                transport = live
            } else {
                do {
                    transport = try CurlTransport(configuration: .fromEnvironment(environment))
                } catch {
                    throw CassetteError(.invalidConfiguration, "recording cassette \(name) needs a transport, and CurlTransport could not start: \(error). Pass one as live:.")
                }
            }
            return CassetteTransport(recording: RecordingTransport(wrapping: transport, file: file, name: name, recordedBy: recordedBy, redaction: redaction))
        case .replay, .fromEnvironment:
            return CassetteTransport(replaying: try ReplayTransport(file: file, strict: strict))
        }
    }
}

/// What `Cassette.transport(named:directory:mode:)` returns: a recording or a replaying
/// transport, and `finish()` for the end of the test (record: write the cassette; replay:
/// fail on unused interactions or unanswered requests).
public final class CassetteTransport: Transport {
    /// `record` or `replay`.
    public let mode: Cassette.Mode
    /// The recording transport, in record mode.
    public let recording: RecordingTransport?
    /// The replaying transport, in replay mode.
    public let replaying: ReplayTransport?

    /// A transport that records through `recording`.
    ///
    /// - Parameter recording: The recording transport.
    public init(recording: RecordingTransport) {
        mode = .record
        self.recording = recording
        replaying = nil
    }

    /// A transport that replays through `replaying`.
    ///
    /// - Parameter replaying: The replaying transport.
    public init(replaying: ReplayTransport) {
        mode = .replay
        recording = nil
        self.replaying = replaying
    }

    /// True in replay mode: the client needs no real credentials (`Cassette.replayCredentials`).
    public var isReplaying: Bool { mode == .replay }

    /// Records or replays the request, as the mode says.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The response, sent or recorded.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let recording { return try await recording.send(request) }
        if let replaying { return try await replaying.send(request) }
        throw CassetteError(.invalidConfiguration, "this CassetteTransport has neither a recording nor a replaying transport")
    }

    /// Record: writes the cassette. Replay: throws when an interaction was left unused or a
    /// request found no answer.
    public func finish() throws(CassetteError) {
        if let recording { try recording.finish() }
        if let replaying { try replaying.finish() }
    }
}
