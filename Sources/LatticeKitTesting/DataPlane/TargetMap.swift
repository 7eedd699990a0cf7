/// Where the data plane reaches a registered target: an IP target on this machine (127.0.0.0/8,
/// ::1) at its own address; any other target (an IP of a VPC, an EC2 instance ID) through an
/// entry the user gives, `TARGET[:PORT]=HOST:PORT`:
///
/// - `10.0.1.10:8080=127.0.0.1:9001`: that target on that port;
/// - `10.0.1.10=127.0.0.1`: that target on any port, at the same port of 127.0.0.1;
/// - `i-0123456789abcdef0:80=127.0.0.1:9002`: an INSTANCE target.
package struct TargetMap: Sendable, Hashable {
    package struct Address: Sendable, Hashable, CustomStringConvertible {
        package var host: String
        package var port: Int
        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `127.0.0.1:9001`, `[::1]:9001`.
        package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    private var exact: [String: Address] = [:]
    private var anyPort: [String: String] = [:]

    package init() {}

    package struct ParseError: Error, CustomStringConvertible {
        package var description: String
    }

    /// Adds one `TARGET[:PORT]=HOST[:PORT]` entry.
    package mutating func add(_ entry: String) throws(ParseError) {
        let sides = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
            throw ParseError(description: "--target-map takes TARGET[:PORT]=HOST[:PORT] (such as 10.0.1.10:8080=127.0.0.1:9001), not '\(entry)'")
        }
        let (target, targetPort) = Self.split(sides[0])
        let (host, port) = Self.split(sides[1])
        guard targetPort != -1, port != -1 else {
            throw ParseError(description: "--target-map '\(entry)': a port is a number from 1 to 65535")
        }
        if let targetPort {
            guard let port else {
                throw ParseError(description: "--target-map '\(entry)': a target with a port maps to HOST:PORT (such as 127.0.0.1:9001)")
            }
            exact["\(target):\(targetPort)"] = Address(host: host, port: port)
        } else {
            guard port == nil else {
                throw ParseError(description: "--target-map '\(entry)': a target without a port maps to a HOST without one (each port to the same port)")
            }
            anyPort[target] = host
        }
    }

    /// HOST and PORT of `HOST[:PORT]` or `[V6]:PORT` (port nil when absent, -1 when not a port).
    static func split(_ text: String) -> (String, Int?) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard !rest.isEmpty else { return (host, nil) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return (host, -1) }
            return (host, port)
        }
        let colons = text.filter { $0 == ":" }.count
        guard colons == 1, let colon = text.firstIndex(of: ":") else { return (text, nil) }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return (String(text[..<colon]), -1) }
        return (String(text[..<colon]), port)
    }

    /// Where to reach `targetId` on `port`, or why it cannot be reached.
    package func address(of targetId: String, port: Int) -> Result<Address, Unmapped> {
        if let found = exact["\(targetId):\(port)"] { return .success(found) }
        if let host = anyPort[targetId] { return .success(Address(host: host, port: port)) }
        if Self.isLoopback(targetId) { return .success(Address(host: targetId, port: port)) }
        return .failure(Unmapped(targetId: targetId, port: port))
    }

    /// A target that is not on this machine and has no `--target-map` entry.
    package struct Unmapped: Error, Sendable, CustomStringConvertible {
        package var targetId: String
        package var port: Int
        package var description: String {
            "The target \(targetId):\(port) is not an address on this machine: map it with --target-map \(targetId):\(port)=127.0.0.1:PORT (or register a 127.0.0.1 target)."
        }
    }

    /// 127.0.0.0/8 or ::1.
    package static func isLoopback(_ address: String) -> Bool {
        if address == "::1" { return true }
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { p in Int(p).map { (0...255).contains($0) } ?? false }
    }
}
