import LatticeKit

/// Services: CREATE_IN_PROGRESS, then ACTIVE; a DNS name in the service's format; deletion
/// (DELETE_IN_PROGRESS, then gone) is refused while the service is associated with a service
/// network and takes its listeners, rules, policies and access log subscriptions with it, as
/// the service documents.
enum ServiceHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createService) { (s: inout Scope, i: CreateServiceRequest) in try s.createService(i) },
        .make(.getService) { (s: inout Scope, i: GetServiceRequest) in try s.getService(i) },
        .make(.listServices) { (s: inout Scope, i: ListServicesRequest) in try s.listServices(i) },
        .make(.updateService) { (s: inout Scope, i: UpdateServiceRequest) in try s.updateService(i) },
        .make(.deleteService) { (s: inout Scope, i: DeleteServiceRequest) in try s.deleteService(i) },
    ]
}

extension Scope {
    mutating func createService(_ i: CreateServiceRequest) throws(ServiceFault) -> CreateServiceResponse {
        try checkEnum(i.authType, "authType")
        try checkTags(i.tags)
        if let other = db.services.first(where: { $0.name == i.name }) {
            throw .conflict("A service named '\(i.name)' already exists: \(other.id).", .service, other.id)
        }
        if let certificate = i.certificateArn, !certificate.isEmpty, i.customDomainName == nil {
            throw .invalid("certificateArn", "a certificate needs a custom domain name (customDomainName)")
        }
        let (id, arn, seq) = newIdentity(.service)
        // provider-svc-0abc...xyz.7d67968.vpc-lattice-svcs.us-east-1.on.aws
        let domain = "\(i.name)-\(id.dropFirst(4)).\(ids.characters(7, Identities.hex)).vpc-lattice-svcs.\(region).on.aws"
        let dns = DnsEntry(domainName: domain, hostedZoneId: "Z" + ids.characters(20, Identities.upper))
        let record = ServiceRecord(
            id: id, arn: arn, seq: seq, name: i.name, authType: i.authType ?? .noAuth, customDomainName: i.customDomainName,
            certificateArn: i.certificateArn.flatMap { $0.isEmpty ? nil : $0 }, dnsEntry: dns, phase: .creating(settle), createdAt: now, lastUpdatedAt: now)
        db.insert(record, into: \.services, tags: i.tags)
        return CreateServiceResponse(id: id, arn: arn, name: record.name, customDomainName: record.customDomainName, certificateArn: record.certificateArn,
                                     status: record.phase.status(), authType: record.authType, dnsEntry: dns)
    }

    mutating func getService(_ i: GetServiceRequest) throws(ServiceFault) -> GetServiceResponse {
        let found = try find(\.services, i.serviceIdentifier)
        guard let r = db.observe(\.services, found.id, at: now) else { throw .notFound(.service, i.serviceIdentifier) }
        return GetServiceResponse(id: r.id, name: r.name, arn: r.arn, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt, dnsEntry: r.dnsEntry,
                                  customDomainName: r.customDomainName, certificateArn: r.certificateArn, status: r.phase.status(), authType: r.authType)
    }

    mutating func listServices(_ i: ListServicesRequest) throws(ServiceFault) -> ListServicesResponse {
        let (items, token) = try page(db.services.ordered, operation: "ListServices", maxResults: i.maxResults, nextToken: i.nextToken)
        return ListServicesResponse(items: items.compactMap { item in
            db.observe(\.services, item.id, at: now).map { r in
                ServiceSummary(id: r.id, name: r.name, arn: r.arn, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt, dnsEntry: r.dnsEntry,
                               customDomainName: r.customDomainName, status: r.phase.status())
            }
        }, nextToken: token)
    }

    mutating func updateService(_ i: UpdateServiceRequest) throws(ServiceFault) -> UpdateServiceResponse {
        try checkEnum(i.authType, "authType")
        var r = try findUsable(\.services, i.serviceIdentifier)
        if let certificate = i.certificateArn {
            if !certificate.isEmpty, r.customDomainName == nil {
                throw .invalid("certificateArn", "a certificate needs a service with a custom domain name")
            }
            r.certificateArn = certificate.isEmpty ? nil : certificate
        }
        if let authType = i.authType { r.authType = authType }
        r.lastUpdatedAt = now
        db.services[r.id] = r
        return UpdateServiceResponse(id: r.id, arn: r.arn, name: r.name, customDomainName: r.customDomainName, certificateArn: r.certificateArn, authType: r.authType)
    }

    mutating func deleteService(_ i: DeleteServiceRequest) throws(ServiceFault) -> DeleteServiceResponse {
        var r = try find(\.services, i.serviceIdentifier)
        let associations = db.serviceAssociations.filter { $0.serviceId == r.id }
        if !associations.isEmpty {
            throw .conflict("The service \(r.id) is associated with service networks (\(associations.map(\.id).joined(separator: ", "))): delete the associations first.", .service, r.id)
        }
        if !r.phase.isDeleting {
            for listener in db.listeners.filter({ $0.serviceId == r.id }) { removeListener(listener.id) }
            removeAccessLogs(of: r.id)
            db.authPolicies[r.arn] = nil
            db.resourcePolicies[r.arn] = nil
            r.lastUpdatedAt = now
            if let deleting = Phase.deleting(settle) {
                r.phase = deleting
                db.services[r.id] = r
            } else {
                db.remove(r.id, from: \.services)
            }
        }
        return DeleteServiceResponse(id: r.id, arn: r.arn, name: r.name, status: .deleteInProgress)
    }
}
