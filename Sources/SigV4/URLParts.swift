/// The pieces of a wire URL the signer needs, as index ranges into its UTF-8 bytes: the
/// package's one URL parser (`ParsedURL` is its view for everyone else).
struct URLParts {
    var scheme: Range<Int>
    /// `[userinfo@]host[:port]`.
    var authority: Range<Int>
    var host: Range<Int>
    var port: Range<Int>?
    var path: Range<Int>
    var query: Range<Int>
    /// Where the URL ends before any `#fragment`.
    var end: Int

    /// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
    init?(_ u: UnsafeBufferPointer<UInt8>) {
        let n = u.count
        var i = 0
        while i < n, u[i] != UInt8(ascii: ":") {
            let c = u[i]
            let ok = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (i > 0 && ((c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")))
            if !ok { return nil }
            i += 1
        }
        guard i > 0, i + 2 < n, u[i + 1] == UInt8(ascii: "/"), u[i + 2] == UInt8(ascii: "/") else { return nil }
        scheme = 0..<i
        i += 3
        var authorityStart = i
        var authorityEnd = i
        while authorityEnd < n, u[authorityEnd] != UInt8(ascii: "/"), u[authorityEnd] != UInt8(ascii: "?"), u[authorityEnd] != UInt8(ascii: "#") {
            authorityEnd += 1
        }
        authority = authorityStart..<authorityEnd
        // Drop any userinfo.
        var j = authorityEnd
        while j > authorityStart {
            j -= 1
            if u[j] == UInt8(ascii: "@") {
                authorityStart = j + 1
                break
            }
        }
        // A port follows the last ':' unless that ':' is inside an IPv6 literal.
        var hostEnd = authorityEnd
        port = nil
        var k = authorityEnd
        while k > authorityStart {
            k -= 1
            let c = u[k]
            if c == UInt8(ascii: "]") { break }
            if c == UInt8(ascii: ":") {
                hostEnd = k
                port = (k + 1)..<authorityEnd
                break
            }
        }
        guard hostEnd > authorityStart else { return nil }
        host = authorityStart..<hostEnd
        i = authorityEnd
        let pathStart = i
        while i < n, u[i] != UInt8(ascii: "?"), u[i] != UInt8(ascii: "#") { i += 1 }
        path = pathStart..<i
        if i < n, u[i] == UInt8(ascii: "?") {
            let qs = i + 1
            i = qs
            while i < n, u[i] != UInt8(ascii: "#") { i += 1 }
            query = qs..<i
        } else {
            query = i..<i
        }
        end = i
    }

    /// Appends the `host` header value: the lowercased host, and the port unless it is the
    /// scheme's default (80 for http, 443 for https) or empty.
    func appendHostHeader<Sink: ByteSink>(_ u: UnsafeBufferPointer<UInt8>, to out: inout Sink) {
        for i in host { out.append(ASCII.lower(u[i])) }
        guard let port, !port.isEmpty else { return }
        var isDefault = false
        let p = UnsafeBufferPointer(rebasing: u[port])
        let s = UnsafeBufferPointer(rebasing: u[scheme])
        if p.count == 2, p[0] == UInt8(ascii: "8"), p[1] == UInt8(ascii: "0"), Self.equalsLower(s, "http") { isDefault = true }
        if p.count == 3, p[0] == UInt8(ascii: "4"), p[1] == UInt8(ascii: "4"), p[2] == UInt8(ascii: "3"), Self.equalsLower(s, "https") { isDefault = true }
        if !isDefault {
            out.append(UInt8(ascii: ":"))
            for c in p { out.append(c) }
        }
    }

    private static func equalsLower(_ a: UnsafeBufferPointer<UInt8>, _ b: StaticString) -> Bool {
        guard a.count == b.utf8CodeUnitCount else { return false }
        let bp = b.utf8Start
        for i in 0..<a.count where ASCII.lower(a[i]) != bp[i] { return false }
        return true
    }
}

/// A URL split at its scheme, authority, path and query, as it stands (nothing decoded), for
/// the package's code that needs a host, an authority or a path: the signer's own parser
/// (`URLParts`) behind a `String` face.
package struct ParsedURL: Sendable, Hashable {
    /// As written, such as `https`.
    package var scheme: Substring
    /// `[userinfo@]host[:port]`.
    package var authority: Substring
    /// The host as written: an IPv6 literal keeps its brackets.
    package var host: Substring
    /// The digits after the host's `:`, as written (nil: no port; empty: a bare `:`).
    package var port: Substring?
    /// From the authority's end to the query or fragment: empty, or starting with `/`.
    package var path: Substring
    /// After `?`, before any `#`; nil when there is no `?`.
    package var query: Substring?

    /// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`; nil when there is
    /// no scheme (letters, then letters, digits, `+ - .`), no `://` or no host.
    package init?(_ url: String) {
        var text = url
        guard let parts = text.withUTF8({ URLParts($0) }) else { return nil }
        let bytes = url.utf8
        func slice(_ r: Range<Int>) -> Substring {
            url[bytes.index(bytes.startIndex, offsetBy: r.lowerBound)..<bytes.index(bytes.startIndex, offsetBy: r.upperBound)]
        }
        scheme = slice(parts.scheme)
        authority = slice(parts.authority)
        host = slice(parts.host)
        port = parts.port.map(slice)
        path = slice(parts.path)
        // The query's range starts after the `?` when there is one.
        query = parts.query.lowerBound > parts.path.upperBound ? slice(parts.query) : nil
    }

    /// The path and query of a full URL, or of a request target (`/path?query`) when `target`
    /// has no scheme; a fragment is dropped.
    package static func pathAndQuery(_ target: String) -> (path: Substring, query: Substring?) {
        if let parsed = ParsedURL(target) { return (parsed.path, parsed.query) }
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, nil) }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }
}

/// Path canonicalization: dot-segment removal as the AWS SDKs do it (RFC 3986 5.2.4, plus
/// empty segments dropped; a trailing slash kept when anything is left).
enum PathNormalizer {
    static func needsNormalizing(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.isEmpty || p[0] != UInt8(ascii: "/") { return true }
        var prevSlash = false
        var i = 0
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "/") {
                if prevSlash { return true }
                prevSlash = true
            } else {
                if c == UInt8(ascii: "."), prevSlash {
                    // "/." followed by end, "/" or "." (for "..")
                    let next = i + 1 < p.count ? p[i + 1] : UInt8(ascii: "/")
                    if next == UInt8(ascii: "/") { return true }
                    if next == UInt8(ascii: ".") {
                        let after = i + 2 < p.count ? p[i + 2] : UInt8(ascii: "/")
                        if after == UInt8(ascii: "/") { return true }
                    }
                }
                prevSlash = false
            }
            i += 1
        }
        return false
    }

    /// The normalized path bytes.
    static func normalize(_ p: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if p.isEmpty { return [UInt8(ascii: "/")] }
        var segments: [Range<Int>] = []
        var start = 0
        var i = 0
        while i <= p.count {
            if i == p.count || p[i] == UInt8(ascii: "/") {
                let seg = start..<i
                let len = seg.count
                if len == 0 || (len == 1 && p[seg.lowerBound] == UInt8(ascii: ".")) {
                    // skip
                } else if len == 2, p[seg.lowerBound] == UInt8(ascii: "."), p[seg.lowerBound + 1] == UInt8(ascii: ".") {
                    if !segments.isEmpty { segments.removeLast() }
                } else {
                    segments.append(seg)
                }
                start = i + 1
            }
            i += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(p.count + 1)
        if p[0] == UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        for (n, seg) in segments.enumerated() {
            if n > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[seg]))
        }
        if p[p.count - 1] == UInt8(ascii: "/"), !segments.isEmpty { out.append(UInt8(ascii: "/")) }
        return out
    }
}
