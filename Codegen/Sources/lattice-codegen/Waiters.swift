import Foundation

/// The status waiters of `LatticeClient` (Sources/LatticeKit/Generated/Waiters.swift).
///
/// botocore's waiters-2.json for vpc-lattice is empty, so which Get operations get a waiter is
/// LatticeKit's choice, listed here; everything else is read from the model: the status enum
/// and its `*_FAILED` values (each ends an ACTIVE waiter, as does `DELETE_IN_PROGRESS`), the
/// `failureCode` and `failureMessage`/`failureReason` members a failure quotes, the resource's
/// identifiers in the order of the request URI, and the resource's name in the messages.
/// Each waiter comes in two forms: one taking the Get request, one taking its identifiers.
extension Generator {
    /// Get operations with an "until ACTIVE" waiter, in the order they are generated.
    static let activeWaiters = [
        "GetService", "GetTargetGroup", "GetServiceNetworkServiceAssociation", "GetServiceNetworkVpcAssociation",
        "GetServiceNetworkResourceAssociation", "GetResourceGateway", "GetResourceConfiguration",
    ]

    /// Get operations with an "until deleted" waiter (the Get answers ResourceNotFoundException).
    static let deletedWaiters = [
        "GetServiceNetwork", "GetService", "GetTargetGroup", "GetListener", "GetRule", "GetAccessLogSubscription",
        "GetServiceNetworkServiceAssociation", "GetServiceNetworkVpcAssociation", "GetServiceNetworkResourceAssociation",
        "GetResourceGateway", "GetResourceConfiguration",
    ]

    /// Statuses that keep an ACTIVE waiter polling, with the hint its messages give.
    static let waiterHints = [
        "GetServiceNetworkResourceAssociation": ["PARTIAL": "the association is PARTIAL: only part of it is active"],
    ]

    /// What a waiter needs from an operation's model.
    struct WaiterShape {
        let op: Model.Operation
        /// `ServiceNetworkVpcAssociation`.
        let resource: String
        /// `service network VPC association`.
        let phrase: String
        /// The URI-bound identifier members, in URI order.
        let identifiers: [String]
        let statusEnum: Model.Shape?
        let failureCode: String?
        let failureMessage: String?
    }

    func waiterShape(_ name: String) throws -> WaiterShape {
        guard let op = model.operations.first(where: { $0.name == name }), name.hasPrefix("Get"), let input = op.input, let output = op.output else {
            throw GeneratorError("a waiter names \(name), which is not a Get operation of the model")
        }
        let resource = String(name.dropFirst(3))
        let uriMembers = shape(input).members.filter { $0.location == "uri" }
        let identifiers = uriMembers.sorted {
            (op.uri.range(of: "{\($0.locationName ?? $0.name)")?.lowerBound ?? op.uri.endIndex)
                < (op.uri.range(of: "{\($1.locationName ?? $1.name)")?.lowerBound ?? op.uri.endIndex)
        }.map(\.name)
        guard !identifiers.isEmpty, identifiers.allSatisfy({ shape(input).required.contains($0) }) else {
            throw GeneratorError("\(name) has no required URI identifiers for a waiter")
        }
        let members = shape(output).members
        let status = members.first { $0.name == "status" }.map { shape($0.shape) }
        return WaiterShape(
            op: op, resource: resource, phrase: Self.phrase(resource), identifiers: identifiers,
            statusEnum: status.flatMap { isEnum($0) ? $0 : nil },
            failureCode: members.first { $0.name == "failureCode" }?.name,
            failureMessage: members.first { $0.name == "failureMessage" }?.name ?? members.first { $0.name == "failureReason" }?.name)
    }

    /// `ServiceNetworkVpcAssociation` -> `service network VPC association`.
    static func phrase(_ resource: String) -> String {
        Naming.kebab(resource).split(separator: "-").map { $0 == "vpc" ? "VPC" : String($0) }.joined(separator: " ")
    }

