/// Why a cassette could not be read, written or replayed. The message says what went wrong
/// and what to do about it; for a request that found no recorded answer it names the closest
/// recorded request and every difference.
public struct CassetteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it is, for code that handles one kind.
    public enum Kind: String, Sendable, Hashable {
        /// No recorded interaction matches the request.
        case noMatch
        /// Strict replay: the request matches a recorded interaction, but not the next one.
        case outOfOrder
        /// Replay ended with recorded interactions never asked for (or with misses).
        case unusedInteractions
        /// The cassette file does not exist or cannot be read.
        case cassetteNotFound
        /// The cassette file is not a cassette this version reads.
        case invalidCassette
        /// The cassette could not be written.
        case writeFailed
        /// The cassette name, mode or environment is not usable.
        case invalidConfiguration
    }

    /// What kind of failure it is.
    public var kind: Kind
    /// What went wrong and what to do.
    public var message: String
    /// For `noMatch` and `outOfOrder`: the `sequence` of the closest recorded interaction.
    public var closestSequence: Int?
    /// For `noMatch`: how the request differs from the closest recorded one.
    public var differences: [RequestDifference]

    /// A cassette error.
    ///
    /// - Parameters:
    ///   - kind: What kind of failure it is.
    ///   - message: What went wrong and what to do.
    ///   - closestSequence: The closest recorded interaction, for a miss.
    ///   - differences: How the request differs from it.
    public init(_ kind: Kind, _ message: String, closestSequence: Int? = nil, differences: [RequestDifference] = []) {
        self.kind = kind
        self.message = message
        self.closestSequence = closestSequence
        self.differences = differences
    }

    public var description: String { message }
}

/// One way a request differs from a recorded one: where (`method`, `path`, `query.<name>`,
/// `body`, `body.config.port`, `body.rules[0].priority`) and the two values.
public struct RequestDifference: Sendable, Hashable, CustomStringConvertible {
    /// `method`, `path`, `query.<name>`, `body`, or `body.` followed by a JSON field path.
    public var location: String
    /// The recorded value, rendered (`(absent)` when it has none).
    public var recorded: String
    /// The value in the request that was sent, rendered (`(absent)` when it has none).
    public var sent: String

    /// A difference.
    ///
    /// - Parameters:
    ///   - location: Where the request differs.
    ///   - recorded: The recorded value.
    ///   - sent: The sent value.
    public init(location: String, recorded: String, sent: String) {
        self.location = location
        self.recorded = recorded
        self.sent = sent
    }

    public var description: String { "\(location): recorded \(recorded), sent \(sent)" }
}
