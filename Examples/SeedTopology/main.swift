// The first seed workflow (a Terraform topology) in Swift: a service network (auth NONE) with
// the client VPC associated through a security group, the service `provider-svc` with an
// HTTP:80 listener forwarding (weight 1) to the IP target group `provider-tg` (port 8080, HTTP,
// health check GET /health on 8080, thresholds 2/2, matcher 200) in the provider VPC, the
// service associated to the network, ECS task IPs registered as targets, an access log
// subscription to S3, and tags.
//
//   seed-topology            create, wait for ACTIVE, register targets, print a report
//   seed-topology --destroy  remove everything it created, in reverse order
//   seed-topology --demo     create, wait, register, list targets, destroy, prove nothing is left
//
// It runs on an embedded local Lattice unless given --endpoint-url URL, or AWS credentials and
// a region in the environment (AWS_ACCESS_KEY_ID or AWS_PROFILE, and AWS_REGION), in which case
// it works on that endpoint or account. Options for a real account: --client-vpc, --provider-vpc,
// --security-group, --targets 10.0.1.10,10.0.1.11, --log-bucket arn:aws:s3:::bucket.
// --identity-policy FILE makes the embedded local Lattice enforce that IAM policy (actions only),
// to check a least-privilege policy such as Examples/iam-policy.json is enough.
import Foundation
import LatticeKit
import LatticeKitTesting

struct Options {
    var mode = "create"
    var endpoint: String?
    var region: String?
    var clientVpc = "vpc-0c11e4700000c11e4"
    var providerVpc = "vpc-0a0b1de4000000001"
    var securityGroup = "sg-0c11e47000000c11e"
    var targets = ["10.0.1.10", "10.0.1.11", "10.0.1.12"]
    var logBucket = "arn:aws:s3:::seed-topology-access-logs"
    var identityPolicy: String?

