import Foundation
import Testing
@testable import LatticeKit

@Suite("HTTP date parsing")
struct HTTPDateTests {
    @Test("IMF-fixdate (RFC 1123) parses to the right instant")
    func imfFixdate() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Tue, 14 Nov 2023 22:13:20 GMT") == FakeRuntime.start)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 23:59:59 GMT") == Date(timeIntervalSince1970: 951_868_799))
    }

    @Test("Agrees with Foundation's formatter over many dates")
    func agreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var t = 0.0
        while t < 4_000_000_000 {
            let date = Date(timeIntervalSince1970: t)
            #expect(HTTPDate.parse(formatter.string(from: date)) == date)
            t += 7_999_999
        }
    }

    @Test("Lenient where it is safe: no weekday, one-digit day, letter case, UTC")
    func lenient() {
        let expected = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.parse("06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun, 6 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("sun, 06 NOV 1994 08:49:37 gmt") == expected)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 UTC") == expected)
    }

    @Test("Invalid or obsolete forms give nil", arguments: [
        "", "yesterday", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nox 1994 08:49:37 GMT", "Sun, 29 Feb 2023 08:49:37 GMT",
        "Sun, 31 Apr 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "1994-11-06T08:49:37Z",
    ])
    func invalid(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
