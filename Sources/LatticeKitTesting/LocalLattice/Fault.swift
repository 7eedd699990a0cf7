#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit

/// An error answer of the local Lattice: the code for `x-amzn-ErrorType`, the HTTP status,
/// the message and the modeled members of the error's shape (fieldList, resourceId, ...).
struct ServiceFault: Error, Sendable {
    var code: String
    var status: Int
    var message: String
    var fields: [String: JSONValue] = [:]
    /// Seconds for a `Retry-After` header (throttling and internal errors).
    var retryAfterSeconds: Int?

    /// The JSON body: `message` plus the modeled members.
    var body: [UInt8] {
        var object = fields
        object["message"] = .string(message)
        return (try? Array(LatticeJSON.encoder().encode(JSONValue.object(object)))) ?? Array(#"{"message":"internal error"}"#.utf8)
    }

    // MARK: The service's modeled errors

    /// 404: no resource of `kind` with this identifier (ID or ARN) in this account and region.
    static func notFound(_ kind: ResourceKind, _ identifier: String, _ message: String? = nil) -> ServiceFault {
        ServiceFault(
            code: "ResourceNotFoundException", status: 404,
            message: message ?? "\(kind.noun.prefix(1).uppercased() + kind.noun.dropFirst()) \(identifier) not found.",
            fields: ["resourceId": .string(identifier), "resourceType": .string(kind.rawValue)])
    }

    /// 409: the request conflicts with the resource's current state (a name in use, dependents).
    static func conflict(_ message: String, _ kind: ResourceKind, _ identifier: String) -> ServiceFault {
        ServiceFault(code: "ConflictException", status: 409, message: message,
                     fields: ["resourceId": .string(identifier), "resourceType": .string(kind.rawValue)])
    }

    /// 400 with `reason` and `fieldList` ({name, message} per field).
    static func validation(_ message: String, reason: ValidationExceptionReason = .fieldValidationFailed, fields: [(name: String, message: String)] = []) -> ServiceFault {
        var body: [String: JSONValue] = ["reason": .string(reason.rawValue)]
        if !fields.isEmpty {
            body["fieldList"] = .array(fields.map { .object(["name": .string($0.name), "message": .string($0.message)]) })
        }
        return ServiceFault(code: "ValidationException", status: 400, message: message, fields: body)
    }

    /// 400 naming one invalid field.
    static func invalid(_ field: String, _ message: String) -> ServiceFault {
        validation("Invalid parameter \(field): \(message)", fields: [(field, message)])
    }

    /// 402: a quota of the account would be exceeded.
    static func quota(_ message: String, _ kind: ResourceKind, _ identifier: String) -> ServiceFault {
        ServiceFault(code: "ServiceQuotaExceededException", status: 402, message: message,
                     fields: ["resourceId": .string(identifier), "resourceType": .string(kind.rawValue), "serviceCode": .string("vpc-lattice")])
    }

    /// 403: the caller may not touch this resource (another account's ARN).
    static func accessDenied(_ message: String) -> ServiceFault {
        ServiceFault(code: "AccessDeniedException", status: 403, message: message)
    }

    /// 403: the caller's IAM policy does not allow the action, in IAM's words. The local
    /// Lattice knows no users or roles, so the principal is a fixed name in the account.
    static func notAuthorized(_ action: String, _ decision: IdentityPolicy.Decision, account: String) -> ServiceFault {
        let principal = "arn:aws:iam::\(account):user/local-lattice-caller"
        let reason: String
        switch decision {
        case let .explicitlyDenied(sid): reason = "with an explicit deny in an identity-based policy" + (sid.map { " (statement \($0))" } ?? "")
        case .implicitlyDenied, .allowed: reason = "because no identity-based policy allows the \(action) action"
        }
        return accessDenied("User: \(principal) is not authorized to perform: \(action) \(reason)")
    }

    /// 500: a bug of the local Lattice itself, reported as the service would.
    static func internalError(_ message: String) -> ServiceFault {
        ServiceFault(code: "InternalServerException", status: 500, message: message)
    }

    /// The answer for a fault the configuration injects.
    static func injected(_ fault: LocalLattice.InjectedFault, operation: String) -> ServiceFault {
        switch fault {
        case let .throttling(seconds):
            ServiceFault(code: "ThrottlingException", status: 429, message: "Rate exceeded for \(operation).",
                         fields: ["serviceCode": .string("vpc-lattice")], retryAfterSeconds: seconds)
        case let .internalError(seconds):
            ServiceFault(code: "InternalServerException", status: 500, message: "An internal error occurred in \(operation).", retryAfterSeconds: seconds)
        case .accessDenied:
            ServiceFault(code: "AccessDeniedException", status: 403, message: "User is not authorized to perform vpc-lattice:\(operation).")
        }
    }

    // MARK: Signature checks (the answers API Gateway-fronted services give)

    static func missingToken() -> ServiceFault {
        ServiceFault(code: "MissingAuthenticationTokenException", status: 403, message: "Missing Authentication Token")
    }

    static func incompleteSignature(_ message: String) -> ServiceFault {
        ServiceFault(code: "IncompleteSignatureException", status: 403, message: message)
    }

    static func invalidSignature(_ message: String) -> ServiceFault {
        ServiceFault(code: "InvalidSignatureException", status: 403, message: message)
    }
}

/// The resource types, as error answers name them (`resourceType`), with their ID prefixes
/// and ARN resource types.
enum ResourceKind: String, Sendable, CaseIterable {
    case serviceNetwork = "SERVICE_NETWORK"
    case service = "SERVICE"
    case targetGroup = "TARGET_GROUP"
    case listener = "LISTENER"
    case rule = "RULE"
    case serviceNetworkServiceAssociation = "SERVICE_NETWORK_SERVICE_ASSOCIATION"
    case serviceNetworkVpcAssociation = "SERVICE_NETWORK_VPC_ASSOCIATION"
    case serviceNetworkResourceAssociation = "SERVICE_NETWORK_RESOURCE_ASSOCIATION"
    case accessLogSubscription = "ACCESS_LOG_SUBSCRIPTION"
    case resourceGateway = "RESOURCE_GATEWAY"
    case resourceConfiguration = "RESOURCE_CONFIGURATION"
    case resourceEndpointAssociation = "RESOURCE_ENDPOINT_ASSOCIATION"
    case domainVerification = "DOMAIN_VERIFICATION"
    case serviceNetworkEndpointAssociation = "SERVICE_NETWORK_ENDPOINT_ASSOCIATION"
    case authPolicy = "AUTH_POLICY"
    case resourcePolicy = "RESOURCE_POLICY"
    case target = "TARGET"

