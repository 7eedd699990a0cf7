import Foundation
import LatticeTestSupport
import Testing
@testable import SigV4

@Suite struct AmzDateTests {
    static func foundationFormatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.calendar = Calendar(identifier: .gregorian)
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f
    }

    /// 10000-01-01T00:00:00Z.
    static let endOfYear9999: TimeInterval = 253_402_300_800

    @Test func seededRandomInstantsFormatLikeFoundation() throws {
        let formatter = Self.foundationFormatter()
        var rng = SeededRandom(seed: 0xDA7E_0000_0000_0001)
        for _ in 0..<3_000 {
            // Whole seconds and fractions: the fraction must never round up.
            var t = TimeInterval(Int64.random(in: 0..<Int64(Self.endOfYear9999), using: &rng))
            if Bool.random(using: &rng) { t += Double.random(in: 0..<0.999, using: &rng) }
            let date = Date(timeIntervalSince1970: t)
            let amz = try AmzDate(date)
            let expected = formatter.string(from: Date(timeIntervalSince1970: t.rounded(.down)))
            #expect(amz.dateTimeString == expected, "t = \(t)")
            #expect(String(amz.dateStamp) == String(expected.prefix(8)), "t = \(t)")
        }
    }

    @Test func signedRequestCarriesTheFormattedDateAndScopeDay() throws {
        let formatter = Self.foundationFormatter()
        var rng = SeededRandom(seed: 0xDA7E_0000_0000_0002)
        for _ in 0..<50 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: 0..<Int64(Self.endOfYear9999), using: &rng)))
            let (request, details, _) = try Fixture.sign("https://example.amazonaws.com/", date: date)
            let expected = formatter.string(from: date)
            #expect(request.headers["x-amz-date"] == expected)
            // The scope's day comes from the same instant as x-amz-date.
            let lines = details.stringToSign.split(separator: "\n")
            #expect(lines[1] == expected)
            #expect(lines[2].hasPrefix(expected.prefix(8) + "/us-east-1/vpc-lattice/aws4_request"))
            #expect(request.headers["authorization"]?.contains("Credential=AKIDEXAMPLE/\(expected.prefix(8))/") == true)
        }
    }

    @Test(arguments: [
        (2000, 2, 29, "20000229T000000Z"),
        (2024, 2, 29, "20240229T000000Z"),
        (2100, 3, 1, "21000301T000000Z"),
        (1972, 2, 29, "19720229T000000Z"),
        (2400, 2, 29, "24000229T000000Z"),
    ])
    func leapDaysFormatAsCalendarDays(_ year: Int, _ month: Int, _ day: Int, _ expected: String) throws {
        let date = try Fixture.utc(year, month, day)
        #expect(try AmzDate(date).dateTimeString == expected)
        #expect(Self.foundationFormatter().string(from: date) == expected)
    }

    @Test func secondsAroundLeapDaysRollOver() throws {
        #expect(try AmzDate(Fixture.utc(2000, 2, 28, 23, 59, 59).addingTimeInterval(1)).dateTimeString == "20000229T000000Z")
        #expect(try AmzDate(Fixture.utc(2024, 2, 29, 23, 59, 59)).dateTimeString == "20240229T235959Z")
        #expect(try AmzDate(Fixture.utc(2024, 2, 29, 23, 59, 59).addingTimeInterval(1)).dateTimeString == "20240301T000000Z")
        // 2100 is not a leap year: the day after 2100-02-28 is 2100-03-01.
        #expect(try AmzDate(Fixture.utc(2100, 2, 28, 23, 59, 59).addingTimeInterval(1)).dateTimeString == "21000301T000000Z")
        #expect(try AmzDate(Fixture.utc(2023, 12, 31, 23, 59, 59).addingTimeInterval(1)).dateTimeString == "20240101T000000Z")
    }

    @Test func epochIsNineteenSeventy() throws {
        #expect(try AmzDate(Date(timeIntervalSince1970: 0)).dateTimeString == "19700101T000000Z")
        #expect(try AmzDate(Date(timeIntervalSince1970: 0.999)).dateTimeString == "19700101T000000Z")
        #expect(try AmzDate(Date(timeIntervalSince1970: 86_399)).dateTimeString == "19700101T235959Z")
        #expect(try AmzDate(Date(timeIntervalSince1970: 0)).dateStamp == 19_700_101)
    }

    @Test func lastSecondOfYear9999IsAccepted() throws {
        let last = Date(timeIntervalSince1970: Self.endOfYear9999 - 1)
        #expect(try AmzDate(last).dateTimeString == "99991231T235959Z")
        #expect(try AmzDate(last.addingTimeInterval(0.999)).dateTimeString == "99991231T235959Z")
        #expect(try Fixture.utc(9999, 12, 31, 23, 59, 59) == last)
        #expect(try AmzDate(last).dateStamp == 99_991_231)
    }

    static let invalidInstants: [TimeInterval] = [
        -1, -0.001, -86_400 * 365, 253_402_300_800, 253_402_300_800.5, 1e20, -1e20,
        .nan, .infinity, -.infinity, .greatestFiniteMagnitude,
    ]

    @Test(arguments: invalidInstants)
    func datesOutsideYears1970To9999Throw(_ t: TimeInterval) {
        let date = Date(timeIntervalSince1970: t)
        #expect(sigV4Error { _ = try AmzDate(date) } == .invalidDate)
        var request = SigV4Request(method: "GET", url: "https://example.amazonaws.com/")
        let signer = Fixture.signer()
        #expect(sigV4Error { try signer.sign(&request, date: date) } == .invalidDate)
        #expect(sigV4Error { _ = try signer.presign(request, expires: 60, date: date) } == .invalidDate)
        #expect(sigV4Error { _ = try SigningKeyCache.deriveKey(secret: "s", date: date, region: "us-east-1", service: "iam") } == .invalidDate)
        // Nothing was added to a request that could not be signed.
        #expect(request.headers.isEmpty)
    }
}
