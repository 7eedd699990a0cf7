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
                for field in headers.fields {
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
                    (entryBuffer.baseAddress! + count).initialize(to: HeaderEntry(name: nameStart..<nameEnd, value: nameEnd..<pool.count))
                    count += 1
                }
                if !haveHost {
                    let nameStart = pool.count
                    pool.appendUTF8("host")
                    let valueStart = pool.count
                    parts.appendHostHeader(u, to: &pool)
                    (entryBuffer.baseAddress! + count).initialize(to: HeaderEntry(name: nameStart..<valueStart, value: valueStart..<pool.count))
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
