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
    var regionSet: [String] = []
    var include = false

    /// The options besides the global ones: (flag, takes a value, help).
    static let options: [(String, Bool, String)] = [
        ("url", true, "the service's URL: https://NAME-ID.xxxx.vpc-lattice-svcs.REGION.on.aws/path, or its custom domain (required)"),
        ("method", true, "the HTTP method (default GET)"),
        ("header", true, "a request header, \"Name: value\"; repeat for more"),
        ("body", true, "the request body: text, file://path (text) or fileb://path (bytes)"),
        ("region-set", true, "sign with SigV4a for these regions (\"*\" for any; repeat or separate with commas) instead of SigV4 for --region"),
        ("include", false, "print the status line and the response headers before the body"),
    ]

    static func parse(_ arguments: ArraySlice<String>, globals: GlobalOptions) throws(UsageError) -> Invocation {
        var invocation = InvokeInvocation(globals: globals)
        var rest = arguments
        while let token = rest.popFirst() {
            if token == "help" || token == "--help" || token == "-h" { return .invokeHelp }
            guard token.hasPrefix("--") else { throw UsageError(message: "Unknown options: \(token)", showUsage: true) }
            let (name, inline) = ArgumentParser.split(token)
            func value() throws(UsageError) -> String {
                if let inline { return inline }
                guard let next = rest.first, !next.hasPrefix("--") else { throw UsageError(message: "argument --\(name): expected one argument", showUsage: true) }
                rest.removeFirst()
                return next
            }
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
            case "region-set":
                invocation.regionSet += try value().split(separator: ",").map { String($0.trimmedWhitespace) }.filter { !$0.isEmpty }
            case "include": invocation.include = true
            default:
                if GlobalOptions.flags.contains(name), name != "dry-run", name != "reveal-secrets", name != "no-paginate" {
                    invocation.globals.setFlag(name)
                } else if GlobalOptions.valued.contains(name), !GlobalOptions.paging.contains(name), name != "endpoint-url", name != "output" {
                    try invocation.globals.set(name, try value())
                } else {
                    throw UsageError(message: "Unknown options: \(token); lattice invoke takes --\(options.map(\.0).joined(separator: ", --")) and the global options --region, --profile, --debug, --ca-bundle and the --cli-*-timeout ones", showUsage: true)
                }
            }
        }
        guard invocation.url != nil else {
            throw UsageError(message: "the following arguments are required: --url", showUsage: true)
        }
        return .invoke(invocation)
    }

    static func help() -> String {
        var text = "lattice invoke: one request to a Lattice service, signed for vpc-lattice-svcs (auth type AWS_IAM)\n\n"
        text += "usage: lattice invoke --url <url> [--method M] [--header \"Name: value\"]... [--body B] [--region-set R] [--include]\n\nOptions:\n"
        text += Help.table(options.map { flag, valued, help in ("--\(flag)" + (valued ? " <value>" : ""), help) })
        text += """
              and the global options --region, --profile, --debug, --ca-bundle (a private CA for a
              custom domain), --cli-connect-timeout, --cli-read-timeout, --cli-attempt-timeout,
              --cli-call-timeout.

            The request is signed with SigV4 for --region (or SigV4a for --region-set) and
            x-amz-content-sha256: UNSIGNED-PAYLOAD. GET, HEAD, OPTIONS, PUT and DELETE are retried
            on throttling and 5xx; POST and PATCH are sent once. The body of the answer goes to
            standard output as it came (control characters escaped on a terminal).

            Exit status: 0 a 2xx answer; 254 any other answer (Lattice's AccessDeniedException is
            explained on standard error); 252 a bad command line; 253 configuration (no region,
            no credentials); 255 no answer.

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
            let body = try invocation.body.map { value throws(UsageError) in
                try InputBuilder.resolveParameterBytes(value, option: "body", environment: environment.variables)
            } ?? []
            let answer = try await client.send(HTTPRequest(method: invocation.method, url: invocation.url ?? "", headers: headers, body: body))
            if invocation.include {
                var head = "HTTP \(answer.status)\n"
                for field in answer.headers.fields { head += "\(field.name): \(field.value)\n" }
                Console.out(head + "\n")
            }
            writeBody(answer.body)
            if (200..<300).contains(answer.status) { return ExitCode.success }
            if let reason = LatticeServiceClient.accessDenied(answer) {
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

    /// The body as it came to a pipe or file; on a terminal, as text with control characters
    /// escaped, so a service cannot act on the terminal.
    private func writeBody(_ body: [UInt8]) {
        guard !body.isEmpty else { return }
        if Console.stdoutIsTerminal {
            Console.out(String(decoding: body, as: UTF8.self))
            return
        }
        Console.outBytes(body)
    }
}
