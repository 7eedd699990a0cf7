import LatticeKit

/// Service networks: names unique in the account and region; deletion is immediate and
/// refused while services, VPCs, resource configurations or VPC endpoints are associated;
/// it takes the network's policies and access log subscriptions with it.
enum ServiceNetworkHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createServiceNetwork) { (s: inout Scope, i: CreateServiceNetworkRequest) in try s.createServiceNetwork(i) },
        .make(.getServiceNetwork) { (s: inout Scope, i: GetServiceNetworkRequest) in try s.getServiceNetwork(i) },
        .make(.listServiceNetworks) { (s: inout Scope, i: ListServiceNetworksRequest) in try s.listServiceNetworks(i) },
        .make(.updateServiceNetwork) { (s: inout Scope, i: UpdateServiceNetworkRequest) in try s.updateServiceNetwork(i) },
        .make(.deleteServiceNetwork) { (s: inout Scope, i: DeleteServiceNetworkRequest) in try s.deleteServiceNetwork(i) },
    ]
}

extension Scope {
    mutating func createServiceNetwork(_ i: CreateServiceNetworkRequest) throws(ServiceFault) -> CreateServiceNetworkResponse {
        try checkEnum(i.authType, "authType")
        try checkTags(i.tags)
        if let other = db.serviceNetworks.first(where: { $0.name == i.name }) {
            throw .conflict("A service network named '\(i.name)' already exists: \(other.id).", .serviceNetwork, other.id)
        }
        let (id, arn, seq) = newIdentity(.serviceNetwork)
        let record = ServiceNetworkRecord(id: id, arn: arn, seq: seq, name: i.name, authType: i.authType ?? .noAuth,
                                          sharingConfig: i.sharingConfig ?? SharingConfig(enabled: false), createdAt: now, lastUpdatedAt: now)
        db.insert(record, into: \.serviceNetworks, tags: i.tags)
        return CreateServiceNetworkResponse(id: id, name: record.name, arn: arn, sharingConfig: record.sharingConfig, authType: record.authType)
    }

    mutating func getServiceNetwork(_ i: GetServiceNetworkRequest) throws(ServiceFault) -> GetServiceNetworkResponse {
        let r = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        return GetServiceNetworkResponse(
            id: r.id, name: r.name, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt, arn: r.arn, authType: r.authType,
            sharingConfig: r.sharingConfig, numberOfAssociatedVPCs: Int64(vpcCount(r.id)), numberOfAssociatedServices: Int64(serviceCount(r.id)))
    }

    mutating func listServiceNetworks(_ i: ListServiceNetworksRequest) throws(ServiceFault) -> ListServiceNetworksResponse {
        let (items, token) = try page(db.serviceNetworks.ordered, operation: "ListServiceNetworks", maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServiceNetworksResponse(items: items.map { r in
            ServiceNetworkSummary(
                id: r.id, name: r.name, arn: r.arn, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt,
                numberOfAssociatedVPCs: Int64(vpcCount(r.id)), numberOfAssociatedServices: Int64(serviceCount(r.id)),
                numberOfAssociatedResourceConfigurations: Int64(db.resourceAssociations.filter { $0.serviceNetworkId == r.id }.count))
        }, nextToken: token)
    }

    mutating func updateServiceNetwork(_ i: UpdateServiceNetworkRequest) throws(ServiceFault) -> UpdateServiceNetworkResponse {
        try checkEnum(i.authType, "authType")
        var r = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        r.authType = i.authType
        r.lastUpdatedAt = now
        db.serviceNetworks[r.id] = r
        return UpdateServiceNetworkResponse(id: r.id, name: r.name, arn: r.arn, authType: r.authType)
    }

    mutating func deleteServiceNetwork(_ i: DeleteServiceNetworkRequest) throws(ServiceFault) -> DeleteServiceNetworkResponse {
        let r = try find(\.serviceNetworks, i.serviceNetworkIdentifier)
        var dependents: [String] = []
        dependents += db.serviceAssociations.filter { $0.serviceNetworkId == r.id }.map(\.id)
        dependents += db.vpcAssociations.filter { $0.serviceNetworkId == r.id }.map(\.id)
        dependents += db.resourceAssociations.filter { $0.serviceNetworkId == r.id }.map(\.id)
        dependents += db.networkEndpoints.filter { $0.serviceNetworkId == r.id }.map(\.id)
        if !dependents.isEmpty {
            throw .conflict("The service network \(r.id) has associations (\(dependents.joined(separator: ", "))): delete them first.", .serviceNetwork, r.id)
        }
        // As the service documents: its policies and access log subscriptions go with it.
        removeAccessLogs(of: r.id)
        db.authPolicies[r.arn] = nil
        db.resourcePolicies[r.arn] = nil
        db.remove(r.id, from: \.serviceNetworks)
        return DeleteServiceNetworkResponse()
    }

    func vpcCount(_ networkId: String) -> Int { db.vpcAssociations.filter { $0.serviceNetworkId == networkId }.count }
    func serviceCount(_ networkId: String) -> Int { db.serviceAssociations.filter { $0.serviceNetworkId == networkId }.count }

    /// Removes the access log subscriptions of a resource being deleted.
    mutating func removeAccessLogs(of resourceId: String) {
        for log in db.accessLogs.filter({ $0.resourceId == resourceId }) { db.remove(log.id, from: \.accessLogs) }
    }
}
