/// What the status waiters of Get operations share: "reach ACTIVE" and "is gone". The waiters
/// themselves are generated from the model (Generated/Waiters.swift, by Codegen's Waiters.swift),
/// each in two forms: taking the Get request, or the resource's identifiers.
///
/// A resource waited for to be ACTIVE fails fast on each `*_FAILED` status its enum has, and
/// on `DELETE_IN_PROGRESS` (a resource being deleted never becomes ACTIVE). Other statuses,
/// including ones the model does not know yet, keep the waiter polling. A
/// `ResourceNotFoundException` ends an ACTIVE waiter with that error.
///
/// A "deleted" waiter succeeds on `ResourceNotFoundException` and fails fast on
/// `DELETE_FAILED`; any other status keeps it polling.
extension LatticeClient {
    /// The state text of a resource whose answer has no status member (it still exists).
    static let existsState = "exists"
    /// The state text of an answer whose status member is missing.
    static let noStatusState = "(no status)"

    /// Polls `get` until `status` is `active`; fails fast on `failures` and `deleting`.
    func waitForActive<Output, Status: LatticeEnum>(
        _ subject: WaiterSubject,
        options: WaiterOptions,
        active: Status,
        failures: Set<Status>,
        deleting: Status,
        get: () async throws -> Output,
        status: (Output) -> Status?,
        reason: (Output) -> String?,
        hints: [Status: String] = [:]
    ) async throws -> Output {
        try await waitUntil(subject, options: options) {
            let output = try await get()
            guard let current = status(output) else { return .waiting(state: Self.noStatusState, hint: "the answer had no status") }
            if current == active { return .done(output, state: current.rawValue) }
            if failures.contains(current) { return .failed(state: current.rawValue, reason: reason(output)) }
            if current == deleting {
                return .failed(state: current.rawValue, reason: "it is being deleted")
            }
            return .waiting(state: current.rawValue, hint: hints[current])
        }
    }

    /// A still-present resource seen by a "deleted" waiter.
    static func deletion<Status: LatticeEnum>(_ status: Status?, failed: Status, reason: String?) -> WaiterObservation<Void> {
        guard let status else { return .waiting(state: noStatusState) }
        if status == failed { return .failed(state: status.rawValue, reason: reason) }
        return .waiting(state: status.rawValue)
    }

    static func deleted(_ type: String, _ id: String, _ operation: String) -> WaiterSubject {
        WaiterSubject(resourceType: type, resourceId: id, goal: deletedState, operation: operation)
    }

    /// `code: message`, either alone, or nil when the service said neither.
    static func failure(code: String?, message: String?) -> String? {
        let parts = [code, message].compactMap { $0?.isEmpty == false ? $0 : nil }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }
}
