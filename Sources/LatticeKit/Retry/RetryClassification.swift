/// What a failed attempt means for retrying.
enum RetryClassification: Sendable, Hashable {
    /// The service asked the client to slow down: retry, and in adaptive mode send slower.
    case throttling
    /// A server-side or network fault that may pass: retry.
    case transient
    /// A connect, read or attempt timeout, or a response below the minimum rate: retry, at the
    /// higher quota cost.
    case timeout
    /// The signing time was off: retry once with the clock corrected from the `Date` header.
    case clockSkew
    /// The credentials were rejected as expired or unknown: retry once with fresh ones, when
    /// their source can be refreshed (final otherwise).
    case expiredCredentials
    /// Final: client errors, cancellation, TLS, oversize responses, and errors of other kinds.
    case notRetryable

    init(_ error: any Error) {
        switch error {
        case let error as AWSServiceError: self = Self.classify(error)
        case let error as TransportError: self = Self.classify(error.kind)
        default: self = .notRetryable
        }
    }

    static func classify(_ error: AWSServiceError) -> RetryClassification {
        if error.httpStatus == 429 || throttlingCodes.contains(error.code) { return .throttling }
        if clockSkewCodes.contains(error.code) { return .clockSkew }
        if expiredCredentialsCodes.contains(error.code) { return .expiredCredentials }
        if transientStatuses.contains(error.httpStatus) || transientCodes.contains(error.code) { return .transient }
        return .notRetryable
    }

    /// DNS failures are retried like connection failures, as botocore and the Java SDK do:
    /// resolvers time out now and then (busy container DNS, `EAI_AGAIN`), and libcurl does not
    /// tell that from an unknown name. A misspelt endpoint costs two backoffs (about 1.5 s on
    /// average) before its error, which names the host. `other` is not retried: the transport
    /// maps every failure known to be transient to one of the named kinds.
    static func classify(_ kind: TransportError.Kind) -> RetryClassification {
        switch kind {
        case .connectFailed, .connectionLost, .dnsFailure: return .transient
        case .connectTimeout, .readTimeout, .tooSlow, .attemptTimeout: return .timeout
        // The call's own time is up: another attempt could not finish either.
        case .callTimeout, .tls, .responseTooLarge, .cancelled, .invalidRequest, .other: return .notRetryable
        }
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    static let transientCodes: Set<String> = [
        "InternalServerException", "InternalFailure", "ServiceUnavailable", "RequestTimeout",
        "RequestTimeoutException",
    ]

    static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture",
    ]

    /// Credentials the service no longer accepts: temporary credentials past their expiry
    /// (`ExpiredToken` from the query protocol's services such as STS, `ExpiredTokenException`
    /// from the JSON ones such as vpc-lattice), and an access key id it does not know
    /// (`InvalidClientTokenId`, which STS and others answer for a session that is over).
    /// `RequestExpired` is not here: it says the request's timestamp is too old, which is clock
    /// skew (see `clockSkewCodes`), and new credentials would be signed with the same clock.
    static let expiredCredentialsCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"]
}