    static func parse() throws -> Options {
        var o = Options()
        var args = CommandLine.arguments.dropFirst()
        func value(_ name: String) throws -> String {
            guard let v = args.popFirst() else { throw ExampleError("\(name) needs a value; see --help") }
            return v
        }
        while let arg = args.popFirst() {
            switch arg {
            case "--destroy": o.mode = "destroy"
            case "--demo": o.mode = "demo"
            case "--endpoint-url": o.endpoint = try value(arg)
            case "--region": o.region = try value(arg)
            case "--client-vpc": o.clientVpc = try value(arg)
            case "--provider-vpc": o.providerVpc = try value(arg)
            case "--security-group": o.securityGroup = try value(arg)
            case "--targets": o.targets = try value(arg).split(separator: ",").map(String.init)
            case "--log-bucket": o.logBucket = try value(arg)
            case "--identity-policy": o.identityPolicy = try value(arg)
            case "-h", "--help":
                print("usage: seed-topology [--demo | --destroy] [--endpoint-url URL] [--region R] [--client-vpc ID] [--provider-vpc ID] [--security-group ID] [--targets IP,IP] [--log-bucket ARN] [--identity-policy FILE]")
                exit(0)
            default: throw ExampleError("unknown option \(arg); see --help")
            }
        }
        return o
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Prints one line per step with the time it took.
final class Report: @unchecked Sendable {
    let start = Date()
    var last = Date()

    func step(_ what: String, _ detail: String = "") {
        let now = Date()
        let ms = Int(now.timeIntervalSince(last) * 1000)
        last = now
        let padded = what.padding(toLength: max(46, what.count), withPad: " ", startingAt: 0)
        let time = String(ms).count >= 6 ? String(ms) : String(repeating: " ", count: 6 - String(ms).count) + String(ms)
        print("\(padded) \(time) ms  \(detail)")
    }

    func resource(_ kind: String, id: String?, arn: String?, status: String?) {
        print("    \(kind.padding(toLength: 30, withPad: " ", startingAt: 0)) \(id ?? "-")  \(status ?? "")")
        if let arn { print("    \(String(repeating: " ", count: 30)) \(arn)") }
    }

    func total() { print(String(format: "total %.0f ms", Date().timeIntervalSince(start) * 1000)) }
}

let names = (network: "seed-network", service: "provider-svc", group: "provider-tg", listener: "http-80")
let tags = ["project": "seed-topology", "managed-by": "latticekit"]

func makeClient(_ o: Options) throws -> (LatticeClient, LocalLattice?, WaiterOptions) {
    let env = ProcessInfo.processInfo.environment
    let hasAccount = (env["AWS_ACCESS_KEY_ID"] != nil || env["AWS_PROFILE"] != nil) && (env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"]) != nil
    if o.endpoint != nil || hasAccount {
        if o.identityPolicy != nil {
            throw ExampleError("--identity-policy applies to the embedded local Lattice only; a real account enforces its own IAM policies (unset AWS credentials and --endpoint-url to use the local one)")
        }
        let client = try LatticeClient(LatticeConfiguration(region: o.region, endpoint: o.endpoint))
        print("endpoint: \(client.settings.endpoint.url) (\(client.settings.region))")
        return (client, nil, WaiterOptions(delay: 5, timeout: 600))
    }
    var configuration = LocalLattice.Configuration()
    if let path = o.identityPolicy {
        do {
            configuration.identityPolicy = try IdentityPolicy(contentsOfFile: path)
        } catch {
            throw ExampleError(error.description)
        }
    }
    let local = LocalLattice(configuration)
    print("endpoint: embedded local Lattice (no AWS account; pass --endpoint-url or AWS credentials for a real one)")
    if let path = o.identityPolicy { print("identity policy: \(path) (calls it does not allow are refused with AccessDeniedException)") }
    return (try LocalLattice.client(local, region: o.region ?? "us-east-1"), local, WaiterOptions(delay: 0.01, timeout: 30))
}

func create(_ client: LatticeClient, _ o: Options, _ wait: WaiterOptions, _ r: Report) async throws {
    let sn = try await client.createServiceNetwork(CreateServiceNetworkRequest(name: names.network, authType: AuthType.noAuth, tags: tags))
    let snId = try sn.require(\.id)
    r.step("create service network", snId)
    let vpc = try await client.createServiceNetworkVpcAssociation(CreateServiceNetworkVpcAssociationRequest(
        serviceNetworkIdentifier: snId, vpcIdentifier: o.clientVpc, securityGroupIds: [o.securityGroup], tags: tags))
    let vpcId = try vpc.require(\.id)
    r.step("associate client VPC (security group)", vpcId)
    let svc = try await client.createService(CreateServiceRequest(name: names.service, tags: tags, authType: AuthType.noAuth))
    let svcId = try svc.require(\.id)
    r.step("create service", svcId)
    let health = HealthCheckConfig(enabled: true, protocol: .http, protocolVersion: .http1, port: 8080, path: "/health",
                                   healthyThresholdCount: 2, unhealthyThresholdCount: 2, matcher: .httpCode("200"))
    let tg = try await client.createTargetGroup(CreateTargetGroupRequest(
        name: names.group, type: .ip,
        config: TargetGroupConfig(port: 8080, protocol: .http, protocolVersion: .http1, ipAddressType: .ipv4, vpcIdentifier: o.providerVpc, healthCheck: health),
        tags: tags))
    let tgId = try tg.require(\.id)
    r.step("create IP target group", tgId)
    let listener = try await client.createListener(CreateListenerRequest(
        serviceIdentifier: svcId, name: names.listener, protocol: .http, port: 80,
        defaultAction: .forward(ForwardAction(targetGroups: [WeightedTargetGroup(targetGroupIdentifier: tgId, weight: 1)])), tags: tags))
    r.step("create HTTP:80 listener (forward, weight 1)", listener.id ?? "")
    let sns = try await client.createServiceNetworkServiceAssociation(CreateServiceNetworkServiceAssociationRequest(
        serviceIdentifier: svcId, serviceNetworkIdentifier: snId, tags: tags))
    let snsId = try sns.require(\.id)
    r.step("associate service to network", snsId)
    let logs = try await client.createAccessLogSubscription(CreateAccessLogSubscriptionRequest(
        resourceIdentifier: snId, destinationArn: o.logBucket, tags: tags))
    r.step("access log subscription to S3", logs.id)

    try await client.waitUntilServiceActive(serviceIdentifier: svcId, options: wait)
    try await client.waitUntilTargetGroupActive(targetGroupIdentifier: tgId, options: wait)
    try await client.waitUntilServiceNetworkVpcAssociationActive(serviceNetworkVpcAssociationIdentifier: vpcId, options: wait)
    try await client.waitUntilServiceNetworkServiceAssociationActive(serviceNetworkServiceAssociationIdentifier: snsId, options: wait)
    r.step("wait for ACTIVE")

    let targets = o.targets.map { Target(id: $0, port: 8080) }
    let registered = try await client.registerTargets(RegisterTargetsRequest(targetGroupIdentifier: tgId, targets: targets))
    r.step("register \(targets.count) ECS task IPs", "\(registered.successful?.count ?? 0) ok, \(registered.unsuccessful?.count ?? 0) failed")
    let healthy = try await client.waitUntilTargetsHealthy(targetGroupIdentifier: tgId, targets: targets, options: wait)
    r.step("wait for targets HEALTHY", "\(healthy.count) healthy")

    print("\nresources:")
    let gotSn = try await client.getServiceNetwork(GetServiceNetworkRequest(serviceNetworkIdentifier: snId))
    r.resource("service network", id: gotSn.id, arn: gotSn.arn, status: "auth \(gotSn.authType?.rawValue ?? "-")")
    let gotVpc = try await client.getServiceNetworkVpcAssociation(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: vpcId))
    r.resource("client VPC association", id: gotVpc.id, arn: gotVpc.arn, status: gotVpc.status?.rawValue)
    let gotSvc = try await client.getService(GetServiceRequest(serviceIdentifier: svcId))
    r.resource("service", id: gotSvc.id, arn: gotSvc.arn, status: gotSvc.status?.rawValue)
    let gotTg = try await client.getTargetGroup(GetTargetGroupRequest(targetGroupIdentifier: tgId))
    r.resource("target group", id: gotTg.id, arn: gotTg.arn, status: gotTg.status?.rawValue)
    r.resource("listener HTTP:80", id: listener.id, arn: listener.arn, status: nil)
    let gotSns = try await client.getServiceNetworkServiceAssociation(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: snsId))
    r.resource("service association", id: gotSns.id, arn: gotSns.arn, status: gotSns.status?.rawValue)
    r.resource("access log subscription", id: logs.id, arn: logs.arn, status: nil)
    print("    round robin across:")
    for t in try await client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: tgId)).collect() {
        print("      \(t.id ?? "-"):\(t.port.map(String.init) ?? "-")  \(t.status?.rawValue ?? "-")")
    }
    if let dns = gotSvc.dnsEntry?.domainName { print("    service DNS: \(dns)") }
    print("")
}

