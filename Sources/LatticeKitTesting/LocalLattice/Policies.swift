import LatticeKit

/// Auth policies (on service networks and services; Active only while the resource's auth
/// type is AWS_IAM) and resource policies (on service networks, services and resource
/// configurations, by ARN). Both must be JSON policy documents; reading or deleting one that
/// is not there is a ResourceNotFoundException.
enum PolicyHandlers {
    static let endpoints: [Endpoint] = [
        .make(.putAuthPolicy) { (s: inout Scope, i: PutAuthPolicyRequest) in try s.putAuthPolicy(i) },
        .make(.getAuthPolicy) { (s: inout Scope, i: GetAuthPolicyRequest) in try s.getAuthPolicy(i) },
        .make(.deleteAuthPolicy) { (s: inout Scope, i: DeleteAuthPolicyRequest) in try s.deleteAuthPolicy(i) },
        .make(.putResourcePolicy) { (s: inout Scope, i: PutResourcePolicyRequest) in try s.putResourcePolicy(i) },
        .make(.getResourcePolicy) { (s: inout Scope, i: GetResourcePolicyRequest) in try s.getResourcePolicy(i) },
        .make(.deleteResourcePolicy) { (s: inout Scope, i: DeleteResourcePolicyRequest) in try s.deleteResourcePolicy(i) },
    ]
}

extension Scope {
    mutating func putAuthPolicy(_ i: PutAuthPolicyRequest) throws(ServiceFault) -> PutAuthPolicyResponse {
        let target = try findPolicyTarget(i.resourceIdentifier, field: "resourceIdentifier", allowConfiguration: false)
        try checkPolicy(i.policy)
        let created = db.authPolicies[target.arn]?.createdAt ?? now
        db.authPolicies[target.arn] = AuthPolicyRecord(policy: i.policy, createdAt: created, lastUpdatedAt: now)
        return PutAuthPolicyResponse(policy: i.policy, state: authPolicyState(target))
    }

    mutating func getAuthPolicy(_ i: GetAuthPolicyRequest) throws(ServiceFault) -> GetAuthPolicyResponse {
        let target = try findPolicyTarget(i.resourceIdentifier, field: "resourceIdentifier", allowConfiguration: false)
        guard let policy = db.authPolicies[target.arn] else {
            throw .notFound(.authPolicy, i.resourceIdentifier, "The \(target.kind.noun) \(target.id) has no auth policy.")
        }
        return GetAuthPolicyResponse(policy: policy.policy, state: authPolicyState(target), createdAt: policy.createdAt, lastUpdatedAt: policy.lastUpdatedAt)
    }

    mutating func deleteAuthPolicy(_ i: DeleteAuthPolicyRequest) throws(ServiceFault) -> DeleteAuthPolicyResponse {
        let target = try findPolicyTarget(i.resourceIdentifier, field: "resourceIdentifier", allowConfiguration: false)
        guard db.authPolicies.removeValue(forKey: target.arn) != nil else {
            throw .notFound(.authPolicy, i.resourceIdentifier, "The \(target.kind.noun) \(target.id) has no auth policy.")
        }
        return DeleteAuthPolicyResponse()
    }

    mutating func putResourcePolicy(_ i: PutResourcePolicyRequest) throws(ServiceFault) -> PutResourcePolicyResponse {
        let target = try findPolicyTarget(i.resourceArn, field: "resourceArn", allowConfiguration: true)
        try checkPolicy(i.policy)
        db.resourcePolicies[target.arn] = i.policy
        return PutResourcePolicyResponse()
    }

    mutating func getResourcePolicy(_ i: GetResourcePolicyRequest) throws(ServiceFault) -> GetResourcePolicyResponse {
        let target = try findPolicyTarget(i.resourceArn, field: "resourceArn", allowConfiguration: true)
        guard let policy = db.resourcePolicies[target.arn] else {
            throw .notFound(.resourcePolicy, i.resourceArn, "The \(target.kind.noun) \(target.id) has no resource policy.")
        }
        return GetResourcePolicyResponse(policy: policy)
    }

    mutating func deleteResourcePolicy(_ i: DeleteResourcePolicyRequest) throws(ServiceFault) -> DeleteResourcePolicyResponse {
        let target = try findPolicyTarget(i.resourceArn, field: "resourceArn", allowConfiguration: true)
        guard db.resourcePolicies.removeValue(forKey: target.arn) != nil else {
            throw .notFound(.resourcePolicy, i.resourceArn, "The \(target.kind.noun) \(target.id) has no resource policy.")
        }
        return DeleteResourcePolicyResponse()
    }

    /// Active when the service network's or service's auth type is AWS_IAM.
    func authPolicyState(_ target: (id: String, arn: String, kind: ResourceKind)) -> AuthPolicyState {
        let authType = target.kind == .serviceNetwork ? db.serviceNetworks[target.id]?.authType : db.services[target.id]?.authType
        return authType == .awsIam ? .active : .inactive
    }
}
