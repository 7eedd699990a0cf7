#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import Synchronization

/// A `Transport` that sends through a real one and records every interaction: request and
/// response, or the `TransportError` that came instead. Everything is redacted
/// (`Redaction`) as it is captured, so no secret is ever held or written. `finish()` writes
/// the cassette.
///
/// Safe with concurrent requests: interactions are kept in the order their responses arrive,
/// numbered by `sequence`. A cassette recorded from concurrent calls replays in strict order
/// only if the calls complete in the same order again; replay such flows with `strict: false`.
public final class RecordingTransport: Transport {
    /// The transport that does the real work.
    public let live: any Transport
    /// Where `finish()` writes the cassette.
    public let file: URL
    /// What is hidden before the cassette is written.
    public let redaction: Redaction
    private let state: Mutex<Cassette>

    /// Records what goes through `live` into `file`. `name` defaults to the file's name
    /// without `.json`; `recordedBy` is kept in the file to tell whoever re-records it how.
    public init(wrapping live: any Transport, file: URL, name: String? = nil, recordedBy: String? = nil, redaction: Redaction = Redaction()) {
        self.live = live
        self.file = file
        self.redaction = redaction
        let fileName = file.lastPathComponent
        let defaultName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        state = Mutex(Cassette(name: name ?? defaultName, recordedBy: recordedBy))
    }

    /// Sends the request through the real transport and records the exchange.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The response.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let recorded = redaction.redact(Cassette.Request(request))
        do {
            let response = try await live.send(request)
            append(recorded, response: redaction.redact(Cassette.Response(response)), error: nil)
            return response
        } catch let error as TransportError {
            append(recorded, response: nil, error: redaction.redact(Cassette.RecordedTransportError(error)))
            throw error
        }
    }

    /// What has been recorded so far (already redacted).
    public var cassette: Cassette { state.withLock { $0 } }

    /// Writes the cassette (pretty JSON, sorted keys). Call it once the flow is done; calling it
    /// again writes what has been recorded since as well.
    public func finish() throws(CassetteError) {
        try cassette.write(to: file)
    }

    private func append(_ request: Cassette.Request, response: Cassette.Response?, error: Cassette.RecordedTransportError?) {
        state.withLock { cassette in
            cassette.interactions.append(Cassette.Interaction(sequence: cassette.interactions.count + 1, request: request, response: response, transportError: error))
        }
    }
}
