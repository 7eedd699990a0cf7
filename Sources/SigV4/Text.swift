/// ASCII byte classes, and the package's one trimming rule.
///
/// The rule: a value loses its leading and trailing ASCII white space (space, tab, line feed,
/// vertical tab, form feed, carriage return: C's `isspace`, and what SigV4's header
/// canonicalisation trims) and nothing else: no other Unicode space, nothing inside. Every
/// value LatticeKit reads is trimmed this way, whatever it is: environment variables, config,
/// token and credential files, command-line values, header values, error texts. So a value
/// written with `echo` (a trailing newline) means the same wherever it is read.
package enum ASCII {
    @inline(__always)
    package static func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }

    /// White space under the trimming rule.
    @inline(__always)
    package static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0d)
    }

    /// `bytes` without leading and trailing white space (the trimming rule).
    package static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII white space: the trimming rule of `ASCII`.
    package var trimmedWhitespace: Substring {
        let text = Substring(self)
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !ASCII.isSpace($0) }), let last = bytes.lastIndex(where: { !ASCII.isSpace($0) }) else {
            return text[text.endIndex...]
        }
        // The byte after the last kept one is white space or the end: a character boundary.
        return text[first..<bytes.index(after: last)]
    }
}