    /// The ID prefix (before `-` and 17 characters).
    var prefix: String {
        switch self {
        case .serviceNetwork: "sn"
        case .service: "svc"
        case .targetGroup: "tg"
        case .listener: "listener"
        case .rule: "rule"
        case .serviceNetworkServiceAssociation: "snsa"
        case .serviceNetworkVpcAssociation: "snva"
        case .serviceNetworkResourceAssociation: "snra"
        case .accessLogSubscription: "als"
        case .resourceGateway: "rgw"
        case .resourceConfiguration: "rcfg"
        case .resourceEndpointAssociation: "rea"
        case .domainVerification: "dv"
        case .serviceNetworkEndpointAssociation: "vpce"
        case .authPolicy, .resourcePolicy, .target: ""
        }
    }

    /// The ARN's resource type for top-level resources (listeners and rules nest under services).
    var arnType: String {
        switch self {
        case .serviceNetwork: "servicenetwork"
        case .service: "service"
        case .targetGroup: "targetgroup"
        case .serviceNetworkServiceAssociation: "servicenetworkserviceassociation"
        case .serviceNetworkVpcAssociation: "servicenetworkvpcassociation"
        case .serviceNetworkResourceAssociation: "servicenetworkresourceassociation"
        case .accessLogSubscription: "accesslogsubscription"
        case .resourceGateway: "resourcegateway"
        case .resourceConfiguration: "resourceconfiguration"
        case .resourceEndpointAssociation: "resourceendpointassociation"
        case .domainVerification: "domainverification"
        case .listener: "listener"
        case .rule: "rule"
        case .serviceNetworkEndpointAssociation: "servicenetworkendpointassociation"
        case .authPolicy: "authpolicy"
        case .resourcePolicy: "resourcepolicy"
        case .target: "target"
        }
    }

    /// Lowercase words for messages: `service network`.
    var noun: String {
        rawValue.lowercased().split(separator: "_").map { $0 == "vpc" ? "VPC" : String($0) }.joined(separator: " ")
    }
}
