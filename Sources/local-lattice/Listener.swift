#if canImport(Glibc)
import Glibc
#endif

/// The listening socket and the port file.
enum Listener {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A socket listening on 127.0.0.1:`port` (0: the system chooses), and its port.
    static func open(port: UInt16) -> Result<(fd: Int32, port: UInt16), Failure> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(description: "cannot make a socket: \(String(cString: strerror(errno)))")) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                // The backlog the system allows (somaxconn): clients wait there while the server is busy.
                bind(fd, $0, length) == 0 && listen(fd, SOMAXCONN) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .failure(Failure(description: "cannot listen on 127.0.0.1:\(port): \(reason); choose another --port, or 0"))
        }
        return .success((fd, UInt16(bigEndian: address.sin_port)))
    }

    /// Writes `text` to `path` through a temporary file renamed into place, so a reader polling
    /// for the file never sees half of it. The problem, or nil.
    static func writeAtomically(_ text: String, to path: String, flag: String = "--port-file") -> String? {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return "cannot write \(temporary): \(String(cString: strerror(errno))); check \(flag)" }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write \(path): \(reason); check \(flag)"
        }
        return nil
    }
}
