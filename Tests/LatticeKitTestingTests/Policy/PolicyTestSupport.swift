import Foundation
import LatticeKitTesting
import Testing

/// The names the policy tests share: the AWS documentation's fictitious account, service and
/// service network, callers, and a fixed clock.
enum Fixture {
    static let account = "123456789012"
    static let service = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0"
    static let otherService = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0fedcba9876543210"
    static let network = "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-0123456789abcdef0"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z

    /// The caller an ARN names (the test fails on an ARN that names none).
    static func caller(_ arn: String, roleArn: String? = nil, _ edit: (inout AuthRequest.Caller) -> Void = { _ in }) -> AuthRequest.Caller {
        guard var caller = AuthRequest.Caller(arn: arn, roleArn: roleArn) else {
            Issue.record("not a caller ARN: \(arn)")
            return .anonymous
        }
        edit(&caller)
        return caller
    }

    static let ratesClient = caller("arn:aws:sts::123456789012:assumed-role/rates-client/session-1")
    static let otherRole = caller("arn:aws:sts::123456789012:assumed-role/billing/session-1")
    static let user = caller("arn:aws:iam::123456789012:user/alice")
    static let foreignUser = caller("arn:aws:iam::999999999999:user/mallory")

    /// An Invoke of `Fixture.service` through `Fixture.network`.
    static func invoke(
        _ method: String = "GET", _ path: String = "/", caller: AuthRequest.Caller = ratesClient,
        service: String = Fixture.service, headers: [(name: String, value: String)] = [],
        query: [(name: String, value: String)] = [], port: Int? = 443, sourceVpc: String? = "vpc-1a2b3c4d",
        sourceIp: String? = "10.0.1.25", resourceTags: [String: String] = [:]
    ) -> AuthRequest {
        AuthRequest.invoke(
            serviceArn: service, serviceNetworkArn: network, method: method, path: path, headers: headers, query: query,
            port: port, caller: caller, sourceVpc: sourceVpc, sourceVpcOwnerAccount: sourceVpc == nil ? nil : account,
            sourceIp: sourceIp, secureTransport: true, resourceTags: resourceTags, now: now
        )
    }

    /// A policy the test wrote.
    static func policy(_ json: String, kind: AuthPolicy.Kind = .resourceBased) throws -> AuthPolicy {
        try AuthPolicy(json: json, kind: kind)
    }

    /// A one-statement Allow policy for Invoke on every resource, with this Condition block.
    static func allowWhen(_ condition: String) throws -> AuthPolicy {
        try policy(#"{"Version": "2012-10-17", "Statement": [{"Sid": "C", "Effect": "Allow", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*", "Condition": \#(condition)}]}"#)
    }
}
