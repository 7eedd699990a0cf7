/// One problem of a topology, at its place: `services[0].listeners[1].port: 70000 is too large
/// (the model allows values from 1 to 65535)`.
public struct TopologyIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where, as the members and indexes that lead there from the top of the topology (the
    /// file's JSON, or the Swift value's properties, which have the same names).
    public var path: String
    /// What is wrong, and what is allowed.
    public var problem: String

    /// An issue at `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`.
    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}

/// A topology that is refused before anything is sent: it cannot be read, it refers to what
/// it does not describe, or a value breaks the model's constraints.
public struct TopologyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the topology came from, when it came from one.
    public var source: String?
    /// Every problem found, in the order of the topology.
    public var issues: [TopologyIssue]

    /// An error listing `issues`.
    public init(source: String? = nil, issues: [TopologyIssue]) {
        self.source = source
        self.issues = issues
    }

    /// At most this many issues are listed in the description.
    static let shownIssues = 40

    /// The issues, one a line, and what to do.
    public var description: String {
        let what = source.map { "the topology file \($0)" } ?? "the topology"
        let count = issues.count == 1 ? "1 problem" : "\(issues.count) problems"
        var lines = issues.prefix(Self.shownIssues).map { "  - \($0)" }
        if issues.count > Self.shownIssues { lines.append("  - ... and \(issues.count - Self.shownIssues) more") }
        return "\(what) has \(count); nothing was sent:\n\(lines.joined(separator: "\n"))\nFix each place named above and run the command again."
    }
}

/// Text from a topology (a member name, a value) inside a message: quoted, at most 80
/// characters, with control characters written as escapes so nothing acts on a terminal.
func quoted(_ text: String) -> String {
    var out = "'"
    for (n, scalar) in text.unicodeScalars.enumerated() {
        if n == 80 {
            out += "..."
            break
        }
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069:
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out + "'"
}

extension TopologyError: LatticeError {
    /// `TopologyError`: the topology file or value is invalid; nothing was sent.
    public var errorCode: String { "TopologyError" }
}

extension TopologyPlanRefused: LatticeError {
    /// `TopologyPlanRefused`: the plan needs what the options do not allow; nothing was sent.
    public var errorCode: String { "TopologyPlanRefused" }
}
