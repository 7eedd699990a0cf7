#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The UTC calendar fields of a signing time (from `CivilDate`), written without Foundation's
/// formatters.
struct AmzDate: Sendable, Hashable {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(_ date: Date) throws(SigV4Error) {
        let t = date.timeIntervalSince1970
        // 253402300800 is 10000-01-01T00:00:00Z.
        guard t.isFinite, t >= 0, t < 253_402_300_800 else { throw .invalidDate }
        self.init(secondsSince1970: Int(t))
    }

    init(secondsSince1970 s: Int) {
        (year, month, day, hour, minute, second) = CivilDate.fields(secondsSince1970: s)
    }

    /// `yyyyMMdd` as one number, for cache keys.
    var dateStamp: Int { year * 10_000 + month * 100 + day }

    /// Appends `yyyyMMdd`.
    func appendDate<Sink: ByteSink>(to out: inout Sink) {
        Self.appendDigits(year, 4, &out)
        Self.appendDigits(month, 2, &out)
        Self.appendDigits(day, 2, &out)
    }

    /// Appends `yyyyMMdd'T'HHmmss'Z'`.
    func appendDateTime<Sink: ByteSink>(to out: inout Sink) {
        appendDate(to: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendDigits(hour, 2, &out)
        Self.appendDigits(minute, 2, &out)
        Self.appendDigits(second, 2, &out)
        out.append(UInt8(ascii: "Z"))
    }

    var dateTimeString: String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            var w = BufferWriter(buffer)
            appendDateTime(to: &w)
            return w.count
        }
    }

    @inline(__always)
    private static func appendDigits<Sink: ByteSink>(_ value: Int, _ width: Int, _ out: inout Sink) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}
