#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An AWS Signature Version 4a signer: ECDSA P-256 with a key derived from the credentials,
/// valid in every region of a region set (`x-amz-region-set`) rather than in one region.
///
/// The canonical request is SigV4's (same options, same rules), with `x-amz-region-set` always
/// signed; the credential scope has no region (`yyyyMMdd/service/aws4_request`). The signing
/// time is always an argument. ECDSA signatures are randomized: signing the same request twice
/// gives two different, equally valid, signatures.
public struct SigV4aSigner: Sendable {
    public var credentials: SigV4Credentials
    public var service: String
    /// Regions or wildcard patterns (`us-east-1`, `us-*`, `*`), sent joined with `,`.
    public var regionSet: [String]
    public var options: SigV4Options
    public var cache: SigV4aKeyCache

    public static let algorithm = "AWS4-ECDSA-P256-SHA256"

    public init(
        credentials: SigV4Credentials,
        service: String,
        regionSet: [String],
        options: SigV4Options = SigV4Options(),
        cache: SigV4aKeyCache = .shared
    ) {
        self.credentials = credentials
        self.service = service
        self.regionSet = regionSet
        self.options = options
        self.cache = cache
    }

    /// The public key of these credentials, against which services verify the signatures.
    public func publicKey() throws(SigV4Error) -> SigV4aPublicKey {
        try cache.publicKey(for: credentials)
    }

    /// Signs `request` in place for the time `date`: sets `x-amz-date`, `x-amz-region-set`,
    /// `x-amz-security-token` (when the credentials have one), `x-amz-content-sha256` (when the
    /// options ask for it) and `authorization`, replacing earlier values, so a retried request
    /// can be signed again. On error the request is left as it was.
    @discardableResult
    public func sign(_ request: inout SigV4Request, payload: SigV4Payload = .empty, date: Date) throws(SigV4Error) -> SigV4SigningDetails {
        let amz = try AmzDate(date)
        let regions = try checkScope()
        let key = try cache.privateKey(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey)
        let payloadHash = SigV4Signer.payloadHash(payload)
        let token = credentials.sessionToken

        var signed = request
        signed.headers.remove(name: "authorization")
        signed.headers.remove(name: "x-amz-date")
        signed.headers.remove(name: "x-amz-region-set")
        if token != nil { signed.headers.remove(name: "x-amz-security-token") }
        if options.addContentSHA256Header { signed.headers.remove(name: "x-amz-content-sha256") }
        signed.headers.reserveCapacity(adding: 5)
        signed.headers.add(name: "x-amz-date", value: amz.dateTimeString)
        signed.headers.add(name: "x-amz-region-set", value: regions)
        if let token, !options.omitSessionTokenFromSigning {
            signed.headers.add(name: "x-amz-security-token", value: token)
        }
        if options.addContentSHA256Header {
            signed.headers.add(name: "x-amz-content-sha256", value: String(decoding: payloadHash, as: UTF8.self))
        }

        let details = try signCanonical(signed, key: key, payloadHash: payloadHash, amz: amz, presignQuery: nil)

        var authorization: [UInt8] = []
        authorization.reserveCapacity(160 + credentials.accessKeyId.utf8.count + details.signedHeadersRange.count + details.signatureRange.count)
        authorization.append(contentsOf: Self.algorithm.utf8)
        authorization.append(contentsOf: " Credential=".utf8)
        authorization.append(contentsOf: credentials.accessKeyId.utf8)
        authorization.append(UInt8(ascii: "/"))
        scheme.appendScope(amz, to: &authorization)
        authorization.append(contentsOf: ", SignedHeaders=".utf8)
        authorization.append(contentsOf: details.buffer[details.signedHeadersRange])
        authorization.append(contentsOf: ", Signature=".utf8)
        authorization.append(contentsOf: details.buffer[details.signatureRange])
        signed.headers.add(name: "authorization", value: String(decoding: authorization, as: UTF8.self))
        if let token, options.omitSessionTokenFromSigning {
            signed.headers.add(name: "x-amz-security-token", value: token)
        }
        request = signed
        return details
    }

