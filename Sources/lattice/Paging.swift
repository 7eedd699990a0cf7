#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// botocore's PageIterator as the aws CLI drives it: follow the output token, stop at
/// `--max-items` (then hand back a `NextToken` for `--starting-token`), resume from one.
/// Tokens are botocore's: base64 of `{"nextToken": ..., "boto_truncate_amount": n}`, so tokens
/// move between `aws` and `lattice`. The tokens are followed by the library's `Paginator`, as
/// for the typed page sequences: a token that comes back, or too many pages, is an error.
struct Pager {
    /// The operation's name, such as `ListServices`.
    let operation: String
    let spec: PaginationSpec
    let maxItems: Int?
    let startingToken: String?
    let pageSize: Int?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The pages, each cut as botocore cuts them, and the resume token if items were left.
    struct Result {
        var pages: [JSON]
        var resumeToken: String?

        /// `build_full_result()`: the result key's lists joined, then `NextToken`.
        func merged(resultKey: String) -> JSON {
            var complete = JSON.object([])
            var items: [JSON]?
            var other: JSON?
            for page in pages {
                guard let value = page[resultKey], value != .null else { continue }
                if case let .array(list) = value {
                    if items == nil, other == nil { items = list } else { items?.append(contentsOf: list) }
                } else if items == nil, other == nil {
                    other = value
                }
            }
            if let items { complete.set(resultKey, .array(items)) } else if let other { complete.set(resultKey, other) }
            if let resumeToken { complete.set("NextToken", .string(resumeToken)) }
            return complete
        }
    }

    /// The input of the first request: the starting token's service token (or none) and the
    /// page size.
    func firstInput(_ input: JSON) throws -> (JSON, token: JSON, skip: Int) {
        var kwargs = input
        var token = JSON.null
        var skip = 0
        if let startingToken {
            (token, skip) = try Self.parse(startingToken, inputToken: spec.inputToken)
            if case .string = token { kwargs.set(spec.inputToken, token) } else { kwargs.remove(spec.inputToken) }
        }
        if let pageSize, let limit = spec.limitKey { kwargs.set(limit, .number(String(pageSize))) }
        return (kwargs, token, skip)
    }

    func run(_ input: JSON, fetch: (JSON) async throws -> JSON) async throws -> Result {
        var (kwargs, nextToken, startingTruncation) = try firstInput(input)
        var paginator = Paginator(operation: operation, startingToken: nextToken.stringValue)
        var totalItems = 0
        var first = true
        var pages: [JSON] = []
        while true {
            var page = try await fetch(kwargs)
            if first {
                if startingToken != nil {
                    if case let .array(all) = page[spec.resultKey] ?? .null {
                        page.set(spec.resultKey, .array(Array(all.dropFirst(startingTruncation))))
                    } else {
                        page.set(spec.resultKey, .null)
                    }
                }
                first = false
            } else {
                startingTruncation = 0
            }
            let current = page[spec.resultKey]?.arrayElements ?? []
            let truncate = maxItems.map { totalItems + current.count - $0 } ?? 0
            if truncate > 0 {
                let keep = current.count - truncate
                page.set(spec.resultKey, .array(Array(current.prefix(max(0, keep)))))
                pages.append(page)
                return Result(pages: pages, resumeToken: Self.encode(inputToken: spec.inputToken, nextToken, truncate: keep + startingTruncation))
            }
            pages.append(page)
            totalItems += current.count
            guard let token = page[spec.outputToken]?.stringValue, !token.isEmpty else { return Result(pages: pages, resumeToken: nil) }
            nextToken = .string(token)
            if let maxItems, totalItems == maxItems {
                return Result(pages: pages, resumeToken: Self.encode(inputToken: spec.inputToken, nextToken, truncate: nil))
            }
            // As botocore, a token is checked after --max-items: a cycle past the items asked for is not an error.
            _ = try paginator.next(after: token)
            kwargs.set(spec.inputToken, nextToken)
        }
    }

    /// `json.dumps` (ASCII, `", "` and `": "`) then base64, as botocore's TokenEncoder.
    static func encode(inputToken: String, _ token: JSON, truncate: Int?) -> String {
        var text = "{"
        JSON.quote(inputToken, into: &text, asciiOnly: true)
        text += ": "
        if case let .string(s) = token { JSON.quote(s, into: &text, asciiOnly: true) } else { text += "null" }
        if let truncate { text += ", \"boto_truncate_amount\": \(truncate)" }
        text += "}"
        return Data(text.utf8).base64EncodedString()
    }

    /// A `--starting-token`: botocore's encoded form, else the old `token___index` form, else
    /// the service's own token.
    static func parse(_ text: String, inputToken: String) throws -> (JSON, Int) {
        if let data = Data(base64Encoded: text), case let .object(members)? = try? JSONParser.parse(Array(data)) {
            var token = JSON.null
            var skip = 0
            for m in members {
                if m.key == "boto_truncate_amount", case let .number(n) = m.value { skip = Int(n) ?? 0 } else if m.key == inputToken { token = m.value }
            }
            if case let .string(s) = token, s == "None" { token = .null }
            return (token, skip)
        }
        var parts = split(text, "___")
        var index = 0
        if parts.count == 2 {
            if let n = Int(parts[1]) { index = n; parts.removeLast() } else { parts = [text] }
        }
        guard parts.count == 1 else { throw Failure(description: "Bad starting token: \(text)") }
        return (parts[0] == "None" ? .null : .string(parts[0]), index)
    }
}

/// `text.split(separator)` as Python splits: every occurrence, empty pieces kept.
func split(_ text: String, _ separator: String) -> [String] {
    let t = Array(text.utf8), s = Array(separator.utf8)
    var parts: [String] = []
    var start = 0
    var i = 0
    while i + s.count <= t.count {
        if Array(t[i..<(i + s.count)]) == s {
            parts.append(String(decoding: t[start..<i], as: UTF8.self))
            i += s.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(String(decoding: t[start...], as: UTF8.self))
    return parts
}
