import Foundation
import Testing
@testable import LatticeKit

/// The pattern cache remembers recent answers: a remembered answer must be the regex's own,
/// whether the memo is fresh, full and started over, or read from many tasks at once.
@Suite struct PatternCacheTests {
    static let pattern = "svc-[0-9a-z]{17}"

    /// Even numbers give a matching ID, odd ones an ID with an uppercase letter.
    static func value(_ n: Int) -> String {
        let digits = String(n, radix: 36).leftPadded(to: 17)
        return n % 2 == 0 ? "svc-\(digits)" : "svc-\(digits.dropLast())X"
    }

    @Test func rememberedAnswersAreTheRegexsOwnAcrossAFullMemo() throws {
        let cache = PatternCache()
        let regex = try Regex(Self.pattern)
        let count = PatternCache.memoCapacity * 2 + 17
        for round in 0..<2 {
            for n in 0..<count {
                let value = Self.value(n)
                let expected = (try? regex.wholeMatch(in: value)) != nil
                #expect(expected == (n % 2 == 0), "the oracle itself: \(value)")
                #expect(cache.wholeMatch(Self.pattern, value) == expected, "round \(round): \(value)")
            }
        }
    }

    @Test func theSameValueUnderAnotherPatternIsAnotherQuestion() {
        let cache = PatternCache()
        #expect(cache.wholeMatch("svc-[0-9a-z]{17}", "svc-0123456789abcdef0"))
        #expect(!cache.wholeMatch("tg-[0-9a-z]{17}", "svc-0123456789abcdef0"))
        #expect(cache.wholeMatch("svc-[0-9a-z]{17}", "svc-0123456789abcdef0"))
    }

    @Test func longValuesAreMatchedEachTime() {
        let cache = PatternCache()
        let long = String(repeating: "a", count: PatternCache.memoValueBytes + 1)
        #expect(cache.wholeMatch("a+", long))
        #expect(!cache.wholeMatch("a+", long + "b"))
        #expect(cache.wholeMatch("a+", long))
    }

    @Test func manyTasksGetTheSameAnswers() async {
        let cache = PatternCache()
        let results = await withTaskGroup(of: [Bool].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<600).map { cache.wholeMatch(Self.pattern, Self.value($0 % 300)) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let expected = (0..<600).map { ($0 % 300) % 2 == 0 }
        #expect(results.count == 8)
        for result in results { #expect(result == expected) }
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? String(suffix(length)) : String(repeating: "0", count: length - count) + self
    }
}
