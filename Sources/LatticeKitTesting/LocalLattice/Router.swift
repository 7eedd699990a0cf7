#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// One operation of the local Lattice: its model binding, and how to run it on a scope with
/// its JSON input (body members plus path and query members).
struct Endpoint: Sendable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case label(String)
    }

    let spec: OperationSpec
    let segments: [Segment]
    /// Reads the request's members as the operation's input and checks them: pure work,
    /// done before the local Lattice's state is locked.
    let prepare: @Sendable (JSONValue) throws -> any Sendable
    /// Runs the operation on the state with what `prepare` made of the same members; the
    /// output to answer with (nil: no body), encoded by the caller once the state is unlocked.
    let run: @Sendable (inout Scope, JSONValue, any Sendable) throws -> (any Encodable & Sendable)?

    /// An endpoint from a typed handler: the input is decoded as the generated type and
    /// validated against every constraint of the model (patterns included) before the
    /// handler sees it. (A client token's replay is the caller's: see `idempotencyKey`.)
    static func make<I: OperationInput, O: Encodable & Sendable>(
        _ spec: OperationSpec, _ handler: @escaping @Sendable (inout Scope, I) throws -> O
    ) -> Endpoint {
        let segments = spec.path.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .label(String(part.dropFirst().dropLast()).replacing("+", with: "")) : .literal(String(part))
        }
        return Endpoint(spec: spec, segments: segments, prepare: { json -> any Sendable in
            let input: I = try decode(json, spec: spec)
            var validator = Validator(mode: .strict)
            input.validate(&validator)
            if !validator.issues.isEmpty { throw fault(validator.issues) }
            return input
        }) { scope, _, prepared in
            guard let input = prepared as? I else { throw ServiceFault.internalError("The local Lattice prepared the wrong input type for \(spec.name).") }
            let output = try handler(&scope, input)
            return spec.successCode == 204 ? nil : output
        }
    }

    /// Where a call with a client token is remembered: the operation and the token (nil for
    /// a call without one). A retry with the same token gets the first answer (`replay`).
    func idempotencyKey(_ json: JSONValue) -> String? {
        json["clientToken"]?.stringValue.map { "\(spec.name)/\($0)" }
    }

    /// The answer for a token used before: the first call's answer when the input is the
    /// same, a ConflictException when it is not, as the service answers.
    func replay(_ earlier: IdempotentCall, for json: JSONValue) throws(ServiceFault) -> (any Encodable & Sendable)? {
        guard earlier.input == json else {
            throw ServiceFault(code: "ConflictException", status: 409,
                               message: "The client token \(json["clientToken"]?.stringValue ?? "") was already used with different parameters.")
        }
        return earlier.output
    }

    /// The labels of `segments` when this endpoint's method and path template match.
    func match(method: String, segments path: [String]) -> [String: String]? {
        guard method == spec.method, path.count == segments.count else { return nil }
        var labels: [String: String] = [:]
        for (template, actual) in zip(segments, path) {
            switch template {
            case let .literal(text): if text != actual { return nil }
            case let .label(name):
                if actual.isEmpty { return nil }
                labels[name] = actual
            }
        }
        return labels
    }

    /// Decodes the generated input; a missing or mistyped member is a ValidationException
    /// naming the field, as the service answers.
    static func decode<I: Decodable>(_ json: JSONValue, spec: OperationSpec) throws(ServiceFault) -> I {
        do {
            let data = try LatticeJSON.sharedEncoder.encode(json)
            return try LatticeJSON.sharedDecoder.decode(I.self, from: data)
        } catch let error as DecodingError {
            let (field, problem) = describe(error)
            throw .validation("1 validation error detected: Value at '\(field)' failed to satisfy constraint: \(problem)", fields: [(field, problem)])
        } catch {
            throw .validation("The request could not be read: \(error)", reason: .cannotParse)
        }
    }

    static func describe(_ error: DecodingError) -> (field: String, problem: String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let i = key.intValue { text += "[\(i)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return text.isEmpty ? "input" : text
        }
        switch error {
        case let .keyNotFound(key, context): return (path(context.codingPath + [key]), "Member must not be null")
        case let .valueNotFound(_, context): return (path(context.codingPath), "Member must not be null")
        case let .typeMismatch(type, context): return (path(context.codingPath), "Member must be of type \(type)")
        case let .dataCorrupted(context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("input", "\(error)")
        }
    }

    /// The model's constraint violations as the service reports them: one fieldList entry per
    /// violation, and a message counting them.
    static func fault(_ issues: [ValidationIssue]) -> ServiceFault {
        let fields = issues.map { (name: $0.path, message: "\($0.problem); \($0.rule)") }
        let count = issues.count == 1 ? "1 validation error" : "\(issues.count) validation errors"
        let detail = issues.map { "Value at '\($0.path)' failed to satisfy constraint: \($0.problem); \($0.rule)" }.joined(separator: "; ")
        return .validation("\(count) detected: \(detail)", fields: fields)
    }
}

/// Finds the endpoint for a method and path: every operation of `OperationDescriptor.all`
/// has one (the table is checked at start-up; see `Router.missing`).
enum Router {
    static let endpoints: [Endpoint] = ServiceNetworkHandlers.endpoints + ServiceHandlers.endpoints + TargetGroupHandlers.endpoints
        + TargetHandlers.endpoints + ListenerHandlers.endpoints + RuleHandlers.endpoints + AssociationHandlers.endpoints
        + AccessLogHandlers.endpoints + PolicyHandlers.endpoints + TagHandlers.endpoints + ResourceGatewayHandlers.endpoints
        + ResourceConfigurationHandlers.endpoints + DomainVerificationHandlers.endpoints

    /// The operations of the model that have no endpoint here (empty: all 73 are served).
    static var missing: [String] {
        let served = Set(endpoints.map(\.spec.name))
        return OperationDescriptor.all.map(\.spec.name).filter { !served.contains($0) }
    }

    static func route(method: String, segments: [String]) -> (Endpoint, [String: String])? {
        for endpoint in endpoints {
            if let labels = endpoint.match(method: method, segments: segments) { return (endpoint, labels) }
        }
        return nil
    }
}
