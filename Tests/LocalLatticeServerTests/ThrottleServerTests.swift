import Foundation
import LatticeKit
import LatticeTestSupport
import Testing

/// `--throttle-rps`: control-plane calls beyond the bucket are answered as the service answers
/// an exceeded request rate, and `GET /_local/stats` counts them.
@Suite struct ThrottleServerTests {
    /// `GET target` on a connection of its own: the answer's bytes.
    static func get(_ server: LocalLatticeProcess, _ target: String) throws -> [UInt8] {
        let connection = try RawConnection(port: server.port)
        connection.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return connection.readToEnd(seconds: 20)
    }

    /// The stats' JSON object.
    static func stats(_ server: LocalLatticeProcess) throws -> [String: Any] {
        let answer = try get(server, "/_local/stats")
        #expect(statusCode(answer) == 200)
        let text = String(decoding: answer, as: UTF8.self)
        let body = try #require(text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) })
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test func callsBeyondTheBucketAreThrottledAsTheServiceDoesAndCounted() throws {
        // A bucket of 2 that refills in 100 s: the third call has no token, however slow the machine.
        let server = try LocalLatticeProcess(["--throttle-rps", "0.01", "--throttle-burst", "2", "--throttle-retry-after", "3"])
        defer { server.stop() }
        for _ in 0..<2 {
            #expect(statusCode(try Self.get(server, "/servicenetworks")) == 403, "an unsigned call with a token reaches the local Lattice")
        }
        let answer = String(decoding: try Self.get(server, "/servicenetworks"), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 429 "))
        let lines = answer.split(separator: "\r\n").map(String.init)
        #expect(lines.contains("x-amzn-ErrorType: ThrottlingException"))
        #expect(lines.contains("Retry-After: 3"))
        let body = try #require(lines.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(object["serviceCode"] as? String == "vpc-lattice")
        #expect((object["message"] as? String)?.contains("--throttle-rps") == true)

        // The stats endpoint is not a control-plane call: it is neither counted nor throttled.
        let stats = try Self.stats(server)
        #expect(stats["controlPlaneCalls"] as? Int == 3)
        #expect(stats["throttledCalls"] as? Int == 1)
        let throttle = try #require(stats["throttle"] as? [String: Any])
        #expect(throttle["burst"] as? Int == 2)
        #expect(throttle["retryAfterSeconds"] as? Int == 3)
        #expect(try Self.stats(server)["controlPlaneCalls"] as? Int == 3)
    }

    @Test func aClientReadsTheThrottleAsTheModelledError() async throws {
        let server = try LocalLatticeProcess(["--throttle-rps", "0.01", "--throttle-burst", "1", "--throttle-retry-after", "2"])
        try await server.whileRunning { server in
            let client = try server.client(maxAttempts: 1)
            _ = try await client.listServiceNetworks(ListServiceNetworksRequest())
            do {
                _ = try await client.listServiceNetworks(ListServiceNetworksRequest())
                Issue.record("the second call should have been throttled")
            } catch let error as ThrottlingException {
                #expect(error.serviceCode == "vpc-lattice")
                #expect(error.retryAfterSeconds == 2)
                #expect(error.serviceError?.httpStatus == 429)
            }
        }
    }

    @Test func withoutTheFlagNothingIsThrottled() throws {
        let server = try LocalLatticeProcess()
        defer { server.stop() }
        for _ in 0..<20 { #expect(statusCode(try Self.get(server, "/servicenetworks")) == 403) }
        let stats = try Self.stats(server)
        #expect(stats["controlPlaneCalls"] as? Int == 20)
        #expect(stats["throttledCalls"] as? Int == 0)
        #expect(stats["throttle"] is NSNull)
    }

    @Test(arguments: [
        (["--throttle-burst", "5"], "give --throttle-rps too"),
        (["--throttle-retry-after", "1"], "give --throttle-rps too"),
        (["--throttle-rps", "0"], "--throttle-rps takes calls a second"),
        (["--throttle-rps", "fast"], "--throttle-rps takes calls a second"),
        (["--throttle-rps", "10", "--throttle-burst", "0"], "--throttle-burst takes a whole number"),
    ])
    func badThrottleOptionsAreRefusedWithTheReason(_ arguments: [String], _ reason: String) throws {
        let binary = try #require(LocalLatticeProcess.binary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        #expect(text.contains(reason), "\(arguments): \(text)")
    }
}
