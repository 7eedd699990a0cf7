import CCrypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An AWS Signature Version 4 signer for one set of credentials, region and service.
///
/// The signing time is always an argument: the signer never reads a clock. Derived signing
/// keys come from a `SigningKeyCache` (the shared one by default), so key derivation runs once
/// per day and scope rather than once per request.
public struct SigV4Signer: Sendable {
    public var credentials: SigV4Credentials
    public var region: String
    public var service: String
    public var options: SigV4Options
    public var cache: SigningKeyCache

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The longest lifetime of a presigned URL: 7 days.
    public static let maxPresignExpiry = 604_800

    public init(
        credentials: SigV4Credentials,
        region: String,
        service: String,
        options: SigV4Options = SigV4Options(),
        cache: SigningKeyCache = .shared
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
        self.cache = cache
    }

    /// Signs `request` in place for the time `date`: sets `x-amz-date`, `x-amz-security-token`
    /// (when the credentials have one), `x-amz-content-sha256` (when the options ask for it)
    /// and `authorization`, replacing any earlier values, so a retried request can be signed
    /// again. Returns the intermediate strings for debugging.
    @discardableResult
    public func sign(_ request: inout SigV4Request, payload: SigV4Payload = .empty, date: Date) throws(SigV4Error) -> SigV4SigningDetails {
        let amz = try AmzDate(date)
        try checkScope()
        let payloadHash = Self.payloadHash(payload)
        var dateBytes: [UInt8] = []
        dateBytes.reserveCapacity(16)
        amz.appendDateTime(to: &dateBytes)

        request.headers.remove(name: "authorization")
        request.headers.replaceOrAdd(name: "x-amz-date", value: String(decoding: dateBytes, as: UTF8.self))
        let token = credentials.sessionToken
        if token != nil { request.headers.remove(name: "x-amz-security-token") }
        if let token, !options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        if options.addContentSHA256Header {
            request.headers.replaceOrAdd(name: "x-amz-content-sha256", value: String(decoding: payloadHash, as: UTF8.self))
        }

        let canonical = try buildCanonical(request, payloadHash: payloadHash, presign: nil)
        let details = finish(canonical: canonical, amz: amz, dateBytes: dateBytes)

        var auth: [UInt8] = []
        auth.reserveCapacity(160 + details.signedHeadersBytes.count)
        auth.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        auth.append(contentsOf: credentials.accessKeyId.utf8)
        auth.append(UInt8(ascii: "/"))
        appendScope(amz, to: &auth)
        auth.append(contentsOf: ", SignedHeaders=".utf8)
        auth.append(contentsOf: details.signedHeadersBytes)
        auth.append(contentsOf: ", Signature=".utf8)
        auth.append(contentsOf: details.signatureBytes)
        request.headers.add(name: "authorization", value: String(decoding: auth, as: UTF8.self))
        if let token, options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        return details
    }