func destroy(_ client: LatticeClient, _ o: Options, _ wait: WaiterOptions, _ r: Report) async throws {
    let network = try await client.listServiceNetworksItems().collect().first { $0.name == names.network }
    let service = try await client.listServicesItems().collect().first { $0.name == names.service }
    let group = try await client.listTargetGroupsItems().collect().first { $0.name == names.group }
    if let group, let tg = group.id {
        let targets = try await client.listTargetsItems(ListTargetsRequest(targetGroupIdentifier: tg)).collect()
            .compactMap { t in t.id.map { Target(id: $0, port: t.port) } }
        if !targets.isEmpty {
            _ = try await client.deregisterTargets(DeregisterTargetsRequest(targetGroupIdentifier: tg, targets: targets))
            try await client.waitUntilTargetsDeregistered(ListTargetsRequest(targetGroupIdentifier: tg), targets: targets, options: wait)
        }
        r.step("deregister targets", "\(targets.count)")
    }
    if let network, let sn = network.id {
        for sub in try await client.listAccessLogSubscriptionsItems(ListAccessLogSubscriptionsRequest(resourceIdentifier: sn)).collect() {
            _ = try await client.deleteAccessLogSubscription(DeleteAccessLogSubscriptionRequest(accessLogSubscriptionIdentifier: sub.id))
            r.step("delete access log subscription", sub.id)
        }
        for a in try await client.listServiceNetworkServiceAssociationsItems(ListServiceNetworkServiceAssociationsRequest(serviceNetworkIdentifier: sn)).collect() {
            guard let id = a.id else { continue }
            _ = try await client.deleteServiceNetworkServiceAssociation(DeleteServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: id))
            try await client.waitUntilServiceNetworkServiceAssociationDeleted(GetServiceNetworkServiceAssociationRequest(serviceNetworkServiceAssociationIdentifier: id), options: wait)
            r.step("delete service association", id)
        }
    }
    if let service, let svc = service.id {
        for l in try await client.listListenersItems(ListListenersRequest(serviceIdentifier: svc)).collect() {
            guard let id = l.id else { continue }
            _ = try await client.deleteListener(DeleteListenerRequest(serviceIdentifier: svc, listenerIdentifier: id))
            r.step("delete listener", id)
        }
        _ = try await client.deleteService(DeleteServiceRequest(serviceIdentifier: svc))
        try await client.waitUntilServiceDeleted(GetServiceRequest(serviceIdentifier: svc), options: wait)
        r.step("delete service", svc)
    }
    if let group, let tg = group.id {
        _ = try await client.deleteTargetGroup(DeleteTargetGroupRequest(targetGroupIdentifier: tg))
        try await client.waitUntilTargetGroupDeleted(GetTargetGroupRequest(targetGroupIdentifier: tg), options: wait)
        r.step("delete target group", tg)
    }
    if let network, let sn = network.id {
        for a in try await client.listServiceNetworkVpcAssociationsItems(ListServiceNetworkVpcAssociationsRequest(serviceNetworkIdentifier: sn)).collect() {
            guard let id = a.id else { continue }
            _ = try await client.deleteServiceNetworkVpcAssociation(DeleteServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: id))
            try await client.waitUntilServiceNetworkVpcAssociationDeleted(GetServiceNetworkVpcAssociationRequest(serviceNetworkVpcAssociationIdentifier: id), options: wait)
            r.step("delete client VPC association", id)
        }
        _ = try await client.deleteServiceNetwork(DeleteServiceNetworkRequest(serviceNetworkIdentifier: sn))
        try await client.waitUntilServiceNetworkDeleted(GetServiceNetworkRequest(serviceNetworkIdentifier: sn), options: wait)
        r.step("delete service network", sn)
    }
}

