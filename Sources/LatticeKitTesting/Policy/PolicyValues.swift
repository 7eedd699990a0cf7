#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The typed values of condition operators: numbers, dates and IP address ranges, read from
/// policy text and from request values alike.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
enum PolicyValues {
    /// An integer or decimal (`10`, `-3`, `2.5`), as the Numeric operators take them.
    static func number(_ text: String) -> Double? {
        var s = Substring(text)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              text.count <= 40
        else { return nil }
        return Double(text)
    }

    /// A date as the Date operators take it, in seconds since 1970: epoch seconds (all digits,
    /// as `aws:EpochTime` is written; so a bare year reads as epoch seconds too), or a W3C
    /// ISO 8601 form: `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s]]` with `Z` or
    /// `±hh:mm` (no zone reads as UTC).
    static func date(_ text: String) -> Double? {
        let s = Array(text.utf8)
        guard !s.isEmpty, s.count <= 40 else { return nil }
        if s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Double(text) }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard s.count - i >= n else { return nil }
            var v = 0
            for _ in 0..<n {
                guard s[i] >= 0x30, s[i] <= 0x39 else { return nil }
                v = v * 10 + Int(s[i] - 0x30)
                i += 1
            }
            return v
        }
        func take(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), take("-"), let month = digits(2), (1...12).contains(month) else { return nil }
        var day = 1, hour = 0, minute = 0
        var second = 0.0, offset = 0
        if take("-") {
            guard let d = digits(2), d >= 1, d <= daysIn(month: month, year: year) else { return nil }
            day = d
            if take("T") {
                guard let h = digits(2), h < 24, take(":"), let m = digits(2), m < 60 else { return nil }
                hour = h
                minute = m
                if take(":") {
                    guard let sec = digits(2), sec < 61 else { return nil }
                    second = Double(sec)
                    if take(".") {
                        let start = i
                        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
                        guard i > start, let fraction = Double("0." + String(decoding: s[start..<i], as: UTF8.self)) else { return nil }
                        second += fraction
                    }
                }
                if take("Z") {
                } else if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                    let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = digits(2), oh < 24, take(":"), let om = digits(2), om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == s.count,
              let date = utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
        else { return nil }
        return date.timeIntervalSince1970 - Double(offset) + second
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The Gregorian calendar in UTC, for the dates policies compare.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// `seconds` since 1970 as `2024-05-01T12:00:00Z`, as `aws:CurrentTime` is written.
    static func iso8601(_ seconds: Double) -> String {
        Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}

/// An IPv4 or IPv6 address range in CIDR form, as IpAddress and NotIpAddress take it; an
/// address without a prefix is the one address (/32, or /128 for IPv6).
struct IPRange: Hashable, Sendable {
    /// 4 bytes for IPv4, 16 for IPv6.
    var address: [UInt8]
    var prefixLength: Int

    init?(cidr text: String) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), let address = Self.address(String(pieces[0])) else { return nil }
        let maximum = address.count * 8
        var prefix = maximum
        if pieces.count == 2 {
            guard !pieces[1].isEmpty, pieces[1].count <= 3, pieces[1].allSatisfy(\.isASCIIDigit),
                  let p = Int(pieces[1]), p <= maximum
            else { return nil }
            prefix = p
        }
        self.address = address
        self.prefixLength = prefix
    }

    /// Whether `other` (4 or 16 bytes) lies in the range; an address of the other family never does.
    func contains(_ other: [UInt8]) -> Bool {
        guard other.count == address.count else { return false }
        var bits = prefixLength
        for (a, b) in zip(address, other) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            guard a & mask == b & mask else { return false }
            bits -= 8
        }
        return true
    }

    /// The bytes of a dotted IPv4 address or a (possibly compressed) IPv6 address.
    static func address(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 45 else { return nil }
        return text.contains(":") ? ipv6(text) : ipv4(Substring(text))
    }

    static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let v = Int(part), v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let fields = s.split(separator: ":", omittingEmptySubsequences: false)
            for (n, field) in fields.enumerated() {
                if allowIPv4Tail, n == fields.count - 1, field.contains(".") {
                    guard let v4 = ipv4(field) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(field.count), field.allSatisfy(\.isHexDigit), let v = UInt16(field, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
              head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
