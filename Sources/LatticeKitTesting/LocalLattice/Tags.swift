import LatticeKit

/// Tags of every taggable resource, by ARN: at most 50 per resource, no `aws:` keys; an ARN
/// of no existing resource is a ResourceNotFoundException.
enum TagHandlers {
    static let endpoints: [Endpoint] = [
        .make(.tagResource) { (s: inout Scope, i: TagResourceRequest) in try s.tagResource(i) },
        .make(.untagResource) { (s: inout Scope, i: UntagResourceRequest) in try s.untagResource(i) },
        .make(.listTagsForResource) { (s: inout Scope, i: ListTagsForResourceRequest) in try s.listTagsForResource(i) },
    ]

    static let maxTagsPerResource = 50
}

extension Scope {
    mutating func tagResource(_ i: TagResourceRequest) throws(ServiceFault) -> TagResourceResponse {
        var tags = try taggedResource(i.resourceArn)
        try checkTags(i.tags)
        tags.merge(i.tags) { $1 }
        if tags.count > TagHandlers.maxTagsPerResource {
            throw .invalid("tags", "a resource can have at most \(TagHandlers.maxTagsPerResource) tags; this would make \(tags.count)")
        }
        db.tags[i.resourceArn] = tags
        return TagResourceResponse()
    }

    mutating func untagResource(_ i: UntagResourceRequest) throws(ServiceFault) -> UntagResourceResponse {
        var tags = try taggedResource(i.resourceArn)
        for key in i.tagKeys { tags[key] = nil }
        db.tags[i.resourceArn] = tags
        return UntagResourceResponse()
    }

    mutating func listTagsForResource(_ i: ListTagsForResourceRequest) throws(ServiceFault) -> ListTagsForResourceResponse {
        ListTagsForResourceResponse(tags: try taggedResource(i.resourceArn))
    }

    /// The tags of the resource an ARN names.
    func taggedResource(_ arn: String) throws(ServiceFault) -> [String: String] {
        try checkAccount(arn)
        guard let tags = db.tags[arn] else {
            let last = arn.split(separator: "/").last.map(String.init) ?? arn
            let kind = ResourceKind.allCases.first { !$0.prefix.isEmpty && last.hasPrefix($0.prefix + "-") } ?? .service
            throw .notFound(kind, arn)
        }
        return tags
    }
}