/// Every list the topology touches is empty (only meaningful on the local Lattice, where
/// nothing else lives).
func proveEmpty(_ client: LatticeClient, _ local: LocalLattice?) async throws {
    let counts = [
        "service networks": try await client.listServiceNetworksItems().collect().count,
        "services": try await client.listServicesItems().collect().count,
        "target groups": try await client.listTargetGroupsItems().collect().count,
    ]
    for (name, n) in counts.sorted(by: { $0.key < $1.key }) { print("    \(name): \(n)") }
    if let local, !local.isEmpty { throw ExampleError("the local Lattice still holds resources: \(local.resourceCounts())") }
    guard counts.values.allSatisfy({ $0 == 0 }) else { throw ExampleError("resources are left: \(counts)") }
    print("nothing is left")
}

do {
    let o = try Options.parse()
    let (client, local, wait) = try makeClient(o)
    let r = Report()
    switch o.mode {
    case "destroy":
        try await destroy(client, o, wait, r)
    case "demo":
        try await create(client, o, wait, r)
        try await destroy(client, o, wait, r)
        print("\nafter --destroy:")
        try await proveEmpty(client, local)
    default:
        try await create(client, o, wait, r)
    }
    r.total()
} catch {
    FileHandle.standardError.write(Data("seed-topology: \(error)\n".utf8))
    exit(1)
}
