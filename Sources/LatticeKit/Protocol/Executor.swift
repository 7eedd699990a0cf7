#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import SigV4

extension LatticeClient {
    /// The request an operation would send, before signing: idempotency token filled,
    /// validated (as the client's validation mode says), bound, body encoded.
    package func operationRequest<I: OperationInput>(_ spec: OperationSpec, _ input: I) throws -> OperationRequest {
        var input = input
        input.fillIdempotencyToken()
        return try Self.bind(spec, input, validation: configuration.validation)
    }

    static func bind<I: OperationInput>(_ spec: OperationSpec, _ input: I, validation: ValidationMode) throws -> OperationRequest {
        if validation != .off {
            var v = Validator(mode: validation)
            input.validate(&v)
            if !v.issues.isEmpty { throw LatticeValidationError(operation: spec.name, issues: v.issues) }
        }
        var b = RequestBinder(template: spec.path)
        input.bind(&b)
        if !b.problems.isEmpty {
            throw LatticeValidationError(operation: spec.name, issues: b.problems.map { ValidationIssue(path: "input", problem: $0, rule: "path labels cannot be empty") })
        }
        var headers = b.headers
        var body: [UInt8] = []
        if I.hasBody {
            body = Array(try LatticeJSON.sharedEncoder.encode(InputBody(input: input)))
            headers.add(name: "content-type", value: "application/json")
        }
        return OperationRequest(method: spec.method, path: b.path, query: b.query, headers: headers, body: body, operation: spec.name)
    }

    /// Runs one operation: bind once, send through the retry loop, decode the output or the
    /// modeled error.
    func execute<I: OperationInput, O: Decodable & Sendable>(_ spec: OperationSpec, _ input: I) async throws -> O {
        let request = try operationRequest(spec, input)
        let response: HTTPResponse
        do {
            response = try await send(request)
        } catch let error as AWSServiceError {
            throw LatticeErrors.modeled(error)
        }
        if response.status != spec.successCode {
            // Any 2xx is a success, as in every AWS SDK: the change was made, and calling it a
            // failure would have the caller make it again. The difference is worth a look.
            configuration.logger.warning(
                "\(spec.name) answered HTTP \(response.status), not the \(spec.successCode) the model says; read as a success",
                metadata: ["operation": "\(spec.name)", "status": "\(response.status)", "expected": "\(spec.successCode)"]
            )
        }
        return try Self.decodeOutput(O.self, spec: spec, response: response)
    }

    static func decodeOutput<O: Decodable>(_ type: O.Type, spec: OperationSpec, response: HTTPResponse) throws -> O {
        let body = response.body.isEmpty ? Data("{}".utf8) : Data(response.body)
        do {
            return try LatticeJSON.sharedDecoder.decode(O.self, from: body)
        } catch {
            throw LatticeDecodingError(operation: spec.name, status: response.status, detail: Self.describe(error), body: response.bodyText)
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: [any CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        switch e {
        case let .keyNotFound(key, ctx): return "the required member \(path(ctx.codingPath + [key])) is missing"
        case let .valueNotFound(_, ctx): return "the required member \(path(ctx.codingPath)) is null"
        case let .typeMismatch(type, ctx): return "\(path(ctx.codingPath)) is not a \(type)"
        case let .dataCorrupted(ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
