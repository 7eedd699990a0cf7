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
        // Check the URL before touching the request, so a failure leaves it as it was.
        var url = request.url
        guard url.withUTF8({ URLParts($0) != nil }) else { throw .invalidURL(request.url) }
        let payloadHash = Self.payloadHash(payload)
        let token = credentials.sessionToken

        request.headers.remove(name: "authorization")
        request.headers.remove(name: "x-amz-date")
        if token != nil { request.headers.remove(name: "x-amz-security-token") }
        if options.addContentSHA256Header { request.headers.remove(name: "x-amz-content-sha256") }
        request.headers.reserveCapacity(adding: 4)
        request.headers.add(name: "x-amz-date", value: amz.dateTimeString)
        if let token, !options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        if options.addContentSHA256Header {
            request.headers.add(name: "x-amz-content-sha256", value: String(decoding: payloadHash, as: UTF8.self))
        }

        let details = try signCanonical(request, payloadHash: payloadHash, amz: amz, presignQuery: nil)

        let prefix = "AWS4-HMAC-SHA256 Credential="
        let length = prefix.utf8.count + credentials.accessKeyId.utf8.count + 1 + scopeLength
            + ", SignedHeaders=".utf8.count + details.signedHeadersRange.count + ", Signature=".utf8.count + 64
        let authorization = String(unsafeUninitializedCapacity: length) { buffer in
            var w = BufferWriter(buffer)
            w.appendUTF8(prefix)
            w.appendUTF8(credentials.accessKeyId)
            w.append(UInt8(ascii: "/"))
            appendScope(amz, to: &w)
            w.appendUTF8(", SignedHeaders=")
            details.buffer.withUnsafeBufferPointer {
                w.append(UnsafeBufferPointer(rebasing: $0[details.signedHeadersRange]))
                w.appendUTF8(", Signature=")
                w.append(UnsafeBufferPointer(rebasing: $0[details.signatureRange]))
            }
            return w.count
        }
        request.headers.add(name: "authorization", value: authorization)
        if let token, options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        return details
    }

    /// A presigned URL: the request's URL with the signature in its query string
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Expires`, `X-Amz-Security-Token`, `X-Amz-Signature`). The request's headers are
    /// signed as `sign` would sign them; whoever uses the URL must send them.
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
        var request = request
        request.headers.remove(name: "authorization")
        request.headers.remove(name: "x-amz-date")

        // The signed-headers list goes into the query, so it is computed first.
        let signedHeaders = try signedHeaderList(request)
        var extra: [UInt8] = []
        func param(_ name: String, _ value: some Collection<UInt8>) {
            if !extra.isEmpty { extra.append(UInt8(ascii: "&")) }
            extra.append(contentsOf: name.utf8)
            extra.append(UInt8(ascii: "="))
            PercentEncoding.append(value, to: &extra, keepSlash: false)
        }
        var credential: [UInt8] = Array(credentials.accessKeyId.utf8)
        credential.append(UInt8(ascii: "/"))
        appendScope(amz, to: &credential)
        param("X-Amz-Algorithm", Self.algorithm.utf8)
        param("X-Amz-Credential", credential)
        param("X-Amz-Date", amz.dateTimeString.utf8)
        param("X-Amz-SignedHeaders", signedHeaders)
        param("X-Amz-Expires", String(seconds).utf8)
        let token = credentials.sessionToken
        if let token, !options.omitSessionTokenFromSigning { param("X-Amz-Security-Token", token.utf8) }

        let details = try signCanonical(request, payloadHash: payloadHash, amz: amz, presignQuery: extra)

        let urlBytes = Array(request.url.utf8)
        let end = urlBytes.withUnsafeBufferPointer { URLParts($0)?.end } ?? urlBytes.count
        var url: [UInt8] = Array(urlBytes[0..<end])
        url.append(urlBytes[0..<end].contains(UInt8(ascii: "?")) ? UInt8(ascii: "&") : UInt8(ascii: "?"))
        url.append(contentsOf: extra)
        if let token, options.omitSessionTokenFromSigning {
            url.append(contentsOf: "&X-Amz-Security-Token=".utf8)
            PercentEncoding.append(token.utf8, to: &url, keepSlash: false)
        }
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: details.buffer[details.signatureRange])
        return (String(decoding: url, as: UTF8.self), details)
    }

    // MARK: - Internals

    private func checkScope() throws(SigV4Error) {
        if region.isEmpty { throw .missingScope("region") }
        if service.isEmpty { throw .missingScope("service name") }
    }

    private static let emptyHashBytes = Array(emptyPayloadHash.utf8)
    private static let unsignedBytes = Array(unsignedPayload.utf8)

    static func payloadHash(_ payload: SigV4Payload) -> [UInt8] {
        switch payload {
        case .empty:
            return emptyHashBytes
        case .bytes(let body):
            if body.isEmpty { return emptyHashBytes }
            return [UInt8](unsafeUninitializedCapacity: 64) { buffer, n in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Digest.length) { digest in
                    body.withUnsafeBytes { Digest.sha256($0, into: digest.baseAddress!) }
                    var w = BufferWriter(buffer)
                    Hex.append(UnsafeRawBufferPointer(digest), to: &w)
                    n = w.count
                }
            }
        case .precomputedHash(let hex):
            return Array(hex.lowercased().utf8)
        case .unsigned:
            return unsignedBytes
        }
    }

    /// What SigV4 puts in the string to sign: its algorithm and a scope with the region.
    private var scheme: SigningScheme { SigningScheme(algorithm: Self.algorithm, region: region, service: service, signsRegionSet: false) }

    /// The length of `yyyyMMdd/region/service/aws4_request`.
    private var scopeLength: Int { scheme.scopeLength }

    private func appendScope<Sink: ByteSink>(_ amz: AmzDate, to out: inout Sink) {
        scheme.appendScope(amz, to: &out)
    }

    /// Builds the canonical request, the string to sign and the signature into one buffer.
    private func signCanonical(
        _ request: SigV4Request,
        payloadHash: [UInt8],
        amz: AmzDate,
        presignQuery: [UInt8]?
    ) throws(SigV4Error) -> SigV4SigningDetails {
        let builder = CanonicalRequestBuilder(options: options, scheme: scheme)
        guard var built = builder.build(request, payloadHash: payloadHash, amz: amz, presignQuery: presignQuery, signatureCapacity: 64) else {
            throw .invalidURL(request.url)
        }
        let key = cache.signingKey(secret: credentials.secretAccessKey, date: amz, region: region, service: service)
        let stringToSign = built.stringToSignRange
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Digest.length) { mac in
            built.buffer.withUnsafeBytes { key.authenticate(UnsafeRawBufferPointer(rebasing: $0[stringToSign]), into: mac.baseAddress!) }
            Hex.append(UnsafeRawBufferPointer(mac), to: &built.buffer)
        }
        return SigV4SigningDetails(
            buffer: built.buffer,
            canonicalRange: built.canonicalRange,
            stringToSignRange: stringToSign,
            signatureRange: stringToSign.upperBound..<built.buffer.count,
            signedHeadersRange: built.signedHeadersRange,
            sessionToken: credentials.sessionToken
        )
    }

    /// The `;`-joined signed header names for a request, as presigning needs them up front.
    private func signedHeaderList(_ request: SigV4Request) throws(SigV4Error) -> [UInt8] {
        guard let list = CanonicalRequestBuilder(options: options, scheme: scheme).signedHeaderList(request) else {
            throw .invalidURL(request.url)
        }
        return list
    }
}

/// What differs between SigV4 and SigV4a in the canonical request and the string to sign.
struct SigningScheme: Sendable {
    /// The first line of the string to sign (`AWS4-HMAC-SHA256`, `AWS4-ECDSA-P256-SHA256`).
    let algorithm: String
    /// The scope's region; nil for SigV4a, whose scope is `date/service/aws4_request`.
    let region: String?
    let service: String
    /// Sign `x-amz-region-set` whatever the header rule says (SigV4a).
    let signsRegionSet: Bool

    /// The length of the credential scope.
    var scopeLength: Int {
        8 + 1 + (region.map { $0.utf8.count + 1 } ?? 0) + service.utf8.count + "/aws4_request".utf8.count
    }

    /// Appends `yyyyMMdd/region/service/aws4_request`, or `yyyyMMdd/service/aws4_request`.
    func appendScope<Sink: ByteSink>(_ amz: AmzDate, to out: inout Sink) {
        amz.appendDate(to: &out)
        out.append(UInt8(ascii: "/"))
        if let region {
            out.appendUTF8(region)
            out.append(UInt8(ascii: "/"))
        }
        out.appendUTF8(service)
        out.appendUTF8("/aws4_request")
    }
}

/// Builds the canonical request and the string to sign, shared by SigV4 and SigV4a; the
/// signers append the signature.
struct CanonicalRequestBuilder {
    let options: SigV4Options
    let scheme: SigningScheme

    /// One buffer holding the canonical request, then the string to sign.
    struct Output {
        var buffer: [UInt8]
        let canonicalRange: Range<Int>
        let stringToSignRange: Range<Int>
        let signedHeadersRange: Range<Int>
    }

    /// The canonical request and the string to sign, with room reserved for
    /// `signatureCapacity` more bytes; nil when the URL has no scheme and host.
    func build(
        _ request: SigV4Request,
        payloadHash: [UInt8],
        amz: AmzDate,
        presignQuery: [UInt8]?,
        signatureCapacity: Int
    ) -> Output? {
        var url = request.url
        return url.withUTF8 { u -> Output? in
            guard let parts = URLParts(u) else { return nil }
            var headerBytes = 0
            for field in request.headers.fields { headerBytes += field.name.utf8.count + field.value.utf8.count + 2 }
            let capacity = 256 + signatureCapacity + request.method.utf8.count + 3 * u.count + 3 * (presignQuery?.count ?? 0)
                + 2 * headerBytes + scheme.scopeLength
            var buf: [UInt8] = []
            buf.reserveCapacity(capacity)

            // Method (ASCII upper case)
            for c in request.method.utf8 { buf.append(c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 32 : c) }
            buf.append(UInt8(ascii: "\n"))

            // Canonical URI
            let rawPath = UnsafeBufferPointer(rebasing: u[parts.path])
            if rawPath.isEmpty {
                buf.append(UInt8(ascii: "/"))
            } else if options.normalizePath, PathNormalizer.needsNormalizing(rawPath) {
                appendPath(PathNormalizer.normalize(rawPath), to: &buf)
            } else {
                appendPath(rawPath, to: &buf)
            }
            buf.append(UInt8(ascii: "\n"))

            // Canonical query
            Self.appendCanonicalQuery(UnsafeBufferPointer(rebasing: u[parts.query]), extra: presignQuery, to: &buf)
            buf.append(UInt8(ascii: "\n"))

            // Canonical headers and the signed-headers list
            let signedRange = appendCanonicalHeaders(request.headers, parts: parts, url: u, presign: presignQuery != nil, headerBytes: headerBytes, to: &buf)
            buf.append(UInt8(ascii: "\n"))
            buf.append(contentsOf: payloadHash)
            let canonicalEnd = buf.count

            // String to sign
            buf.appendUTF8(scheme.algorithm)
            buf.append(UInt8(ascii: "\n"))
            amz.appendDateTime(to: &buf)
            buf.append(UInt8(ascii: "\n"))
            scheme.appendScope(amz, to: &buf)
            buf.append(UInt8(ascii: "\n"))
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Digest.length) { digest in
                buf.withUnsafeBytes { Digest.sha256(UnsafeRawBufferPointer(rebasing: $0[0..<canonicalEnd]), into: digest.baseAddress!) }
                Hex.append(UnsafeRawBufferPointer(digest), to: &buf)
            }
            return Output(
                buffer: buf,
                canonicalRange: 0..<canonicalEnd,
                stringToSignRange: canonicalEnd..<buf.count,
                signedHeadersRange: signedRange
            )
        }
    }

    /// The `;`-joined signed header names for a request, as presigning needs them up front;
    /// nil when the URL has no scheme and host.
    func signedHeaderList(_ request: SigV4Request) -> [UInt8]? {
        var url = request.url
        return url.withUTF8 { u -> [UInt8]? in
            guard let parts = URLParts(u) else { return nil }
            var headerBytes = 0
            for field in request.headers.fields { headerBytes += field.name.utf8.count + field.value.utf8.count + 2 }
            var scratch: [UInt8] = []
            scratch.reserveCapacity(2 * headerBytes + u.count + 16)
            let range = appendCanonicalHeaders(request.headers, parts: parts, url: u, presign: true, headerBytes: headerBytes, to: &scratch)
            return Array(scratch[range])
        }
    }

    /// Appends the canonical header lines, a blank line and the signed-headers list; returns
    /// the list's range in `out`.
    private func appendCanonicalHeaders(
        _ headers: HTTPHeaders,
        parts: URLParts,
        url u: UnsafeBufferPointer<UInt8>,
        presign: Bool,
        headerBytes: Int,
        to out: inout [UInt8]
    ) -> Range<Int> {
        let poolCapacity = headerBytes + u.count + 8
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: poolCapacity) { poolBuffer in
            withUnsafeTemporaryAllocation(of: HeaderEntry.self, capacity: headers.count + 1) { entryBuffer in
                // Lowercased names and trimmed values go into the pool; entries point into it.
                var pool = BufferWriter(poolBuffer)
                var count = 0
                var haveHost = false
                let rule = options.signedHeaders
                let skipToken = options.omitSessionTokenFromSigning
                for (index, field) in headers.fields.enumerated() {
                    let nameStart = pool.count
                    for c in field.name.utf8 { pool.append(ASCII.lower(c)) }
                    let name = pool.bytes(nameStart..<pool.count)
                    let keep: Bool
                    if HeaderNames.isAlwaysSigned(name) || (scheme.signsRegionSet && HeaderNames.isRegionSet(name)) {
                        keep = !(skipToken && HeaderNames.isSecurityToken(name)) && !(presign && HeaderNames.isXAmzDate(name))
                    } else {
                        keep = !HeaderNames.isAuthorization(name) && rule.signs(name)
                    }
                    guard keep else {
                        pool.count = nameStart
                        continue
                    }
                    if HeaderNames.isHost(name) { haveHost = true }
                    let nameEnd = pool.count
                    Self.appendTrimmed(field.value, to: &pool)
                    (entryBuffer.baseAddress! + count).initialize(to: HeaderEntry(name: nameStart..<nameEnd, value: nameEnd..<pool.count, order: index))
                    count += 1
                }
                if !haveHost {
                    let nameStart = pool.count
                    pool.appendUTF8("host")
                    let valueStart = pool.count
                    parts.appendHostHeader(u, to: &pool)
                    (entryBuffer.baseAddress! + count).initialize(to: HeaderEntry(name: nameStart..<valueStart, value: valueStart..<pool.count, order: -1))
                    count += 1
                }
                let entries = UnsafeMutableBufferPointer(rebasing: entryBuffer[0..<count])
                let p = UnsafeBufferPointer(start: pool.base, count: pool.count)
                // Insertion sort: a request has a handful of headers, and it is stable.
                if count > 1 {
                    for i in 1..<count {
                        let e = entries[i]
                        var j = i
                        while j > 0, compareBytes(p, entries[j - 1].name, e.name) > 0 {
                            entries[j] = entries[j - 1]
                            j -= 1
                        }
                        entries[j] = e
                    }
                }
                // One line per name; values of a repeated name joined with ','.
                var previous: Range<Int>? = nil
                for e in entries {
                    if let prev = previous, compareBytes(p, prev, e.name) == 0 {
                        out.append(UInt8(ascii: ","))
                    } else {
                        if previous != nil { out.append(UInt8(ascii: "\n")) }
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[e.name]))
                        out.append(UInt8(ascii: ":"))
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[e.value]))
                    previous = e.name
                }
                out.append(UInt8(ascii: "\n"))
                out.append(UInt8(ascii: "\n"))
                let listStart = out.count
                previous = nil
                for e in entries {
                    if let prev = previous, compareBytes(p, prev, e.name) == 0 { continue }
                    if previous != nil { out.append(UInt8(ascii: ";")) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[e.name]))
                    previous = e.name
                }
                entryBuffer.baseAddress!.deinitialize(count: count)
                return listStart..<out.count
            }
        }
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
        let extraCount = extra?.count ?? 0
        if q.isEmpty, extraCount == 0 { return }
        var maxPairs = 2
        for c in q where c == UInt8(ascii: "&") { maxPairs += 1 }
        if let extra { for c in extra where c == UInt8(ascii: "&") { maxPairs += 1 } }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * (q.count + extraCount) + 1) { poolBuffer in
            withUnsafeTemporaryAllocation(of: QueryPair.self, capacity: maxPairs) { pairBuffer in
                var pool = BufferWriter(poolBuffer)
                var count = 0
                func collect(_ s: UnsafeBufferPointer<UInt8>) {
                    var start = 0
                    var i = 0
                    while i <= s.count {
                        if i == s.count || s[i] == UInt8(ascii: "&") {
                            if i > start {
                                var eq = start
                                while eq < i, s[eq] != UInt8(ascii: "=") { eq += 1 }
                                let keyStart = pool.count
                                PercentEncoding.appendCanonical(UnsafeBufferPointer(rebasing: s[start..<eq]), to: &pool)
                                let valueStart = pool.count
                                if eq < i { PercentEncoding.appendCanonical(UnsafeBufferPointer(rebasing: s[(eq + 1)..<i]), to: &pool) }
                                (pairBuffer.baseAddress! + count).initialize(to: QueryPair(key: keyStart..<valueStart, value: valueStart..<pool.count))
                                count += 1
                            }
                            start = i + 1
                        }
                        i += 1
                    }
                }
                collect(q)
                if let extra { extra.withUnsafeBufferPointer { collect($0) } }
                let pairs = UnsafeMutableBufferPointer(rebasing: pairBuffer[0..<count])
                let p = UnsafeBufferPointer(start: pool.base, count: pool.count)
                if count > 1 {
                    for i in 1..<count {
                        let e = pairs[i]
                        var j = i
                        while j > 0 {
                            let prev = pairs[j - 1]
                            let c = compareBytes(p, prev.key, e.key)
                            if c < 0 || (c == 0 && compareBytes(p, prev.value, e.value) <= 0) { break }
                            pairs[j] = prev
                            j -= 1
                        }
                        pairs[j] = e
                    }
                }
                for (n, pair) in pairs.enumerated() {
                    if n > 0 { out.append(UInt8(ascii: "&")) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[pair.key]))
                    out.append(UInt8(ascii: "="))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[pair.value]))
                }
                pairBuffer.baseAddress!.deinitialize(count: count)
            }
        }
    }

    /// Trims leading and trailing white space and folds inner runs to one space.
    @inline(__always)
    static func appendTrimmed<Sink: ByteSink>(_ value: String, to out: inout Sink) {
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

struct QueryPair {
    var key: Range<Int>
    var value: Range<Int>
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
    static func isRegionSet(_ n: UnsafeBufferPointer<UInt8>) -> Bool { equals(n, "x-amz-region-set") }

    /// `host` and every `x-amz-*` header.
    static func isAlwaysSigned(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
        if equals(n, "host") { return true }
        guard n.count > 6 else { return false }
        return n[0] == UInt8(ascii: "x") && n[1] == UInt8(ascii: "-") && n[2] == UInt8(ascii: "a") && n[3] == UInt8(ascii: "m")
            && n[4] == UInt8(ascii: "z") && n[5] == UInt8(ascii: "-")
    }

    @inline(__always)
    static func equals(_ n: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard n.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<n.count where n[i] != p[i] { return false }
        return true
    }
}
