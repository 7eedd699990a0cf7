// local-lattice: the in-process local Lattice served over HTTP on 127.0.0.1, so tools in other
// processes (the lattice CLI, the aws CLI, boto3) can use it with --endpoint-url.
//
//   local-lattice [--port N] [--port-file PATH] [--identity-policy FILE]
//
// Prints the URL on stdout once it listens (port 0, the default, lets the OS choose) and
// serves until killed. Loopback only; HTTP/1.1 with keep-alive; one thread per connection.
// With --identity-policy, every call is checked against that IAM policy document as IAM would
// check the caller's (actions only; see IdentityPolicy): what it does not allow is answered
// with AccessDeniedException.
import Foundation
import LatticeKit
import LatticeKitTesting
import SigV4
#if canImport(Glibc)
import Glibc
#endif

var port: UInt16 = 0
var portFile: String?
var policy: IdentityPolicy?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--port": port = UInt16(args.popFirst() ?? "") ?? 0
    case "--port-file": portFile = args.popFirst()
    case "--identity-policy":
        do {
            policy = try IdentityPolicy(contentsOfFile: args.popFirst() ?? "")
        } catch {
            FileHandle.standardError.write(Data("local-lattice: \(error)\n".utf8))
            exit(2)
        }
    default:
        FileHandle.standardError.write(Data("usage: local-lattice [--port N] [--port-file PATH] [--identity-policy FILE]\n".utf8))
        exit(2)
    }
}

let lattice = LocalLattice(LocalLattice.Configuration(identityPolicy: policy))
let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
var one: Int32 = 1
setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
var addr = sockaddr_in()
addr.sin_family = sa_family_t(AF_INET)
addr.sin_port = port.bigEndian
addr.sin_addr.s_addr = inet_addr("127.0.0.1")
let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
guard bound == 0, listen(listener, 64) == 0 else {
    FileHandle.standardError.write(Data("local-lattice: cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))\n".utf8))
    exit(1)
}
var len = socklen_t(MemoryLayout<sockaddr_in>.size)
withUnsafeMutablePointer(to: &addr) { _ = $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
let url = "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))"
if let portFile { try? url.write(toFile: portFile, atomically: true, encoding: .utf8) }
FileHandle.standardOutput.write(Data((url + "\n").utf8))

final class Box<T>: @unchecked Sendable { var value: T; init(_ v: T) { value = v } }

/// Answers one request through the local Lattice (blocking this connection's thread).
@Sendable func answer(_ request: HTTPRequest) -> HTTPResponse {
    let done = DispatchSemaphore(value: 0)
    let result = Box(HTTPResponse(status: 500))
    Task.detached {
        do { result.value = try await lattice.send(request) } catch {
            result.value = HTTPResponse(status: 500, headers: ["x-amzn-ErrorType": "InternalServerException"], body: Array(#"{"message":"local-lattice: \#(error)"}"#.utf8))
        }
        done.signal()
    }
    done.wait()
    return result.value
}

@Sendable func serve(_ fd: Int32) {
    defer { close(fd) }
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    func fill() -> Bool {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        return true
    }
    while true {
        var headEnd: Int?
        while headEnd == nil {
            if buffer.count >= 4 { for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { headEnd = i; break } }
            if headEnd == nil, !fill() { return }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(headEnd! + 4)
        let line = head[0].split(separator: " ")
        guard line.count >= 2 else { return }
        var headers = HTTPHeaders()
        for h in head.dropFirst() {
            guard let c = h.firstIndex(of: ":") else { continue }
            headers.add(name: String(h[..<c]), value: h[h.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length { if !fill() { return } }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        let host = headers["host"] ?? "127.0.0.1"
        let response = answer(HTTPRequest(method: String(line[0]), url: "http://\(host)\(line[1])", headers: headers, body: body))
        var out = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\nContent-Length: \(response.body.count)\r\n"
        for f in response.headers where f.name.lowercased() != "content-length" { out += "\(f.name): \(f.value)\r\n" }
        out += "\r\n"
        let bytes = Array(out.utf8) + response.body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

while true {
    let fd = accept(listener, nil, nil)
    if fd < 0 { continue }
    Thread.detachNewThread { serve(fd) }
}
