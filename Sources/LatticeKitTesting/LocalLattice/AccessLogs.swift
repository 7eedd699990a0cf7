import LatticeKit

/// Access log subscriptions of service networks, services and resource configurations: the
/// destination is an S3 bucket, a CloudWatch Logs log group or a Firehose delivery stream, and
/// a resource has at most one subscription per destination type (per log type, for service
/// networks, whose log type defaults to SERVICE).
enum AccessLogHandlers {
    static let endpoints: [Endpoint] = [
        .make(.createAccessLogSubscription) { (s: inout Scope, i: CreateAccessLogSubscriptionRequest) in try s.createAccessLog(i) },
        .make(.getAccessLogSubscription) { (s: inout Scope, i: GetAccessLogSubscriptionRequest) in try s.getAccessLog(i) },
        .make(.listAccessLogSubscriptions) { (s: inout Scope, i: ListAccessLogSubscriptionsRequest) in try s.listAccessLogs(i) },
        .make(.updateAccessLogSubscription) { (s: inout Scope, i: UpdateAccessLogSubscriptionRequest) in try s.updateAccessLog(i) },
        .make(.deleteAccessLogSubscription) { (s: inout Scope, i: DeleteAccessLogSubscriptionRequest) in try s.deleteAccessLog(i) },
    ]

    /// Where access logs can go.
    enum Destination: String {
        case s3 = "S3 bucket"
        case logs = "CloudWatch Logs log group"
        case firehose = "Firehose delivery stream"
    }
}

extension Scope {
    mutating func createAccessLog(_ i: CreateAccessLogSubscriptionRequest) throws(ServiceFault) -> CreateAccessLogSubscriptionResponse {
        try checkTags(i.tags)
        try checkEnum(i.serviceNetworkLogType, "serviceNetworkLogType")
        let resource = try findPolicyTarget(i.resourceIdentifier, field: "resourceIdentifier", allowConfiguration: true)
        if i.serviceNetworkLogType != nil, resource.kind != .serviceNetwork {
            throw .invalid("serviceNetworkLogType", "applies only to service networks")
        }
        let logType: ServiceNetworkLogType? = resource.kind == .serviceNetwork ? (i.serviceNetworkLogType ?? .service) : nil
        let destination = try destinationType(i.destinationArn)
        if let other = db.accessLogs.first(where: { $0.resourceId == resource.id && $0.logType == logType && destinationTypeOrNil($0.destinationArn) == destination }) {
            throw .conflict("The \(resource.kind.noun) \(resource.id) already has an access log subscription to a \(destination.rawValue): \(other.id).",
                            .accessLogSubscription, other.id)
        }
        let (id, arn, seq) = newIdentity(.accessLogSubscription)
        let r = AccessLogRecord(id: id, arn: arn, seq: seq, resourceId: resource.id, resourceArn: resource.arn, destinationArn: i.destinationArn,
                                logType: logType, createdAt: now, lastUpdatedAt: now)
        db.insert(r, into: \.accessLogs, tags: i.tags)
        return CreateAccessLogSubscriptionResponse(id: id, arn: arn, resourceId: r.resourceId, resourceArn: r.resourceArn, serviceNetworkLogType: logType,
                                                   destinationArn: r.destinationArn)
    }

    mutating func getAccessLog(_ i: GetAccessLogSubscriptionRequest) throws(ServiceFault) -> GetAccessLogSubscriptionResponse {
        let r = try find(\.accessLogs, i.accessLogSubscriptionIdentifier)
        return GetAccessLogSubscriptionResponse(id: r.id, arn: r.arn, resourceId: r.resourceId, resourceArn: r.resourceArn, destinationArn: r.destinationArn,
                                                serviceNetworkLogType: r.logType, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
    }

    mutating func listAccessLogs(_ i: ListAccessLogSubscriptionsRequest) throws(ServiceFault) -> ListAccessLogSubscriptionsResponse {
        let resource = try findPolicyTarget(i.resourceIdentifier, field: "resourceIdentifier", allowConfiguration: true)
        let (items, token) = try page(db.accessLogs.filter { $0.resourceId == resource.id }, operation: "ListAccessLogSubscriptions",
                                      filter: resource.id, maxResults: i.maxResults, nextToken: i.nextToken)
        return ListAccessLogSubscriptionsResponse(items: items.map { r in
            AccessLogSubscriptionSummary(id: r.id, arn: r.arn, resourceId: r.resourceId, resourceArn: r.resourceArn, destinationArn: r.destinationArn,
                                         serviceNetworkLogType: r.logType, createdAt: r.createdAt, lastUpdatedAt: r.lastUpdatedAt)
        }, nextToken: token)
    }

    mutating func updateAccessLog(_ i: UpdateAccessLogSubscriptionRequest) throws(ServiceFault) -> UpdateAccessLogSubscriptionResponse {
        var r = try find(\.accessLogs, i.accessLogSubscriptionIdentifier)
        let destination = try destinationType(i.destinationArn)
        if let other = db.accessLogs.first(where: {
            $0.id != r.id && $0.resourceId == r.resourceId && $0.logType == r.logType && destinationTypeOrNil($0.destinationArn) == destination
        }) {
            throw .conflict("The resource \(r.resourceId) already has an access log subscription to a \(destination.rawValue): \(other.id).",
                            .accessLogSubscription, other.id)
        }
        r.destinationArn = i.destinationArn
        r.lastUpdatedAt = now
        db.accessLogs[r.id] = r
        return UpdateAccessLogSubscriptionResponse(id: r.id, arn: r.arn, resourceId: r.resourceId, resourceArn: r.resourceArn, destinationArn: r.destinationArn)
    }

    mutating func deleteAccessLog(_ i: DeleteAccessLogSubscriptionRequest) throws(ServiceFault) -> DeleteAccessLogSubscriptionResponse {
        let r = try find(\.accessLogs, i.accessLogSubscriptionIdentifier)
        db.remove(r.id, from: \.accessLogs)
        return DeleteAccessLogSubscriptionResponse()
    }

    /// The kind of an access log destination ARN; anything else is a ValidationException.
    func destinationType(_ arn: String) throws(ServiceFault) -> AccessLogHandlers.Destination {
        guard let destination = destinationTypeOrNil(arn) else {
            throw .invalid("destinationArn", "must be the ARN of an S3 bucket, a CloudWatch Logs log group or a Kinesis Data Firehose delivery stream")
        }
        return destination
    }

    func destinationTypeOrNil(_ arn: String) -> AccessLogHandlers.Destination? {
        guard let parts = ARN.serviceAndResource(arn), !parts.resource.isEmpty else { return nil }
        switch parts.service {
        case "s3": return .s3
        case "logs" where parts.resource.hasPrefix("log-group:") && parts.resource.count > "log-group:".count: return .logs
        case "firehose" where parts.resource.hasPrefix("deliverystream/") && parts.resource.count > "deliverystream/".count: return .firehose
        default: return nil
        }
    }
}
