import Foundation
import Testing
@testable import SigV4

@Suite struct CanonicalQueryTests {
    static func canonicalQuery(_ query: String) throws -> String {
        try Fixture.sign("https://example.amazonaws.com/?" + query).canonical.query
    }

    @Test(arguments: [
        ("b=2&a=1&c=3", "a=1&b=2&c=3"),
        ("a=2&b=1&a=1", "a=1&a=2&b=1"),
        ("Z=1&a=1&B=1", "B=1&Z=1&a=1"),  // byte order: upper case before lower case
        ("a-b=1&a=2&a_b=3&a.b=4", "a=2&a-b=1&a.b=4&a_b=3"),  // a shorter name first
        ("a=10&a=9&a=1", "a=1&a=10&a=9"),  // values compare as bytes, not numbers
    ])
    func pairsAreSortedByNameThenValue(_ query: String, _ expected: String) throws {
        #expect(try Self.canonicalQuery(query) == expected)
    }

    @Test func repeatedKeysAreSeparatePairs() throws {
        #expect(try Self.canonicalQuery("tagKeys=b&tagKeys=a&tagKeys=c") == "tagKeys=a&tagKeys=b&tagKeys=c")
        #expect(try Self.canonicalQuery("k=v&k=v") == "k=v&k=v")
        #expect(try Self.canonicalQuery("tagKeys=x%20y&tagKeys=x") == "tagKeys=x&tagKeys=x%20y")
    }

    @Test func keysWithoutEqualsGetAnEmptyValue() throws {
        #expect(try Self.canonicalQuery("flag") == "flag=")
        #expect(try Self.canonicalQuery("flag=") == "flag=")
        #expect(try Self.canonicalQuery("b&a=1&c=") == "a=1&b=&c=")
        #expect(try Self.canonicalQuery("flag&flag=") == "flag=&flag=")
    }

    @Test func emptyPairsAndAnEmptyQueryAreDropped() throws {
        #expect(try Self.canonicalQuery("") == "")
        #expect(try Self.canonicalQuery("&&a=1&&") == "a=1")
        #expect(try Fixture.sign("https://example.amazonaws.com/").canonical.query == "")
    }

    @Test func lowerCaseEscapesAreNormalizedToUpperCase() throws {
        #expect(try Self.canonicalQuery("k=%e1%bf%2f") == "k=%E1%BF%2F")
        #expect(try Self.canonicalQuery("%c3%a9=%C3%A9") == "%C3%A9=%C3%A9")
    }

    @Test func escapedUnreservedCharactersAreDecoded() throws {
        #expect(try Self.canonicalQuery("%41=%7e%2D%2e%5F%30") == "A=~-._0")
        #expect(try Self.canonicalQuery("a=%41%42&%61=1") == "a=1&a=AB")
    }

    @Test func plusIsALiteralPlus() throws {
        #expect(try Self.canonicalQuery("a=b+c") == "a=b%2Bc")
        #expect(try Self.canonicalQuery("a+b=1") == "a%2Bb=1")
        #expect(try Self.canonicalQuery("a=%2B") == "a=%2B")
    }

    @Test func spaceIsPercent20() throws {
        #expect(try Self.canonicalQuery("a=b%20c") == "a=b%20c")
        #expect(try Self.canonicalQuery("a=b c") == "a=b%20c")
    }

    @Test func reservedAndRawBytesAreEncoded() throws {
        #expect(try Self.canonicalQuery("a=x=y") == "a=x%3Dy")
        #expect(try Self.canonicalQuery("a=x%3Dy") == "a=x%3Dy")
        #expect(try Self.canonicalQuery("k=é") == "k=%C3%A9")
        #expect(try Self.canonicalQuery("arn=arn:aws:vpc-lattice:us-east-1:1:service/svc-1")
            == "arn=arn%3Aaws%3Avpc-lattice%3Aus-east-1%3A1%3Aservice%2Fsvc-1")
        #expect(try Self.canonicalQuery("a=%") == "a=%25")
        #expect(try Self.canonicalQuery("a=100%&b=%4") == "a=100%25&b=%254")
        #expect(try Self.canonicalQuery("a=%zz") == "a=%25zz")
    }

    @Test func sortingUsesTheCanonicalForm() throws {
        // "%41" is "A", which sorts before "B" though '%' sorts before both.
        #expect(try Self.canonicalQuery("B=1&%41=2") == "A=2&B=1")
        #expect(try Self.canonicalQuery("k=%62&k=a") == "k=a&k=b")
    }
}
