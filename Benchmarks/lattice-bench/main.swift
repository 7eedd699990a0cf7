// lattice-bench: LatticeKit's benchmarks. Build with `swift build -c release --product lattice-bench`.
// Prints one JSON object per line: {"name": ..., "ns_per_op": ..., "iterations": ...}, where
// ns_per_op is the median of several timed batches.
//
//   lattice-bench [--filter PREFIX] [--iterations N] [--batches K] [--endpoint-url URL]
//
// client.* benchmarks need --endpoint-url: a server answering GET /services with a fixed
// ListServices body (Benchmarks/list-services.sh starts nginx for that); without it they are
// skipped with a note on stderr.
//
// --iterations runs exactly N operations per batch (for allocation counts under valgrind);
// without it each batch runs for about 0.2 s.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LatticeKit
import SigV4

struct Options: Sendable {
    var filter = ""
    var iterations: Int? = nil
    var batches = 7
    var endpointURL: String? = nil
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst()
    while let arg = args.popFirst() {
        switch arg {
        case "--filter": options.filter = args.popFirst() ?? ""
        case "--iterations": options.iterations = args.popFirst().flatMap(Int.init)
        case "--batches": options.batches = max(1, args.popFirst().flatMap(Int.init) ?? 7)
        case "--endpoint-url": options.endpointURL = args.popFirst()
        case "-h", "--help":
            print("usage: lattice-bench [--filter PREFIX] [--iterations N] [--batches K] [--endpoint-url URL]")
            exit(0)
        default:
            FileHandle.standardError.write(Data("lattice-bench: unknown option \(arg); try --help\n".utf8))
            exit(2)
        }
    }
    return options
}

@inline(__always)
func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Keeps a value alive so the optimizer cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// A benchmark body runs `n` operations. Synchronous bodies run on the main thread; async ones
/// run in a detached task (on the global executor, as a library user's task would, never the
/// main actor) that the main thread waits for once per batch. main.swift stays synchronous so
/// the signing benchmarks run under valgrind (callgrind, dhat), which cannot follow an async
/// main's libdispatch signal handling.
struct Benchmark {
    let name: String
    let run: (Int) throws -> Void

    init(name: String, run: @escaping (Int) throws -> Void) {
        self.name = name
        self.run = run
    }

    init(name: String, async body: @escaping @Sendable (Int) async throws -> Void) {
        self.name = name
        run = { n in try blockOn { try await body(n) } }
    }
}

final class Outcome: @unchecked Sendable {
    var error: (any Error)?
}

