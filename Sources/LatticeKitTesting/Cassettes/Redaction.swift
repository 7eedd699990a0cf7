#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import SigV4

/// What a recording removes before anything is kept or written:
///
/// - the values of signing headers (`Authorization`, `X-Amz-Security-Token`, `X-Amz-Date`, and
///   the IMDS session token header) and of presigned-URL query parameters;
/// - credential members in bodies, at any depth: JSON members named `AccessKeyId`,
///   `SecretAccessKey`, `SessionToken`, `Token` or `WebIdentityToken` (any case), the same XML
///   elements (STS answers) and form fields;
/// - the given secrets (the recording credentials' secret key and session token) wherever they
///   appear, raw, percent-encoded (either hex case, once or twice, `+` for space) or
///   JSON-escaped: paths, query values, header values, bodies, error messages.
///
/// Each is replaced by `Redaction.placeholder`.
public struct Redaction: Sendable, Hashable {
    /// What a redacted value becomes.
    public static let placeholder = "<redacted>"
    /// Header names whose values are always redacted (lowercase).
    public static let defaultHeaderNames: Set<String> = ["authorization", "x-amz-security-token", "x-amz-date", "x-aws-ec2-metadata-token"]
    /// Query parameter names whose values are always redacted (lowercase): a presigned URL's.
    public static let defaultQueryNames: Set<String> = ["x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-amz-date"]
    /// Body member names that hold credentials (JSON members compare case-insensitively; XML
    /// elements and form fields exactly).
    public static let defaultCredentialKeys: Set<String> = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Token", "WebIdentityToken"]
    /// Secrets shorter than this are ignored: short values such as moto's `testing` are too
    /// likely to be ordinary words in a body, and real ones are far longer (a secret access
    /// key has 40 characters).
    public static let minimumSecretLength = 8

    /// Header names (lowercase) whose values are replaced.
    public var headerNames: Set<String>
    /// Query parameter names (lowercase) whose values are replaced.
    public var queryNames: Set<String>
    /// Body member names whose values are replaced.
    public var credentialKeys: Set<String>
    /// Values replaced wherever they appear.
    public private(set) var secrets: [String]

    /// Redacts the default names, plus the secret key and session token of `credentials` and
    /// any other `secrets` (the access key ID is not a secret and is kept unless passed here).
    public init(credentials: AWSCredentials? = nil, secrets: [String] = []) {
        headerNames = Self.defaultHeaderNames
        queryNames = Self.defaultQueryNames
        credentialKeys = Self.defaultCredentialKeys
        self.secrets = []
        if let credentials {
            addSecret(credentials.secretAccessKey)
            if let token = credentials.sessionToken { addSecret(token) }
        }
        for secret in secrets { addSecret(secret) }
    }

    /// Adds a value to redact wherever it appears (ignored when shorter than
    /// `minimumSecretLength`).
    public mutating func addSecret(_ secret: String) {
        guard secret.count >= Self.minimumSecretLength, !secrets.contains(secret) else { return }
        secrets.append(secret)
    }

    /// The request with everything secret replaced.
    public func redact(_ request: Cassette.Request) -> Cassette.Request {
        let forms = secretForms()
        var out = request
        out.path = Self.replace(forms, in: request.path)
        out.query = request.query.map { item in
            if queryNames.contains(item.name.lowercased()) { return Cassette.QueryItem(item.name, Self.placeholder) }
            return Cassette.QueryItem(Self.replace(forms, in: item.name), Self.replace(forms, in: item.value))
        }
        out.headers = redact(headers: request.headers, forms)
        out.body = redact(body: request.body, forms)
        return out
    }

    /// The response with everything secret replaced.
    public func redact(_ response: Cassette.Response) -> Cassette.Response {
        let forms = secretForms()
        var out = response
        out.headers = redact(headers: response.headers, forms)
        out.body = redact(body: response.body, forms)
        return out
    }

