import Foundation
import Testing
@testable import lattice_codegen

/// What the generator writes around the declarations: doc comments, constraints, CLI help.
@Suite struct GeneratorTests {
    static let generator: Generator? = try? Generator(model: Model(directory: DocumentationTests.modelDirectory))

    static func files() throws -> [String: String] {
        let g = try #require(generator)
        return [
            "Enums.swift": g.enums(), "Structures.swift": g.structures(), "Unions.swift": g.unions(),
            "Errors.swift": g.errors(), "OperationSpecs.swift": g.operationSpecs(),
            "Operations.swift": g.clientOperations(), "OperationDescriptors.swift": g.operationDescriptors(),
            "Paginators.swift": g.paginators(), "Waiters.swift": try g.waiters(),
        ]
    }

    /// The lines of `text` from the one that contains `start`, `count` of them.
    static func excerpt(_ text: String, from start: String, count: Int) throws -> [String] {
        let lines = text.components(separatedBy: "\n")
        let k = try #require(lines.firstIndex { $0.contains(start) }, "\(start)")
        return Array(lines[k..<min(lines.count, k + count)])
    }

    @Test func everyPublicDeclarationHasADocCommentRightAboveIt() throws {
        for (name, text) in try Self.files() {
            let lines = text.components(separatedBy: "\n")
            for (k, line) in lines.enumerated() where line.trimmingCharacters(in: .whitespaces).hasPrefix("public ") {
                // Attributes such as @discardableResult may stand between the comment and the declaration.
                var above = k - 1
                while above >= 0, lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("@") { above -= 1 }
                #expect(above >= 0 && lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("///"), "\(name):\(k + 1): \(line)")
            }
        }
    }