    /// A presigned URL: the request's URL with `X-Amz-Algorithm`, `X-Amz-Credential`,
    /// `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`, `X-Amz-Security-Token`,
    /// `X-Amz-Region-Set` and `X-Amz-Signature` in its query. The request's headers are signed
    /// as `sign` would sign them (the region set goes in the query, not in a header); whoever
    /// uses the URL must send them.
    public func presign(
        _ request: SigV4Request,
        expires seconds: Int,
        payload: SigV4Payload = .empty,
        date: Date
    ) throws(SigV4Error) -> (url: String, details: SigV4SigningDetails) {
        guard seconds >= 1, seconds <= SigV4Signer.maxPresignExpiry else { throw .invalidExpiry(seconds: seconds) }
        let amz = try AmzDate(date)
        let regions = try checkScope()
        let key = try cache.privateKey(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey)
        let payloadHash = SigV4Signer.payloadHash(payload)
        var request = request
        request.headers.remove(name: "authorization")
        request.headers.remove(name: "x-amz-date")
        request.headers.remove(name: "x-amz-region-set")

        let builder = CanonicalRequestBuilder(options: options, scheme: scheme)
        guard let signedHeaders = builder.signedHeaderList(request) else { throw .invalidURL(request.url) }

        func param(_ name: String, _ value: some Collection<UInt8>, to out: inout [UInt8]) {
            if !out.isEmpty { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: "="))
            PercentEncoding.append(value, to: &out, keepSlash: false)
        }
        var credential: [UInt8] = Array(credentials.accessKeyId.utf8)
        credential.append(UInt8(ascii: "/"))
        scheme.appendScope(amz, to: &credential)
        // The URL lists the parameters in this order, as the AWS SDKs do; the signed query is
        // sorted anyway.
        var head: [UInt8] = []
        param("X-Amz-Algorithm", Self.algorithm.utf8, to: &head)
        param("X-Amz-Credential", credential, to: &head)
        param("X-Amz-Date", amz.dateTimeString.utf8, to: &head)
        param("X-Amz-SignedHeaders", signedHeaders, to: &head)
        param("X-Amz-Expires", String(seconds).utf8, to: &head)
        var tokenParam: [UInt8] = []
        if let token = credentials.sessionToken { param("X-Amz-Security-Token", token.utf8, to: &tokenParam) }
        var regionParam: [UInt8] = []
        param("X-Amz-Region-Set", regions.utf8, to: &regionParam)

        var signedQuery = head
        if !tokenParam.isEmpty, !options.omitSessionTokenFromSigning {
            signedQuery.append(UInt8(ascii: "&"))
            signedQuery.append(contentsOf: tokenParam)
        }
        signedQuery.append(UInt8(ascii: "&"))
        signedQuery.append(contentsOf: regionParam)

        let details = try signCanonical(request, key: key, payloadHash: payloadHash, amz: amz, presignQuery: signedQuery)

        let urlBytes = Array(request.url.utf8)
        let end = urlBytes.withUnsafeBufferPointer { URLParts($0)?.end } ?? urlBytes.count
        var url: [UInt8] = Array(urlBytes[0..<end])
        url.append(urlBytes[0..<end].contains(UInt8(ascii: "?")) ? UInt8(ascii: "&") : UInt8(ascii: "?"))
        url.append(contentsOf: head)
        if !tokenParam.isEmpty {
            url.append(UInt8(ascii: "&"))
            url.append(contentsOf: tokenParam)
        }
        url.append(UInt8(ascii: "&"))
        url.append(contentsOf: regionParam)
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: details.buffer[details.signatureRange])
        return (String(decoding: url, as: UTF8.self), details)
    }

    // MARK: - Internals

    /// SigV4a's string-to-sign algorithm and region-less scope; `x-amz-region-set` is signed.
    private var scheme: SigningScheme {
        SigningScheme(algorithm: Self.algorithm, region: nil, service: service, signsRegionSet: true)
    }

    /// Checks the service and the region set; returns the `x-amz-region-set` value.
    private func checkScope() throws(SigV4Error) -> String {
        if service.isEmpty { throw .missingScope("service name") }
        guard !regionSet.isEmpty else { throw .invalidRegionSet(regionSet) }
        for region in regionSet {
            let valid = !region.isEmpty && region.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7f && $0 != UInt8(ascii: ",") }
            if !valid { throw .invalidRegionSet(regionSet) }
        }
        return regionSet.joined(separator: ",")
    }

    /// Builds the canonical request and the string to sign, then signs the latter with ECDSA.
    private func signCanonical(
        _ request: SigV4Request,
        key: SigV4aPrivateKey,
        payloadHash: [UInt8],
        amz: AmzDate,
        presignQuery: [UInt8]?
    ) throws(SigV4Error) -> SigV4SigningDetails {
        let builder = CanonicalRequestBuilder(options: options, scheme: scheme)
        guard var built = builder.build(
            request, payloadHash: payloadHash, amz: amz, presignQuery: presignQuery,
            signatureCapacity: 2 * key.maxSignatureLength
        ) else {
            throw .invalidURL(request.url)
        }
        let stringToSign = built.stringToSignRange
        let signed: Result<[UInt8], SigV4Error> = built.buffer.withUnsafeBytes { bytes in
            Result { () throws(SigV4Error) -> [UInt8] in try key.sign(UnsafeRawBufferPointer(rebasing: bytes[stringToSign])) }
        }
        let der = try signed.get()
        der.withUnsafeBytes { Hex.append($0, to: &built.buffer) }
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

extension SigV4aSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SigV4aSigner(credentials: \(credentials), service: \(service), regionSet: \(regionSet))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["credentials": credentials, "service": service, "regionSet": regionSet, "options": options],
            displayStyle: .struct
        )
    }
}
