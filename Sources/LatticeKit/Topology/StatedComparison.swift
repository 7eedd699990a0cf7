#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Compares what a topology states with what the service answers, as JSON: a member the
/// topology leaves out is not compared (so the service's defaults are never differences),
/// lists are compared item by item and must have the same length, numbers by value.
enum Stated {
    /// A value as JSON (nil when it cannot be encoded, which the API's shapes always can).
    static func json(_ value: some Encodable) -> JSONValue? {
        guard let data = try? LatticeJSON.sharedEncoder.encode(value) else { return nil }
        return try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: data)
    }

    /// Compact JSON text with sorted members.
    static func text(_ value: JSONValue) -> String { PolicyDocument.canonical(value) }

    /// Compact JSON text of an encodable value.
    static func text(_ value: some Encodable) -> String { json(value).map(text) ?? "\(value)" }

    /// Whether `live` has every member `desired` states, with the same value.
    static func holds(_ live: JSONValue?, _ desired: JSONValue) -> Bool {
        guard let live else { return false }
        switch (desired, live) {
        case let (.object(want), .object(have)):
            return want.allSatisfy { key, value in holds(have[key], value) }
        case let (.array(want), .array(have)):
            return want.count == have.count && zip(want, have).allSatisfy { holds($1, $0) }
        case let (.int(a), .double(b)), let (.double(b), .int(a)):
            return Double(a) == b
        default:
            return desired == live
        }
    }

    /// Whether `live` holds what `desired` states (both encoded as JSON).
    static func holds(_ live: (some Encodable)?, _ desired: some Encodable) -> Bool {
        guard let want = json(desired) else { return true }
        return holds(live.flatMap { json($0) }, want)
    }

    /// The member-level changes from `live` to `desired` under `path`: objects member by
    /// member (only the members `desired` states), unions, lists and values as a whole.
    static func changes(_ desired: JSONValue, _ live: JSONValue?, at path: String, forcesReplacement: Bool = false) -> [TopologyPlan.FieldChange] {
        if holds(live, desired) { return [] }
        if case let .object(want) = desired, case let .object(have)? = live, !Set(want.keys).isDisjoint(with: have.keys) {
            var out: [TopologyPlan.FieldChange] = []
            for key in want.keys.sorted() {
                guard let value = want[key] else { continue }
                out += changes(value, have[key], at: path.isEmpty ? key : "\(path).\(key)", forcesReplacement: forcesReplacement)
            }
            return out
        }
        return [TopologyPlan.FieldChange(field: path, old: live.map(text), new: text(desired), forcesReplacement: forcesReplacement)]
    }

    /// The changes from `live` to `desired` (both encodable), under `path`.
    static func changes(_ desired: some Encodable, _ live: (some Encodable)?, at path: String, forcesReplacement: Bool = false) -> [TopologyPlan.FieldChange] {
        guard let want = json(desired) else { return [] }
        return changes(want, live.flatMap { json($0) }, at: path, forcesReplacement: forcesReplacement)
    }
}