    @Test func aMemberCarriesTheModelsTextThenItsConstraints() throws {
        let structures = try #require(Self.generator).structures()
        let name = try Self.excerpt(structures, from: "/// The name of the listener. A listener name must be unique", count: 7)
        #expect(name.suffix(4) == [
            "    ///",
            "    /// Constraints: required; 3 to 63 characters; pattern",
            "    /// `(?!listener-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+`.",
            "    public var name: String",
        ])
        #expect(structures.contains("    /// Constraints: required; one of `HTTP`, `HTTPS`, `TLS_PASSTHROUGH`.\n    public var `protocol`: ListenerProtocol\n"))
        #expect(structures.contains("    /// Constraints: at most 200 entries; keys 1 to 128 characters; values at most 256 characters.\n"))
        #expect(structures.contains("    /// Constraints: required; 1 to 100 items.\n    public var targets: [Target]\n"))
        #expect(structures.contains("    /// Constraints: exactly 26 characters; pattern `listener-[0-9a-z]{17}`.\n    public var id: String?\n"))
        // The initializer documents every parameter with the member's first sentence.
        let initializer = try Self.excerpt(structures, from: "/// A `CreateListenerRequest` with the given members", count: 12)
        #expect(initializer.contains("    ///   - name: The name of the listener."))
        #expect(initializer.last?.hasPrefix("    public init(serviceIdentifier: String, name: String") == true)
    }

    @Test func typesTheModelDoesNotDocumentGetALineOfOurs() throws {
        let g = try #require(Self.generator)
        #expect(g.structures().contains("/// The input of ``LatticeClient/createListener(_:)``.\npublic struct CreateListenerRequest"))
        #expect(g.structures().contains("/// The output of ``LatticeClient/deleteAuthPolicy(_:)``, which has no members.\npublic struct DeleteAuthPolicyResponse"))
        let enums = g.enums()
        #expect(enums.contains("/// The listener protocol.\n///\n/// One of `HTTP`, `HTTPS` or `TLS_PASSTHROUGH`, or a value the service adds later"))
        // A value's text comes from the list in a member that takes the enum.
        #expect(enums.contains("    /// `HEALTHY`: The target is healthy.\n    public static let healthy: TargetStatus = \"HEALTHY\"\n"))
        let errors = g.errors()
        #expect(errors.contains("/// The request references a resource that does not exist.\n///\n/// The service's `ResourceNotFoundException` (HTTP 404)."))
        #expect(errors.contains("    /// The message the service sent with the error.\n    public var message: String?\n"))
    }

    @Test func operationsCarryTheirDocumentationParameterResultAndErrors() throws {
        let g = try #require(Self.generator)
        let method = try Self.excerpt(g.clientOperations(), from: "/// Creates a listener for a service.", count: 16)
        #expect(method.contains("    /// - Parameter input: The request, ``CreateListenerRequest``."))
        #expect(method.contains("    /// - Returns: The service's answer, ``CreateListenerResponse``."))
        #expect(method.contains { $0.hasPrefix("    /// - Throws: The service's ``AccessDeniedException``") })
        #expect(method.contains("    public func createListener(_ input: CreateListenerRequest) async throws -> CreateListenerResponse {"))
        let spec = try Self.excerpt(g.operationSpecs(), from: "/// Creates a listener for a service.", count: 5)
        #expect(spec.joined(separator: "\n").contains("\n    /// `POST /services/{serviceIdentifier}/listeners`, 201 on success."), "\(spec)")
        // The three jobs of the operations are three files.
        #expect(!g.operationSpecs().contains("extension LatticeClient") && !g.operationSpecs().contains("extension OperationDescriptor"))
        #expect(!g.clientOperations().contains("extension OperationSpec") && !g.clientOperations().contains("extension OperationDescriptor"))
        #expect(g.operationDescriptors().contains("package static let all: [OperationDescriptor] = ["))
    }

    @Test func theCLIHelpTableHasEveryOperationAndInputMember() throws {
        let g = try #require(Self.generator)
        let help = g.cliCommandHelp()
        for op in g.model.operations {
            #expect(help.contains("        case \"\(op.name)\": return \""), "\(op.name)")
        }
        #expect(help.contains(#"            Member("protocol", "The listener protocol.", "", ["HTTP", "HTTPS", "TLS_PASSTHROUGH"]),"#))
        #expect(help.contains(#"            Member("name", "The name of the listener.", "3 to 63 characters; pattern (?!listener-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+", []),"#))
        // Patterns with backslashes are raw strings; the file needs nothing but the standard library.
        #expect(help.contains(##"#"17 to 2048 characters; pattern ((svc-[0-9a-z]{17})|(arn:[a-z0-9\-]+:vpc-lattice:"##))
        #expect(!help.contains("import "))
        #expect(g.swiftString(#"a "b" \d"#) == ##"#"a "b" \d"#"##)
        #expect(g.swiftString(##"x"#y"##) == ###"##"x"#y"##"###)
        #expect(g.swiftString("plain") == "\"plain\"")
    }

    @Test func waitersTakeTheirFailuresReasonsAndIdentifiersFromTheModel() throws {
        let waiters = try #require(Self.generator).waiters()
        // Every *_FAILED value of the status enum ends an ACTIVE waiter, with DELETE_IN_PROGRESS.
        let vpc = try Self.excerpt(waiters, from: "public func waitUntilServiceNetworkVpcAssociationActive(_ input", count: 5).joined(separator: "\n")
        #expect(vpc.contains("failures: [.createFailed, .deleteFailed, .updateFailed]"))
        #expect(vpc.contains("deleting: .deleteInProgress"))
        // failureReason stands in for failureMessage; an answer with neither quotes nothing.
        #expect(waiters.contains("reason: { Self.failure(code: nil, message: $0.failureReason) })"))
        #expect(try Self.excerpt(waiters, from: "public func waitUntilResourceGatewayActive(_ input", count: 6).last?.contains("reason: { _ in nil })") == true)
        // Nested resources take their identifiers in URI order and name their owners.
        #expect(waiters.contains("public func waitUntilRuleDeleted(serviceIdentifier: String, listenerIdentifier: String, ruleIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {"))
        #expect(waiters.contains(#""\(input.ruleIdentifier) of listener \(input.listenerIdentifier) of service \(input.serviceIdentifier)""#))
        // A resource without a status enum waits for the not-found answer only.
        #expect(try Self.excerpt(waiters, from: "public func waitUntilServiceNetworkDeleted(_ input", count: 3).last?.contains("_ = try await getServiceNetwork(input)") == true)
        #expect(Generator.phrase("ServiceNetworkVpcAssociation") == "service network VPC association")
    }

    @Test func aWaiterOnAnOperationTheModelLacksIsRefused() throws {
        let g = try #require(Self.generator)
        #expect(throws: GeneratorError.self) { try g.waiterShape("GetNothing") }
        #expect(throws: GeneratorError.self) { try g.waiterShape("ListServices") }
    }
}
