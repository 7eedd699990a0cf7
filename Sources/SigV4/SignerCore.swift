/// What SigV4 and SigV4a share around the canonical request: the headers a signature sets, the
/// `Authorization` value and presigned URLs. The two signers differ only in their
/// `SigningScheme` (algorithm and scope), the region set SigV4a adds, and how the string to
/// sign becomes a signature (`StringToSignSigner`).
struct SignerCore {
    let credentials: SigV4Credentials
    let options: SigV4Options
    let scheme: SigningScheme
    /// SigV4a's `x-amz-region-set` value; nil for SigV4.
    let regionSet: String?

    /// Sets `x-amz-date`, `x-amz-region-set` (SigV4a), `x-amz-security-token`,
    /// `x-amz-content-sha256` (when the options ask) and `authorization`, replacing earlier
    /// values. The caller has checked everything that can fail before the signature itself.
    func sign(
        _ request: inout SigV4Request,
        payloadHash: [UInt8],
        amz: AmzDate,
        signer: some StringToSignSigner
    ) throws(SigV4Error) -> SigV4SigningDetails {
        let token = credentials.sessionToken
        request.headers.remove(name: "authorization")
        request.headers.remove(name: "x-amz-date")
        if regionSet != nil { request.headers.remove(name: "x-amz-region-set") }
        if token != nil { request.headers.remove(name: "x-amz-security-token") }
        if options.addContentSHA256Header { request.headers.remove(name: "x-amz-content-sha256") }
        request.headers.reserveCapacity(adding: regionSet == nil ? 4 : 5)
        request.headers.add(name: "x-amz-date", value: amz.dateTimeString)
        if let regionSet { request.headers.add(name: "x-amz-region-set", value: regionSet) }
        if let token, !options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        if options.addContentSHA256Header {
            request.headers.add(name: "x-amz-content-sha256", value: String(decoding: payloadHash, as: UTF8.self))
        }

        let details = try signCanonical(request, payloadHash: payloadHash, amz: amz, presignQuery: nil, signer: signer)
        request.headers.add(name: "authorization", value: authorization(amz, details))
        if let token, options.omitSessionTokenFromSigning {
            request.headers.add(name: "x-amz-security-token", value: token)
        }
        return details
    }

    /// `ALGORITHM Credential=AKID/scope, SignedHeaders=..., Signature=...`, written in one
    /// allocation.
    private func authorization(_ amz: AmzDate, _ details: SigV4SigningDetails) -> String {
        let length = scheme.algorithm.utf8.count + " Credential=".utf8.count + credentials.accessKeyId.utf8.count + 1
            + scheme.scopeLength + ", SignedHeaders=".utf8.count + details.signedHeadersRange.count
            + ", Signature=".utf8.count + details.signatureRange.count
        return String(unsafeUninitializedCapacity: length) { buffer in
            var w = BufferWriter(buffer)
            w.appendUTF8(scheme.algorithm)
            w.appendUTF8(" Credential=")
            w.appendUTF8(credentials.accessKeyId)
            w.append(UInt8(ascii: "/"))
            scheme.appendScope(amz, to: &w)
            w.appendUTF8(", SignedHeaders=")
            details.buffer.withUnsafeBufferPointer {
                w.append(UnsafeBufferPointer(rebasing: $0[details.signedHeadersRange]))
                w.appendUTF8(", Signature=")
                w.append(UnsafeBufferPointer(rebasing: $0[details.signatureRange]))
            }
            return w.count
        }
    }

