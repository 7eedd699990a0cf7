#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One AWS service as the request pipeline sees it: how its requests are signed, where they
/// go, and how its error answers read. Every AWS call LatticeKit makes is described by one:
/// vpc-lattice (`LatticeClient`), STS (`AssumeRole`, `AssumeRoleWithWebIdentity`), the IAM
/// Identity Center portal (`GetRoleCredentials`) and its OIDC service (`CreateToken`).
package struct AWSService: Sendable {
    /// How requests prove who sends them.
    package enum Signing: Sendable, Hashable {
        /// Not signed: the call carries its own proof (the SSO portal's bearer token header,
        /// OIDC's client secret in the body, a web identity token) or needs none.
        case none
        /// SigV4 for one region under the signing name (`vpc-lattice`, `sts`); with
        /// `unsignedPayload`, the body is not hashed (`UNSIGNED-PAYLOAD`, as data-plane calls
        /// to Lattice services sign).
        case sigV4(name: String, region: String, unsignedPayload: Bool = false)
        /// SigV4a for a set of regions (`us-east-1`, `us-*`, `*`).
        case sigV4a(name: String, regionSet: [String], unsignedPayload: Bool = false)
    }

    /// The error format of the service's protocol.
    package enum Errors: Sendable, Hashable {
        /// rest-json and JSON 1.1 (vpc-lattice, the SSO portal, SSO-OIDC): `x-amzn-ErrorType`
        /// or the body's `code`/`__type`, and `message`.
        case restJSON
        /// The query protocol (STS): `<ErrorResponse><Error><Code>…</Code><Message>…`.
        case query
        /// Every complete response is the caller's answer, whatever its status (a Lattice
        /// service's own 404 is not an AWS error): throttling and server errors (429, 500,
        /// 502, 503, 504) are retried, and when retries end the last response is returned.
        /// Read as rest-json only to decide whether to retry.
        case answers

        func decode(_ response: HTTPResponse, now: Date) -> AWSServiceError {
            switch self {
            case .restJSON, .answers: AWSServiceError(response: response, now: now)
            case .query: AWSServiceError(queryResponse: response, now: now)
            }
        }
    }

    /// The name interceptors and logs see: `vpc-lattice`, `sts`, `sso`, `sso-oidc`.
    package var name: String
    /// `scheme://host[:port][/base path]`, no trailing slash needed.
    package var endpoint: String
    package var signing: Signing
    package var errors: Errors
    /// Whether the pipeline adds `user-agent` (`RequestPipeline.userAgent`) when the request
    /// has none. False for the SSO portal's GetRoleCredentials, which has always gone out with
    /// its bearer token as its only header.
    package var sendsUserAgent: Bool

    package init(name: String, endpoint: String, signing: Signing, errors: Errors, sendsUserAgent: Bool = true) {
        self.name = name
        self.endpoint = endpoint
        self.signing = signing
        self.errors = errors
        self.sendsUserAgent = sendsUserAgent
    }
}
