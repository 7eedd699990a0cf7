#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import Synchronization

/// A `Transport` that answers from a cassette and never touches the network.
///
/// A request matches a recorded one when the method, the path, the query (as a multiset, so
/// order does not matter) and the body (JSON compared by value) are equal. Headers are not
/// compared, so signatures, dates and session tokens never get in the way, and neither do
/// idempotency tokens: `clientToken` members are ignored at any depth.
///
/// Strict (the default): interactions are answered in the recorded order, and a request that
/// matches a later one is an `outOfOrder` error. Not strict: any unused matching interaction
/// answers, whatever the order. Either way each interaction answers once, a request with no
/// match throws `CassetteError.noMatch` naming the closest recorded request and what differs,
/// and `verify()` fails when interactions were left unused or a request went unanswered.
public final class ReplayTransport: Transport {
    /// The cassette answered from.
    public let cassette: Cassette
    /// Whether interactions must be used in the recorded order.
    public let strict: Bool
    /// Where the cassette came from, for messages.
    public let source: String
    private let keys: [RequestKey]
    private let state: Mutex<State>

    private struct State {
        var used: [Bool]
        var misses: [String] = []
    }

    /// Answers from `cassette`; `source` (a file path) appears in error messages.
    public init(cassette: Cassette, strict: Bool = true, source: String? = nil) {
        self.cassette = cassette
        self.strict = strict
        self.source = source ?? "cassette \"\(cassette.name)\""
        keys = cassette.interactions.map { RequestKey($0.request) }
        state = Mutex(State(used: Array(repeating: false, count: cassette.interactions.count)))
    }

    /// Answers from the cassette file at `file`.
    public convenience init(file: URL, strict: Bool = true) throws(CassetteError) {
        self.init(cassette: try Cassette.load(from: file), strict: strict, source: "cassette \(file.path)")
    }

