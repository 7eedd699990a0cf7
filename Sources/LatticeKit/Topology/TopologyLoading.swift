#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Topology {
    /// The largest topology file read (4 MiB: far beyond the service's quotas).
    public static let maximumFileSize = 4 * 1024 * 1024

    /// Reads, checks and returns the topology in a JSON file. Throws `TopologyError` naming
    /// each place in the file that is not right: the file cannot be read or is not JSON, a
    /// member is unknown (misspelled members are not ignored) or null, a value has the wrong
    /// type, breaks the model's constraints or is not one the API knows, or a reference names
    /// nothing in the topology.
    public static func load(contentsOfFile path: String) throws -> Topology {
        switch FileAccess.readFile(path, limit: maximumFileSize) {
        case let .contents(bytes):
            do {
                return try Topology(json: bytes)
            } catch var error as TopologyError {
                error.source = path
                throw error
            }
        case .missing:
            throw TopologyError(source: path, issues: [TopologyIssue(path: "", problem: "there is no such file; give the path of a topology JSON file")])
        case let .failed(reason):
            throw TopologyError(source: path, issues: [TopologyIssue(path: "", problem: "it cannot be read: \(reason)")])
        }
    }

    /// A topology from JSON text, checked as `load(contentsOfFile:)` checks a file.
    public init(json: some Sequence<UInt8>) throws {
        let data = Data(json)
        let tree: JSONValue
        do {
            tree = try LatticeJSON.sharedDecoder.decode(JSONValue.self, from: data)
        } catch {
            throw TopologyError(issues: [TopologyIssue(path: "", problem: "it is not valid JSON (\(Self.syntaxProblem(error)))")])
        }
        guard case .object = tree else {
            throw TopologyError(issues: [TopologyIssue(path: "", problem: "a topology is a JSON object, not \(tree.typeName)")])
        }
        let decoded: Topology
        do {
            decoded = try LatticeJSON.sharedDecoder.decode(Topology.self, from: data)
        } catch let error as DecodingError {
            throw TopologyError(issues: [Self.issue(error, tree: tree)])
        }
        var issues = StrictReading.unknownMembers(original: tree, decoded: decoded)
        issues += decoded.validationIssues()
        if !issues.isEmpty { throw TopologyError(issues: issues) }
        self = decoded
    }

    /// The topology as JSON, in the file's format (members sorted, two-space indents).
    public func jsonText() throws -> String {
        let encoder = LatticeJSON.encoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func syntaxProblem(_ error: any Error) -> String {
        guard case let DecodingError.dataCorrupted(context) = error else { return "\(error)" }
        if let underlying = context.underlyingError { return "\(underlying)" }
        return context.debugDescription
    }

    /// A decoding error as an issue at its place, in the file's words.
    static func issue(_ error: DecodingError, tree: JSONValue) -> TopologyIssue {
        switch error {
        case let .keyNotFound(key, context):
            return TopologyIssue(path: path(context.codingPath), problem: "the required member \(quoted(key.stringValue)) is missing")
        case let .valueNotFound(type, context):
            return TopologyIssue(path: path(context.codingPath), problem: "is null; give \(describe(type))")
        case let .typeMismatch(type, context):
            let found = StrictReading.value(at: context.codingPath, in: tree)?.typeName ?? "something else"
            return TopologyIssue(path: path(context.codingPath), problem: "expected \(describe(type)), found \(found)")
        case let .dataCorrupted(context):
            return TopologyIssue(path: path(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return TopologyIssue(path: "", problem: "\(error)")
        }
    }

    /// `services[0].listeners[1].port`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "a list"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : "an object"
        }
    }
}

