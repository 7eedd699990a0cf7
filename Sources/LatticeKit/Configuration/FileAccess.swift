#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers on libc, so that reading a config file needs no Foundation.
enum FileAccess {
    enum ReadResult: Equatable {
        case contents([UInt8])
        case missing
        case failed(String)
    }

    /// The largest file read (config files and tokens are small; this guards against
    /// pointing a variable at something huge).
    static let maximumSize = 16 * 1024 * 1024

    /// Reads a whole file. A file that does not exist (or whose directory does not) is
    /// `.missing`; any other problem is `.failed` with the system's reason.
    static func readFile(_ path: String) -> ReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .failed(reason(code))
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                return .failed(reason(code))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > maximumSize { return .failed("the file is larger than \(maximumSize / 1_048_576) MiB") }
        }
        return .contents(out)
    }

    /// Replaces the file at `path` with `bytes` so that readers see the old or the new
    /// contents, never a mix: the bytes go to a temporary file in the same directory (mode
    /// 0600, since these files hold tokens), are synced, then renamed over `path`. Nil on
    /// success, else the system's reason.
    static func replaceFile(_ path: String, with bytes: [UInt8]) -> String? {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        if fd < 0 { return reason(errno) }
        // Not inherited by a credential_process started meanwhile (glibc hides mkostemp).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func fail(_ code: Int32) -> String {
            close(fd)
            unlink(temporary)
            return reason(code)
        }
        if fchmod(fd, 0o600) != 0 { return fail(errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress?.advanced(by: written), $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return fail(errno)
            }
            written += n
        }
        if fsync(fd) != 0 { return fail(errno) }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            return reason(code)
        }
        return nil
    }

    static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Expands a leading `~` or `~/` with the home directory from the environment variables.
    static func expandHome(_ path: String, variables: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = homeDirectory(variables) else { return path }
        return home + path.dropFirst()
    }

    /// `HOME` (or `USERPROFILE`), without a trailing slash; nil when neither is set.
    static func homeDirectory(_ variables: [String: String]) -> String? {
        guard var home = SettingText.nonEmpty(variables["HOME"]) ?? SettingText.nonEmpty(variables["USERPROFILE"]) else { return nil }
        while home.count > 1, home.hasSuffix("/") { home.removeLast() }
        return home
    }
}

/// Helpers for setting values.
enum SettingText {
    /// The trimmed string, or nil when it is nil or empty after trimming.
    static func nonEmpty(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.lkTrimmed
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var lkTrimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
