import LatticeKit

/// Resource configurations: SINGLE and ARN ones name a gateway and a definition, GROUP ones a
/// gateway and no definition, CHILD ones their GROUP and a definition (and inherit its
/// gateway). Deletion is refused while service networks are associated or, for a GROUP, while
/// it has children; it takes the configuration's VPC endpoint associations with it. Resource
/// endpoint associations come from VPC endpoints (`LocalLattice.addVpcEndpoint`).
enum ResourceConfigurationHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createResourceConfiguration) { (s: inout Scope, i: CreateResourceConfigurationRequest) in try s.createResourceConfiguration(i) },
        .make(.getResourceConfiguration) { (s: inout Scope, i: GetResourceConfigurationRequest) in try s.getResourceConfiguration(i) },
        .make(.listResourceConfigurations) { (s: inout Scope, i: ListResourceConfigurationsRequest) in try s.listResourceConfigurations(i) },
        .make(.updateResourceConfiguration) { (s: inout Scope, i: UpdateResourceConfigurationRequest) in try s.updateResourceConfiguration(i) },
        .make(.deleteResourceConfiguration) { (s: inout Scope, i: DeleteResourceConfigurationRequest) in try s.deleteResourceConfiguration(i) },
        .make(.listResourceEndpointAssociations) { (s: inout Scope, i: ListResourceEndpointAssociationsRequest) in try s.listEndpointAssociations(i) },
        .make(.deleteResourceEndpointAssociation) { (s: inout Scope, i: DeleteResourceEndpointAssociationRequest) in try s.deleteEndpointAssociation(i) },
    ]
}

extension Scope {
    mutating func createResourceConfiguration(_ i: CreateResourceConfigurationRequest) throws(ServiceFault) -> CreateResourceConfigurationResponse {
        try checkTags(i.tags)
        try checkEnum(i.type, "type")
        try checkEnum(i.protocol, "protocol")
        if let other = db.configurations.first(where: { $0.name == i.name }) {
            throw .conflict("A resource configuration named '\(i.name)' already exists: \(other.id).", .resourceConfiguration, other.id)
        }
        var gatewayId: String?
        var groupId: String?
        switch i.type {
        case .child:
            guard let groupIdentifier = i.resourceConfigurationGroupIdentifier else {
                throw .invalid("resourceConfigurationGroupIdentifier", "is required for a CHILD resource configuration")
            }
            if i.resourceGatewayIdentifier != nil { throw .invalid("resourceGatewayIdentifier", "a CHILD resource configuration uses its group's gateway") }
            let group = try findUsable(\.configurations, groupIdentifier)
            guard group.type == .group else { throw .invalid("resourceConfigurationGroupIdentifier", "\(group.id) is not a GROUP resource configuration") }
            groupId = group.id
            gatewayId = group.gatewayId
        default:
            guard let gatewayIdentifier = i.resourceGatewayIdentifier else {
                throw .invalid("resourceGatewayIdentifier", "is required for a \(i.type.rawValue) resource configuration")
            }
            if i.resourceConfigurationGroupIdentifier != nil {
                throw .invalid("resourceConfigurationGroupIdentifier", "only a CHILD resource configuration belongs to a group")
            }
            gatewayId = try findUsable(\.gateways, gatewayIdentifier).id
        }
        try checkDefinition(i.resourceConfigurationDefinition, type: i.type, field: "resourceConfigurationDefinition")
        if (i.type == .single || i.type == .child), (i.portRanges ?? []).isEmpty {
            throw .invalid("portRanges", "is required for a \(i.type.rawValue) resource configuration")
        }
        try checkPortRanges(i.portRanges)
        let verificationId = try i.domainVerificationIdentifier.map { id throws(ServiceFault) in try find(\.verifications, id).id }
        let (id, arn, seq) = newIdentity(.resourceConfiguration)
        let r = ConfigurationRecord(id: id, arn: arn, seq: seq, name: i.name, type: i.type, portRanges: i.portRanges,
                                    protocol: i.type == .arn ? nil : (i.protocol ?? .tcp), gatewayId: gatewayId, groupId: groupId,
                                    definition: i.resourceConfigurationDefinition, allowShareable: i.allowAssociationToShareableServiceNetwork,
                                    customDomainName: i.customDomainName, groupDomain: i.groupDomain, domainVerificationId: verificationId,
                                    phase: .creating(settle), createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.configurations, tags: i.tags)
        return CreateResourceConfigurationResponse(
            id: id, name: r.name, arn: arn, resourceGatewayId: gatewayId, resourceConfigurationGroupId: groupId, type: r.type, portRanges: r.portRanges,
            protocol: r.protocol, status: r.phase.status(), resourceConfigurationDefinition: r.definition, allowAssociationToShareableServiceNetwork: r.allowShareable,
            createdAt: now, customDomainName: r.customDomainName, domainVerificationId: verificationId, groupDomain: r.groupDomain,
            domainVerificationArn: verificationId.map { self.arn(.domainVerification, $0) })
    }