/// What a plain `JSONDecoder` lets through: members it does not know (a misspelled `prot`
/// would be dropped, and the service's default used), `null` for optional members, values an
/// open enum takes from anyone (`"protocol": "HTTPX"`), and union members it does not know.
enum StrictReading {
    /// Members of the file that the decoded value does not have: the file decoded, encoded
    /// back, and compared member by member. A member the types know is always written back
    /// (unions and optionals included), so a member missing there is one they do not know.
    static func unknownMembers(original: JSONValue, decoded: Topology) -> [TopologyIssue] {
        guard let data = try? LatticeJSON.sharedEncoder.encode(decoded),
              let encoded = try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: data) else { return [] }
        var walk = ModelWalk()
        walk.visit(decoded, at: "")
        var issues: [TopologyIssue] = []
        compare(original, encoded, at: "", members: walk.members, skip: walk.unknownUnionPaths, into: &issues)
        return issues
    }

    private static func compare(_ original: JSONValue, _ encoded: JSONValue, at path: String, members: [String: [String]], skip: Set<String>,
                                into issues: inout [TopologyIssue]) {
        if skip.contains(path) { return }
        switch (original, encoded) {
        case let (.object(given), .object(known)):
            for key in given.keys.sorted() {
                let inner = path.isEmpty ? key : path + "." + key
                guard let value = given[key] else { continue }
                if case .null = value {
                    issues.append(TopologyIssue(path: inner, problem: "is null; leave the member out instead"))
                    continue
                }
                guard let counterpart = known[key] else {
                    var problem = "unknown member \(quoted(key))"
                    if let names = members[path], !names.isEmpty {
                        let close = names.filter { closeEnough($0, key) }
                        problem += close.isEmpty ? "; the members here are \(names.joined(separator: ", "))" : "; did you mean \(close.joined(separator: " or "))?"
                    }
                    issues.append(TopologyIssue(path: inner, problem: problem))
                    continue
                }
                compare(value, counterpart, at: inner, members: members, skip: skip, into: &issues)
            }
        case let (.array(given), .array(known)):
            for (index, pair) in zip(given, known).enumerated() {
                compare(pair.0, pair.1, at: "\(path)[\(index)]", members: members, skip: skip, into: &issues)
            }
        default:
            break
        }
    }

    /// Whether two member names differ by case, by at most two edits, or one begins the
    /// other (`prot` for `protocol`).
    static func closeEnough(_ a: String, _ b: String) -> Bool {
        let (x0, y0) = (a.lowercased(), b.lowercased())
        if x0 == y0 || (min(x0.count, y0.count) >= 3 && (x0.hasPrefix(y0) || y0.hasPrefix(x0))) { return true }
        let x = Array(a.lowercased().utf8), y = Array(b.lowercased().utf8)
        guard abs(x.count - y.count) <= 2 else { return false }
        var previous = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count] <= 2
    }

    /// The JSON value at a coding path, if there is one.
    static func value(at keys: [any CodingKey], in tree: JSONValue) -> JSONValue? {
        var here = tree
        for key in keys {
            switch here {
            case let .object(members):
                guard let next = members[key.stringValue] else { return nil }
                here = next
            case let .array(items):
                guard let index = key.intValue, items.indices.contains(index) else { return nil }
                here = items[index]
            default:
                return nil
            }
        }
        return here
    }
}

/// Walks a decoded topology with `Mirror`: every open enum value the API does not know and
/// every union member it does not know is an issue, and each structure's member names are
/// kept by path (for "the members here are ..." in messages).
struct ModelWalk {
    private(set) var issues: [TopologyIssue] = []
    private(set) var members: [String: [String]] = [:]
    /// Places where a union holds a member the model does not know (nothing under them is
    /// compared member by member).
    private(set) var unknownUnionPaths: Set<String> = []

    /// The cases of the unions a topology can hold, for messages.
    static let unionCases: [String: [String]] = [
        "RuleAction": ["forward", "fixedResponse"], "RuleMatch": ["httpMatch"], "HeaderMatchType": ["exact", "prefix", "contains"],
        "PathMatchType": ["exact", "prefix"], "Matcher": ["httpCode"],
    ]

    mutating func visit(_ value: Any, at path: String) {
        if let open = value as? any LatticeEnum {
            if !open.isKnown {
                let known = Self.knownRawValues(of: open)
                issues.append(TopologyIssue(path: path, problem: "\(quoted(open.rawValue)) is not a value the API knows; use one of \(known.joined(separator: ", "))"))
            }
            return
        }
        if value is PolicyDocument { return }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first { visit(wrapped.value, at: path) }
        case .collection:
            for (index, child) in mirror.children.enumerated() { visit(child.value, at: "\(path)[\(index)]") }
        case .dictionary, .set:
            return
        case .enum:
            guard let child = mirror.children.first, let label = child.label else { return }
            if label == "sdkUnknown" {
                let name = (child.value as? String) ?? "?"
                let inner = path.isEmpty ? name : path + "." + name
                let typeName = "\(type(of: value))"
                let cases = Self.unionCases[typeName].map { "; use one of \($0.joined(separator: ", "))" } ?? ""
                issues.append(TopologyIssue(path: inner, problem: "unknown member \(quoted(name)) of \(typeName)\(cases)"))
                unknownUnionPaths.insert(inner)
                return
            }
            visit(child.value, at: path.isEmpty ? label : path + "." + label)
        case .struct, .class:
            members[path] = mirror.children.compactMap(\.label)
            for child in mirror.children {
                guard let label = child.label else { continue }
                visit(child.value, at: path.isEmpty ? label : path + "." + label)
            }
        default:
            return
        }
    }

    private static func knownRawValues<E: LatticeEnum>(of value: E) -> [String] { E.knownValues.map(\.rawValue) }
}