    /// `` `A`, `B` or `C` ``.
    static func list(_ values: [String]) -> String {
        let quoted = values.map { "`\($0)`" }
        return quoted.count < 2 ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    func waiters() throws -> String {
        var out = header + "\n"
        out += "extension LatticeClient {\n"
        out += "    // MARK: ACTIVE\n\n"
        for name in Self.activeWaiters { out += try activeWaiter(waiterShape(name)) }
        out += "    // MARK: Deleted\n\n"
        for name in Self.deletedWaiters { out += try deletedWaiter(waiterShape(name)) }
        out += "}\n"
        return out
    }

    private func reasonExpression(_ w: WaiterShape, _ value: String) -> String {
        guard w.failureCode != nil || w.failureMessage != nil else { return "nil" }
        return "Self.failure(code: \(w.failureCode.map { "\(value).\($0)" } ?? "nil"), message: \(w.failureMessage.map { "\(value).\($0)" } ?? "nil"))"
    }

    /// The resource's identity in messages: `L of service S` for nested resources.
    private func subjectId(_ w: WaiterShape) -> String {
        guard w.identifiers.count > 1 else { return "input.\(w.identifiers[0])" }
        var text = "\\(input.\(w.identifiers.last!))"
        for id in w.identifiers.dropLast().reversed() {
            let owner = Self.phrase(Naming.upperFirst(String(id.dropLast("Identifier".count))))
            text += " of \(owner) \\(input.\(id))"
        }
        return "\"\(text)\""
    }

    private func identifierForm(_ w: WaiterShape, waiter: String, returns: String?) -> String {
        let input = w.op.input!
        let these = w.identifiers.count > 1 ? "these identifiers" : "this identifier"
        var out = "    /// ``\(waiter)(_:options:)`` for the resource with \(these).\n"
        if returns != nil { out += "    @discardableResult\n" }
        let parameters = w.identifiers.map { "\($0): String" }.joined(separator: ", ")
        out += "    public func \(waiter)(\(parameters), options: WaiterOptions = WaiterOptions()) async throws\(returns.map { " -> \($0)" } ?? "") {\n"
        let arguments = w.identifiers.map { "\($0): \($0)" }.joined(separator: ", ")
        out += "        try await \(waiter)(\(input)(\(arguments)), options: options)\n"
        out += "    }\n\n"
        return out
    }

    private func activeWaiter(_ w: WaiterShape) throws -> String {
        guard let statusEnum = w.statusEnum, let values = statusEnum.enumValues, values.contains("ACTIVE"), values.contains("DELETE_IN_PROGRESS") else {
            throw GeneratorError("\(w.op.name) has no status enum with ACTIVE and DELETE_IN_PROGRESS for an ACTIVE waiter")
        }
        let failures = values.filter { $0.hasSuffix("_FAILED") }
        let hints = Self.waiterHints[w.op.name] ?? [:]
        for status in hints.keys where !values.contains(status) {
            throw GeneratorError("a hint of \(w.op.name)'s waiter names \(status), which \(statusEnum.name) lacks")
        }
        let waiter = "waitUntil\(w.resource)Active"
        let output = w.op.output!, input = w.op.input!
        var text = "Waits until the \(w.phrase) is `ACTIVE`; fails on \(Self.list(failures + ["DELETE_IN_PROGRESS"]))."
        let waits = values.filter { $0.hasSuffix("_IN_PROGRESS") && $0 != "DELETE_IN_PROGRESS" && $0 != "CREATE_IN_PROGRESS" }
        if !waits.isEmpty { text += " \(Self.list(waits)) \(waits.count > 1 ? "keep" : "keeps") it waiting." }
        for (status, hint) in hints.sorted(by: { $0.key < $1.key }) { text += " `\(status)` keeps it waiting, and a timeout then says \"\(hint)\"." }
        if w.failureCode == nil, w.failureMessage == nil { text += " The answer carries no failure message." }
        text += " Returns the last \(methodLink(w.op)) answer."
        var out = comment(paragraphs([text], indent: "    "), indent: "    ")
        out += "    @discardableResult\n"
        out += "    public func \(waiter)(_ input: \(input), options: WaiterOptions = WaiterOptions()) async throws -> \(output) {\n"
        out += "        try await waitForActive(\n"
        out += "            WaiterSubject(resourceType: \"\(w.phrase)\", resourceId: \(subjectId(w)), goal: \"ACTIVE\", operation: \"\(w.op.name)\"),\n"
        out += "            options: options, active: \(statusEnum.name).active, failures: [\(failures.map { "." + Naming.enumCase($0) }.joined(separator: ", "))],\n"
        out += "            deleting: .deleteInProgress, get: { try await \(Naming.lowerFirst(w.op.name))(input) }, status: \\.status,\n"
        out += "            reason: { \(w.failureCode == nil && w.failureMessage == nil ? "_ in nil" : reasonExpression(w, "$0")) }"
        if !hints.isEmpty {
            out += ",\n            hints: [\(hints.sorted(by: { $0.key < $1.key }).map { ".\(Naming.enumCase($0.key)): \"\($0.value)\"" }.joined(separator: ", "))]"
        }
        out += ")\n    }\n\n"
        out += identifierForm(w, waiter: waiter, returns: output)
        return out
    }

    private func deletedWaiter(_ w: WaiterShape) throws -> String {
        let waiter = "waitUntil\(w.resource)Deleted"
        let deleteFailed = w.statusEnum?.enumValues?.contains("DELETE_FAILED") == true
        var text = "Waits until \(methodLink(w.op)) answers `ResourceNotFoundException`"
        text += deleteFailed ? "; fails on `DELETE_FAILED`." : "."
        var out = comment(paragraphs([text], indent: "    "), indent: "    ")
        out += "    public func \(waiter)(_ input: \(w.op.input!), options: WaiterOptions = WaiterOptions()) async throws {\n"
        out += "        try await waitUntilDeleted(Self.deleted(\"\(w.phrase)\", \(subjectId(w)), \"\(w.op.name)\"), options: options) {\n"
        if deleteFailed {
            out += "            let out = try await \(Naming.lowerFirst(w.op.name))(input)\n"
            out += "            return Self.deletion(out.status, failed: .deleteFailed, reason: \(reasonExpression(w, "out")))\n"
        } else {
            out += "            _ = try await \(Naming.lowerFirst(w.op.name))(input)\n"
            out += "            return .waiting(state: Self.existsState)\n"
        }
        out += "        }\n    }\n\n"
        out += identifierForm(w, waiter: waiter, returns: nil)
        return out
    }
}