    /// A presigned URL: the request's URL with `X-Amz-Algorithm`, `X-Amz-Credential`,
    /// `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`, then `X-Amz-Security-Token` and
    /// `X-Amz-Region-Set` when there are any, and `X-Amz-Signature`, in that order (as the AWS
    /// SDKs write them; the signed query is sorted anyway).
    func presign(
        _ request: SigV4Request,
        expires seconds: Int,
        payloadHash: [UInt8],
        amz: AmzDate,
        signer: some StringToSignSigner
    ) throws(SigV4Error) -> (url: String, details: SigV4SigningDetails) {
        var request = request
        request.headers.remove(name: "authorization")
        request.headers.remove(name: "x-amz-date")
        if regionSet != nil { request.headers.remove(name: "x-amz-region-set") }

        // The signed-headers list goes into the query, so it is computed first.
        guard let signedHeaders = CanonicalRequestBuilder(options: options, scheme: scheme).signedHeaderList(request) else {
            throw .invalidURL(request.url)
        }
        var credential: [UInt8] = Array(credentials.accessKeyId.utf8)
        credential.append(UInt8(ascii: "/"))
        scheme.appendScope(amz, to: &credential)
        var query: [UInt8] = []
        Self.appendParameter("X-Amz-Algorithm", scheme.algorithm.utf8, to: &query)
        Self.appendParameter("X-Amz-Credential", credential, to: &query)
        Self.appendParameter("X-Amz-Date", amz.dateTimeString.utf8, to: &query)
        Self.appendParameter("X-Amz-SignedHeaders", signedHeaders, to: &query)
        Self.appendParameter("X-Amz-Expires", String(seconds).utf8, to: &query)
        // The token is in the URL either way; it is signed unless the options say not to.
        let token = credentials.sessionToken
        let tokenSigned = !options.omitSessionTokenFromSigning
        if let token, tokenSigned { Self.appendParameter("X-Amz-Security-Token", token.utf8, to: &query) }
        let regionStart = query.count
        if let regionSet { Self.appendParameter("X-Amz-Region-Set", regionSet.utf8, to: &query) }

        let details = try signCanonical(request, payloadHash: payloadHash, amz: amz, presignQuery: query, signer: signer)

        let urlBytes = Array(request.url.utf8)
        let end = urlBytes.withUnsafeBufferPointer { URLParts($0)?.end } ?? urlBytes.count
        var url: [UInt8] = Array(urlBytes[0..<end])
        url.append(urlBytes[0..<end].contains(UInt8(ascii: "?")) ? UInt8(ascii: "&") : UInt8(ascii: "?"))
        url.append(contentsOf: query[..<regionStart])
        if let token, !tokenSigned { Self.appendParameter("X-Amz-Security-Token", token.utf8, to: &url) }
        url.append(contentsOf: query[regionStart...])
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: details.buffer[details.signatureRange])
        return (String(decoding: url, as: UTF8.self), details)
    }

    /// Appends `&name=value` (no `&` at the start of a query), the value percent-encoded.
    private static func appendParameter(_ name: String, _ value: some Collection<UInt8>, to out: inout [UInt8]) {
        if let last = out.last, last != UInt8(ascii: "?"), last != UInt8(ascii: "&") { out.append(UInt8(ascii: "&")) }
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "="))
        PercentEncoding.append(value, to: &out, keepSlash: false)
    }

    /// Builds the canonical request and the string to sign, then appends the signature.
    private func signCanonical(
        _ request: SigV4Request,
        payloadHash: [UInt8],
        amz: AmzDate,
        presignQuery: [UInt8]?,
        signer: some StringToSignSigner
    ) throws(SigV4Error) -> SigV4SigningDetails {
        let builder = CanonicalRequestBuilder(options: options, scheme: scheme)
        guard var built = builder.build(request, payloadHash: payloadHash, amz: amz, presignQuery: presignQuery, signatureCapacity: signer.maxSignatureLength) else {
            throw .invalidURL(request.url)
        }
        let stringToSign = built.stringToSignRange
        try signer.appendSignature(of: stringToSign, in: &built.buffer)
        return SigV4SigningDetails(
            buffer: built.buffer,
            canonicalRange: built.canonicalRange,
            stringToSignRange: stringToSign,
            signatureRange: stringToSign.upperBound..<built.buffer.count,
            signedHeadersRange: built.signedHeadersRange,
            sessionToken: credentials.sessionToken
        )
    }
}

/// How a signer turns the string to sign into its signature.
protocol StringToSignSigner {
    /// The most bytes the hex signature takes, so the buffer is allocated once.
    var maxSignatureLength: Int { get }
    /// Signs `buffer[range]` and appends the lowercase hex signature to `buffer`.
    func appendSignature(of range: Range<Int>, in buffer: inout [UInt8]) throws(SigV4Error)
}

/// SigV4: HMAC-SHA256 with the derived signing key.
struct HMACSigner: StringToSignSigner {
    let key: HMACKey

    var maxSignatureLength: Int { 2 * Digest.length }

    @inline(__always)
    func appendSignature(of range: Range<Int>, in buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Digest.length) { mac in
            buffer.withUnsafeBytes { key.authenticate(UnsafeRawBufferPointer(rebasing: $0[range]), into: mac.baseAddress!) }
            Hex.append(UnsafeRawBufferPointer(mac), to: &buffer)
        }
    }
}

/// SigV4a: ECDSA P-256 with the key derived from the credentials (DER, in hex).
struct ECDSASigner: StringToSignSigner {
    let key: SigV4aPrivateKey

    var maxSignatureLength: Int { 2 * key.maxSignatureLength }

    func appendSignature(of range: Range<Int>, in buffer: inout [UInt8]) throws(SigV4Error) {
        let signed: Result<[UInt8], SigV4Error> = buffer.withUnsafeBytes { bytes in
            Result { () throws(SigV4Error) -> [UInt8] in try key.sign(UnsafeRawBufferPointer(rebasing: bytes[range])) }
        }
        let der = try signed.get()
        der.withUnsafeBytes { Hex.append($0, to: &buffer) }
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

