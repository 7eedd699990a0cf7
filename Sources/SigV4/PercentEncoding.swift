/// RFC 3986 percent-encoding as SigV4 wants it: everything but the unreserved set
/// (`A-Z a-z 0-9 - . _ ~`) becomes `%XY` with uppercase hex; a space is `%20`, never `+`.
public enum PercentEncoding {
    @inline(__always)
    static func upperHexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 &+ v : 0x37 &+ v }

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
    @inline(__always)
    static func append<Sink: ByteSink>(_ bytes: some Collection<UInt8>, to out: inout Sink, keepSlash: Bool) {
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigit(c >> 4))
                out.append(upperHexDigit(c & 0x0f))
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
    static func decode<Sink: ByteSink>(_ bytes: some Collection<UInt8>, into out: inout Sink) {
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
    /// again, so that `%e1` and a raw byte both come out as `%E1`, and `%41` as `A`.
    @inline(__always)
    static func appendCanonical<Sink: ByteSink>(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout Sink) {
        var i = 0
        let n = bytes.count
        while i < n {
            var c = bytes[i]
            if c == UInt8(ascii: "%"), i + 2 < n, let hi = Hex.value(bytes[i + 1]), let lo = Hex.value(bytes[i + 2]) {
                c = hi << 4 | lo
                i += 3
            } else {
                i += 1
            }
            if isUnreserved(c) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigit(c >> 4))
                out.append(upperHexDigit(c & 0x0f))
            }
        }
    }
}

/// Somewhere bytes can be appended: a growable array, or a fixed buffer sized in advance.
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    /// Appends a string's UTF-8 bytes in one copy.
    mutating func appendUTF8(_ s: String)
}

extension Array: ByteSink where Element == UInt8 {
    @inline(__always)
    mutating func appendUTF8(_ s: String) { append(contentsOf: s.utf8) }
}

/// Appends into memory whose capacity the caller has already ensured.
struct BufferWriter: ByteSink {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func appendUTF8(_ s: String) {
        let copied: Void? = s.utf8.withContiguousStorageIfAvailable { append($0) }
        if copied == nil { for c in s.utf8 { append(c) } }
    }

    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}