    /// A presigned URL: the request's URL with the signature in its query string
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Security-Token`, `X-Amz-Signature`). The request's
    /// headers are signed as `sign` would sign them; whoever uses the URL must send them.
    public func presign(
        _ request: SigV4Request,
        expires seconds: Int,
        payload: SigV4Payload = .empty,
        date: Date
    ) throws(SigV4Error) -> (url: String, details: SigV4SigningDetails) {
        guard seconds >= 1, seconds <= Self.maxPresignExpiry else { throw .invalidExpiry(seconds: seconds) }
        let amz = try AmzDate(date)
        try checkScope()
        let payloadHash = Self.payloadHash(payload)
        var dateBytes: [UInt8] = []
        amz.appendDateTime(to: &dateBytes)
        var request = request
        request.headers.remove(name: "authorization")

        // The signed-headers list goes into the query, so compute it first.
        let signedNames = try buildCanonical(request, payloadHash: payloadHash, presign: nil, headersOnly: true)
        var credential: [UInt8] = Array(credentials.accessKeyId.utf8)
        credential.append(UInt8(ascii: "/"))
        appendScope(amz, to: &credential)
        var params: [(String, [UInt8])] = [
            ("X-Amz-Algorithm", Array(Self.algorithm.utf8)),
            ("X-Amz-Credential", credential),
            ("X-Amz-Date", dateBytes),
            ("X-Amz-SignedHeaders", signedNames.signedHeaders),
            ("X-Amz-Expires", Array(String(seconds).utf8)),
        ]
        let token = credentials.sessionToken
        if let token, !options.omitSessionTokenFromSigning {
            params.append(("X-Amz-Security-Token", Array(token.utf8)))
        }
        var extra: [UInt8] = []
        for (name, value) in params {
            if !extra.isEmpty { extra.append(UInt8(ascii: "&")) }
            extra.append(contentsOf: name.utf8)
            extra.append(UInt8(ascii: "="))
            PercentEncoding.append(value, to: &extra, keepSlash: false)
        }
        let canonical = try buildCanonical(request, payloadHash: payloadHash, presign: extra)
        let details = finish(canonical: canonical, amz: amz, dateBytes: dateBytes)

        var url: [UInt8] = []
        let urlBytes = Array(request.url.utf8)
        let fragmentFree = urlBytes.withUnsafeBufferPointer { URLParts($0)?.end } ?? urlBytes.count
        url.append(contentsOf: urlBytes[0..<fragmentFree])
        url.append(urlBytes.contains(UInt8(ascii: "?")) ? UInt8(ascii: "&") : UInt8(ascii: "?"))
        url.append(contentsOf: extra)
        if let token, options.omitSessionTokenFromSigning {
            url.append(contentsOf: "&X-Amz-Security-Token=".utf8)
            PercentEncoding.append(token.utf8, to: &url, keepSlash: false)
        }
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: details.signatureBytes)
        return (String(decoding: url, as: UTF8.self), details)
    }

    // MARK: - Internals

    private func checkScope() throws(SigV4Error) {
        if region.isEmpty { throw .missingScope("region") }
        if service.isEmpty { throw .missingScope("service name") }
    }

    static func payloadHash(_ payload: SigV4Payload) -> [UInt8] {
        switch payload {
        case .empty:
            return Array(emptyPayloadHash.utf8)
        case .bytes(let body):
            if body.isEmpty { return Array(emptyPayloadHash.utf8) }
            var out: [UInt8] = []
            out.reserveCapacity(64)
            let digest = body.withUnsafeBytes { Digest.sha256($0) }
            digest.withUnsafeBytes { Hex.append($0, to: &out) }
            return out
        case .precomputedHash(let hex):
            return Array(hex.lowercased().utf8)
        case .unsigned:
            return Array(unsignedPayload.utf8)
        }
    }

    private func appendScope(_ amz: AmzDate, to out: inout [UInt8]) {
        amz.appendDate(to: &out)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: region.utf8)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: service.utf8)
        out.append(contentsOf: "/aws4_request".utf8)
    }

    struct Canonical {
        var request: [UInt8]
        var signedHeaders: [UInt8]
    }

    /// Hashes the canonical request, builds the string to sign and signs it.
    private func finish(canonical: Canonical, amz: AmzDate, dateBytes: [UInt8]) -> SigV4SigningDetails {
        let scratch = Digest.Context()
        var sts: [UInt8] = []
        sts.reserveCapacity(160)
        sts.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        sts.append(contentsOf: dateBytes)
        sts.append(UInt8(ascii: "\n"))
        appendScope(amz, to: &sts)
        sts.append(UInt8(ascii: "\n"))
        withUnsafeTemporaryAllocation(byteCount: Digest.length, alignment: 8) { digest in
            canonical.request.withUnsafeBytes { Digest.sha256($0, ctx: scratch.pointer, into: digest.baseAddress!) }
            Hex.append(UnsafeRawBufferPointer(digest), to: &sts)
        }
        let key = cache.signingKey(secret: credentials.secretAccessKey, date: amz, region: region, service: service)
        var signature: [UInt8] = []
        signature.reserveCapacity(64)
        withUnsafeTemporaryAllocation(byteCount: Digest.length, alignment: 8) { mac in
            sts.withUnsafeBytes { key.authenticate($0, scratch: scratch.pointer, into: mac.baseAddress!) }
            Hex.append(UnsafeRawBufferPointer(mac), to: &signature)
        }
        return SigV4SigningDetails(
            canonicalBytes: canonical.request,
            stringToSignBytes: sts,
            signatureBytes: signature,
            signedHeadersBytes: canonical.signedHeaders,
            sessionToken: credentials.sessionToken
        )
    }

    /// Builds the canonical request. `presign` holds the already-encoded X-Amz-* query
    /// parameters of a presigned URL. With `headersOnly`, only the signed-headers list is made.
    private func buildCanonical(
        _ request: SigV4Request,
        payloadHash: [UInt8],
        presign: [UInt8]?,
        headersOnly: Bool = false
    ) throws(SigV4Error) -> Canonical {
        var url = request.url
        let result: Canonical? = url.withUTF8 { u -> Canonical? in
            guard let parts = URLParts(u) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(256 + u.count + payloadHash.count)

            // Headers first (into a side pool), because the signed-headers list is needed
            // both inside the canonical request and by the caller.
            var pool: [UInt8] = []
            pool.reserveCapacity(128)
            var entries: [HeaderEntry] = []
            entries.reserveCapacity(request.headers.count + 1)
            var haveHost = false
            let rule = options.signedHeaders
            let skipToken = options.omitSessionTokenFromSigning
            for (index, field) in request.headers.fields.enumerated() {
                let nameStart = pool.count
                for c in field.name.utf8 { pool.append(ASCII.lower(c)) }
                let nameEnd = pool.count
                let keep = pool.withUnsafeBufferPointer { p -> Bool in
                    let name = UnsafeBufferPointer(rebasing: p[nameStart..<nameEnd])
                    if HeaderNames.isAlwaysSigned(name) {
                        if skipToken, HeaderNames.isSecurityToken(name) { return false }
                        return true
                    }
                    if HeaderNames.isAuthorization(name) { return false }
                    if presign != nil, HeaderNames.isXAmzDate(name) { return false }
                    return rule.signs(name)
                }
                guard keep else {
                    pool.removeSubrange(nameStart..<nameEnd)
                    continue
                }
                if pool.withUnsafeBufferPointer({ HeaderNames.isHost(UnsafeBufferPointer(rebasing: $0[nameStart..<nameEnd])) }) {
                    haveHost = true
                }
                let valueStart = pool.count
                Self.appendTrimmed(field.value, to: &pool)
                entries.append(HeaderEntry(name: nameStart..<nameEnd, value: valueStart..<pool.count, order: index))
            }
            if !haveHost {
                let nameStart = pool.count
                pool.append(contentsOf: "host".utf8)
                let valueStart = pool.count
                parts.appendHostHeader(u, to: &pool)
                entries.append(HeaderEntry(name: nameStart..<valueStart, value: valueStart..<pool.count, order: -1))
            }
            pool.withUnsafeBufferPointer { p in
                entries.sort { a, b in
                    let c = compareBytes(p, a.name, b.name)
                    return c != 0 ? c < 0 : a.order < b.order
                }
            }
            var signedHeaders: [UInt8] = []
            signedHeaders.reserveCapacity(64)
            var previous: Range<Int>? = nil
            for e in entries {
                if let prev = previous, pool.withUnsafeBufferPointer({ compareBytes($0, prev, e.name) == 0 }) { continue }
                if previous != nil { signedHeaders.append(UInt8(ascii: ";")) }
                signedHeaders.append(contentsOf: pool[e.name])
                previous = e.name
            }
            if headersOnly { return Canonical(request: [], signedHeaders: signedHeaders) }

            // Method
            out.append(contentsOf: request.method.uppercased().utf8)
            out.append(UInt8(ascii: "\n"))

            // Canonical URI
            let rawPath = UnsafeBufferPointer(rebasing: u[parts.path])
            if options.normalizePath, PathNormalizer.needsNormalizing(rawPath) {
                let normalized = rawPath.isEmpty ? [UInt8(ascii: "/")] : PathNormalizer.normalize(rawPath)
                appendPath(normalized, to: &out)
            } else if rawPath.isEmpty {
                out.append(UInt8(ascii: "/"))
            } else {
                appendPath(rawPath, to: &out)
            }
            out.append(UInt8(ascii: "\n"))

            // Canonical query
            Self.appendCanonicalQuery(UnsafeBufferPointer(rebasing: u[parts.query]), extra: presign, to: &out)
            out.append(UInt8(ascii: "\n"))

            // Canonical headers: one line per name, duplicate values joined with ','.
            previous = nil
            for e in entries {
                let sameName = previous.map { prev in pool.withUnsafeBufferPointer { compareBytes($0, prev, e.name) == 0 } } ?? false
                if sameName {
                    out.append(UInt8(ascii: ","))
                } else {
                    if previous != nil { out.append(UInt8(ascii: "\n")) }
                    out.append(contentsOf: pool[e.name])
                    out.append(UInt8(ascii: ":"))
                }
                out.append(contentsOf: pool[e.value])
                previous = e.name
            }
            out.append(UInt8(ascii: "\n"))
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: signedHeaders)
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: payloadHash)
            return Canonical(request: out, signedHeaders: signedHeaders)
        }
        guard let result else { throw .invalidURL(request.url) }
        return result
    }

    private func appendPath(_ path: some Collection<UInt8>, to out: inout [UInt8]) {
        if options.doubleEncodePath {
            PercentEncoding.append(path, to: &out, keepSlash: true)
        } else {
            out.append(contentsOf: path)
        }
    }

    /// Query parameters decoded and encoded again, sorted by name then value.
    static func appendCanonicalQuery(_ q: UnsafeBufferPointer<UInt8>, extra: [UInt8]?, to out: inout [UInt8]) {
        if q.isEmpty, extra == nil { return }
        var pool: [UInt8] = []
        pool.reserveCapacity(q.count + (extra?.count ?? 0) + 16)
        var pairs: [(key: Range<Int>, value: Range<Int>)] = []
        func collect(_ s: UnsafeBufferPointer<UInt8>) {
            var start = 0
            var i = 0
            while i <= s.count {
                if i == s.count || s[i] == UInt8(ascii: "&") {
                    if i > start {
                        var eq = start
                        while eq < i, s[eq] != UInt8(ascii: "=") { eq += 1 }
                        let keyStart = pool.count
                        PercentEncoding.appendCanonical(Array(s[start..<eq])[...], to: &pool)
                        let valueStart = pool.count
                        if eq < i { PercentEncoding.appendCanonical(Array(s[(eq + 1)..<i])[...], to: &pool) }
                        pairs.append((keyStart..<valueStart, valueStart..<pool.count))
                    }
                    start = i + 1
                }
                i += 1
            }
        }
        collect(q)
        if let extra { extra.withUnsafeBufferPointer { collect($0) } }
        if pairs.count > 1 {
            pool.withUnsafeBufferPointer { p in
                pairs.sort { a, b in
                    let c = compareBytes(p, a.key, b.key)
                    return c != 0 ? c < 0 : compareBytes(p, a.value, b.value) < 0
                }
            }
        }
        for (n, pair) in pairs.enumerated() {
            if n > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pool[pair.key])
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pool[pair.value])
        }
    }

    /// Trims leading and trailing white space and folds inner runs to one space.
    static func appendTrimmed(_ value: String, to out: inout [UInt8]) {
        var pendingSpace = false
        var started = false
        for c in value.utf8 {
            if ASCII.isSpace(c) {
                pendingSpace = started
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                started = true
                out.append(c)
            }
        }
    }
}

struct HeaderEntry {
    var name: Range<Int>
    var value: Range<Int>
    var order: Int
}

/// Byte-wise comparison of two ranges of one buffer: negative, zero or positive.
@inline(__always)
func compareBytes(_ p: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Int {
    let n = min(a.count, b.count)
    var i = 0
    while i < n {
        let x = p[a.lowerBound + i], y = p[b.lowerBound + i]
        if x != y { return Int(x) - Int(y) }
        i += 1
    }
    return a.count - b.count
}

enum HeaderNames {
    static func isHost(_ n: UnsafeBufferPointer<UInt8>) -> Bool { equals(n, "host") }
    static func isAuthorization(_ n: UnsafeBufferPointer<UInt8>) -> Bool { equals(n, "authorization") }
    static func isXAmzDate(_ n: UnsafeBufferPointer<UInt8>) -> Bool { equals(n, "x-amz-date") }
    static func isSecurityToken(_ n: UnsafeBufferPointer<UInt8>) -> Bool { equals(n, "x-amz-security-token") }

    static func isAlwaysSigned(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
        equals(n, "host") || equals(n, "x-amz-date") || equals(n, "x-amz-security-token") || equals(n, "x-amz-content-sha256")
    }

    @inline(__always)
    static func equals(_ n: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard n.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<n.count where n[i] != p[i] { return false }
        return true
    }
}
