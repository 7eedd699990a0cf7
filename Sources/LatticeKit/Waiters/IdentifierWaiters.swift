/// The waiters of ``LatticeClient`` taking the resource's identifiers (an ID or an ARN, as
/// the Get operation takes them) instead of a whole Get request.
///
/// ```swift
/// let service = try await client.createService(CreateServiceRequest(name: "provider-svc"))
/// try await client.waitUntilServiceActive(serviceIdentifier: try service.require(\.id))
/// ```
extension LatticeClient {
    /// ``waitUntilServiceActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilServiceActive(serviceIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetServiceResponse {
        try await waitUntilServiceActive(GetServiceRequest(serviceIdentifier: serviceIdentifier), options: options)
    }

    /// ``waitUntilTargetGroupActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilTargetGroupActive(targetGroupIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetTargetGroupResponse {
        try await waitUntilTargetGroupActive(GetTargetGroupRequest(targetGroupIdentifier: targetGroupIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkServiceAssociationActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilServiceNetworkServiceAssociationActive(serviceNetworkServiceAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetServiceNetworkServiceAssociationResponse {
        try await waitUntilServiceNetworkServiceAssociationActive(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: serviceNetworkServiceAssociationIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkVpcAssociationActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilServiceNetworkVpcAssociationActive(serviceNetworkVpcAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetServiceNetworkVpcAssociationResponse {
        try await waitUntilServiceNetworkVpcAssociationActive(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: serviceNetworkVpcAssociationIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkResourceAssociationActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilServiceNetworkResourceAssociationActive(serviceNetworkResourceAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetServiceNetworkResourceAssociationResponse {
        try await waitUntilServiceNetworkResourceAssociationActive(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: serviceNetworkResourceAssociationIdentifier), options: options)
    }

    /// ``waitUntilResourceGatewayActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilResourceGatewayActive(resourceGatewayIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetResourceGatewayResponse {
        try await waitUntilResourceGatewayActive(GetResourceGatewayRequest(resourceGatewayIdentifier: resourceGatewayIdentifier), options: options)
    }

    /// ``waitUntilResourceConfigurationActive(_:options:)`` for the resource with this identifier.
    @discardableResult
    public func waitUntilResourceConfigurationActive(resourceConfigurationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws -> GetResourceConfigurationResponse {
        try await waitUntilResourceConfigurationActive(GetResourceConfigurationRequest(resourceConfigurationIdentifier: resourceConfigurationIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilServiceNetworkDeleted(serviceNetworkIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilServiceNetworkDeleted(GetServiceNetworkRequest(serviceNetworkIdentifier: serviceNetworkIdentifier), options: options)
    }

    /// ``waitUntilServiceDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilServiceDeleted(serviceIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: serviceIdentifier), options: options)
    }

    /// ``waitUntilTargetGroupDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilTargetGroupDeleted(targetGroupIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: targetGroupIdentifier), options: options)
    }

    /// ``waitUntilListenerDeleted(_:options:)`` for the resource with these identifiers.
    public func waitUntilListenerDeleted(serviceIdentifier: String, listenerIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilListenerDeleted(GetListenerRequest(serviceIdentifier: serviceIdentifier, listenerIdentifier: listenerIdentifier), options: options)
    }

    /// ``waitUntilRuleDeleted(_:options:)`` for the resource with these identifiers.
    public func waitUntilRuleDeleted(serviceIdentifier: String, listenerIdentifier: String, ruleIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilRuleDeleted(GetRuleRequest(serviceIdentifier: serviceIdentifier, listenerIdentifier: listenerIdentifier, ruleIdentifier: ruleIdentifier), options: options)
    }

    /// ``waitUntilAccessLogSubscriptionDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilAccessLogSubscriptionDeleted(accessLogSubscriptionIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilAccessLogSubscriptionDeleted(GetAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: accessLogSubscriptionIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkServiceAssociationDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilServiceNetworkServiceAssociationDeleted(serviceNetworkServiceAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilServiceNetworkServiceAssociationDeleted(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: serviceNetworkServiceAssociationIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkVpcAssociationDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilServiceNetworkVpcAssociationDeleted(serviceNetworkVpcAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilServiceNetworkVpcAssociationDeleted(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: serviceNetworkVpcAssociationIdentifier), options: options)
    }

    /// ``waitUntilServiceNetworkResourceAssociationDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilServiceNetworkResourceAssociationDeleted(serviceNetworkResourceAssociationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilServiceNetworkResourceAssociationDeleted(GetServiceNetworkResourceAssociationRequest(serviceNetworkResourceAssociationIdentifier: serviceNetworkResourceAssociationIdentifier), options: options)
    }

    /// ``waitUntilResourceGatewayDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilResourceGatewayDeleted(resourceGatewayIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilResourceGatewayDeleted(GetResourceGatewayRequest(resourceGatewayIdentifier: resourceGatewayIdentifier), options: options)
    }

    /// ``waitUntilResourceConfigurationDeleted(_:options:)`` for the resource with this identifier.
    public func waitUntilResourceConfigurationDeleted(resourceConfigurationIdentifier: String, options: WaiterOptions = WaiterOptions()) async throws {
        try await waitUntilResourceConfigurationDeleted(GetResourceConfigurationRequest(resourceConfigurationIdentifier: resourceConfigurationIdentifier), options: options)
    }

    /// ``waitUntilTargetsHealthy(_:targets:options:)`` for the target group with this identifier.
    @discardableResult
    public func waitUntilTargetsHealthy(
        targetGroupIdentifier: String, targets: [Target]? = nil, options: WaiterOptions = WaiterOptions()
    ) async throws -> [TargetSummary] {
        try await waitUntilTargetsHealthy(ListTargetsRequest(targetGroupIdentifier: targetGroupIdentifier), targets: targets, options: options)
    }

    /// ``waitUntilTargetsDeregistered(_:targets:options:)`` for the target group with this identifier.
    public func waitUntilTargetsDeregistered(
        targetGroupIdentifier: String, targets: [Target]? = nil, options: WaiterOptions = WaiterOptions(timeout: 600)
    ) async throws {
        try await waitUntilTargetsDeregistered(ListTargetsRequest(targetGroupIdentifier: targetGroupIdentifier), targets: targets, options: options)
    }
}