func blockOn(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    Task.detached {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}

func measure(_ b: Benchmark, _ options: Options) throws {
    var perOp: [Double] = []
    var iterations: Int
    if let fixed = options.iterations {
        iterations = fixed
    } else {
        // Calibrate: grow the batch until it takes about 0.2 s.
        iterations = 1
        while true {
            let start = nanoseconds()
            try b.run(iterations)
            let elapsed = nanoseconds() - start
            if elapsed > 50_000_000 || iterations >= 1 << 26 {
                iterations = max(1, Int(Double(iterations) * 200_000_000 / Double(max(elapsed, 1))))
                break
            }
            iterations *= 4
        }
    }
    for _ in 0..<options.batches {
        let start = nanoseconds()
        try b.run(iterations)
        perOp.append(Double(nanoseconds() - start) / Double(iterations))
    }
    perOp.sort()
    let median = perOp[perOp.count / 2]
    print("{\"name\": \"\(b.name)\", \"ns_per_op\": \(String(format: "%.1f", median)), \"iterations\": \(iterations * options.batches)}")
}

let credentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "vpc-lattice")
let fixedDate = Date(timeIntervalSince1970: 1_795_262_400)  // 2026-11-21T12:00:00Z
let getRequest = SigV4Request(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=10")
let body1k: [UInt8] = {
    // A 1 KiB JSON document shaped like a CreateTargetGroup body with tags.
    var text = "{\"name\":\"provider-tg\",\"type\":\"IP\",\"config\":{\"port\":8080,\"protocol\":\"HTTP\","
        + "\"vpcIdentifier\":\"vpc-0123456789abcdef0\",\"healthCheck\":{\"enabled\":true,\"path\":\"/health\","
        + "\"port\":8080,\"healthyThresholdCount\":2,\"unhealthyThresholdCount\":2,\"matcher\":{\"httpCode\":\"200\"}}},\"tags\":{"
    var i = 0
    while text.utf8.count < 990 {
        text += (i == 0 ? "" : ",") + "\"k\(i)\":\"v\(i)\""
        i += 1
    }
    text += ",\"pad\":\"" + String(repeating: "x", count: 1024 - text.utf8.count - 11) + "\"}}"
    precondition(text.utf8.count == 1024, "the POST body must be exactly 1 KiB")
    return Array(text.utf8)
}()
let postRequest = SigV4Request(
    method: "POST", url: "https://vpc-lattice.us-east-1.amazonaws.com/targetgroups",
    headers: ["content-type": "application/json"]
)

let listServicesBody = Data(#"{"items":[{"arn":"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0","createdAt":"2026-11-21T12:00:00.123Z","dnsEntry":{"domainName":"provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws","hostedZoneId":"Z0123456789ABCDEFGHIJ"},"id":"svc-0123456789abcdef0","lastUpdatedAt":"2026-11-21T12:00:00.123Z","name":"provider-svc","status":"ACTIVE"}]}"#.utf8)

let benchmarks: [Benchmark] = [
    Benchmark(name: "decode.list-services") { n in
        let decoder = LatticeJSON.decoder()
        for _ in 0..<n { blackHole(try decoder.decode(ListServicesResponse.self, from: listServicesBody)) }
    },
    Benchmark(name: "sigv4.sign.get") { n in
        for _ in 0..<n {
            var request = getRequest
            try signer.sign(&request, date: fixedDate)
            blackHole(request)
        }
    },
    Benchmark(name: "sigv4.sign.post-1k") { n in
        for _ in 0..<n {
            var request = postRequest
            try signer.sign(&request, payload: .bytes(body1k), date: fixedDate)
            blackHole(request)
        }
    },
    Benchmark(name: "sigv4.presign") { n in
        for _ in 0..<n {
            blackHole(try signer.presign(getRequest, expires: 900, date: fixedDate).url)
        }
    },
    Benchmark(name: "sigv4.derive-key") { n in
        for _ in 0..<n {
            blackHole(try SigningKeyCache.deriveKey(secret: credentials.secretAccessKey, date: fixedDate, region: "us-east-1", service: "vpc-lattice"))
        }
    },
]

// MARK: - client.*

func clientBenchmarks(_ options: Options) throws -> [Benchmark] {
    guard let endpoint = options.endpointURL else {
        if "client.list-services".hasPrefix(options.filter) || options.filter.hasPrefix("client") {
            FileHandle.standardError.write(Data("lattice-bench: client.list-services skipped: pass --endpoint-url URL (see Benchmarks/list-services.sh)\n".utf8))
        }
        return []
    }
    let client = try LatticeClient(LatticeConfiguration(region: "us-east-1", endpoint: endpoint, credentials: AWSCredentials(credentials), maxAttempts: 1))
    let transport = try CurlTransport()
    let raw = HTTPRequest(method: "GET", url: endpoint + "/services?maxResults=10")
    return [
        Benchmark(name: "client.transport-get", async: { n in
            for _ in 0..<n { blackHole(try await transport.send(raw)) }
        }),
        Benchmark(name: "client.list-services", async: { n in
            for _ in 0..<n {
                let page = try await client.listServices(ListServicesRequest(maxResults: 10))
                blackHole(page)
            }
        }),
    ]
}

let options = parseOptions()
do {
    for b in try benchmarks + clientBenchmarks(options) where b.name.hasPrefix(options.filter) {
        try measure(b, options)
    }
} catch {
    FileHandle.standardError.write(Data("lattice-bench: \(error)\n".utf8))
    exit(1)
}