    mutating func getResourceConfiguration(_ i: GetResourceConfigurationRequest) throws(ServiceFault) -> GetResourceConfigurationResponse {
        let found = try find(\.configurations, i.resourceConfigurationIdentifier)
        guard let r = db.observe(\.configurations, found.id, at: now) else { throw .notFound(.resourceConfiguration, i.resourceConfigurationIdentifier) }
        let verification = r.domainVerificationId.flatMap { db.verifications[$0] }
        return GetResourceConfigurationResponse(
            id: r.id, name: r.name, arn: r.arn, resourceGatewayId: r.gatewayId, resourceConfigurationGroupId: r.groupId, type: r.type,
            allowAssociationToShareableServiceNetwork: r.allowShareable, portRanges: r.portRanges, protocol: r.protocol,
            customDomainName: r.customDomainName, status: r.phase.status(), resourceConfigurationDefinition: r.definition, createdAt: r.createdAt,
            amazonManaged: false, lastUpdatedAt: r.lastUpdatedAt, domainVerificationId: r.domainVerificationId, domainVerificationArn: verification?.arn,
            domainVerificationStatus: verification.map { $0.phase == .active ? .verified : .pending }, groupDomain: r.groupDomain)
    }

    mutating func listResourceConfigurations(_ i: ListResourceConfigurationsRequest) throws(ServiceFault) -> ListResourceConfigurationsResponse {
        let gatewayId = try i.resourceGatewayIdentifier.map { id throws(ServiceFault) in try find(\.gateways, id).id }
        let groupId = try i.resourceConfigurationGroupIdentifier.map { id throws(ServiceFault) in try find(\.configurations, id).id }
        let verificationId = try i.domainVerificationIdentifier.map { id throws(ServiceFault) in try find(\.verifications, id).id }
        let matching = db.configurations.filter { r in
            (gatewayId == nil || r.gatewayId == gatewayId) && (groupId == nil || r.groupId == groupId)
                && (verificationId == nil || r.domainVerificationId == verificationId)
        }
        let (items, token) = try page(matching, operation: "ListResourceConfigurations", filter: "\(gatewayId ?? "")|\(groupId ?? "")|\(verificationId ?? "")",
                                      maxResults: i.maxResults, nextToken: i.nextToken)
        return ListResourceConfigurationsResponse(items: items.compactMap { item in
            db.observe(\.configurations, item.id, at: now).map { r in
                ResourceConfigurationSummary(
                    id: r.id, name: r.name, arn: r.arn, resourceGatewayId: r.gatewayId, resourceConfigurationGroupId: r.groupId, type: r.type,
                    status: r.phase.status(), amazonManaged: false, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt,
                    customDomainName: r.customDomainName, domainVerificationId: r.domainVerificationId, groupDomain: r.groupDomain)
            }
        }, nextToken: token)
    }

    mutating func updateResourceConfiguration(_ i: UpdateResourceConfigurationRequest) throws(ServiceFault) -> UpdateResourceConfigurationResponse {
        var r = try findUsable(\.configurations, i.resourceConfigurationIdentifier)
        if let definition = i.resourceConfigurationDefinition {
            if r.type == .group { throw .invalid("resourceConfigurationDefinition", "a GROUP resource configuration has no definition") }
            try checkDefinition(definition, type: r.type, field: "resourceConfigurationDefinition")
            r.definition = definition
        }
        if let ranges = i.portRanges {
            if r.type == .arn { throw .invalid("portRanges", "an ARN resource configuration has no port ranges") }
            try checkPortRanges(ranges)
            r.portRanges = ranges
        }
        if let allow = i.allowAssociationToShareableServiceNetwork { r.allowShareable = allow }
        r.phase = .updating(settle)
        r.lastUpdatedAt = now
        db.configurations[r.id] = r
        return UpdateResourceConfigurationResponse(
            id: r.id, name: r.name, arn: r.arn, resourceGatewayId: r.gatewayId, resourceConfigurationGroupId: r.groupId, type: r.type,
            portRanges: r.portRanges, allowAssociationToShareableServiceNetwork: r.allowShareable, protocol: r.protocol, status: r.phase.status(),
            resourceConfigurationDefinition: r.definition)
    }

