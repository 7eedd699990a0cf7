#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

/// `lattice invoke --url URL`: one request to a Lattice service (the data plane), signed for
/// `vpc-lattice-svcs` with `UNSIGNED-PAYLOAD` (LatticeServiceClient), as a service or network
/// with auth type AWS_IAM requires. What `curl --aws-sigv4` does, with the AWS credentials
/// chain, SigV4a and Lattice's refusals explained.
struct InvokeInvocation {
    var globals: GlobalOptions
    var url: String?
    var method = "GET"
    var headers: [(name: String, value: String)] = []
    var body: String?
    /// `--data-binary`: `@path` (streamed from the file) or the bytes themselves.
    var dataBinary: String?
    var regionSet: [String] = []
    var include = false

    /// The options besides the global ones: (flag, takes a value, help).
    static let options: [(String, Bool, String)] = [
        ("url", true, "the service's URL: https://NAME-ID.xxxx.vpc-lattice-svcs.REGION.on.aws/path, or its custom domain (required)"),
        ("method", true, "the HTTP method (default GET)"),
        ("header", true, "a request header, \"Name: value\"; repeat for more"),
        ("body", true, "the request body: text, file://path (text) or fileb://path (bytes, streamed from the file)"),
        ("data-binary", true, "the request body as curl takes it: @path streams the file as it is (any size, its size as Content-Length), anything else is sent as given"),
        ("region-set", true, "sign with SigV4a for these regions (\"*\" for any; repeat or separate with commas) instead of SigV4 for --region"),
        ("include", false, "print the status line and the response headers before the body"),
    ]

    static func parse(_ arguments: ArraySlice<String>, globals: GlobalOptions) throws(UsageError) -> Invocation {
        var invocation = InvokeInvocation(globals: globals)
        let ignored: Set<String> = ["dry-run", "reveal-secrets", "no-paginate", "endpoint-url", "output"]
        var globals = globals
        let parsed = try SubcommandOptions.parse(
            arguments, globals: &globals, admitsGlobal: { !ignored.contains($0) },
            unknown: { "Unknown options: \($0); lattice invoke takes --\(options.map(\.0).joined(separator: ", --")) and the global options --region, --profile, --debug, --ca-bundle and the --cli-*-timeout ones" }
        ) { (name, value) throws(UsageError) -> Bool in
            switch name {
            case "url": invocation.url = try value()
            case "method":
                let method = try value().uppercased()
                guard !method.isEmpty, method.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5a) || $0 == 0x2d }) else {
                    throw UsageError(message: "argument --method: expected an HTTP method such as GET, POST, PUT or DELETE, got '\(method)'")
                }
                invocation.method = method
            case "header":
                let text = try value()
                guard let colon = text.firstIndex(of: ":"), colon > text.startIndex else {
                    throw UsageError(message: "argument --header: expected \"Name: value\", got '\(text)'")
                }
                let headerName = String(text[..<colon]).trimmedWhitespace
                let headerValue = String(text[text.index(after: colon)...]).trimmedWhitespace
                guard headerName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }),
                      !headerValue.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7f }) else {
                    throw UsageError(message: "argument --header: a header name is visible ASCII and a value has no control characters; got '\(text)'")
                }
                invocation.headers.append((String(headerName), String(headerValue)))
            case "body": invocation.body = try value()
            case "data-binary": invocation.dataBinary = try value()
            case "region-set":
                invocation.regionSet += try value().split(separator: ",").map { String($0.trimmedWhitespace) }.filter { !$0.isEmpty }
            case "include": invocation.include = true
            default: return false
            }
            return true
        }
        invocation.globals = globals
        guard parsed else { return .invokeHelp }
        guard invocation.url != nil else {
            throw UsageError(message: "the following arguments are required: --url", showUsage: true)
        }
        if invocation.body != nil && invocation.dataBinary != nil {
            throw UsageError(message: "--body and --data-binary both give the request body; use one")
        }
        return .invoke(invocation)
    }

    static func help() -> String {
        var text = "lattice invoke: one request to a Lattice service, signed for vpc-lattice-svcs (auth type AWS_IAM)\n\n"
        text += "usage: lattice invoke --url <url> [--method M] [--header \"Name: value\"]... [--body B | --data-binary @file] [--region-set R] [--include]\n\nOptions:\n"
        text += Help.table(options.map { flag, valued, help in ("--\(flag)" + (valued ? " <value>" : ""), help) })
        text += """
              and the global options --region, --profile, --debug, --ca-bundle (a private CA for a
              custom domain), --cli-connect-timeout, --cli-read-timeout, --cli-attempt-timeout,
              --cli-call-timeout.

            The request is signed with SigV4 for --region (or SigV4a for --region-set) and
            x-amz-content-sha256: UNSIGNED-PAYLOAD. GET, HEAD, OPTIONS, PUT and DELETE are retried
            on throttling and 5xx; POST and PATCH are sent once. A body from a file
            (--data-binary @file, --body fileb://file) is streamed from the disk, never loaded,
            and sent again from its start when a request is retried. The body of the answer
            goes to standard output as it arrives, whatever its size (lattice invoke --url U >
            file.bin), as it came (control characters escaped on a terminal). The attempt and
            call timeouts bound the wait for the answer's headers; a body that stalls ends at
            the read timeout.

            Exit status: 0 a 2xx answer; 254 any other answer (Lattice's AccessDeniedException is
            explained on standard error); 252 a bad command line; 253 configuration (no region,
            no credentials); 255 no answer, or an answer cut short.

            """
        return text
    }
}

