#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Text that reaches a terminal: what the service sends (error codes and messages, values in
/// text and table output, the bodies --debug shows) must not act on it. An ESC starts a control
/// sequence (colors, cursor moves, OSC 8 links, OSC 52 clipboard writes), CR and BS overwrite
/// what was printed, BEL rings, C1 controls (U+0080–U+009F) are CSI and OSC on many terminals,
/// and bidi overrides (U+202E) show text in another order than it is: each is written visibly
/// instead, `\x1b`, `\r`, `\x9b`, `\u202e`, as Python's repr writes them.
enum TerminalText {
    /// Control characters (C0 but tab and newline, DEL, C1) and the invisible characters that
    /// reorder or break lines (bidi embeddings, overrides, isolates and marks; U+2028, U+2029).
    static func isControl(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Whether a UTF-8 byte may start a control character (tab and newline included): bytes
    /// below 0x20, DEL, and the first bytes of the UTF-8 forms of C1 (0xC2), U+061C (0xD8) and
    /// U+200E–U+2069 (0xE2). Text without them has none, which is most text.
    @inline(__always)
    static func mayStartControl(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2
    }

    /// `text` with every control character (`isControl`) escaped; tab and newline are kept.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { mayStartControl($0) && $0 != 0x09 && $0 != 0x0A }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            if !isControl(u.value) {
                out.unicodeScalars.append(u)
            } else if u == "\r" {
                out += "\\r"
            } else if u.value <= 0xFF {
                out += "\\x" + hex(u.value, digits: 2)
            } else {
                out += "\\u" + hex(u.value, digits: 4)
            }
        }
        return out
    }

    /// `v` in lowercase hexadecimal, zero-padded to `digits`.
    static func hex(_ v: UInt32, digits: Int) -> String {
        let text = String(v, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }
}

/// Writes to standard output and error, unbuffered, each text in as few writes as possible, with
/// control characters escaped (`TerminalText`).
enum Console {
    static func out(_ text: String) { writeAll(TerminalText.escape(text), to: STDOUT_FILENO) }

    /// Standard output as is: for text whose own control sequences are meant (the table's
    /// colors) and whose other parts are escaped already.
    static func outStyled(_ text: String) { writeAll(text, to: STDOUT_FILENO) }

    static func err(_ text: String) { writeAll(TerminalText.escape(text), to: STDERR_FILENO) }

    /// Bytes to standard output as they are: for a body going to a pipe or a file.
    static func outBytes(_ bytes: [UInt8]) { bytes.withUnsafeBytes { writeAll($0, to: STDOUT_FILENO) } }

    private static func writeAll(_ text: String, to fd: Int32) {
        var t = text
        t.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: fd) }
    }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) {
        guard let base = buffer.baseAddress else { return }
        var sent = 0
        while sent < buffer.count {
            let n = write(fd, base + sent, buffer.count - sent)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }  // a closed pipe: nothing more to say
            sent += n
        }
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// The terminal's width, 80 when standard output is not a terminal (as the aws CLI does).
    static var terminalWidth: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
