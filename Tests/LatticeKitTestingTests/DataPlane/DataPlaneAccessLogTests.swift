import Foundation
@testable import LatticeKitTesting
import Testing

/// Access log lines: the fields of the service's access log, in its order, `-` where a field
/// does not apply; destination ARNs mapped to files that stay under the root.
@Suite struct DataPlaneAccessLogTests {
    @Test func aLineHasEveryFieldOfTheServicesAccessLog() throws {
        var entry = AccessLogEntry(startTime: Date(timeIntervalSince1970: 1_722_770_920), requestMethod: "GET", requestPath: "/", protocol: "HTTP/1.1")
        entry.serviceArn = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"
        entry.responseCode = 200
        entry.userAgent = "curl/8.5.0 \"quoted\"\n"
        let line = entry.jsonLine
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        // The fields of https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html#monitoring-access-logs-contents
        let fields = ["serviceNetworkArn", "resolvedUser", "listenerType", "authDeniedReason", "targetGroupArn", "sourceVpcArn", "destinationVpcId",
                      "sourceIpPort", "listenerId", "targetIpPort", "failureReason", "serviceArn", "sourceVpcId", "startTime", "requestMethod",
                      "requestPath", "protocol", "responseCode", "bytesReceived", "bytesSent", "duration", "userAgent", "hostHeader",
                      "serverNameIndication", "requestToTargetDuration", "responseFromTargetDuration", "sslCipher", "tlsVersion",
                      "callerPrincipal", "callerPrincipalOrgID", "callerX509IssuerOU", "callerX509SubjectCN", "callerX509SANNameCN",
                      "callerX509SANDNS", "callerX509SANURI"]
        #expect(Set(object.keys) == Set(fields))
        let order = fields.compactMap { line.range(of: "\"\($0)\":")?.lowerBound }
        #expect(order == order.sorted(), "the service's order")
        #expect(object["startTime"] as? String == "2024-08-04T11:28:40Z")
        #expect(object["responseCode"] as? Int == 200)
        #expect(object["duration"] as? Int == 0)
        #expect(object["serviceNetworkArn"] as? String == "-")
        #expect(object["userAgent"] as? String == "curl/8.5.0 \"quoted\"\n")
    }

    @Test func destinationsMapToFilesUnderTheRoot() {
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:s3:::my-bucket", resourceId: "svc-1") == "s3/my-bucket/svc-1.log")
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:s3:::my-bucket/a/b", resourceId: "sn-1") == "s3/my-bucket/a/b/sn-1.log")
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lattice:*", resourceId: "svc-1")
                == "logs/aws/lattice/svc-1.log")
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs", resourceId: "svc-1")
                == "firehose/logs/svc-1.log")
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:s3:::../../etc", resourceId: "svc-1") == "s3/etc/svc-1.log", "no way out of the root")
        #expect(AccessLogDestination.relativePath(destinationArn: "arn:aws:sqs:us-east-1:1:q", resourceId: "svc-1") == nil)
    }

    @Test func theWriterAppendsWholeLines() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("access-logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let writer = AccessLogWriter(root: root)
        #expect(writer.append("{\"a\":1}", to: ["s3/b/svc-1.log"]).isEmpty)
        #expect(writer.append("{\"a\":2}", to: ["s3/b/svc-1.log", "logs/g/svc-1.log"]).isEmpty)
        #expect(try String(contentsOfFile: root + "/s3/b/svc-1.log", encoding: .utf8) == "{\"a\":1}\n{\"a\":2}\n")
        #expect(try String(contentsOfFile: root + "/logs/g/svc-1.log", encoding: .utf8) == "{\"a\":2}\n")
    }
}