    /// The recorded answer to the request, or a `CassetteError` naming the closest recorded request.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The recorded response.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        // Key-based redaction as in recording, so a body with a credential member still matches.
        let sent = RequestKey(Redaction().redact(Cassette.Request(request)))
        let found: Result<Int, CassetteError> = state.withLock { state in
            let result = find(sent, state.used)
            switch result {
            case .success(let index): state.used[index] = true
            case .failure(let error): state.misses.append(error.message)
            }
            return result
        }
        let interaction = cassette.interactions[try found.get()]
        if let response = interaction.response { return response.httpResponse() }
        if let error = interaction.transportError { throw error.transportError }
        throw CassetteError(.invalidCassette, "\(source): interaction #\(interaction.sequence) has neither a response nor a transportError; fix the file or re-record it (LATTICE_CASSETTE_MODE=record).")
    }

    /// The interactions no request has used yet.
    public var unusedInteractions: [Cassette.Interaction] {
        let used = state.withLock { $0.used }
        return cassette.interactions.indices.filter { !used[$0] }.map { cassette.interactions[$0] }
    }

    /// Throws when a request went unanswered (`noMatch`, even if the code under test caught
    /// the error) or a recorded interaction was never used (`unusedInteractions`).
    public func verify() throws(CassetteError) {
        let (used, misses) = state.withLock { ($0.used, $0.misses) }
        let unused = cassette.interactions.indices.filter { !used[$0] }
        var parts: [String] = []
        if !misses.isEmpty {
            parts.append("\(misses.count) request\(misses.count == 1 ? "" : "s") found no recorded answer; the first: \(misses[0])")
        }
        if !unused.isEmpty {
            let list = unused.prefix(10).map { "#\(cassette.interactions[$0].sequence) \(keys[$0].summary)" }.joined(separator: ", ")
            let more = unused.count > 10 ? ", and \(unused.count - 10) more" : ""
            parts.append("\(source): \(unused.count) of \(cassette.interactions.count) recorded interactions were never used: \(list)\(more). The code under test made fewer requests than when it was recorded: re-record the cassette (LATTICE_CASSETTE_MODE=record) or remove those interactions.")
        }
        guard !parts.isEmpty else { return }
        throw CassetteError(misses.isEmpty ? .unusedInteractions : .noMatch, parts.joined(separator: "\n"))
    }

    /// The same as `verify()`: call it at the end of a test.
    public func finish() throws(CassetteError) {
        try verify()
    }

    // MARK: Matching

    private func find(_ sent: RequestKey, _ used: [Bool]) -> Result<Int, CassetteError> {
        let unused = used.indices.filter { !used[$0] }
        if strict {
            if let next = unused.first, keys[next].matches(sent) { return .success(next) }
            if let later = unused.dropFirst().first(where: { keys[$0].matches(sent) }), let next = unused.first {
                let message = "\(source): \(sent.summary) matches recorded interaction #\(cassette.interactions[later].sequence), but strict replay expects #\(cassette.interactions[next].sequence) (\(keys[next].summary)) first: the requests came in a different order than recorded. Make them in the recorded order, re-record the cassette (LATTICE_CASSETTE_MODE=record), or replay with strict: false if the order does not matter."
                return .failure(CassetteError(.outOfOrder, message, closestSequence: cassette.interactions[later].sequence))
            }
        } else if let index = unused.first(where: { keys[$0].matches(sent) }) {
            return .success(index)
        }
        return .failure(miss(sent, used: used, unused: unused))
    }

    private func miss(_ sent: RequestKey, used: [Bool], unused: [Int]) -> CassetteError {
        var message = "\(source): no recorded interaction matches \(sent.summary)."
        if let again = used.indices.first(where: { used[$0] && keys[$0].matches(sent) }) {
            message += " It matches #\(cassette.interactions[again].sequence), which has already answered: the code made this request more often than when it was recorded. Re-record the cassette (LATTICE_CASSETTE_MODE=record)."
            return CassetteError(.noMatch, message, closestSequence: cassette.interactions[again].sequence)
        }
        let candidates = unused.isEmpty ? Array(keys.indices) : unused
        guard let closest = candidates.min(by: { keys[$0].distance(to: sent) < keys[$1].distance(to: sent) }) else {
            message += " The cassette has no interactions. Record it (LATTICE_CASSETTE_MODE=record) with the code under test."
            return CassetteError(.noMatch, message)
        }
        let differences = keys[closest].differences(from: sent)
        let sequence = cassette.interactions[closest].sequence
        var note = ""
        if unused.isEmpty {
            note = " (all \(keys.count) recorded interactions have already answered)"
        } else if strict, closest == unused.first {
            note = " (the next expected)"
        }
        message += "\nThe closest recorded request is #\(sequence) \(keys[closest].summary)\(note); it differs in:"
        for difference in differences { message += "\n  - \(difference)" }
        message += "\nChange the request to match, or re-record the cassette (LATTICE_CASSETTE_MODE=record) if the change is intended."
        return CassetteError(.noMatch, message, closestSequence: sequence, differences: differences)
    }
}

/// The parts of a request that matching compares.
struct RequestKey: Sendable {
    /// JSON members ignored at any depth: idempotency tokens, fresh on every call.
    static let ignoredMembers = ["clientToken"]

    var method: String
    var path: String
    /// Sorted, without presigning parameters.
    var query: [Cassette.QueryItem]
    var body: Cassette.Body

    init(_ request: Cassette.Request) {
        method = request.method.uppercased()
        path = request.path
        query = request.query.filter { !Redaction.defaultQueryNames.contains($0.name.lowercased()) }.sorted()
        var body = request.body
        if case .json(var value) = body {
            for name in Self.ignoredMembers { value = value.removingMembers(named: name) }
            body = .json(value)
        }
        self.body = body
    }

    func matches(_ other: RequestKey) -> Bool {
        method == other.method && path == other.path && query == other.query && body == other.body
    }

    /// `GET /path?a=1`, for messages.
    var summary: String {
        query.isEmpty ? "\(method) \(path)" : "\(method) \(path)?" + query.map(\.description).joined(separator: "&")
    }

