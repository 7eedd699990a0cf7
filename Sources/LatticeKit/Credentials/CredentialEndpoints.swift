/// Endpoints of the AWS services credential providers call (STS, IAM Identity Center's portal
/// and OIDC), built without the endpoint rules: these services need only the host pattern
/// and the China partition's suffix.
enum CredentialEndpoint {
    /// `amazonaws.com.cn` for China regions (`cn-...`), else `amazonaws.com`.
    static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    /// The non-empty value of the `AWS_ENDPOINT_URL_<SERVICE>` variable `variable`, else
    /// `https://{host}.{region}.{suffix}`.
    static func url(host: String, region: String, variable: String, variables: [String: String]) -> String {
        SettingText.nonEmpty(variables[variable]) ?? "https://\(host).\(region).\(dnsSuffix(region: region))"
    }

    /// `base` (an endpoint, perhaps with a path prefix or a trailing slash) followed by `path`.
    static func joining(_ base: String, _ path: String) -> String {
        var base = Substring(base)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + path
    }
}

extension RequestPipeline {
    /// The pipeline for one credential fetch's AWS call (STS, IAM Identity Center): retried as
    /// `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE` say (else 3 attempts, standard), with a retry
    /// quota and clock-skew offset of its own. A fetch is rare (credentials last an hour or
    /// more), so nothing is kept between fetches.
    static func forCredentials(
        _ service: AWSService,
        credentials: (any CredentialsProvider)?,
        transport: any Transport,
        environment: RuntimeEnvironment,
        interceptors: [any Interceptor]
    ) -> RequestPipeline {
        let retry = (try? RetryConfiguration.resolve(variables: environment.variables)) ?? RetryConfiguration()
        return RequestPipeline(
            service: service, transport: transport, credentials: credentials,
            retry: RetryStrategy(configuration: retry, environment: environment),
            interceptors: interceptors, environment: environment
        )
    }
}
