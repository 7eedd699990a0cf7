#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SigV4

/// Small file helpers on libc, so that reading a config file needs no Foundation. Package
/// access: the CLI reads its `file://` values and `--cli-input-json` through `readFile` too.
package enum FileAccess {
    package enum ReadResult: Equatable, Sendable {
        case contents([UInt8])
        case missing
        /// Why the file was not read, in words that fit after "cannot read PATH: ".
        case failed(String)
    }

    /// The largest file read (config files, tokens and command inputs are small; this guards
    /// against pointing a variable or a `file://` value at something huge).
    package static let maximumSize = 16 * 1024 * 1024

    /// Reads a whole regular file of at most `limit` bytes. A file that does not exist (or
    /// whose directory does not) is `.missing`; anything else that is not a regular file
    /// (a FIFO, a device, a socket, a directory) is `.failed` without a single read, so
    /// nothing can block or stream forever: the file is opened non-blocking (opening a FIFO
    /// would otherwise wait for a writer) and checked with `fstat` on the open descriptor.
    /// `/dev/null` is the one device read, as empty: `AWS_CONFIG_FILE=/dev/null` is the
    /// usual way to say "no config file".
    package static func readFile(_ path: String, limit: Int = maximumSize) -> ReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            // A socket cannot be opened at all (ENXIO): say what it is rather than "No such
            // device or address".
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                return .failed("it is \(kind(info.st_mode & S_IFMT)), not a regular file")
            }
            return .failed(reason(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failed(reason(errno)) }
        let type = info.st_mode & S_IFMT
        if type != S_IFREG {
            if type == S_IFCHR, isDevNull(info) { return .contents([]) }
            return .failed("it is \(kind(type)), not a regular file")
        }
        let tooLarge = "the file is larger than the limit of \(describe(limit))"
        if Int(info.st_size) > limit { return .failed(tooLarge) }
        var out: [UInt8] = []
        out.reserveCapacity(min(Int(info.st_size), limit) + 1)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                return .failed(reason(code))
            }
            if n == 0 { break }
            // A file that grows while it is read (or reports no size, as /proc files do) is
            // still held to the limit.
            if out.count + n > limit { return .failed(tooLarge) }
            out.append(contentsOf: chunk[0..<n])
        }
        return .contents(out)
    }

    /// What a file type is, for messages.
    static func kind(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// True for the device `/dev/null` is (also when reached through another name).
    private static func isDevNull(_ info: stat) -> Bool {
        var null = stat()
        guard stat("/dev/null", &null) == 0 else { return false }
        return null.st_mode & S_IFMT == S_IFCHR && null.st_rdev == info.st_rdev
    }

    /// `16 MiB`, `64 KiB` or `300 bytes`.
    package static func describe(_ bytes: Int) -> String {
        if bytes >= 1_048_576, bytes % 1_048_576 == 0 { return "\(bytes / 1_048_576) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
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
    /// The text under the package's one trimming rule (`ASCII` in SigV4): without leading and
    /// trailing ASCII white space. (A name of its own because the fuzz harness, built outside
    /// the package, calls it.)
    var lkTrimmed: String { String(trimmedWhitespace) }
}