    /// How far `sent` is from this recorded request: another method counts most, then each
    /// differing path segment, then each query or body difference.
    func distance(to sent: RequestKey) -> Int {
        var score = method == sent.method ? 0 : 1000
        let a = path.split(separator: "/", omittingEmptySubsequences: false)
        let b = sent.path.split(separator: "/", omittingEmptySubsequences: false)
        score += 10 * (zip(a, b).filter { $0 != $1 }.count + abs(a.count - b.count))
        score += differences(from: sent).filter { $0.location != "method" && $0.location != "path" }.count
        return score
    }

    /// Every difference, recorded (self) against sent.
    func differences(from sent: RequestKey) -> [RequestDifference] {
        var out: [RequestDifference] = []
        if method != sent.method { out.append(RequestDifference(location: "method", recorded: method, sent: sent.method)) }
        if path != sent.path { out.append(RequestDifference(location: "path", recorded: Self.quote(path), sent: Self.quote(sent.path))) }
        let names = Set(query.map(\.name)).union(sent.query.map(\.name)).sorted()
        for name in names {
            let recorded = query.filter { $0.name == name }.map(\.value)
            let given = sent.query.filter { $0.name == name }.map(\.value)
            if recorded != given {
                out.append(RequestDifference(location: "query.\(name)", recorded: Self.render(values: recorded), sent: Self.render(values: given)))
            }
        }
        switch (body, sent.body) {
        case let (.json(a), .json(b)):
            Self.diff(a, b, at: "body", into: &out)
        default:
            if body != sent.body {
                out.append(Self.textDifference(body, sent.body))
            }
        }
        return out
    }

    private static func diff(_ a: Cassette.JSONValue, _ b: Cassette.JSONValue, at location: String, into out: inout [RequestDifference]) {
        switch (a, b) {
        case let (.object(x), .object(y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let child = location + "." + key
                switch (x[key], y[key]) {
                case let (p?, q?): diff(p, q, at: child, into: &out)
                case let (p?, nil): out.append(RequestDifference(location: child, recorded: render(p), sent: "(absent)"))
                case let (nil, q?): out.append(RequestDifference(location: child, recorded: "(absent)", sent: render(q)))
                case (nil, nil): break
                }
            }
        case let (.array(x), .array(y)):
            for i in 0..<max(x.count, y.count) {
                let child = "\(location)[\(i)]"
                if i < x.count, i < y.count {
                    diff(x[i], y[i], at: child, into: &out)
                } else if i < x.count {
                    out.append(RequestDifference(location: child, recorded: render(x[i]), sent: "(absent)"))
                } else {
                    out.append(RequestDifference(location: child, recorded: "(absent)", sent: render(y[i])))
                }
            }
        default:
            if a != b { out.append(RequestDifference(location: location, recorded: render(a), sent: render(b))) }
        }
    }

    private static func textDifference(_ a: Cassette.Body, _ b: Cassette.Body) -> RequestDifference {
        if case let .text(x) = a, case let .text(y) = b {
            // Show both from a little before the first differing character.
            let common = zip(x, y).prefix { $0 == $1 }.count
            let start = max(0, common - 20)
            let location = start == 0 ? "body" : "body (text from character \(start))"
            return RequestDifference(location: location, recorded: quote(String(x.dropFirst(start))), sent: quote(String(y.dropFirst(start))))
        }
        return RequestDifference(location: "body", recorded: render(a), sent: render(b))
    }

    static let limit = 160

    static func quote(_ s: String) -> String {
        let clipped = s.count > limit ? String(s.prefix(limit)) + "…" : s
        return "\"" + clipped + "\""
    }

    static func render(_ value: Cassette.JSONValue) -> String {
        let text = value.description
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    static func render(_ body: Cassette.Body) -> String {
        switch body {
        case .empty: return "(empty)"
        case .json(let value): return "JSON " + render(value)
        case .text(let text): return "text " + quote(text)
        case .binary(let bytes): return "\(bytes.count) bytes of binary"
        }
    }

    static func render(values: [String]) -> String {
        switch values.count {
        case 0: return "(absent)"
        case 1: return quote(values[0])
        default: return "[" + values.map(quote).joined(separator: ", ") + "]"
        }
    }
}
