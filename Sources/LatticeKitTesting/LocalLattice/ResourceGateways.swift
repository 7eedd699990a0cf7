import LatticeKit

/// Resource gateways: a VPC and its subnets are required; names are unique; deletion
/// (DELETE_IN_PROGRESS, then gone) is refused while resource configurations use the gateway.
enum ResourceGatewayHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createResourceGateway) { (s: inout Scope, i: CreateResourceGatewayRequest) in try s.createResourceGateway(i) },
        .make(.getResourceGateway) { (s: inout Scope, i: GetResourceGatewayRequest) in try s.getResourceGateway(i) },
        .make(.listResourceGateways) { (s: inout Scope, i: ListResourceGatewaysRequest) in try s.listResourceGateways(i) },
        .make(.updateResourceGateway) { (s: inout Scope, i: UpdateResourceGatewayRequest) in try s.updateResourceGateway(i) },
        .make(.deleteResourceGateway) { (s: inout Scope, i: DeleteResourceGatewayRequest) in try s.deleteResourceGateway(i) },
    ]
}

extension Scope {
    mutating func createResourceGateway(_ i: CreateResourceGatewayRequest) throws(ServiceFault) -> CreateResourceGatewayResponse {
        try checkTags(i.tags)
        try checkEnum(i.ipAddressType, "ipAddressType")
        try checkEnum(i.resourceConfigDnsResolution, "resourceConfigDnsResolution")
        guard let vpcId = i.vpcIdentifier else { throw .invalid("vpcIdentifier", "is required") }
        guard let subnets = i.subnetIds, !subnets.isEmpty else { throw .invalid("subnetIds", "at least one subnet is required") }
        if let other = db.gateways.first(where: { $0.name == i.name }) {
            throw .conflict("A resource gateway named '\(i.name)' already exists: \(other.id).", .resourceGateway, other.id)
        }
        let addressType = i.ipAddressType ?? .ipv4
        if i.ipv4AddressesPerEni != nil, addressType == .ipv6 {
            throw .invalid("ipv4AddressesPerEni", "does not apply to an IPV6 resource gateway")
        }
        let (id, arn, seq) = newIdentity(.resourceGateway)
        let r = GatewayRecord(id: id, arn: arn, seq: seq, name: i.name, vpcId: vpcId, subnetIds: subnets, securityGroupIds: i.securityGroupIds,
                              ipAddressType: addressType, ipv4AddressesPerEni: addressType == .ipv6 ? nil : (i.ipv4AddressesPerEni ?? 16),
                              dnsResolution: i.resourceConfigDnsResolution, phase: .creating(settle), createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.gateways, tags: i.tags)
        return CreateResourceGatewayResponse(name: r.name, id: id, arn: arn, status: r.phase.status(), vpcIdentifier: vpcId, subnetIds: subnets,
                                             securityGroupIds: r.securityGroupIds, ipAddressType: addressType, ipv4AddressesPerEni: r.ipv4AddressesPerEni,
                                             resourceConfigDnsResolution: r.dnsResolution)
    }

    mutating func getResourceGateway(_ i: GetResourceGatewayRequest) throws(ServiceFault) -> GetResourceGatewayResponse {
        let found = try find(\.gateways, i.resourceGatewayIdentifier)
        guard let r = db.observe(\.gateways, found.id, at: now) else { throw .notFound(.resourceGateway, i.resourceGatewayIdentifier) }
        return GetResourceGatewayResponse(name: r.name, id: r.id, arn: r.arn, status: r.phase.status(), vpcId: r.vpcId, subnetIds: r.subnetIds,
                                          serviceManaged: false, securityGroupIds: r.securityGroupIds, ipAddressType: r.ipAddressType,
                                          ipv4AddressesPerEni: r.ipv4AddressesPerEni, resourceConfigDnsResolution: r.dnsResolution,
                                          createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
    }

    mutating func listResourceGateways(_ i: ListResourceGatewaysRequest) throws(ServiceFault) -> ListResourceGatewaysResponse {
        let (items, token) = try page(db.gateways.ordered, operation: "ListResourceGateways", maxResults: i.maxResults, nextToken: i.nextToken)
        return ListResourceGatewaysResponse(items: items.compactMap { item in
            db.observe(\.gateways, item.id, at: now).map { r in
                ResourceGatewaySummary(name: r.name, id: r.id, arn: r.arn, status: r.phase.status(), vpcIdentifier: r.vpcId, subnetIds: r.subnetIds,
                                       securityGroupIds: r.securityGroupIds, ipAddressType: r.ipAddressType, ipv4AddressesPerEni: r.ipv4AddressesPerEni,
                                       resourceConfigDnsResolution: r.dnsResolution, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
            }
        }, nextToken: token)
    }

    mutating func updateResourceGateway(_ i: UpdateResourceGatewayRequest) throws(ServiceFault) -> UpdateResourceGatewayResponse {
        var r = try findUsable(\.gateways, i.resourceGatewayIdentifier)
        if let groups = i.securityGroupIds { r.securityGroupIds = groups }
        r.lastUpdatedAt = now
        db.gateways[r.id] = r
        return UpdateResourceGatewayResponse(name: r.name, id: r.id, arn: r.arn, status: r.phase.status(), vpcId: r.vpcId, subnetIds: r.subnetIds,
                                             securityGroupIds: r.securityGroupIds, ipAddressType: IpAddressType(rawValue: r.ipAddressType.rawValue))
    }

    mutating func deleteResourceGateway(_ i: DeleteResourceGatewayRequest) throws(ServiceFault) -> DeleteResourceGatewayResponse {
        let r = try find(\.gateways, i.resourceGatewayIdentifier)
        let users = db.configurations.filter { $0.gatewayId == r.id }
        if !users.isEmpty {
            throw .conflict("The resource gateway \(r.id) is used by resource configurations (\(users.map(\.id).joined(separator: ", "))): delete them first.",
                            .resourceGateway, r.id)
        }
        startDeletion(\.gateways, r)
        return DeleteResourceGatewayResponse(id: r.id, arn: r.arn, name: r.name, status: .deleteInProgress)
    }
}
