import LatticeKit

/// The service network's associations: with services (one per pair), with VPCs (a VPC joins
/// at most one service network), with resource configurations (one per pair; not CHILD
/// configurations), and the VPC endpoints EC2 makes (simulated with
/// `LocalLattice.addVpcEndpoint`). Associations go CREATE_IN_PROGRESS → ACTIVE and
/// DELETE_IN_PROGRESS → gone; a VPC association's update goes through UPDATE_IN_PROGRESS.
enum AssociationHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createServiceNetworkServiceAssociation) { (s: inout Scope, i: CreateServiceNetworkServiceAssociationRequest) in try s.createServiceAssociation(i) },
        .make(.getServiceNetworkServiceAssociation) { (s: inout Scope, i: GetServiceNetworkServiceAssociationRequest) in try s.getServiceAssociation(i) },
        .make(.listServiceNetworkServiceAssociations) { (s: inout Scope, i: ListServiceNetworkServiceAssociationsRequest) in try s.listServiceAssociations(i) },
        .make(.deleteServiceNetworkServiceAssociation) { (s: inout Scope, i: DeleteServiceNetworkServiceAssociationRequest) in try s.deleteServiceAssociation(i) },
        .make(.createServiceNetworkVpcAssociation) { (s: inout Scope, i: CreateServiceNetworkVpcAssociationRequest) in try s.createVpcAssociation(i) },
        .make(.getServiceNetworkVpcAssociation) { (s: inout Scope, i: GetServiceNetworkVpcAssociationRequest) in try s.getVpcAssociation(i) },
        .make(.listServiceNetworkVpcAssociations) { (s: inout Scope, i: ListServiceNetworkVpcAssociationsRequest) in try s.listVpcAssociations(i) },
        .make(.updateServiceNetworkVpcAssociation) { (s: inout Scope, i: UpdateServiceNetworkVpcAssociationRequest) in try s.updateVpcAssociation(i) },
        .make(.deleteServiceNetworkVpcAssociation) { (s: inout Scope, i: DeleteServiceNetworkVpcAssociationRequest) in try s.deleteVpcAssociation(i) },
        .make(.createServiceNetworkResourceAssociation) { (s: inout Scope, i: CreateServiceNetworkResourceAssociationRequest) in try s.createResourceAssociation(i) },
        .make(.getServiceNetworkResourceAssociation) { (s: inout Scope, i: GetServiceNetworkResourceAssociationRequest) in try s.getResourceAssociation(i) },
        .make(.listServiceNetworkResourceAssociations) { (s: inout Scope, i: ListServiceNetworkResourceAssociationsRequest) in try s.listResourceAssociations(i) },
        .make(.deleteServiceNetworkResourceAssociation) { (s: inout Scope, i: DeleteServiceNetworkResourceAssociationRequest) in try s.deleteResourceAssociation(i) },
        .make(.listServiceNetworkVpcEndpointAssociations) { (s: inout Scope, i: ListServiceNetworkVpcEndpointAssociationsRequest) in try s.listNetworkEndpoints(i) },
    ]
}

extension Scope {
    // MARK: Service associations

    mutating func createServiceAssociation(_ i: CreateServiceNetworkServiceAssociationRequest) throws(ServiceFault) -> CreateServiceNetworkServiceAssociationResponse {
        try checkTags(i.tags)
        let network = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        let service = try findUsable(\.services, i.serviceIdentifier)
        if let other = db.serviceAssociations.first(where: { $0.serviceId == service.id && $0.serviceNetworkId == network.id }) {
            throw .conflict("The service \(service.id) is already associated with the service network \(network.id): \(other.id).",
                            .serviceNetworkServiceAssociation, other.id)
        }
        let (id, arn, seq) = newIdentity(.serviceNetworkServiceAssociation)
        let r = ServiceAssociationRecord(id: id, arn: arn, seq: seq, serviceId: service.id, serviceNetworkId: network.id, createdBy: account,
                                         phase: .creating(settle), createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.serviceAssociations, tags: i.tags)
        return CreateServiceNetworkServiceAssociationResponse(id: id, status: r.phase.status(), arn: arn, createdBy: account,
                                                              customDomainName: service.customDomainName, dnsEntry: service.dnsEntry)
    }

