import Testing
@testable import LatticeKit

@Suite("Retry classification")
struct RetryClassificationTests {
    static let throttlingCodes = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    @Test("Each AWS throttling code is throttling, whatever the status", arguments: throttlingCodes)
    func throttlingCode(_ code: String) {
        #expect(RetryClassification(AWSServiceError(code: code, httpStatus: 400)) == .throttling)
    }

    @Test("HTTP 429 is throttling even without a known code")
    func status429() {
        #expect(RetryClassification(AWSServiceError(code: "HTTP 429", httpStatus: 429)) == .throttling)
    }

    @Test("Transient statuses are retried", arguments: [500, 502, 503, 504])
    func transientStatus(_ status: Int) {
        #expect(RetryClassification(AWSServiceError(code: "HTTP \(status)", httpStatus: status)) == .transient)
    }

    @Test("Transient codes are retried at any status", arguments: [
        "InternalServerException", "InternalFailure", "ServiceUnavailable", "RequestTimeout",
        "RequestTimeoutException",
    ])
    func transientCode(_ code: String) {
        #expect(RetryClassification(AWSServiceError(code: code, httpStatus: 400)) == .transient)
    }

    @Test("Clock-skew codes ask for a skew correction", arguments: [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture",
    ])
    func clockSkewCode(_ code: String) {
        #expect(RetryClassification(AWSServiceError(code: code, httpStatus: 403)) == .clockSkew)
    }

    @Test("Connection failures (DNS included) are transient", arguments: [
        TransportError.Kind.connectFailed, .connectionLost, .dnsFailure,
    ])
    func transientTransport(_ kind: TransportError.Kind) {
        #expect(RetryClassification(TransportError(kind, "x")) == .transient)
    }

    @Test("Connect and read timeouts are timeouts (higher quota cost)", arguments: [
        TransportError.Kind.connectTimeout, .readTimeout,
    ])
    func timeoutTransport(_ kind: TransportError.Kind) {
        #expect(RetryClassification(TransportError(kind, "x")) == .timeout)
    }

    @Test("TLS, oversize, cancelled, invalid and unknown transport failures are final", arguments: [
        TransportError.Kind.tls, .responseTooLarge, .cancelled, .invalidRequest, .other,
    ])
    func finalTransport(_ kind: TransportError.Kind) {
        #expect(RetryClassification(TransportError(kind, "x")) == .notRetryable)
    }

    @Test("Other 4xx and 5xx responses are final", arguments: [
        (400, "ValidationException"), (401, "UnrecognizedClientException"), (403, "AccessDeniedException"),
        (404, "ResourceNotFoundException"), (409, "ConflictException"),
        (402, "ServiceQuotaExceededException"), (413, "HTTP 413"), (501, "HTTP 501"), (505, "HTTP 505"),
    ])
    func finalResponse(_ status: Int, _ code: String) {
        #expect(RetryClassification(AWSServiceError(code: code, httpStatus: status)) == .notRetryable)
    }

    @Test("Cancellation and errors of other types are final")
    func otherErrors() {
        struct Unrelated: Error {}
        #expect(RetryClassification(CancellationError()) == .notRetryable)
        #expect(RetryClassification(Unrelated()) == .notRetryable)
    }

    @Test("A throttling code on a 5xx is throttling, not transient")
    func throttlingWins() {
        #expect(RetryClassification(AWSServiceError(code: "SlowDown", httpStatus: 503)) == .throttling)
    }
}
