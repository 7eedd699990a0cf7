/// Proleptic Gregorian calendar arithmetic in UTC, without Foundation's calendars: the one
/// civil-date routine of the package (H. Hinnant's public-domain days-from-civil algorithms),
/// for SigV4's timestamps, RFC 3339 and HTTP dates, and the CLI's output.
package enum CivilDate {
    /// Days since 1970-01-01 of a date (month 1...12, day 1...31).
    @inline(__always)
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (negative: before).
    @inline(__always)
    package static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The date and time of day of whole seconds since 1970-01-01T00:00:00Z (negative: before).
    @inline(__always)
    package static func fields(secondsSince1970 t: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var days = t / 86_400
        var rem = t % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = date(days: days)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }
}