    /// The transport error with any secret in its message replaced.
    public func redact(_ error: Cassette.RecordedTransportError) -> Cassette.RecordedTransportError {
        Cassette.RecordedTransportError(kind: error.kind, message: Self.replace(secretForms(), in: error.message))
    }

    // MARK: Parts

    private func redact(headers: [String: String], _ forms: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in headers {
            out[name] = headerNames.contains(name.lowercased()) ? Self.placeholder : Self.replace(forms, in: value)
        }
        return out
    }

    private func redact(body: Cassette.Body, _ forms: [String]) -> Cassette.Body {
        switch body {
        case .empty, .binary:
            return body
        case .json(let value):
            let keys = Set(credentialKeys.map { $0.lowercased() })
            return .json(redact(json: value, keys: keys, forms))
        case .text(let text):
            var out = text
            for key in credentialKeys.sorted() {
                out = Self.redactXMLElement(key, in: out)
                out = Self.redactFormField(key, in: out)
            }
            return .text(Self.replace(forms, in: out))
        }
    }

    private func redact(json: Cassette.JSONValue, keys: Set<String>, _ forms: [String]) -> Cassette.JSONValue {
        switch json {
        case .string(let s):
            return .string(Self.replace(forms, in: s))
        case .array(let items):
            return .array(items.map { redact(json: $0, keys: keys, forms) })
        case .object(let members):
            var out: [String: Cassette.JSONValue] = [:]
            for (key, value) in members {
                let name = Self.replace(forms, in: key)
                if keys.contains(key.lowercased()), value != .null {
                    out[name] = .string(Self.placeholder)
                } else {
                    out[name] = redact(json: value, keys: keys, forms)
                }
            }
            return .object(out)
        default:
            return json
        }
    }

    /// Every spelling of every secret a wire format may give it, longest first.
    func secretForms() -> [String] {
        var forms = Set<String>()
        for secret in secrets {
            let encoded = PercentEncoding.encode(secret)
            forms.insert(secret)
            forms.insert(encoded)
            forms.insert(Self.lowercasingHex(encoded))
            forms.insert(encoded.replacing("%20", with: "+"))
            forms.insert(PercentEncoding.encode(encoded))
            let escaped = Self.jsonEscaped(secret)
            forms.insert(escaped)
            forms.insert(escaped.replacing("/", with: "\\/"))
        }
        return forms.filter { !$0.isEmpty }.sorted { ($0.count, $0) > ($1.count, $1) }
    }

    static func replace(_ forms: [String], in text: String) -> String {
        var out = text
        for form in forms where out.contains(form) {
            out = out.replacing(form, with: placeholder)
        }
        return out
    }

    /// `<Key>...</Key>` becomes `<Key><redacted></Key>`.
    static func redactXMLElement(_ key: String, in text: String) -> String {
        let open = "<\(key)>", close = "</\(key)>"
        guard text.contains(open) else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: open) {
            out += rest[..<start.upperBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstRange(of: close) else {
                rest = after
                break
            }
            out += placeholder
            rest = after[end.lowerBound...]
        }
        return out + rest
    }

    /// `Key=value` in an `&`-separated form becomes `Key=<redacted>`.
    static func redactFormField(_ key: String, in text: String) -> String {
        let prefix = key + "="
        guard text.contains(prefix) else { return text }
        return text.split(separator: "&", omittingEmptySubsequences: false).map { field in
            field.hasPrefix(prefix) ? prefix + placeholder : String(field)
        }.joined(separator: "&")
    }

    private static func lowercasingHex(_ encoded: String) -> String {
        var out = ""
        var hexLeft = 0
        for c in encoded {
            if c == "%" {
                hexLeft = 2
                out.append(c)
            } else if hexLeft > 0 {
                hexLeft -= 1
                out += c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    private static func jsonEscaped(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(s) else { return s }
        let quoted = String(decoding: data, as: UTF8.self)
        return quoted.count >= 2 ? String(quoted.dropFirst().dropLast()) : s
    }
}
