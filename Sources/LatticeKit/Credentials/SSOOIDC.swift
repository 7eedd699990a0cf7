#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SigV4

/// IAM Identity Center's OIDC service, as the SSO token source calls it: CreateToken with the
/// refresh_token grant (an unsigned JSON POST whose body carries the client secret), through
/// the request pipeline.
struct SSOOIDCClient: Sendable {
    /// `sso_region`.
    var region: String
    var transport: any Transport
    var environment: RuntimeEnvironment
    var interceptors: [any Interceptor] = []

    private struct CreateTokenRequest: Encodable {
        var clientId: String
        var clientSecret: String
        var grantType = "refresh_token"
        var refreshToken: String
    }

    struct CreateTokenResponse: Decodable {
        var accessToken: String
        var expiresIn: Int
        var refreshToken: String?
    }

    enum Outcome {
        case refreshed(CreateTokenResponse)
        /// Why no new token was obtained, without secrets.
        case unavailable(String)
    }

    /// `https://oidc.{sso_region}.amazonaws.com`, or `AWS_ENDPOINT_URL_SSO_OIDC`.
    var endpoint: String {
        CredentialEndpoint.url(host: "oidc", region: region, variable: "AWS_ENDPOINT_URL_SSO_OIDC", variables: environment.variables)
    }

    /// A new access token; `attempts` below the retry configuration's (nil: as configured).
    /// Reasons never hold the refresh token, the client secret or `accessToken`.
    func createToken(clientId: String, clientSecret: String, refreshToken: String, accessToken: String?, attempts: Int?) async -> Outcome {
        let secrets = [refreshToken, clientSecret, accessToken ?? ""]
        let body: [UInt8]
        do {
            body = Array(try LatticeJSON.sharedEncoder.encode(CreateTokenRequest(clientId: clientId, clientSecret: clientSecret, refreshToken: refreshToken)))
        } catch {
            return .unavailable("the refresh request could not be encoded")
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        let pipeline = RequestPipeline.forCredentials(
            AWSService(name: "sso-oidc", endpoint: endpoint, signing: .none, errors: .restJSON),
            credentials: nil, transport: transport, environment: environment, interceptors: interceptors
        )
        let request = HTTPRequest(method: "POST", url: CredentialEndpoint.joining(endpoint, "/token"), headers: headers, body: body)
        let response: HTTPResponse
        do {
            response = try await pipeline.send(request, operation: "CreateToken", maxAttempts: attempts)
        } catch let error as AWSServiceError {
            return .unavailable("sso-oidc CreateToken answered HTTP \(error.httpStatus): \(SSOTokenCache.excerpt(Array(error.body.utf8), hiding: secrets))")
        } catch {
            return .unavailable("sso-oidc at \(endpoint) did not answer: \(SSOTokenCache.redact(ContainerCredentialsProvider.describe(error), secrets))")
        }
        guard let answer = try? JSONDecoder().decode(CreateTokenResponse.self, from: Data(response.body)),
            SettingText.nonEmpty(answer.accessToken) != nil, answer.expiresIn > 0,
            !answer.accessToken.contains(where: { $0 == "\r" || $0 == "\n" })
        else {
            return .unavailable("sso-oidc CreateToken answered HTTP \(response.status) without an accessToken and expiresIn")
        }
        return .refreshed(answer)
    }
}