    mutating func deleteResourceConfiguration(_ i: DeleteResourceConfigurationRequest) throws(ServiceFault) -> DeleteResourceConfigurationResponse {
        let r = try find(\.configurations, i.resourceConfigurationIdentifier)
        let associations = db.resourceAssociations.filter { $0.resourceConfigurationId == r.id }
        if !associations.isEmpty {
            throw .conflict("The resource configuration \(r.id) is associated with service networks (\(associations.map(\.id).joined(separator: ", "))): delete the associations first.",
                            .resourceConfiguration, r.id)
        }
        let children = db.configurations.filter { $0.groupId == r.id }
        if !children.isEmpty {
            throw .conflict("The resource configuration group \(r.id) has children (\(children.map(\.id).joined(separator: ", "))): delete them first.",
                            .resourceConfiguration, r.id)
        }
        if !r.phase.isDeleting {
            for association in db.endpointAssociations.filter({ $0.resourceConfigurationId == r.id }) { db.remove(association.id, from: \.endpointAssociations) }
            removeAccessLogs(of: r.id)
            db.authPolicies[r.arn] = nil
            db.resourcePolicies[r.arn] = nil
        }
        startDeletion(\.configurations, r)
        return DeleteResourceConfigurationResponse()
    }

    // MARK: Resource endpoint associations

    mutating func listEndpointAssociations(_ i: ListResourceEndpointAssociationsRequest) throws(ServiceFault) -> ListResourceEndpointAssociationsResponse {
        let configuration = try find(\.configurations, i.resourceConfigurationIdentifier)
        let associationId = try i.resourceEndpointAssociationIdentifier.map { id throws(ServiceFault) in try find(\.endpointAssociations, id).id }
        let matching = db.endpointAssociations.filter { r in
            r.resourceConfigurationId == configuration.id && (associationId == nil || r.id == associationId)
                && (i.vpcEndpointId == nil || r.vpcEndpointId == i.vpcEndpointId) && (i.vpcEndpointOwner == nil || r.vpcEndpointOwner == i.vpcEndpointOwner)
        }
        let filter = [configuration.id, associationId ?? "", i.vpcEndpointId ?? "", i.vpcEndpointOwner ?? ""].joined(separator: "|")
        let (items, token) = try page(matching, operation: "ListResourceEndpointAssociations", filter: filter, maxResults: i.maxResults, nextToken: i.nextToken)
        return ListResourceEndpointAssociationsResponse(items: items.map { r in
            ResourceEndpointAssociationSummary(id: r.id, arn: r.arn, resourceConfigurationId: configuration.id, resourceConfigurationArn: configuration.arn,
                                               resourceConfigurationName: configuration.name, vpcEndpointId: r.vpcEndpointId, vpcEndpointOwner: r.vpcEndpointOwner,
                                               createdBy: r.vpcEndpointOwner, createdAt: r.createdAt)
        }, nextToken: token)
    }

    mutating func deleteEndpointAssociation(_ i: DeleteResourceEndpointAssociationRequest) throws(ServiceFault) -> DeleteResourceEndpointAssociationResponse {
        let r = try find(\.endpointAssociations, i.resourceEndpointAssociationIdentifier)
        db.remove(r.id, from: \.endpointAssociations)
        return DeleteResourceEndpointAssociationResponse(id: r.id, arn: r.arn, resourceConfigurationId: r.resourceConfigurationId,
                                                         resourceConfigurationArn: db.configurations[r.resourceConfigurationId]?.arn, vpcEndpointId: r.vpcEndpointId)
    }

    // MARK: Checks

    /// SINGLE and CHILD configurations define a DNS or IP resource, ARN ones an ARN resource,
    /// GROUP ones none.
    func checkDefinition(_ definition: ResourceConfigurationDefinition?, type: ResourceConfigurationType, field: String) throws(ServiceFault) {
        switch (type, definition) {
        case (.group, nil): return
        case (.group, _): throw .invalid(field, "a GROUP resource configuration has no definition")
        case (_, nil): throw .invalid(field, "is required for a \(type.rawValue) resource configuration")
        case (.arn, .arnResource?): return
        case (.arn, _): throw .invalid(field, "an ARN resource configuration is defined by an arnResource")
        case (_, .arnResource?): throw .invalid(field, "an arnResource defines only ARN resource configurations")
        case (_, .sdkUnknown(let name)?): throw .invalid(field, "unknown definition '\(name)'")
        case (_, .ipResource(let ip)?):
            if let address = ip.ipAddress, !Self.isIPv4(address), !Self.isIPv6(address) { throw .invalid("\(field).ipResource.ipAddress", "'\(address)' is not an IP address") }
        case (_, .dnsResource(let dns)?):
            try checkEnum(dns.ipAddressType, "\(field).dnsResource.ipAddressType")
        }
    }

    /// `443` or `8000-8080`, ports from 1 to 65535, low before high.
    func checkPortRanges(_ ranges: [String]?) throws(ServiceFault) {
        for (n, range) in (ranges ?? []).enumerated() {
            let bounds = range.split(separator: "-").map { Int($0) ?? 0 }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ (1...65535).contains($0) }), bounds.first ?? 0 <= bounds.last ?? 0 else {
                throw .invalid("portRanges[\(n)]", "'\(range)' is not a port or a range of ports from 1 to 65535")
            }
        }
    }
}
