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
    /// The credentials to sign with.
    public var credentials: SigV4Credentials
    /// The region of the credential scope, such as `us-east-1`.
    public var region: String
    /// The signing name of the service, such as `vpc-lattice`.
    public var service: String
    /// How the canonical request is built.
    public var options: SigV4Options
    /// Derived signing keys (one per key, date, region and service), shared between signers.
    public var cache: SigningKeyCache

    /// The `Authorization` header's algorithm for SigV4.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash that says the body is not signed (`x-amz-content-sha256` and the canonical request).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The longest lifetime of a presigned URL: 7 days.
    public static let maxPresignExpiry = 604_800

    /// A SigV4 signer for one region and service.
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
        return try core.sign(&request, payloadHash: Self.payloadHash(payload), amz: amz, signer: signer(amz))
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
        return try core.presign(request, expires: seconds, payloadHash: Self.payloadHash(payload), amz: amz, signer: signer(amz))
    }

    // MARK: - Internals

    private func checkScope() throws(SigV4Error) {
        if region.isEmpty { throw .missingScope("region") }
        if service.isEmpty { throw .missingScope("service name") }
    }

    private var core: SignerCore {
        SignerCore(
            credentials: credentials, options: options,
            scheme: SigningScheme(algorithm: Self.algorithm, region: region, service: service, signsRegionSet: false),
            regionSet: nil
        )
    }

    private func signer(_ amz: AmzDate) -> HMACSigner {
        HMACSigner(key: cache.signingKey(secret: credentials.secretAccessKey, date: amz, region: region, service: service))
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
}