/// Runs `lattice invoke`.
struct InvokeCommand {
    let invocation: InvokeInvocation
    let environment: RuntimeEnvironment

    func run() async -> Int32 {
        let reporter = ErrorReporter(context: ErrorContext(command: nil, input: .object([])))
        do {
            let (configuration, environment) = Runner.configuration(globals: invocation.globals, environment: environment)
            let signing: LatticeServiceClient.Signing = invocation.regionSet.isEmpty ? .sigV4() : .sigV4a(regionSet: invocation.regionSet)
            var withDebug = configuration
            if invocation.globals.debug { withDebug.interceptors.append(DebugInterceptor()) }
            let client = try LatticeServiceClient(withDebug, signing: signing, caBundlePath: invocation.globals.caBundle, environment: environment)
            var headers = HTTPHeaders()
            for header in invocation.headers { headers.add(name: header.name, value: header.value) }
            var request = HTTPRequest(method: invocation.method, url: invocation.url ?? "", headers: headers)
            try setBody(&request, variables: environment.variables)
            let answer = try await client.stream(request)
            if invocation.include {
                var head = "HTTP \(answer.status)\n"
                for field in answer.headers.fields { head += "\(field.name): \(field.value)\n" }
                Console.out(head + "\n")
            }
            // Lattice's refusal is a small JSON document, read whole to explain it; any other
            // body goes out as it arrives.
            var denied: String?
            if answer.status == 403 {
                let body = try await answer.body.collect(upTo: 1 << 20)
                denied = LatticeServiceClient.accessDenied(HTTPResponse(status: answer.status, headers: answer.headers, body: body))
                var out = BodyWriter()
                out.write(body)
                out.finish()
            } else {
                var out = BodyWriter()
                for try await chunk in answer.body { out.write(chunk) }
                out.finish()
            }
            if (200..<300).contains(answer.status) { return ExitCode.success }
            if let reason = denied {
                Console.err("\nLattice refused the call (HTTP 403, AccessDeniedException): \(reason)\n"
                    + "Check the auth policies of the service network and the service (get-auth-policy), that they allow vpc-lattice-svcs:Invoke for your principal on this service, and that the request is signed for the region the service is in (--region) or a region set that includes it (--region-set).\n")
            } else {
                Console.err("\nThe service answered HTTP \(answer.status).\n")
            }
            return ExitCode.serviceError
        } catch {
            return reporter.report(error)
        }
    }

    /// The request body: `--data-binary @path` and `--body fileb://path` stream the file;
    /// other values are the bytes themselves (`--body file://` the file's text, bounded).
    private func setBody(_ request: inout HTTPRequest, variables: [String: String]) throws {
        func stream(_ path: String, option: String) throws -> HTTPBodySource {
            var path = path
            if path.hasPrefix("~/") || path == "~", let home = variables["HOME"] { path = home + path.dropFirst(1) }
            do {
                return try HTTPBodySource.file(path)
            } catch let error as TransportError {
                throw UsageError(message: "argument --\(option): \(error.message)")
            }
        }
        if let data = invocation.dataBinary {
            if data.hasPrefix("@") {
                request.bodySource = try stream(String(data.dropFirst()), option: "data-binary")
            } else {
                request.body = Array(data.utf8)
            }
        } else if let body = invocation.body {
            if body.hasPrefix("fileb://") {
                request.bodySource = try stream(String(body.dropFirst("fileb://".count)), option: "body")
            } else {
                request.body = try InputBuilder.resolveParameterBytes(body, option: "body", environment: variables)
            }
        }
    }
}

/// Writes a body to standard output as it arrives: to a pipe or file as it came; on a
/// terminal as text with control characters escaped (so a service cannot act on the
/// terminal), a UTF-8 sequence split between chunks kept whole.
struct BodyWriter {
    private let terminal = Console.stdoutIsTerminal
    private var carry: [UInt8] = []

    mutating func write(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        guard terminal else {
            Console.outBytes(chunk)
            return
        }
        var bytes = carry + chunk
        carry = []
        // Hold back the start of a sequence that the next chunk completes.
        var start = bytes.count - 1
        while start > 0, bytes.count - start < 4, bytes[start] & 0xc0 == 0x80 { start -= 1 }
        let lead = bytes[start]
        let needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
        if needed > bytes.count - start {
            carry = Array(bytes[start...])
            bytes.removeSubrange(start...)
        }
        Console.out(String(decoding: bytes, as: UTF8.self))
    }

    mutating func finish() {
        if !carry.isEmpty { Console.out(String(decoding: carry, as: UTF8.self)) }
        carry = []
    }
}
