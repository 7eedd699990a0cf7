extension Scope {
    /// The model's MaxResults range is 1 to 100; a list without maxResults answers pages of 100.
    static let defaultPageSize = 100

    /// One page of `items` (oldest first) and the token for the next page, if any. A token
    /// is opaque and belongs to the operation and filters it was issued for: any other token
    /// is a ValidationException, as the service answers.
    mutating func page<R>(
        _ items: [R], seq: (R) -> Int, operation: String, filter: String = "", maxResults: Int?, nextToken: String?
    ) throws(ServiceFault) -> (items: [R], nextToken: String?) {
        var remaining = items
        if let nextToken {
            guard let cursor = db.pageCursors[nextToken], cursor.operation == operation, cursor.filter == filter else {
                throw .validation("1 validation error detected: the pagination token is invalid or expired, or belongs to another request.",
                                  fields: [("nextToken", "The pagination token is invalid or belongs to another request.")])
            }
            remaining = items.filter { seq($0) > cursor.afterSeq }
        }
        let limit = maxResults ?? Self.defaultPageSize
        let page = Array(remaining.prefix(limit))
        guard remaining.count > limit, let last = page.last else { return (page, nil) }
        let token = ids.pageToken()
        db.pageCursors[token] = PageCursor(operation: operation, filter: filter, afterSeq: seq(last))
        return (page, token)
    }

    /// A page of stored resources.
    mutating func page<R: LatticeRecord>(_ items: [R], operation: String, filter: String = "", maxResults: Int?, nextToken: String?) throws(ServiceFault) -> (items: [R], nextToken: String?) {
        try page(items, seq: \.seq, operation: operation, filter: filter, maxResults: maxResults, nextToken: nextToken)
    }
}
