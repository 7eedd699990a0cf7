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
    /// The credentials the key pair is derived from.
    public var credentials: SigV4Credentials
    /// The signing name of the service, such as `vpc-lattice`.
    public var service: String
    /// Regions or wildcard patterns (`us-east-1`, `us-*`, `*`), sent joined with `,`.
    public var regionSet: [String]
    /// How the canonical request is built.
    public var options: SigV4Options
    /// Derived key pairs, shared between signers to skip the costly derivation.
    public var cache: SigV4aKeyCache

    /// The `Authorization` header's algorithm for SigV4a.
    public static let algorithm = "AWS4-ECDSA-P256-SHA256"

    /// A SigV4a signer: it signs for a set of regions, not one.
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
        // ECDSA can still fail after the headers are set: sign a copy.
        var signed = request
        let details = try core(regions).sign(&signed, payloadHash: SigV4Signer.payloadHash(payload), amz: amz, signer: ECDSASigner(key: key))
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
        return try core(regions).presign(request, expires: seconds, payloadHash: SigV4Signer.payloadHash(payload), amz: amz, signer: ECDSASigner(key: key))
    }

    // MARK: - Internals

    /// SigV4a's string-to-sign algorithm and region-less scope; `x-amz-region-set` is signed.
    private func core(_ regions: String) -> SignerCore {
        SignerCore(
            credentials: credentials, options: options,
            scheme: SigningScheme(algorithm: Self.algorithm, region: nil, service: service, signsRegionSet: true),
            regionSet: regions
        )
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
