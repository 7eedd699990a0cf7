import LatticeKit

enum Debug {
    static func log(_ line: String) { Console.err("[debug] " + line + "\n") }
}

/// What --debug and --dry-run print of header values.
enum Redaction {
    /// The value with secrets taken out: signatures, tokens, anything that looks like a secret.
    /// An Authorization header keeps its scheme, scope and signed headers (what was signed, for
    /// which date, region and service) without the access key id and the signature.
    static func header(_ name: String, _ value: String) -> String {
        let n = name.lowercased()
        if n == "authorization" {
            let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            var scope = ""
            if let r = value.firstRange(of: "Credential=") {
                let credential = value[r.upperBound...].prefix { $0 != "," && $0 != " " }
                if let slash = credential.firstIndex(of: "/") { scope = String(credential[slash...]) }
            }
            var signed = ""
            if let r = value.firstRange(of: "SignedHeaders=") {
                signed = String(value[r.lowerBound...].prefix { $0 != "," })
            }
            return "\(scheme) Credential=[redacted]\(scope), \(signed), Signature=[redacted]"
        }
        if n.contains("token") || n.contains("secret") || n.contains("password") || n.contains("cookie") || n.contains("credential") {
            return "[redacted]"
        }
        return value
    }
}

/// `--debug`: each attempt's request as signed and what came back (or why nothing did), on
/// stderr, secrets redacted. The bodies of the credential calls (STS, IAM Identity Center)
/// carry tokens and keys both ways, so only their sizes are shown.
struct DebugInterceptor: Interceptor {
    func afterSigning(_ request: HTTPRequest, context: InterceptorContext) {
        Debug.log("request: \(request.method) \(request.url)")
        for f in request.headers.fields { Debug.log("  \(f.name): \(Redaction.header(f.name, f.value))") }
        if !request.body.isEmpty { Debug.log("  body: \(Self.body(String(decoding: request.body, as: UTF8.self), request.body.count, context))") }
    }

    func attemptFinished(_ attempt: AttemptResult) {
        switch attempt.result {
        case .success(let response):
            Debug.log("response: HTTP \(response.status)")
            for f in response.headers.fields { Debug.log("  \(f.name): \(Redaction.header(f.name, f.value))") }
            if !response.body.isEmpty { Debug.log("  body: \(Self.body(response.bodyText, response.body.count, attempt.context))") }
        case .failure(let error):
            Debug.log("no response: \(error)")
        }
    }

    private static func body(_ text: String, _ count: Int, _ context: InterceptorContext) -> String {
        context.service == LatticeClient.signingName ? text : "[\(count) bytes of \(context.service) \(context.operation), redacted]"
    }
}
