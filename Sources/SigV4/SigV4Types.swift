#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the signer signs: a method, a URL as it goes on the wire (path and query already
/// percent-encoded once), and header fields.
public struct SigV4Request: Sendable, Hashable {
    /// The HTTP method, such as `GET`.
    public var method: String
    /// The full URL: scheme, host (with a non-default port), path and query.
    public var url: String
    /// The headers to sign and send; `host` is taken from the URL when absent.
    public var headers: HTTPHeaders

    /// A request to sign.
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The full URL.
    ///   - headers: The headers to sign.
    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

/// The request body as the signature sees it.
public enum SigV4Payload: Sendable, Hashable {
    /// No body: the hash of the empty string.
    case empty
    /// The body's bytes, hashed with SHA-256.
    case bytes([UInt8])
    /// The lowercase hex SHA-256 of a body, computed elsewhere (for a streamed body).
    case precomputedHash(String)
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    case unsigned

    /// A UTF-8 string body.
    public static func string(_ body: String) -> SigV4Payload { .bytes(Array(body.utf8)) }
}

/// Which request headers go into the signature. `host` and every `x-amz-*` header (such as
/// `x-amz-date`, `x-amz-content-sha256`, `x-amz-target`; `x-amz-security-token` unless omitted
/// on purpose) are always signed, as services such as S3 require; `authorization` never is.
public struct SigV4HeaderRule: Sendable, Hashable {
    enum Mode: Sendable, Hashable { case allExcept, only }
    let mode: Mode
    let names: [[UInt8]]

    /// Sign every header except these names (compared case-insensitively).
    public static func allExcept(_ names: Set<String>) -> SigV4HeaderRule {
        SigV4HeaderRule(mode: .allExcept, names: names)
    }

    /// Sign only these headers (and `host` and the `x-amz-*` headers, which are always signed).
    public static func only(_ names: Set<String>) -> SigV4HeaderRule {
        SigV4HeaderRule(mode: .only, names: names)
    }

    /// All but `authorization`, `user-agent`, `expect`, `x-amzn-trace-id` and
    /// `content-length`: headers that proxies and HTTP clients add or change on the way.
    public static let `default` = allExcept(["authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length"])

    init(mode: Mode, names: Set<String>) {
        self.mode = mode
        self.names = names.map { Array($0.lowercased().utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Whether a header whose lowercased name is `name` is signed.
    func signs(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var listed = false
        for candidate in names where candidate.count == name.count {
            if candidate.withUnsafeBufferPointer({ memEqual($0, name) }) {
                listed = true
                break
            }
        }
        return mode == .allExcept ? !listed : listed
    }
}

@inline(__always)
func memEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] { return false }
    return true
}

/// How the signer canonicalizes. The defaults are what every AWS service but S3 expects.
public struct SigV4Options: Sendable, Hashable {
    /// Remove `.` and `..` segments and empty segments (`//`) from the path before signing.
    public var normalizePath: Bool
    /// Percent-encode the (already encoded) wire path once more for the canonical URI.
    public var doubleEncodePath: Bool
    /// Which headers are signed.
    public var signedHeaders: SigV4HeaderRule
    /// Add `x-amz-content-sha256` with the payload hash to the request (S3 requires it).
    public var addContentSHA256Header: Bool
    /// Add `x-amz-security-token` after signing instead of signing it (some services, such
    /// as IoT, want the token outside the signature).
    public var omitSessionTokenFromSigning: Bool

    /// Signing options; the defaults are what every AWS service but S3 expects.
    ///
    /// - Parameters:
    ///   - normalizePath: Remove `.` and `..` segments and repeated slashes from the path.
    ///   - doubleEncodePath: Percent-encode the already encoded path once more.
    ///   - signedHeaders: Which headers go into the signature.
    ///   - addContentSHA256Header: Add `x-amz-content-sha256`.
    ///   - omitSessionTokenFromSigning: Add `x-amz-security-token` after signing.
    public init(
        normalizePath: Bool = true,
        doubleEncodePath: Bool = true,
        signedHeaders: SigV4HeaderRule = .default,
        addContentSHA256Header: Bool = false,
        omitSessionTokenFromSigning: Bool = false
    ) {
        self.normalizePath = normalizePath
        self.doubleEncodePath = doubleEncodePath
        self.signedHeaders = signedHeaders
        self.addContentSHA256Header = addContentSHA256Header
        self.omitSessionTokenFromSigning = omitSessionTokenFromSigning
    }

    /// What S3 expects: no path normalization, no second encoding, `x-amz-content-sha256`.
    public static let s3 = SigV4Options(normalizePath: false, doubleEncodePath: false, addContentSHA256Header: true)
}

/// The intermediate results of one signature, for debugging and error messages.
///
/// `canonicalRequest` is exact, so it can be compared with what a service reports; the
/// description redacts the session token.
public struct SigV4SigningDetails: Sendable, CustomStringConvertible, CustomReflectable {
    // One buffer holds the canonical request, the string to sign and the signature.
    let buffer: [UInt8]
    let canonicalRange: Range<Int>
    let stringToSignRange: Range<Int>
    let signatureRange: Range<Int>
    let signedHeadersRange: Range<Int>
    let sessionToken: String?

    /// The canonical request that was hashed, for debugging a signature mismatch.
    public var canonicalRequest: String { String(decoding: buffer[canonicalRange], as: UTF8.self) }
    /// The string that was signed, for debugging a signature mismatch.
    public var stringToSign: String { String(decoding: buffer[stringToSignRange], as: UTF8.self) }
    /// The lowercase hex signature.
    public var signature: String { String(decoding: buffer[signatureRange], as: UTF8.self) }
    /// The `;`-separated list of signed header names.
    public var signedHeaders: String { String(decoding: buffer[signedHeadersRange], as: UTF8.self) }

    /// The canonical request with the session token's value replaced by `<redacted>` wherever
    /// it stands: the `x-amz-security-token` header line, the `X-Amz-Security-Token` query
    /// parameter of a presigned request, and any other raw or percent-encoded copy.
    public var redactedCanonicalRequest: String {
        guard let token = sessionToken, !token.isEmpty else { return canonicalRequest }
        var lines = canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices {
            if lines[i].hasPrefix("x-amz-security-token:") {
                lines[i] = "x-amz-security-token:<redacted>"
            } else if i == 2 {
                lines[i] = lines[i].split(separator: "&", omittingEmptySubsequences: false).map { pair in
                    pair.hasPrefix("X-Amz-Security-Token=") ? "X-Amz-Security-Token=<redacted>" : String(pair)
                }.joined(separator: "&")
            }
        }
        var text = lines.joined(separator: "\n")
        let trimmed = token.trimmedWhitespace
        for form in Set([token, String(trimmed), PercentEncoding.encode(token), PercentEncoding.encode(String(trimmed))]) where !form.isEmpty {
            text = text.replacing(form, with: "<redacted>")
        }
        return text
    }

    public var description: String {
        "CanonicalRequest:\n\(redactedCanonicalRequest)\nStringToSign:\n\(stringToSign)\nSignature: \(signature)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
