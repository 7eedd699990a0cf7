/// The loop every paginated call runs, typed (`PageSequence`) or JSON (the `lattice` CLI's
/// pager): it follows the next token from page to page, remembers every token it has seen, and
/// ends with `LatticePaginationError` when a token comes back (the pages cycle: A, B, A, ...
/// would never end) or when `maxPages` pages have not reached the last one (tokens that never
/// end). An absent or empty token is the last page.
package struct Paginator: Sendable {
    /// At most this many pages by default: 1,000,000 items at the largest page size of this
    /// API (100), far beyond its quotas.
    package static let defaultMaxPages = 10_000

    package let operation: String
    package let maxPages: Int
    /// Pages received so far.
    package private(set) var pages = 0
    /// Each token seen, with the page that returned it (0: the token paging started from).
    private var seen: [String: Int] = [:]

    package init(operation: String, startingToken: String? = nil, maxPages: Int = Paginator.defaultMaxPages) {
        self.operation = operation
        self.maxPages = max(1, maxPages)
        if let startingToken, !startingToken.isEmpty { seen[startingToken] = 0 }
    }

    /// Counts the page just received and takes its next token: the token to ask for the next
    /// page with, or nil after the last page.
    package mutating func next(after token: String?) throws(LatticePaginationError) -> String? {
        pages += 1
        guard let token, !token.isEmpty else { return nil }
        if let first = seen[token] {
            throw LatticePaginationError(operation: operation, problem: .repeatedToken(firstPage: first), token: token, page: pages, maxPages: maxPages)
        }
        if pages >= maxPages {
            throw LatticePaginationError(operation: operation, problem: .tooManyPages, token: token, page: pages, maxPages: maxPages)
        }
        seen[token] = pages
        return token
    }
}

/// Why following a paginated operation's tokens stopped before the last page.
public struct LatticePaginationError: Error, Sendable, CustomStringConvertible {
    /// Why paging stopped.
    public enum Problem: Sendable, Equatable {
        /// The page's next token had come before, with `firstPage` (0: the token paging started
        /// from): the pages cycle, so following them would never end.
        case repeatedToken(firstPage: Int)
        /// `maxPages` pages and still a next token.
        case tooManyPages
    }

    /// The operation paged, such as `ListServices`.
    public var operation: String
    /// Why paging stopped.
    public var problem: Problem
    /// The next token of the page where paging stopped.
    public var token: String
    /// That page's number, from 1.
    public var page: Int
    /// The limit on pages that applied.
    public var maxPages: Int

    /// The token for messages: at most 100 characters (tokens are opaque and may be long).
    public var tokenExcerpt: String {
        token.count <= 100 ? token : token.prefix(100) + "... (\(token.count) characters)"
    }

    public var description: String {
        let name = operation.isEmpty ? "a paginated operation" : operation
        switch problem {
        case let .repeatedToken(firstPage):
            let before = firstPage == 0 ? "the token paging started from" : "the next token of page \(firstPage) too"
            return "\(name): page \(page) returned the next token '\(tokenExcerpt)', \(before): the service's pages cycle, so following them would never end. "
                + "Stopped after \(page) pages; the items received may be incomplete. Retry the listing later, and report the service's answers if it persists."
        case .tooManyPages:
            return "\(name): \(page) pages and still a next token ('\(tokenExcerpt)'): stopped at the limit of \(maxPages) pages, which guards against a service whose tokens never end. "
                + "If the listing really has more pages, raise `maxPages` on the page sequence."
        }
    }
}

/// A paginated list operation as an AsyncSequence of pages: each page's next token feeds the
/// next request, until the service returns no token. It runs on `Paginator`: a token that comes
/// back (the pages cycle) or more than `maxPages` pages end the sequence with
/// `LatticePaginationError`, thrown after the page that caused it has been returned.
public struct PageSequence<Input: Sendable, Output: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Output
    let operation: String
    let input: Input
    let fetch: @Sendable (Input) async throws -> Output
    let setToken: @Sendable (inout Input, String?) -> Void
    let nextToken: @Sendable (Output) -> String?
    /// At most this many pages (10,000 unless changed): past it, the sequence throws
    /// `LatticePaginationError` rather than follow a service whose tokens never end.
    public var maxPages = Paginator.defaultMaxPages

    /// A sequence of the pages of any token-paginated call.
    ///
    /// - Parameters:
    ///   - operation: the operation's name, for errors (`ListServices`).
    ///   - input: the first page's request.
    ///   - fetch: sends one request and returns its page.
    ///   - setToken: puts the next token (nil for the first page) into a request.
    ///   - nextToken: reads a page's next token; nil ends the sequence.
    public init(
        operation: String = "",
        input: Input,
        fetch: @escaping @Sendable (Input) async throws -> Output,
        setToken: @escaping @Sendable (inout Input, String?) -> Void,
        nextToken: @escaping @Sendable (Output) -> String?
    ) {
        self.operation = operation
        self.input = input
        self.fetch = fetch
        self.setToken = setToken
        self.nextToken = nextToken
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: PageSequence
        var input: Input
        var paginator: Paginator
        var done = false
        /// Why the sequence ends, thrown on the call after the page that caused it.
        var pending: LatticePaginationError?

        public mutating func next() async throws -> Output? {
            if let pending {
                self.pending = nil
                done = true
                throw pending
            }
            guard !done else { return nil }
            let page = try await sequence.fetch(input)
            do {
                if let token = try paginator.next(after: sequence.nextToken(page)) {
                    sequence.setToken(&input, token)
                } else {
                    done = true
                }
            } catch {
                pending = error
            }
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self, input: input, paginator: Paginator(operation: operation, maxPages: maxPages))
    }

    /// The pages' items, one by one.
    public func items<Item: Sendable>(_ items: @escaping @Sendable (Output) -> [Item]) -> ItemSequence<Input, Output, Item> {
        ItemSequence(pages: self, items: items)
    }
}

/// The items of every page of a paginated operation.
public struct ItemSequence<Input: Sendable, Output: Sendable, Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item
    let pages: PageSequence<Input, Output>
    let items: @Sendable (Output) -> [Item]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var pages: PageSequence<Input, Output>.AsyncIterator
        let items: @Sendable (Output) -> [Item]
        var buffer: [Item] = []
        var index = 0

        public mutating func next() async throws -> Item? {
            while index >= buffer.count {
                guard let page = try await pages.next() else { return nil }
                buffer = items(page)
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: pages.makeAsyncIterator(), items: items) }

    /// Every item, collected.
    public func collect() async throws -> [Item] {
        var all: [Item] = []
        for try await item in self { all.append(item) }
        return all
    }
}
