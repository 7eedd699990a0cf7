import LatticeKit

/// Domain verifications: PENDING, then VERIFIED after the configured number of observations
/// (as if the TXT record had been found); one per domain name; deletion is refused while a
/// resource configuration uses the verification.
enum DomainVerificationHandlers {
    static let endpoints: [Endpoint] = [
        .make(.startDomainVerification) { (s: inout Scope, i: StartDomainVerificationRequest) in try s.startDomainVerification(i) },
        .make(.getDomainVerification) { (s: inout Scope, i: GetDomainVerificationRequest) in try s.getDomainVerification(i) },
        .make(.listDomainVerifications) { (s: inout Scope, i: ListDomainVerificationsRequest) in try s.listDomainVerifications(i) },
        .make(.deleteDomainVerification) { (s: inout Scope, i: DeleteDomainVerificationRequest) in try s.deleteDomainVerification(i) },
    ]
}

extension Scope {
    mutating func startDomainVerification(_ i: StartDomainVerificationRequest) throws(ServiceFault) -> StartDomainVerificationResponse {
        try checkTags(i.tags)
        let domain = i.domainName.lowercased()
        if let other = db.verifications.first(where: { $0.domainName == domain }) {
            throw .conflict("The domain \(domain) is already being verified: \(other.id).", .domainVerification, other.id)
        }
        let (id, arn, seq) = newIdentity(.domainVerification)
        let txt = TxtMethodConfig(value: "vpc-lattice-verification=" + ids.characters(32, Identities.hex), name: "_vpc-lattice-verification.\(domain)")
        let phase = Phase.creating(settle)
        let r = VerificationRecord(id: id, arn: arn, seq: seq, domainName: domain, txt: txt, phase: phase, lastVerifiedTime: phase == .active ? now : nil, createdAt: now)
        db.insert(r, into: \.verifications, tags: i.tags)
        return StartDomainVerificationResponse(id: id, arn: arn, domainName: domain, status: verificationStatus(r), txtMethodConfig: txt)
    }

    mutating func getDomainVerification(_ i: GetDomainVerificationRequest) throws(ServiceFault) -> GetDomainVerificationResponse {
        let found = try find(\.verifications, i.domainVerificationIdentifier)
        guard let r = db.observe(\.verifications, found.id, at: now) else { throw .notFound(.domainVerification, i.domainVerificationIdentifier) }
        return GetDomainVerificationResponse(id: r.id, arn: r.arn, domainName: r.domainName, status: verificationStatus(r), txtMethodConfig: r.txt,
                                             createdAt: r.createdAt, lastVerifiedTime: r.lastVerifiedTime, tags: db.tags[r.arn])
    }

    mutating func listDomainVerifications(_ i: ListDomainVerificationsRequest) throws(ServiceFault) -> ListDomainVerificationsResponse {
        let (items, token) = try page(db.verifications.ordered, operation: "ListDomainVerifications", maxResults: i.maxResults, nextToken: i.nextToken)
        return ListDomainVerificationsResponse(items: items.compactMap { item in
            guard let r = db.observe(\.verifications, item.id, at: now) else { return nil }
            return DomainVerificationSummary(id: r.id, arn: r.arn, domainName: r.domainName, status: verificationStatus(r), txtMethodConfig: r.txt,
                                             createdAt: r.createdAt, lastVerifiedTime: r.lastVerifiedTime, tags: db.tags[r.arn])
        }, nextToken: token)
    }

    mutating func deleteDomainVerification(_ i: DeleteDomainVerificationRequest) throws(ServiceFault) -> DeleteDomainVerificationResponse {
        let r = try find(\.verifications, i.domainVerificationIdentifier)
        let users = db.configurations.filter { $0.domainVerificationId == r.id }
        if !users.isEmpty {
            throw .conflict("The domain verification \(r.id) is used by resource configurations (\(users.map(\.id).joined(separator: ", "))).",
                            .domainVerification, r.id)
        }
        db.remove(r.id, from: \.verifications)
        return DeleteDomainVerificationResponse()
    }

    func verificationStatus(_ r: VerificationRecord) -> VerificationStatus {
        r.phase == .active ? .verified : .pending
    }
}
