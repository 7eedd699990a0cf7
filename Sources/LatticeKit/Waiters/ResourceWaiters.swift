/// Waiters on the status members of Get operations: "reach ACTIVE" and "is gone".
///
/// A resource waited for to be ACTIVE fails fast on each `*_FAILED` status its enum has, and
/// on `DELETE_IN_PROGRESS` (a resource being deleted never becomes ACTIVE). Other statuses,
/// including ones the model does not know yet, keep the waiter polling. A
/// `ResourceNotFoundException` ends an ACTIVE waiter with that error.
///
/// A "deleted" waiter succeeds on `ResourceNotFoundException` and fails fast on
/// `DELETE_FAILED`; any other status keeps it polling.
extension LatticeClient {
    // MARK: ACTIVE

    /// Waits until the service is `ACTIVE`; fails on `CREATE_FAILED`, `DELETE_FAILED` or
    /// `DELETE_IN_PROGRESS`. Returns the last `GetService` answer.
    @discardableResult
    public func waitUntilServiceActive(_ input: GetServiceRequest, options: WaiterOptions = WaiterOptions()) async throws -> GetServiceResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "service", resourceId: input.serviceIdentifier, goal: "ACTIVE", operation: "GetService"),
            options: options, active: ServiceStatus.active, failures: [.createFailed, .deleteFailed], deleting: .deleteInProgress,
            get: { try await getService(input) }, status: \.status,
            reason: { Self.failure(code: $0.failureCode, message: $0.failureMessage) })
    }

    /// Waits until the target group is `ACTIVE`; fails on `CREATE_FAILED`, `DELETE_FAILED` or
    /// `DELETE_IN_PROGRESS`. Returns the last `GetTargetGroup` answer.
    @discardableResult
    public func waitUntilTargetGroupActive(_ input: GetTargetGroupRequest, options: WaiterOptions = WaiterOptions()) async throws -> GetTargetGroupResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "target group", resourceId: input.targetGroupIdentifier, goal: "ACTIVE", operation: "GetTargetGroup"),
            options: options, active: TargetGroupStatus.active, failures: [.createFailed, .deleteFailed], deleting: .deleteInProgress,
            get: { try await getTargetGroup(input) }, status: \.status,
            reason: { Self.failure(code: $0.failureCode, message: $0.failureMessage) })
    }

    /// Waits until the service network service association is `ACTIVE`; fails on
    /// `CREATE_FAILED`, `DELETE_FAILED` or `DELETE_IN_PROGRESS`.
    @discardableResult
    public func waitUntilServiceNetworkServiceAssociationActive(
        _ input: GetServiceNetworkServiceAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws -> GetServiceNetworkServiceAssociationResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "service network service association", resourceId: input.serviceNetworkServiceAssociationIdentifier,
                          goal: "ACTIVE", operation: "GetServiceNetworkServiceAssociation"),
            options: options, active: ServiceNetworkServiceAssociationStatus.active, failures: [.createFailed, .deleteFailed], deleting: .deleteInProgress,
            get: { try await getServiceNetworkServiceAssociation(input) }, status: \.status,
            reason: { Self.failure(code: $0.failureCode, message: $0.failureMessage) })
    }

    /// Waits until the service network VPC association is `ACTIVE`; fails on `CREATE_FAILED`,
    /// `UPDATE_FAILED`, `DELETE_FAILED` or `DELETE_IN_PROGRESS` (`UPDATE_IN_PROGRESS` waits).
    @discardableResult
    public func waitUntilServiceNetworkVpcAssociationActive(
        _ input: GetServiceNetworkVpcAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws -> GetServiceNetworkVpcAssociationResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "service network VPC association", resourceId: input.serviceNetworkVpcAssociationIdentifier,
                          goal: "ACTIVE", operation: "GetServiceNetworkVpcAssociation"),
            options: options, active: ServiceNetworkVpcAssociationStatus.active, failures: [.createFailed, .updateFailed, .deleteFailed],
            deleting: .deleteInProgress,
            get: { try await getServiceNetworkVpcAssociation(input) }, status: \.status,
            reason: { Self.failure(code: $0.failureCode, message: $0.failureMessage) })
    }

    /// Waits until the service network resource association is `ACTIVE`; fails on
    /// `CREATE_FAILED`, `DELETE_FAILED` or `DELETE_IN_PROGRESS`. `PARTIAL` keeps waiting (more
    /// of the association may still come up); a timeout then names it.
    @discardableResult
    public func waitUntilServiceNetworkResourceAssociationActive(
        _ input: GetServiceNetworkResourceAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws -> GetServiceNetworkResourceAssociationResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "service network resource association", resourceId: input.serviceNetworkResourceAssociationIdentifier,
                          goal: "ACTIVE", operation: "GetServiceNetworkResourceAssociation"),
            options: options, active: ServiceNetworkResourceAssociationStatus.active, failures: [.createFailed, .deleteFailed],
            deleting: .deleteInProgress,
            get: { try await getServiceNetworkResourceAssociation(input) }, status: \.status,
            reason: { Self.failure(code: $0.failureCode, message: $0.failureReason) },
            hints: [.partial: "the association is PARTIAL: only part of it is active"])
    }

    /// Waits until the resource gateway is `ACTIVE`; fails on `CREATE_FAILED`, `UPDATE_FAILED`,
    /// `DELETE_FAILED` or `DELETE_IN_PROGRESS` (its answer carries no failure message).
    @discardableResult
    public func waitUntilResourceGatewayActive(_ input: GetResourceGatewayRequest, options: WaiterOptions = WaiterOptions()) async throws -> GetResourceGatewayResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "resource gateway", resourceId: input.resourceGatewayIdentifier, goal: "ACTIVE", operation: "GetResourceGateway"),
            options: options, active: ResourceGatewayStatus.active, failures: [.createFailed, .updateFailed, .deleteFailed], deleting: .deleteInProgress,
            get: { try await getResourceGateway(input) }, status: \.status, reason: { _ in nil })
    }

    /// Waits until the resource configuration is `ACTIVE`; fails on `CREATE_FAILED`,
    /// `UPDATE_FAILED`, `DELETE_FAILED` or `DELETE_IN_PROGRESS`.
    @discardableResult
    public func waitUntilResourceConfigurationActive(
        _ input: GetResourceConfigurationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws -> GetResourceConfigurationResponse {
        try await waitForActive(
            WaiterSubject(resourceType: "resource configuration", resourceId: input.resourceConfigurationIdentifier, goal: "ACTIVE",
                          operation: "GetResourceConfiguration"),
            options: options, active: ResourceConfigurationStatus.active, failures: [.createFailed, .updateFailed, .deleteFailed],
            deleting: .deleteInProgress,
            get: { try await getResourceConfiguration(input) }, status: \.status,
            reason: { Self.failure(code: nil, message: $0.failureReason) })
    }

    // MARK: Deleted

    /// Waits until `GetServiceNetwork` answers `ResourceNotFoundException`.
    public func waitUntilServiceNetworkDeleted(_ input: GetServiceNetworkRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(
            Self.deleted("service network", input.serviceNetworkIdentifier, "GetServiceNetwork"), options: options
        ) {
            _ = try await getServiceNetwork(input)
            return .waiting(state: Self.existsState)
        }
    }

    /// Waits until `GetService` answers `ResourceNotFoundException`; fails on `DELETE_FAILED`.
    public func waitUntilServiceDeleted(_ input: GetServiceRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(Self.deleted("service", input.serviceIdentifier, "GetService"), options: options) {
            let out = try await getService(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: out.failureCode, message: out.failureMessage))
        }
    }

    /// Waits until `GetTargetGroup` answers `ResourceNotFoundException`; fails on `DELETE_FAILED`.
    public func waitUntilTargetGroupDeleted(_ input: GetTargetGroupRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(Self.deleted("target group", input.targetGroupIdentifier, "GetTargetGroup"), options: options) {
            let out = try await getTargetGroup(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: out.failureCode, message: out.failureMessage))
        }
    }

    /// Waits until `GetListener` answers `ResourceNotFoundException`.
    public func waitUntilListenerDeleted(_ input: GetListenerRequest, options: WaiterOptions = WaiterOptions()) async throws {
        let id = "\(input.listenerIdentifier) of service \(input.serviceIdentifier)"
        try await waitUntilDeleted(Self.deleted("listener", id, "GetListener"), options: options) {
            _ = try await getListener(input)
            return .waiting(state: Self.existsState)
        }
    }

    /// Waits until `GetRule` answers `ResourceNotFoundException`.
    public func waitUntilRuleDeleted(_ input: GetRuleRequest, options: WaiterOptions = WaiterOptions()) async throws {
        let id = "\(input.ruleIdentifier) of listener \(input.listenerIdentifier) of service \(input.serviceIdentifier)"
        try await waitUntilDeleted(Self.deleted("rule", id, "GetRule"), options: options) {
            _ = try await getRule(input)
            return .waiting(state: Self.existsState)
        }
    }

    /// Waits until `GetAccessLogSubscription` answers `ResourceNotFoundException`.
    public func waitUntilAccessLogSubscriptionDeleted(_ input: GetAccessLogSubscriptionRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(
            Self.deleted("access log subscription", input.accessLogSubscriptionIdentifier, "GetAccessLogSubscription"), options: options
        ) {
            _ = try await getAccessLogSubscription(input)
            return .waiting(state: Self.existsState)
        }
    }

    /// Waits until `GetServiceNetworkServiceAssociation` answers `ResourceNotFoundException`;
    /// fails on `DELETE_FAILED`.
    public func waitUntilServiceNetworkServiceAssociationDeleted(
        _ input: GetServiceNetworkServiceAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws {
        try await waitUntilDeleted(
            Self.deleted("service network service association", input.serviceNetworkServiceAssociationIdentifier, "GetServiceNetworkServiceAssociation"),
            options: options
        ) {
            let out = try await getServiceNetworkServiceAssociation(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: out.failureCode, message: out.failureMessage))
        }
    }

    /// Waits until `GetServiceNetworkVpcAssociation` answers `ResourceNotFoundException`;
    /// fails on `DELETE_FAILED`.
    public func waitUntilServiceNetworkVpcAssociationDeleted(
        _ input: GetServiceNetworkVpcAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws {
        try await waitUntilDeleted(
            Self.deleted("service network VPC association", input.serviceNetworkVpcAssociationIdentifier, "GetServiceNetworkVpcAssociation"),
            options: options
        ) {
            let out = try await getServiceNetworkVpcAssociation(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: out.failureCode, message: out.failureMessage))
        }
    }

    /// Waits until `GetServiceNetworkResourceAssociation` answers `ResourceNotFoundException`;
    /// fails on `DELETE_FAILED`.
    public func waitUntilServiceNetworkResourceAssociationDeleted(
        _ input: GetServiceNetworkResourceAssociationRequest, options: WaiterOptions = WaiterOptions()
    ) async throws {
        try await waitUntilDeleted(
            Self.deleted("service network resource association", input.serviceNetworkResourceAssociationIdentifier, "GetServiceNetworkResourceAssociation"),
            options: options
        ) {
            let out = try await getServiceNetworkResourceAssociation(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: out.failureCode, message: out.failureReason))
        }
    }

    /// Waits until `GetResourceGateway` answers `ResourceNotFoundException`; fails on
    /// `DELETE_FAILED`.
    public func waitUntilResourceGatewayDeleted(_ input: GetResourceGatewayRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(Self.deleted("resource gateway", input.resourceGatewayIdentifier, "GetResourceGateway"), options: options) {
            let out = try await getResourceGateway(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: nil)
        }
    }

    /// Waits until `GetResourceConfiguration` answers `ResourceNotFoundException`; fails on
    /// `DELETE_FAILED`.
    public func waitUntilResourceConfigurationDeleted(_ input: GetResourceConfigurationRequest, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilDeleted(
            Self.deleted("resource configuration", input.resourceConfigurationIdentifier, "GetResourceConfiguration"), options: options
        ) {
            let out = try await getResourceConfiguration(input)
            return Self.deletion(out.status, failed: .deleteFailed, reason: Self.failure(code: nil, message: out.failureReason))
        }
    }

    // MARK: Shared

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
