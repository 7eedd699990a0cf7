import Synchronization

/// A value that can check itself against the model's constraints. The default checks
/// nothing: the generator writes `validate` only for shapes that have constraints.
package protocol Validatable {
    func validate(_ v: inout Validator)
}

extension Validatable {
    package func validate(_ v: inout Validator) {}
}

/// One broken constraint: where, what is wrong with the value, and the model's rule.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// The member path, such as `config.healthCheck.path` or `targets[2].id`.
    public var path: String
    /// What is wrong with the value.
    public var problem: String
    /// The model's constraint it breaks, such as `length 3 to 40`.
    public var rule: String

    public var description: String { "\(path): \(problem) (\(rule))" }
}

/// Input that breaks the model's constraints; nothing was sent.
public struct LatticeValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operation whose input was refused, such as `CreateService`.
    public var operation: String
    /// Every problem found, not only the first.
    public var issues: [ValidationIssue]

    public var description: String {
        let lines = issues.map { "  - \($0)" }.joined(separator: "\n")
        return "invalid input for \(operation), nothing was sent:\n\(lines)\nFix the values above, or relax client-side checks with validation: .relaxed (no patterns) or .off."
    }
}

/// Collects broken constraints while generated `validate` functions walk an input.
package struct Validator {
    package let checkPatterns: Bool
    package private(set) var issues: [ValidationIssue] = []
    private var path: [String] = []

    package init(mode: ValidationMode) {
        checkPatterns = mode == .strict
    }

    private var here: String {
        var s = ""
        for part in path {
            if part.hasPrefix("[") || s.isEmpty { s += part } else { s += "." + part }
        }
        return s.isEmpty ? "input" : s
    }

    private mutating func fail(_ problem: String, _ rule: String) {
        issues.append(ValidationIssue(path: here, problem: problem, rule: rule))
    }

    private mutating func within(_ name: String?, _ body: (inout Validator) -> Void) {
        if let name { path.append(name) }
        body(&self)
        if name != nil { path.removeLast() }
    }

    static func shown(_ s: String) -> String {
        let limit = 60
        let escaped = s.unicodeScalars.count > limit ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(limit))) + "..." : s
        return "'\(escaped)'"
    }

    static func range(_ min: Int?, _ max: Int?, _ unit: String) -> String {
        switch (min, max) {
        case let (lo?, hi?): return "\(lo) to \(hi) \(unit)"
        case let (lo?, nil): return "at least \(lo) \(unit)"
        case let (nil, hi?): return "at most \(hi) \(unit)"
        default: return "any number of \(unit)"
        }
    }

    /// A string: length in Unicode code points, and a pattern that must match all of it.
    package mutating func string(_ value: String?, _ name: String? = nil, min: Int? = nil, max: Int? = nil, pattern: String? = nil) {
        guard let value else { return }
        within(name) { v in
            let n = value.unicodeScalars.count
            if let min, n < min { v.fail("\(Self.shown(value)) is too short: \(n) characters", "the model allows \(Self.range(min, max, "characters"))") }
            if let max, n > max { v.fail("\(Self.shown(value)) is too long: \(n) characters", "the model allows \(Self.range(min, max, "characters"))") }
            if v.checkPatterns, let pattern, !PatternCache.shared.wholeMatch(pattern, value) {
                v.fail("\(Self.shown(value)) does not match the pattern", "the model's pattern \(pattern)")
            }
        }
    }

    package mutating func string<E: LatticeEnum>(_ value: E?, _ name: String? = nil, min: Int? = nil, max: Int? = nil, pattern: String? = nil) {
        string(value?.rawValue, name, min: min, max: max, pattern: pattern)
    }

    package mutating func integer<I: BinaryInteger>(_ value: I?, _ name: String? = nil, min: Int64? = nil, max: Int64? = nil) {
        guard let value else { return }
        within(name) { v in
            let x = Int64(value)
            let allowed: String
            switch (min, max) {
            case let (lo?, hi?): allowed = "values from \(lo) to \(hi)"
            case let (lo?, nil): allowed = "values of at least \(lo)"
            case let (nil, hi?): allowed = "values of at most \(hi)"
            default: allowed = "any value"
            }
            if let min, x < min { v.fail("\(x) is too small", "the model allows \(allowed)") }
            if let max, x > max { v.fail("\(x) is too large", "the model allows \(allowed)") }
        }
    }

    /// A nested structure or union.
    package mutating func nested<T: Validatable>(_ value: T?, _ name: String? = nil) {
        guard let value else { return }
        within(name) { v in value.validate(&v) }
    }

    /// A list: its length, then each element (paths `name[i]`).
    package mutating func list<E>(_ value: [E]?, _ name: String? = nil, min: Int? = nil, max: Int? = nil, each: (inout Validator, E) -> Void = { _, _ in }) {
        guard let value else { return }
        within(name) { v in
            if let min, value.count < min { v.fail("has \(value.count) items", "the model allows \(Self.range(min, max, "items"))") }
            if let max, value.count > max { v.fail("has \(value.count) items", "the model allows \(Self.range(min, max, "items"))") }
            for (i, e) in value.enumerated() {
                v.path.append("[\(i)]")
                each(&v, e)
                v.path.removeLast()
            }
        }
    }

    /// A list of structures, each validated.
    package mutating func list<E: Validatable>(_ value: [E]?, _ name: String? = nil, min: Int? = nil, max: Int? = nil) {
        list(value, name, min: min, max: max) { v, e in e.validate(&v) }
    }

    /// A map: its size, then each key and value (paths `name[key]`).
    package mutating func map<V>(
        _ value: [String: V]?, _ name: String? = nil, min: Int? = nil, max: Int? = nil,
        key: (inout Validator, String) -> Void = { _, _ in }, value each: (inout Validator, V) -> Void = { _, _ in }
    ) {
        guard let value else { return }
        within(name) { v in
            if let min, value.count < min { v.fail("has \(value.count) entries", "the model allows \(Self.range(min, max, "entries"))") }
            if let max, value.count > max { v.fail("has \(value.count) entries", "the model allows \(Self.range(min, max, "entries"))") }
            for k in value.keys.sorted() {
                v.path.append("[\(k)]")
                key(&v, k)
                if let element = value[k] { each(&v, element) }
                v.path.removeLast()
            }
        }
    }
}

