/// RFC 3986 percent-encoding as SigV4 wants it: everything but the unreserved set
/// (`A-Z a-z 0-9 - . _ ~`) becomes `%XY` with uppercase hex; a space is `%20`, never `+`.
public enum PercentEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// True for RFC 3986 unreserved characters.
    @inline(__always)
    public static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends the encoding of `bytes` to `out`; with `keepSlash`, `/` stays as it is.
    static func append(_ bytes: some Collection<UInt8>, to out: inout [UInt8], keepSlash: Bool) {
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(c >> 4)])
                out.append(upperHex[Int(c & 0x0f)])
            }
        }
    }

    /// Encodes a string (a path label, a query key or value). With `keepSlash`, `/` is kept
    /// (greedy path labels); otherwise it becomes `%2F`.
    public static func encode(_ string: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 8)
        append(string.utf8, to: &out, keepSlash: keepSlash)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XY` escapes; a `%` not followed by two hex digits is kept as it is, and `+`
    /// stays `+` (this is URI decoding, not form decoding).
    static func decode(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let j = bytes.index(after: i)
                if j != bytes.endIndex, let hi = Hex.value(bytes[j]) {
                    let k = bytes.index(after: j)
                    if k != bytes.endIndex, let lo = Hex.value(bytes[k]) {
                        out.append(hi << 4 | lo)
                        i = bytes.index(after: k)
                        continue
                    }
                }
            }
            out.append(c)
            i = bytes.index(after: i)
        }
    }

    /// Decodes a percent-encoded string; invalid UTF-8 is repaired with U+FFFD.
    public static func decode(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        decode(string.utf8, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical form of an already-encoded query component: decoded, then encoded
    /// again, so that `%e1` and a raw byte both come out as `%E1` and `%41` as `A`.
    static func appendCanonical(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        // Fast path: a component of unreserved characters only is already canonical.
        var plain = true
        for c in bytes where !isUnreserved(c) {
            plain = false
            break
        }
        if plain {
            out.append(contentsOf: bytes)
            return
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        decode(bytes, into: &decoded)
        append(decoded, to: &out, keepSlash: false)
    }
}
