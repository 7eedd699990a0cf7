#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a list operation pages: the model's paginator.
public struct PaginationSpec: Sendable, Hashable {
    public let inputToken: String
    public let outputToken: String
    public let limitKey: String?
    public let resultKey: String

    public init(inputToken: String, outputToken: String, limitKey: String?, resultKey: String) {
        self.inputToken = inputToken
        self.outputToken = outputToken
        self.limitKey = limitKey
        self.resultKey = resultKey
    }
}

/// One operation, callable by name with JSON in and out: for tools that work from text (the
/// CLI, test oracles, recorded fixtures) rather than Swift types.
public struct OperationDescriptor: Sendable {
    public let spec: OperationSpec
    /// The aws CLI's command name, such as `create-service-network`.
    public let cliName: String
    public let pagination: PaginationSpec?
    /// Decodes the input JSON (members by their model names), fills the idempotency token,
    /// validates and binds it: the request before signing.
    public let request: @Sendable (LatticeClient, Data) throws -> OperationRequest
    /// Calls the operation with JSON input, returns the output as JSON.
    public let call: @Sendable (LatticeClient, Data) async throws -> Data
    /// Decodes a response body as the output and encodes it again.
    public let roundTripOutput: @Sendable (Data) throws -> Data

    public static func make<I: OperationInput, O: Codable & Sendable>(
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
    public static func named(_ name: String) -> OperationDescriptor? {
        all.first { $0.spec.name == name || $0.cliName == name }
    }
}