/// Compiled model patterns, shared, and a bounded memo of recent answers: the same
/// identifiers and names are checked again on every call that carries them (a service's ID
/// in each of its listeners' creates), and a regex match costs microseconds where a lookup
/// costs a hash. The lock covers the tables only; matching runs outside it, concurrently (a
/// compiled `Regex` compiles its program once, atomically, and may be matched from many
/// threads), so validation on many tasks does not queue here.
final class PatternCache: Sendable {
    static let shared = PatternCache()
    private let state = Mutex(State())

    private struct State {
        var compiled: [String: CompiledPattern] = [:]
        var recent: [Key: Bool] = [:]
    }

    private struct Key: Hashable {
        let pattern: String
        let value: String
    }

    /// The most answers remembered (the memo starts over when full), and the longest value
    /// remembered (a long one, such as a policy, is matched each time: hashing it costs
    /// about what matching does).
    static let memoCapacity = 4096
    static let memoValueBytes = 256

    private final class CompiledPattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>?
        init(_ pattern: String) { regex = try? Regex(pattern) }
    }

    /// Whether `pattern` matches the whole of `value`. A pattern Swift cannot compile is
    /// treated as matching (the generator rejects such patterns at generation time).
    func wholeMatch(_ pattern: String, _ value: String) -> Bool {
        let key = value.utf8.count <= Self.memoValueBytes ? Key(pattern: pattern, value: value) : nil
        let (entry, known) = state.withLock { state -> (CompiledPattern?, Bool?) in
            if let key, let known = state.recent[key] { return (nil, known) }
            if let found = state.compiled[pattern] { return (found, nil) }
            let entry = CompiledPattern(pattern)
            state.compiled[pattern] = entry
            return (entry, nil)
        }
        if let known { return known }
        guard let regex = entry?.regex else { return true }
        let matches = (try? regex.wholeMatch(in: value)) != nil
        if let key {
            state.withLock { state in
                if state.recent.count >= Self.memoCapacity { state.recent.removeAll(keepingCapacity: true) }
                state.recent[key] = matches
            }
        }
        return matches
    }
}
