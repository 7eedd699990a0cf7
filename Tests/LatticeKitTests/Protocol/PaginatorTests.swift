import Foundation
import Synchronization
import Testing
@testable import LatticeKit

/// The paginator core both the typed page sequences and the CLI's pager run on: it remembers
/// every token, so tokens that cycle end with an error naming the token and the pages instead
/// of looping, and it stops at a bound on pages.
@Suite struct PaginatorTests {
    /// Feeds the tokens to a paginator; the pages it asked for, and how it ended.
    static func follow(_ tokens: [String?], startingToken: String? = nil, maxPages: Int = Paginator.defaultMaxPages) -> (followed: [String], error: LatticePaginationError?) {
        var paginator = Paginator(operation: "ListServices", startingToken: startingToken, maxPages: maxPages)
        var followed: [String] = []
        for token in tokens {
            do {
                guard let next = try paginator.next(after: token) else { return (followed, nil) }
                followed.append(next)
            } catch {
                return (followed, error)
            }
        }
        return (followed, nil)
    }

    @Test func tokensThatCycleEndWithAnErrorNamingTheTokenAndThePages() throws {
        let (followed, error) = Self.follow(["A", "B", "A", "B"])
        #expect(followed == ["A", "B"])
        let e = try #require(error)
        #expect(e.problem == .repeatedToken(firstPage: 1))
        #expect(e.token == "A" && e.page == 3 && e.operation == "ListServices")
        #expect(e.description.contains("page 3 returned the next token 'A', the next token of page 1 too"), "\(e)")
        #expect(e.description.contains("Retry the listing later"), "says what to do: \(e)")
        // The same token twice in a row (botocore's case), and the token paging started from.
        #expect(Self.follow(["A", "A"]).error?.problem == .repeatedToken(firstPage: 1))
        let resumed = try #require(Self.follow(["S"], startingToken: "S").error)
        #expect(resumed.problem == .repeatedToken(firstPage: 0) && resumed.page == 1)
        #expect(resumed.description.contains("the token paging started from"))
    }

    @Test func anAbsentOrEmptyTokenIsTheLastPage() {
        #expect(Self.follow(["A", "B", nil, "C"]).followed == ["A", "B"])
        #expect(Self.follow(["A", "", "C"]).followed == ["A"])
        #expect(Self.follow([nil]).error == nil)
    }

    @Test func pagesAreBounded() throws {
        let endless = (1...10).map { "t\($0)" }
        let (followed, error) = Self.follow(endless, maxPages: 4)
        #expect(followed == ["t1", "t2", "t3"])
        let e = try #require(error)
        #expect(e.problem == .tooManyPages && e.page == 4 && e.maxPages == 4 && e.token == "t4")
        #expect(e.description.contains("raise `maxPages`"), "\(e)")
        // The last page may be the limit's: no next token, no error.
        #expect(Self.follow(["t1", "t2", "t3", nil], maxPages: 4).error == nil)
        #expect(Paginator.defaultMaxPages == 10_000)
        // A long token is named by its start.
        let long = String(repeating: "x", count: 5_000)
        #expect(try #require(Self.follow([long, long]).error).description.contains("... (5000 characters)"))
    }

    /// The tokens a transport was asked for.
    final class Asked: Sendable {
        let tokens = Mutex<[String?]>([])
        var all: [String?] { tokens.withLock { $0 } }
    }

    /// A ListServices transport whose answer to each token is given; records the tokens asked.
    static func services(_ next: @escaping @Sendable (String?) -> String?) -> (FakeTransport, Asked) {
        let asked = Asked()
        let transport = FakeTransport { r in
            let token = r.url.split(separator: "nextToken=").dropFirst().first.map(String.init)
            let n = asked.tokens.withLock { $0.append(token); return $0.count }
            let tokenJSON = next(token).map { #","nextToken":"\#($0)""# } ?? ""
            return HTTPResponse(status: 200, body: Array(#"{"items":[{"id":"svc-\#(n)"}]\#(tokenJSON)}"#.utf8))
        }
        return (transport, asked)
    }

    @Test func pageSequencesEndWithTheErrorAfterThePageThatCycles() async throws {
        // A, B, A, B, ...: before, a repeated token ended the pages quietly, so a listing that
        // had lost items looked complete.
        let (transport, asked) = Self.services { token in token == "A" ? "B" : "A" }
        let client = try GeneratedAPITests.client(transport)
        var ids: [String?] = []
        let error = await #expect(throws: LatticePaginationError.self) {
            for try await page in client.listServicesPages(ListServicesRequest()) { ids += page.items?.map(\.id) ?? [] }
        }
        #expect(ids == ["svc-1", "svc-2", "svc-3"], "the page that repeats the token is returned, then the error")
        #expect(asked.all == [nil, "A", "B"])
        #expect(error?.problem == .repeatedToken(firstPage: 1) && error?.page == 3 && error?.operation == "ListServices")
        await #expect(throws: LatticePaginationError.self) { _ = try await client.listServicesItems().collect() }
    }

    @Test func pageSequencesStopAtTheirLimitOnPages() async throws {
        let (transport, asked) = Self.services { token in "t\(Int(token?.dropFirst() ?? "0").map { $0 + 1 } ?? 0)" }
        let client = try GeneratedAPITests.client(transport)
        var pages = client.listServicesPages(ListServicesRequest())
        pages.maxPages = 5
        var count = 0
        let error = await #expect(throws: LatticePaginationError.self) {
            for try await _ in pages { count += 1 }
        }
        #expect(count == 5 && asked.all.count == 5)
        #expect(error?.problem == .tooManyPages)
    }
}
