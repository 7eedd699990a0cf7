/// Lowercase hexadecimal, written into byte buffers without Foundation: the package's one hex
/// codec.
package enum Hex {
    @inline(__always)
    static func lowerDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 &+ v : 0x57 &+ v }

    /// Appends the lowercase hex of `bytes` to `out`.
    @inline(__always)
    static func append<Sink: ByteSink>(_ bytes: UnsafeRawBufferPointer, to out: inout Sink) {
        for byte in bytes {
            out.append(lowerDigit(byte >> 4))
            out.append(lowerDigit(byte & 0x0f))
        }
    }

    /// The lowercase hex of `bytes`.
    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(lowerDigit(byte >> 4))
            out.append(lowerDigit(byte & 0x0f))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of an ASCII hex digit, or nil.
    @inline(__always)
    package static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