    mutating func getServiceAssociation(_ i: GetServiceNetworkServiceAssociationRequest) throws(ServiceFault) -> GetServiceNetworkServiceAssociationResponse {
        let found = try find(\.serviceAssociations, i.serviceNetworkServiceAssociationIdentifier)
        guard let r = db.observe(\.serviceAssociations, found.id, at: now) else { throw .notFound(.serviceNetworkServiceAssociation, i.serviceNetworkServiceAssociationIdentifier) }
        let service = db.services[r.serviceId]
        let network = db.serviceNetworks[r.serviceNetworkId]
        return GetServiceNetworkServiceAssociationResponse(
            id: r.id, status: r.phase.status(), arn: r.arn, createdBy: r.createdBy, createdAt: r.createdAt, serviceId: r.serviceId,
            serviceName: service?.name, serviceArn: service?.arn, serviceNetworkId: r.serviceNetworkId, serviceNetworkName: network?.name,
            serviceNetworkArn: network?.arn, dnsEntry: service?.dnsEntry, customDomainName: service?.customDomainName)
    }

    mutating func listServiceAssociations(_ i: ListServiceNetworkServiceAssociationsRequest) throws(ServiceFault) -> ListServiceNetworkServiceAssociationsResponse {
        guard i.serviceNetworkIdentifier != nil || i.serviceIdentifier != nil else {
            throw .validation("Either serviceNetworkIdentifier or serviceIdentifier is required.",
                              fields: [("serviceNetworkIdentifier", "Give a service network or a service to list the associations of.")])
        }
        let networkId = try i.serviceNetworkIdentifier.map { id throws(ServiceFault) in try find(\.serviceNetworks, id).id }
        let serviceId = try i.serviceIdentifier.map { id throws(ServiceFault) in try find(\.services, id).id }
        let matching = db.serviceAssociations.filter { r in
            (networkId == nil || r.serviceNetworkId == networkId) && (serviceId == nil || r.serviceId == serviceId)
        }
        let (items, token) = try page(matching, operation: "ListServiceNetworkServiceAssociations", filter: "\(networkId ?? "")|\(serviceId ?? "")",
                                      maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServiceNetworkServiceAssociationsResponse(items: items.compactMap { item in
            db.observe(\.serviceAssociations, item.id, at: now).map { r in
                let service = db.services[r.serviceId]
                let network = db.serviceNetworks[r.serviceNetworkId]
                return ServiceNetworkServiceAssociationSummary(
                    id: r.id, status: r.phase.status(), arn: r.arn, createdBy: r.createdBy, createdAt: r.createdAt, serviceId: r.serviceId,
                    serviceName: service?.name, serviceArn: service?.arn, serviceNetworkId: r.serviceNetworkId, serviceNetworkName: network?.name,
                    serviceNetworkArn: network?.arn, dnsEntry: service?.dnsEntry, customDomainName: service?.customDomainName)
            }
        }, nextToken: token)
    }

    mutating func deleteServiceAssociation(_ i: DeleteServiceNetworkServiceAssociationRequest) throws(ServiceFault) -> DeleteServiceNetworkServiceAssociationResponse {
        let r = try find(\.serviceAssociations, i.serviceNetworkServiceAssociationIdentifier)
        startDeletion(\.serviceAssociations, r)
        return DeleteServiceNetworkServiceAssociationResponse(id: r.id, status: .deleteInProgress, arn: r.arn)
    }

    // MARK: VPC associations

    mutating func createVpcAssociation(_ i: CreateServiceNetworkVpcAssociationRequest) throws(ServiceFault) -> CreateServiceNetworkVpcAssociationResponse {
        try checkTags(i.tags)
        try checkEnum(i.dnsOptions?.privateDnsPreference, "dnsOptions.privateDnsPreference")
        let network = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        if let other = db.vpcAssociations.first(where: { $0.vpcId == i.vpcIdentifier }) {
            throw .conflict("The VPC \(i.vpcIdentifier) is already associated with the service network \(other.serviceNetworkId): \(other.id).",
                            .serviceNetworkVpcAssociation, other.id)
        }
        let (id, arn, seq) = newIdentity(.serviceNetworkVpcAssociation)
        let groups = i.securityGroupIds.flatMap { $0.isEmpty ? nil : $0 }
        let r = VpcAssociationRecord(id: id, arn: arn, seq: seq, serviceNetworkId: network.id, vpcId: i.vpcIdentifier, securityGroupIds: groups,
                                     privateDnsEnabled: i.privateDnsEnabled, dnsOptions: i.dnsOptions, createdBy: account,
                                     phase: .creating(settle), createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.vpcAssociations, tags: i.tags)
        return CreateServiceNetworkVpcAssociationResponse(id: id, status: r.phase.status(), arn: arn, createdBy: account, securityGroupIds: groups,
                                                          privateDnsEnabled: r.privateDnsEnabled, dnsOptions: r.dnsOptions)
    }

    mutating func getVpcAssociation(_ i: GetServiceNetworkVpcAssociationRequest) throws(ServiceFault) -> GetServiceNetworkVpcAssociationResponse {
        let found = try find(\.vpcAssociations, i.serviceNetworkVpcAssociationIdentifier)
        guard let r = db.observe(\.vpcAssociations, found.id, at: now) else { throw .notFound(.serviceNetworkVpcAssociation, i.serviceNetworkVpcAssociationIdentifier) }
        let network = db.serviceNetworks[r.serviceNetworkId]
        return GetServiceNetworkVpcAssociationResponse(
            id: r.id, status: r.phase.status(), arn: r.arn, createdBy: r.createdBy, createdAt: r.createdAt, serviceNetworkId: r.serviceNetworkId,
            serviceNetworkName: network?.name, serviceNetworkArn: network?.arn, vpcId: r.vpcId, securityGroupIds: r.securityGroupIds,
            privateDnsEnabled: r.privateDnsEnabled, lastUpdatedAt: r.lastUpdatedAt, dnsOptions: r.dnsOptions)
    }

    mutating func listVpcAssociations(_ i: ListServiceNetworkVpcAssociationsRequest) throws(ServiceFault) -> ListServiceNetworkVpcAssociationsResponse {
        guard i.serviceNetworkIdentifier != nil || i.vpcIdentifier != nil else {
            throw .validation("Either serviceNetworkIdentifier or vpcIdentifier is required.",
                              fields: [("serviceNetworkIdentifier", "Give a service network or a VPC to list the associations of.")])
        }
        let networkId = try i.serviceNetworkIdentifier.map { id throws(ServiceFault) in try find(\.serviceNetworks, id).id }
        let matching = db.vpcAssociations.filter { r in
            (networkId == nil || r.serviceNetworkId == networkId) && (i.vpcIdentifier == nil || r.vpcId == i.vpcIdentifier)
        }
        let (items, token) = try page(matching, operation: "ListServiceNetworkVpcAssociations", filter: "\(networkId ?? "")|\(i.vpcIdentifier ?? "")",
                                      maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServiceNetworkVpcAssociationsResponse(items: items.compactMap { item in
            db.observe(\.vpcAssociations, item.id, at: now).map { r in
                let network = db.serviceNetworks[r.serviceNetworkId]
                return ServiceNetworkVpcAssociationSummary(
                    id: r.id, arn: r.arn, status: r.phase.status(), createdBy: r.createdBy, createdAt: r.createdAt, serviceNetworkId: r.serviceNetworkId,
                    serviceNetworkName: network?.name, serviceNetworkArn: network?.arn, privateDnsEnabled: r.privateDnsEnabled, dnsOptions: r.dnsOptions,
                    vpcId: r.vpcId, lastUpdatedAt: r.lastUpdatedAt)
            }
        }, nextToken: token)
    }

    mutating func updateVpcAssociation(_ i: UpdateServiceNetworkVpcAssociationRequest) throws(ServiceFault) -> UpdateServiceNetworkVpcAssociationResponse {
        var r = try findUsable(\.vpcAssociations, i.serviceNetworkVpcAssociationIdentifier)
        r.securityGroupIds = i.securityGroupIds
        r.phase = .updating(settle)
        r.lastUpdatedAt = now
        db.vpcAssociations[r.id] = r
        return UpdateServiceNetworkVpcAssociationResponse(id: r.id, arn: r.arn, status: r.phase.status(), createdBy: r.createdBy, securityGroupIds: r.securityGroupIds)
    }

    mutating func deleteVpcAssociation(_ i: DeleteServiceNetworkVpcAssociationRequest) throws(ServiceFault) -> DeleteServiceNetworkVpcAssociationResponse {
        let r = try find(\.vpcAssociations, i.serviceNetworkVpcAssociationIdentifier)
        startDeletion(\.vpcAssociations, r)
        return DeleteServiceNetworkVpcAssociationResponse(id: r.id, status: .deleteInProgress, arn: r.arn)
    }

    // MARK: Resource associations

    mutating func createResourceAssociation(_ i: CreateServiceNetworkResourceAssociationRequest) throws(ServiceFault) -> CreateServiceNetworkResourceAssociationResponse {
        try checkTags(i.tags)
        let network = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        let configuration = try findUsable(\.configurations, i.resourceConfigurationIdentifier)
        if configuration.type == .child {
            throw .invalid("resourceConfigurationIdentifier", "a CHILD resource configuration is associated through its GROUP \(configuration.groupId ?? "")")
        }
        if let other = db.resourceAssociations.first(where: { $0.resourceConfigurationId == configuration.id && $0.serviceNetworkId == network.id }) {
            throw .conflict("The resource configuration \(configuration.id) is already associated with the service network \(network.id): \(other.id).",
                            .serviceNetworkResourceAssociation, other.id)
        }
        let (id, arn, seq) = newIdentity(.serviceNetworkResourceAssociation)
        let domain = "\(id).\(configuration.id).\(ids.characters(7, Identities.hex)).vpc-lattice-rsc.\(region).on.aws"
        let dns = DnsEntry(domainName: domain, hostedZoneId: "Z" + ids.characters(20, Identities.upper))
        let r = ResourceAssociationRecord(id: id, arn: arn, seq: seq, serviceNetworkId: network.id, resourceConfigurationId: configuration.id,
                                          privateDnsEnabled: i.privateDnsEnabled, dnsEntry: dns, createdBy: account, phase: .creating(settle),
                                          createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.resourceAssociations, tags: i.tags)
        return CreateServiceNetworkResourceAssociationResponse(id: id, arn: arn, status: r.phase.status(), createdBy: account, privateDnsEnabled: r.privateDnsEnabled)
    }

    mutating func getResourceAssociation(_ i: GetServiceNetworkResourceAssociationRequest) throws(ServiceFault) -> GetServiceNetworkResourceAssociationResponse {
        let found = try find(\.resourceAssociations, i.serviceNetworkResourceAssociationIdentifier)
        guard let r = db.observe(\.resourceAssociations, found.id, at: now) else {
            throw .notFound(.serviceNetworkResourceAssociation, i.serviceNetworkResourceAssociationIdentifier)
        }
        let network = db.serviceNetworks[r.serviceNetworkId]
        let configuration = db.configurations[r.resourceConfigurationId]
        return GetServiceNetworkResourceAssociationResponse(
            id: r.id, arn: r.arn, status: r.phase.status(), createdBy: r.createdBy, createdAt: r.createdAt, resourceConfigurationId: r.resourceConfigurationId,
            resourceConfigurationArn: configuration?.arn, resourceConfigurationName: configuration?.name, serviceNetworkId: r.serviceNetworkId,
            serviceNetworkArn: network?.arn, serviceNetworkName: network?.name, lastUpdatedAt: r.lastUpdatedAt, privateDnsEnabled: r.privateDnsEnabled,
            dnsEntry: r.dnsEntry, isManagedAssociation: false)
    }

    mutating func listResourceAssociations(_ i: ListServiceNetworkResourceAssociationsRequest) throws(ServiceFault) -> ListServiceNetworkResourceAssociationsResponse {
        let networkId = try i.serviceNetworkIdentifier.map { id throws(ServiceFault) in try find(\.serviceNetworks, id).id }
        let configurationId = try i.resourceConfigurationIdentifier.map { id throws(ServiceFault) in try find(\.configurations, id).id }
        let matching = db.resourceAssociations.filter { r in
            (networkId == nil || r.serviceNetworkId == networkId) && (configurationId == nil || r.resourceConfigurationId == configurationId)
        }
        let (items, token) = try page(matching, operation: "ListServiceNetworkResourceAssociations",
                                      filter: "\(networkId ?? "")|\(configurationId ?? "")", maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServiceNetworkResourceAssociationsResponse(items: items.compactMap { item in
            db.observe(\.resourceAssociations, item.id, at: now).map { r in
                let network = db.serviceNetworks[r.serviceNetworkId]
                let configuration = db.configurations[r.resourceConfigurationId]
                return ServiceNetworkResourceAssociationSummary(
                    id: r.id, arn: r.arn, status: r.phase.status(), createdBy: r.createdBy, createdAt: r.createdAt,
                    resourceConfigurationId: r.resourceConfigurationId, resourceConfigurationArn: configuration?.arn,
                    resourceConfigurationName: configuration?.name, serviceNetworkId: r.serviceNetworkId, serviceNetworkArn: network?.arn,
                    serviceNetworkName: network?.name, dnsEntry: r.dnsEntry, isManagedAssociation: false, privateDnsEnabled: r.privateDnsEnabled)
            }
        }, nextToken: token)
    }

    mutating func deleteResourceAssociation(_ i: DeleteServiceNetworkResourceAssociationRequest) throws(ServiceFault) -> DeleteServiceNetworkResourceAssociationResponse {
        let r = try find(\.resourceAssociations, i.serviceNetworkResourceAssociationIdentifier)
        startDeletion(\.resourceAssociations, r)
        return DeleteServiceNetworkResourceAssociationResponse(id: r.id, arn: r.arn, status: .deleteInProgress)
    }

    // MARK: VPC endpoints

    mutating func listNetworkEndpoints(_ i: ListServiceNetworkVpcEndpointAssociationsRequest) throws(ServiceFault) -> ListServiceNetworkVpcEndpointAssociationsResponse {
        let network = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        let (items, token) = try page(db.networkEndpoints.filter { $0.serviceNetworkId == network.id }, operation: "ListServiceNetworkVpcEndpointAssociations",
                                      filter: network.id, maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServiceNetworkVpcEndpointAssociationsResponse(items: items.map { r in
            ServiceNetworkEndpointAssociation(vpcEndpointId: r.id, vpcId: r.vpcId, vpcEndpointOwnerId: r.owner, id: r.id, state: "Available",
                                              serviceNetworkArn: network.arn, createdAt: r.createdAt)
        }, nextToken: token)
    }

    /// What EC2's CreateVpcEndpoint would do for a service network or resource configuration.
    mutating func addVpcEndpoint(to identifier: String, vpcId: String) throws(ServiceFault) -> LocalLattice.VpcEndpoint {
        let name = identifier.hasPrefix("arn:") ? identifier.split(separator: "/").last.map(String.init) ?? "" : identifier
        let endpointId = ids.id(.serviceNetworkEndpointAssociation)
        if name.hasPrefix("sn-") {
            let network = try find(\.serviceNetworks, identifier)
            db.insert(NetworkEndpointRecord(id: endpointId, arn: "", seq: db.seq(), serviceNetworkId: network.id, vpcId: vpcId, owner: account, createdAt: now),
                      into: \.networkEndpoints, tags: nil, taggable: false)
            return LocalLattice.VpcEndpoint(vpcEndpointId: endpointId, associationId: nil)
        }
        let configuration = try findUsable(\.configurations, identifier)
        let (id, arn, seq) = newIdentity(.resourceEndpointAssociation)
        db.insert(EndpointAssociationRecord(id: id, arn: arn, seq: seq, resourceConfigurationId: configuration.id, vpcEndpointId: endpointId,
                                            vpcEndpointOwner: account, createdAt: now),
                  into: \.endpointAssociations, tags: nil)
        return LocalLattice.VpcEndpoint(vpcEndpointId: endpointId, associationId: id)
    }

    // MARK: Shared

    /// Starts deleting a resource that has a status: DELETE_IN_PROGRESS until it settles (gone
    /// at once when it settles at once). Deleting one already being deleted changes nothing.
    mutating func startDeletion<R: PhasedRecord>(_ table: WritableKeyPath<RegionState, Table<R>>, _ record: R) {
        guard !record.phase.isDeleting else { return }
        if let deleting = Phase.deleting(settle) {
            db[keyPath: table][record.id]?.phase = deleting
        } else {
            db.remove(record.id, from: table)
        }
    }
}
