#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// RFC 3339 timestamps (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123+02:00`) parsed and
/// written without Foundation's calendars or formatters: the service's JSON timestamps, and
/// the expirations of credentials and SSO tokens.
enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`; nil when malformed.
    static func parse(_ text: String) -> Date? {
        let b = Array(text.trimmedWhitespace.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                let c = b[k]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            i += width
            return value
        }
        func expect(_ chars: String) -> Bool {
            guard i < b.count, chars.utf8.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                digits += 1
                i += 1
            }
            if digits == 0 { return nil }
        }
        var offset = 0
        if expect("Zz") {
            // UTC
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            _ = expect(":")
            guard let om = number(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, rounded to the millisecond: the form the service
    /// answers with and LatticeKit sends.
    static func formatMilliseconds(_ date: Date) -> String {
        let totalMillis = Int((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = totalMillis / 1000
        var millis = totalMillis % 1000
        if millis < 0 {
            millis += 1000
            seconds -= 1
        }
        let whole = format(Date(timeIntervalSince1970: Double(seconds)))
        let m = String(millis)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - m.count) + m + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC (whole seconds).
    static func format(_ date: Date) -> String {
        let (y, m, d, hour, minute, second) = CivilDate.fields(secondsSince1970: Int(date.timeIntervalSince1970.rounded(.down)))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(paddedYear)-\(two(m))-\(two(d))T\(two(hour)):\(two(minute)):\(two(second))Z"
    }
}
