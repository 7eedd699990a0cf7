import SigV4

extension RuleEngine {
    /// The rules language's string functions, as plain Swift. ASCII-only where the language is.
    enum Library {
        /// True when `value` is an RFC 1123 host label: 1 to 63 ASCII letters, digits and
        /// hyphens, not starting or ending with a hyphen. With `allowSubdomains`, every
        /// dot-separated label must be one.
        static func isValidHostLabel(_ value: String, allowSubdomains: Bool) -> Bool {
            if allowSubdomains {
                return value.split(separator: ".", omittingEmptySubsequences: false)
                    .allSatisfy { isHostLabel($0.utf8) }
            }
            return isHostLabel(value.utf8)
        }

        private static func isHostLabel<S: Collection<UInt8>>(_ bytes: S) -> Bool {
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"),
                  bytes.reversed().first != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }

        private static func isAlphanumeric(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        }

        /// The characters from `start` to `stop` (from the end when `reverse`), or unset when
        /// the range does not fit or the input is not ASCII.
        static func substring(_ value: String, start: Int, stop: Int, reverse: Bool) -> String? {
            let bytes = Array(value.utf8)
            guard start >= 0, start < stop, stop <= bytes.count, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let range = reverse ? (bytes.count - stop)..<(bytes.count - start) : start..<stop
            return String(decoding: bytes[range], as: UTF8.self)
        }

        /// Percent-encodes everything but the RFC 3986 unreserved characters.
        static func uriEncode(_ value: String) -> String {
            let hex = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(value.utf8.count)
            for b in value.utf8 {
                if isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~") {
                    out.append(b)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0x0F)])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// The parts of an http(s) URL the rules language exposes, or nil for anything else
        /// (another scheme, a query string, a bad port, no host).
        struct URLParts: Sendable, Hashable {
            var scheme: String
            var authority: String
            var path: String
            var normalizedPath: String
            var isIp: Bool

            var value: Value {
                .object([
                    "scheme": .string(scheme),
                    "authority": .string(authority),
                    "path": .string(path),
                    "normalizedPath": .string(normalizedPath),
                    "isIp": .bool(isIp),
                ])
            }
        }

        static func parseURL(_ raw: String) -> URLParts? {
            // Fragments never reach the wire (ParsedURL drops them); queries are not allowed.
            guard let url = ParsedURL(raw), (url.query ?? "").isEmpty else { return nil }
            let scheme = url.scheme.lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            let authority = url.authority
            let path = url.path
            guard let host = hostOf(authority) else { return nil }
            var normalized = path.hasPrefix("/") ? String(path) : "/" + path
            if !normalized.hasSuffix("/") { normalized += "/" }
            return URLParts(
                scheme: scheme,
                authority: String(authority),
                path: String(path),
                normalizedPath: normalized,
                isIp: isIPv4(host) || (host.hasPrefix("[") && isIPv6(host.dropFirst().dropLast()))
            )
        }

        /// The host of an authority (userinfo and port removed; IPv6 keeps its brackets), or
        /// nil when there is no host or the port is not a number in 0...65535.
        static func hostOf(_ authority: Substring) -> Substring? {
            var hostPort = authority
            if let at = hostPort.lastIndex(of: "@") { hostPort = hostPort[hostPort.index(after: at)...] }
            let host: Substring
            var port: Substring = ""
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { return nil }
                host = hostPort[...close]
                let after = hostPort[hostPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { return nil }
                    port = after.dropFirst()
                }
            } else if let colon = hostPort.lastIndex(of: ":") {
                host = hostPort[..<colon]
                port = hostPort[hostPort.index(after: colon)...]
            } else {
                host = hostPort
            }
            guard !host.isEmpty else { return nil }
            if !port.isEmpty {
                guard port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(port), number <= 65535 else {
                    return nil
                }
            }
            return host
        }

        /// Four dot-separated groups of one to three digits.
        static func isIPv4<S: StringProtocol>(_ host: S) -> Bool {
            let groups = host.split(separator: ".", omittingEmptySubsequences: false)
            return groups.count == 4 && groups.allSatisfy { group in
                (1...3).contains(group.utf8.count) && group.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            }
        }

        /// An IPv6 address (RFC 4291 text forms, an IPv4 tail allowed), optionally followed by
        /// a `%zone`.
        static func isIPv6<S: StringProtocol>(_ text: S) -> Bool {
            var address = Substring(text)
            if let percent = address.firstIndex(of: "%") {
                let zone = address[address.index(after: percent)...]
                guard !zone.isEmpty else { return false }
                address = address[..<percent]
            }
            let halves = address.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
            guard halves.count <= 2 else { return false }
            var groupCount = 0
            for (h, half) in halves.enumerated() {
                if half.isEmpty { continue }
                let groups = half.split(separator: ":", omittingEmptySubsequences: false)
                for (g, group) in groups.enumerated() {
                    let isLast = h == halves.count - 1 && g == groups.count - 1
                    if isLast && group.contains(".") {
                        guard isIPv4(group) else { return false }
                        groupCount += 2
                        continue
                    }
                    guard (1...4).contains(group.utf8.count), group.utf8.allSatisfy(isHexDigit) else { return false }
                    groupCount += 1
                }
            }
            return halves.count == 2 ? groupCount <= 7 : groupCount == 8
        }

        private static func isHexDigit(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }
    }
}
