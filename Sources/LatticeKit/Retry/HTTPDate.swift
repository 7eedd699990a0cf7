#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// Reads the HTTP date of `Date` and `Retry-After` headers without Foundation's formatters.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses the IMF-fixdate form (RFC 1123 / RFC 9110), `Sun, 06 Nov 1994 08:49:37 GMT`.
    /// The weekday may be left out and is not checked; the day may have one digit; the month
    /// is case-insensitive; the zone must be `GMT` or `UTC`. The obsolete RFC 850 and asctime
    /// forms, which servers must no longer send, give nil, as does any invalid field.
    static func parse(_ text: String) -> Date? {
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        if tokens.count == 6 {
            guard tokens[0].allSatisfy({ $0.isLetter }) else { return nil }
            tokens.removeFirst()
        }
        guard tokens.count == 5,
              let day = number(tokens[0], digits: 1...2),
              let monthIndex = months.firstIndex(of: tokens[1].lowercased()),
              let year = number(tokens[2], digits: 4...4), year >= 1,
              ["GMT", "UTC"].contains(tokens[4].uppercased())
        else { return nil }
        let clock = tokens[3].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3,
              let hour = number(clock[0], digits: 2...2), hour < 24,
              let minute = number(clock[1], digits: 2...2), minute < 60,
              let second = number(clock[2], digits: 2...2), second <= 60
        else { return nil }
        let month = monthIndex + 1
        guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds))
    }

    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count),
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
