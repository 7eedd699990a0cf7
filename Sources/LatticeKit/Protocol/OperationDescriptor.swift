#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a list operation pages: the model's paginator.
package struct PaginationSpec: Sendable, Hashable {
    package let inputToken: String
    package let outputToken: String
    package let limitKey: String?
    package let resultKey: String

    package init(inputToken: String, outputToken: String, limitKey: String?, resultKey: String) {
        self.inputToken = inputToken
        self.outputToken = outputToken
        self.limitKey = limitKey
        self.resultKey = resultKey
    }
}

/// One operation, callable by name with JSON in and out: for tools that work from text (the
/// CLI, test oracles, recorded fixtures) rather than Swift types.
package struct OperationDescriptor: Sendable {
    package let spec: OperationSpec
    /// The aws CLI's command name, such as `create-service-network`.
    package let cliName: String
    package let pagination: PaginationSpec?
    /// Decodes the input JSON (members by their model names), fills the idempotency token,
    /// validates and binds it: the request before signing.
    package let request: @Sendable (LatticeClient, Data) throws -> OperationRequest
    /// Calls the operation with JSON input, returns the output as JSON.
    package let call: @Sendable (LatticeClient, Data) async throws -> Data
    /// Decodes a response body as the output and encodes it again.
    package let roundTripOutput: @Sendable (Data) throws -> Data

    package static func make<I: OperationInput, O: Codable & Sendable>(
        _ spec: OperationSpec, _ input: I.Type, _ output: O.Type, cli: String, pagination: PaginationSpec? = nil
    ) -> OperationDescriptor {
        OperationDescriptor(
            spec: spec,
            cliName: cli,
            pagination: pagination,
            request: { client, json in
                try client.operationRequest(spec, try Self.decodeInput(I.self, spec: spec, json))
            },
            call: { client, json in
                let out: O = try await client.execute(spec, try Self.decodeInput(I.self, spec: spec, json))
                return try LatticeJSON.sharedEncoder.encode(out)
            },
            roundTripOutput: { body in
                try LatticeJSON.sharedEncoder.encode(try LatticeClient.decodeOutput(O.self, spec: spec, response: HTTPResponse(status: spec.successCode, body: Array(body))))
            }
        )
    }

    static func decodeInput<I: Decodable>(_ type: I.Type, spec: OperationSpec, _ json: Data) throws -> I {
        do {
            return try LatticeJSON.sharedDecoder.decode(I.self, from: json.isEmpty ? Data("{}".utf8) : json)
        } catch {
            throw LatticeValidationError(operation: spec.name, issues: [
                ValidationIssue(path: "input", problem: LatticeClient.describe(error), rule: "the input must be a JSON object with the operation's members"),
            ])
        }
    }

    /// The descriptor for a model operation name (`CreateService`) or CLI name (`create-service`).
    package static func named(_ name: String) -> OperationDescriptor? {
        all.first { $0.spec.name == name || $0.cliName == name }
    }
}
