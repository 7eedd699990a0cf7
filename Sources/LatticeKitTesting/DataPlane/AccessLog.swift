#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One request in a service's access log, with the fields of `VpcLatticeAccessLogs` in the
/// order the service writes them; a field that does not apply is `-`, as the service writes
/// it. https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html#monitoring-access-logs-contents
package struct AccessLogEntry: Sendable, Hashable {
    package var serviceNetworkArn: String?
    /// The caller's ARN when the request was signed and verified.
    package var resolvedUser: String?
    /// `HTTP` or `HTTPS`: the listener's protocol.
    package var listenerType: String?
    /// `Network` or `Service`: the level whose auth policy denied the request.
    package var authDeniedReason: String?
    package var targetGroupArn: String?
    package var sourceVpcArn: String?
    package var destinationVpcId: String?
    package var sourceIpPort: String?
    package var listenerId: String?
    package var targetIpPort: String?
    /// Why the request failed (`ClientAccessDenied`, `NoHealthyTarget`, `TargetConnectionError`, ...).
    package var failureReason: String?
    package var serviceArn: String?
    package var sourceVpcId: String?
    /// When the request arrived, ISO 8601 in UTC with seconds.
    package var startTime: Date
    package var requestMethod: String
    package var requestPath: String
    /// `HTTP/1.1` or `HTTP/2.0`.
    package var `protocol`: String
    package var responseCode: Int
    /// Bytes of the request received from the client (head and body).
    package var bytesReceived: Int
    /// Bytes of the response sent to the client (head and body).
    package var bytesSent: Int
    /// Milliseconds from the request's arrival to the response's end.
    package var duration: Int
    package var userAgent: String?
    package var hostHeader: String?
    package var serverNameIndication: String?
    /// Milliseconds from the request's arrival to its head going to the target.
    package var requestToTargetDuration: Int
    /// Milliseconds from the target's first response byte to its last.
    package var responseFromTargetDuration: Int
    package var sslCipher: String?
    package var tlsVersion: String?
    package var callerPrincipal: String?
    package var callerPrincipalOrgID: String?

    package init(startTime: Date, requestMethod: String, requestPath: String, protocol: String) {
        self.startTime = startTime
        self.requestMethod = requestMethod
        self.requestPath = requestPath
        self.protocol = `protocol`
        responseCode = 0
        bytesReceived = 0
        bytesSent = 0
        duration = 0
        requestToTargetDuration = 0
        responseFromTargetDuration = 0
    }

    /// The entry as one line of JSON (no newline), fields in the service's order.
    package var jsonLine: String {
        let fields: [(String, Value)] = [
            ("serviceNetworkArn", .text(serviceNetworkArn)), ("resolvedUser", .text(resolvedUser)),
            ("listenerType", .text(listenerType)), ("authDeniedReason", .text(authDeniedReason)),
            ("targetGroupArn", .text(targetGroupArn)), ("sourceVpcArn", .text(sourceVpcArn)),
            ("destinationVpcId", .text(destinationVpcId)), ("sourceIpPort", .text(sourceIpPort)),
            ("listenerId", .text(listenerId)), ("targetIpPort", .text(targetIpPort)),
            ("failureReason", .text(failureReason)), ("serviceArn", .text(serviceArn)),
            ("sourceVpcId", .text(sourceVpcId)), ("startTime", .text(Self.iso8601(startTime))),
            ("requestMethod", .text(requestMethod)), ("requestPath", .text(requestPath)),
            ("protocol", .text(self.protocol)), ("responseCode", .number(responseCode)),
            ("bytesReceived", .number(bytesReceived)), ("bytesSent", .number(bytesSent)),
            ("duration", .number(duration)), ("userAgent", .text(userAgent)),
            ("hostHeader", .text(hostHeader)), ("serverNameIndication", .text(serverNameIndication)),
            ("requestToTargetDuration", .number(requestToTargetDuration)),
            ("responseFromTargetDuration", .number(responseFromTargetDuration)),
            ("sslCipher", .text(sslCipher)), ("tlsVersion", .text(tlsVersion)),
            ("callerPrincipal", .text(callerPrincipal)), ("callerPrincipalOrgID", .text(callerPrincipalOrgID)),
            ("callerX509IssuerOU", .text(nil)), ("callerX509SubjectCN", .text(nil)), ("callerX509SANNameCN", .text(nil)),
            ("callerX509SANDNS", .text(nil)), ("callerX509SANURI", .text(nil)),
        ]
        var out = "{"
        for (i, (name, value)) in fields.enumerated() {
            if i > 0 { out += "," }
            out += "\"\(name)\":"
            switch value {
            case let .number(n): out += String(n)
            case let .text(t): Self.appendString(t.flatMap { $0.isEmpty ? nil : $0 } ?? "-", to: &out)
            }
        }
        return out + "}"
    }

    private enum Value {
        case text(String?)
        case number(Int)
    }

    /// `s` as a JSON string (quotes and escapes), appended to `out`.
    package static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `2024-08-04T11:28:40Z`: whole seconds in UTC.
    static func iso8601(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}

/// Where an access log subscription's lines go on this machine: a file under a root folder,
/// named after the destination ARN and the logged resource.
///
/// - `arn:aws:s3:::BUCKET[/PREFIX]` → `ROOT/s3/BUCKET[/PREFIX]/RESOURCE-ID.log`
/// - `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` → `ROOT/logs/NAME/RESOURCE-ID.log`
/// - `arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME` → `ROOT/firehose/NAME/RESOURCE-ID.log`
///
/// Path parts are kept to letters, digits and `-_.`, `/` separates folders (log group names
/// have them), and `.` or `..` parts are dropped, so no ARN writes outside the root.
package enum AccessLogDestination {
    /// The file for `destinationArn` and the resource (`svc-...` or `sn-...`), relative to the root; nil for an ARN of no known kind.
    package static func relativePath(destinationArn: String, resourceId: String) -> String? {
        let fields = destinationArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn" else { return nil }
        let resource = String(fields[5])
        var parts: [String]
        switch fields[2] {
        case "s3": parts = ["s3"] + resource.split(separator: "/").map(String.init)
        case "logs":
            guard resource.hasPrefix("log-group:") else { return nil }
            var name = resource.dropFirst("log-group:".count)
            if name.hasSuffix(":*") { name = name.dropLast(2) }
            parts = ["logs"] + name.split(separator: "/").map(String.init)
        case "firehose":
            guard resource.hasPrefix("deliverystream/") else { return nil }
            parts = ["firehose"] + resource.dropFirst("deliverystream/".count).split(separator: "/").map(String.init)
        default: return nil
        }
        let safe = (parts + [resourceId + ".log"]).map(sanitize).filter { !$0.isEmpty && $0 != "." && $0 != ".." }
        return safe.count >= 3 ? safe.joined(separator: "/") : nil
    }

    static func sanitize(_ part: String) -> String {
        String(part.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    }
}

/// Appends access log lines to files under a root folder, one `write` per line (the file is
/// opened with O_APPEND, so lines from concurrent requests never interleave).
package final class AccessLogWriter: Sendable {
    package let root: String
    private let files = Mutex<[String: Int32]>([:])

    package init(root: String) {
        self.root = root
    }

    deinit {
        files.withLock { for fd in $0.values { close(fd) } }
    }

    /// Writes `line` to each file (relative to the root); the problems, if any.
    @discardableResult
    package func append(_ line: String, to relativePaths: Set<String>) -> [String] {
        var problems: [String] = []
        let bytes = Array((line + "\n").utf8)
        for relative in relativePaths.sorted() {
            let path = root + "/" + relative
            let fd = files.withLock { open -> Int32 in
                if let fd = open[path] { return fd }
                Self.makeFolders(for: path)
                let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd >= 0 { open[path] = fd }
                return fd
            }
            guard fd >= 0 else {
                problems.append("cannot open the access log \(path): \(String(cString: strerror(errno))); check --access-log-dir")
                continue
            }
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written != bytes.count { problems.append("cannot write the access log \(path): \(String(cString: strerror(errno)))") }
        }
        return problems
    }

    private static func makeFolders(for path: String) {
        var folder = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/").dropLast() {
            folder += part
            mkdir(folder, 0o755)
            folder += "/"
        }
    }
}
