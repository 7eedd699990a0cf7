public import SigV4

/// What every error LatticeKit throws has in common, so that one `catch` reads any of them:
///
/// ```swift
/// do {
///     _ = try await client.getService(GetServiceRequest(serviceIdentifier: id))
/// } catch let error as LatticeError {
///     print(error.errorCode, error.httpStatusCode ?? 0, error.requestId ?? "-", error.errorMessage)
/// }
/// ```
///
/// The service's errors (``AWSServiceError`` and the modeled ones such as
/// ``ResourceNotFoundException``) have all five properties; errors raised before anything was
/// sent (``ConfigurationError``, ``LatticeValidationError``, ``EndpointError``) or by the
/// helpers around calls (``WaiterError``, ``LatticePaginationError``, ``MissingMemberError``)
/// have a code and a message, and nil where the rest does not apply. Catch the concrete type
/// for its own fields (a validation error's issues, a waiter's last state).
public protocol LatticeError: Error, CustomStringConvertible, Sendable {
    /// A code to branch on: the service's error code (`ResourceNotFoundException`,
    /// `ThrottlingException`), else the error's type and kind (`ConfigurationError.noRegion`,
    /// `TransportError.connectFailed`).
    var errorCode: String { get }
    /// What went wrong and what to do, as the service or LatticeKit said it; never a secret.
    var errorMessage: String { get }
    /// The service's request id, when the error came in its answer: quote it to AWS support.
    var requestId: String? { get }
    /// The HTTP status of the service's answer; nil when there was no answer.
    var httpStatusCode: Int? { get }
    /// Whether the retry loop treats the error as retryable (throttling, a transient failure);
    /// nil where retrying does not apply. A final error that was retryable means the attempts,
    /// the retry quota or the call's time ran out.
    var isRetryable: Bool? { get }
}

extension LatticeError {
    /// The error's description.
    public var errorMessage: String { description }
    /// None: the error did not come in an answer of the service.
    public var requestId: String? { nil }
    /// None: the error did not come in an answer of the service.
    public var httpStatusCode: Int? { nil }
    /// Not applicable.
    public var isRetryable: Bool? { nil }
}

extension AWSServiceError: LatticeError {
    /// ``code``.
    public var errorCode: String { code }
    /// The service's message; the description when it sent none.
    public var errorMessage: String { message ?? description }
    /// ``httpStatus``.
    public var httpStatusCode: Int? { httpStatus }
    /// Whether the status or code is one the retry loop retries (throttling, 5xx, clock skew).
    public var isRetryable: Bool? { RetryClassification.classify(self) != .notRetryable }
}

extension LatticeModeledError {
    /// The modeled error's code, such as `ResourceNotFoundException`.
    public var errorCode: String { Self.code }
    /// The service's message; the code when it sent none.
    public var errorMessage: String { message ?? Self.code }
    /// The request id of the answer the error came in.
    public var requestId: String? { serviceError?.requestId }
    /// The HTTP status of the answer the error came in.
    public var httpStatusCode: Int? { serviceError?.httpStatus }
    /// Whether the retry loop retries this code and status (throttling, internal errors).
    public var isRetryable: Bool? { serviceError?.isRetryable }
}

extension ConfigurationError: LatticeError {
    /// `ConfigurationError.` and the kind, such as `ConfigurationError.noRegion`.
    public var errorCode: String { "ConfigurationError.\(kind.rawValue)" }
    /// ``message``.
    public var errorMessage: String { message }
}

extension TransportError: LatticeError {
    /// `TransportError.` and the kind, such as `TransportError.connectFailed`.
    public var errorCode: String { "TransportError.\(kind.rawValue)" }
    /// ``message``.
    public var errorMessage: String { message }
    /// Whether the retry loop retries this kind (connection failures and timeouts before a full response).
    public var isRetryable: Bool? { RetryClassification.classify(kind) != .notRetryable }
}

extension LatticeValidationError: LatticeError {
    /// `LatticeValidationError`.
    public var errorCode: String { "LatticeValidationError" }
    /// Never: nothing was sent, and the same input fails the same way.
    public var isRetryable: Bool? { false }
}

extension LatticeDecodingError: LatticeError {
    /// `LatticeDecodingError`.
    public var errorCode: String { "LatticeDecodingError" }
    /// The 2xx status of the answer that could not be decoded.
    public var httpStatusCode: Int? { status }
    /// Never: the service answered with success, and sending again could repeat a change.
    public var isRetryable: Bool? { false }
}

extension LatticePaginationError: LatticeError {
    /// `LatticePaginationError.repeatedToken` or `LatticePaginationError.tooManyPages`.
    public var errorCode: String {
        switch problem {
        case .repeatedToken: return "LatticePaginationError.repeatedToken"
        case .tooManyPages: return "LatticePaginationError.tooManyPages"
        }
    }
}

extension WaiterError: LatticeError {
    /// `WaiterError.` and the kind, such as `WaiterError.timedOut`.
    public var errorCode: String { "WaiterError.\(kind.rawValue)" }
}

extension MissingMemberError: LatticeError {
    /// `MissingMemberError`.
    public var errorCode: String { "MissingMemberError" }
}

extension EndpointError: LatticeError {
    /// `EndpointError.` and the kind, such as `EndpointError.invalidRegion`.
    public var errorCode: String { "EndpointError.\(kind.rawValue)" }
}

extension RetryConfigurationError: LatticeError {
    /// `RetryConfigurationError`.
    public var errorCode: String { "RetryConfigurationError" }
}

extension SigV4Error: LatticeError {
    /// `SigV4Error.` and the case, such as `SigV4Error.invalidURL`.
    public var errorCode: String {
        switch self {
        case .invalidURL: return "SigV4Error.invalidURL"
        case .invalidExpiry: return "SigV4Error.invalidExpiry"
        case .missingScope: return "SigV4Error.missingScope"
        case .invalidDate: return "SigV4Error.invalidDate"
        case .invalidRegionSet: return "SigV4Error.invalidRegionSet"
        case .keyDerivationFailed: return "SigV4Error.keyDerivationFailed"
        case .cryptoFailure: return "SigV4Error.cryptoFailure"
        }
    }
}
