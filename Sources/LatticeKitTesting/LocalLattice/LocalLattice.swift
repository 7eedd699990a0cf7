#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LatticeKit
import SigV4
import Synchronization

/// An in-process VPC Lattice control plane behind the `Transport` seam: a `LatticeClient`
/// built on it signs, retries, validates and decodes exactly as against AWS, and every one of
/// the API's 73 operations answers as the service does, in memory.
///
/// What it checks and keeps:
/// - the signature's form (SigV4 header, credential scope for `vpc-lattice`, `x-amz-date`);
///   not the signature itself, since it knows no secret keys;
/// - every input against the model's constraints (lengths, ranges, patterns), answered with a
///   ValidationException whose `fieldList` names each field;
/// - resources per region (taken from the credential scope) in one account, with IDs and ARNs
///   in the service's formats, name conflicts, dependents that block deletes, statuses that
///   settle after a time on its clock or a number of observations, tags, policies, access
///   logs, listener rules and target health.
///
/// It is thread-safe: calls run one at a time under a lock.
public final class LocalLattice: Transport, Sendable {
    /// How the local Lattice behaves. Everything that varies (IDs, time, settling) is here,
    /// so tests are repeatable.
    public struct Configuration: Sendable {
        /// Seeds the generator of IDs, request IDs and page tokens: the same seed and the same
        /// calls give the same IDs. The default is fixed, so that tests are repeatable; give
        /// each emulator its own (`UInt64.random(in:)`) when several must not collide.
        public var idSeed: UInt64
        /// The account of every ARN (another account's ARN is refused with AccessDeniedException).
        public var accountId: String
        /// The clock for createdAt, lastUpdatedAt and verification times, and for settling.
        public var now: @Sendable () -> Date
        /// How many observations (Gets, list pages, ListTargets) a resource shows a
        /// transitional status before it settles: CREATE_IN_PROGRESS and UPDATE_IN_PROGRESS
        /// before ACTIVE, DELETE_IN_PROGRESS before it is gone, INITIAL before HEALTHY (counted
        /// while its group is in use), DRAINING before a target is gone. 0 settles at once.
        public var observationsToSettle: Int
        /// Seconds on `now`'s clock after which a transitional status settles though nobody
        /// looked, if `observationsToSettle` observations have not settled it first: as on
        /// the service, which finishes the work by itself, a deleted association stops
        /// blocking its service's deletion once its deletion has settled. A target's time
        /// counts from when its group is first in use. nil: only observations settle; 0:
        /// everything settles at once. The default is `defaultSecondsToSettle`.
        public var secondsToSettle: Double?
        /// Limits answered with ServiceQuotaExceededException.
        public var quotas: Quotas
        /// Called with each operation's name (`CreateService`) before it runs: a fault it
        /// returns is answered instead, to test retries and error handling.
        public var injectFault: (@Sendable (_ operation: String) -> InjectedFault?)?
        /// The caller's IAM policy: calls it does not allow are answered with 403
        /// AccessDeniedException, as IAM would. nil (the default) allows every call.
        public var identityPolicy: IdentityPolicy?

        /// The local Lattice's settings; every default is what a fresh account sees.
        public init(
            idSeed: UInt64 = 0x1A77_1CE,
            accountId: String = "123456789012",
            now: @escaping @Sendable () -> Date = { Date() },
            observationsToSettle: Int = 1,
            secondsToSettle: Double? = Configuration.defaultSecondsToSettle,
            quotas: Quotas = Quotas(),
            injectFault: (@Sendable (_ operation: String) -> InjectedFault?)? = nil,
            identityPolicy: IdentityPolicy? = nil
        ) {
            self.idSeed = idSeed
            self.accountId = accountId
            self.now = now
            self.observationsToSettle = max(0, observationsToSettle)
            self.secondsToSettle = secondsToSettle.map { $0.isNaN ? 0 : max(0, $0) }
            self.quotas = quotas
            self.injectFault = injectFault
            self.identityPolicy = identityPolicy
        }

        /// 3 seconds: the service takes from a few seconds (a service, a target group) to
        /// minutes (associations, target health checks); 3 s keeps a local loop quick, yet a
        /// script that does not wait at all sees the transitional status, as it would on the
        /// service, instead of passing by luck.
        public static let defaultSecondsToSettle: Double = 3

        /// How one call's changes settle.
        func settling(at now: Date) -> Settling {
            Settling(observations: observationsToSettle, seconds: secondsToSettle, now: now)
        }
    }

    /// An error answer to give instead of running an operation.
    public enum InjectedFault: Sendable, Hashable {
        /// 429 ThrottlingException, with a `Retry-After` header when seconds are given.
        case throttling(retryAfterSeconds: Int? = nil)
        /// 500 InternalServerException, with a `Retry-After` header when seconds are given.
        case internalError(retryAfterSeconds: Int? = nil)
        /// 403 AccessDeniedException.
        case accessDenied
    }

    /// The service quotas the local Lattice enforces (the service's defaults).
    public struct Quotas: Sendable, Hashable {
        /// Listeners per service.
        public var listenersPerService: Int
        /// Rules per listener, not counting the default rule.
        public var rulesPerListener: Int
        /// Targets per target group.
        public var targetsPerTargetGroup: Int

        /// Quotas.
        ///
        /// - Parameters:
        ///   - listenersPerService: Listeners per service.
        ///   - rulesPerListener: Rules per listener, the default rule not counted.
        ///   - targetsPerTargetGroup: Targets per target group.
        public init(listenersPerService: Int = 2, rulesPerListener: Int = 10, targetsPerTargetGroup: Int = 1000) {
            self.listenersPerService = listenersPerService
            self.rulesPerListener = rulesPerListener
            self.targetsPerTargetGroup = targetsPerTargetGroup
        }
    }

    /// The settings it was made with.
    public let configuration: Configuration
    let store: Mutex<Store>
    /// Target health from real health checks (the local data plane's), shown by ListTargets
    /// in place of the settling countdown once a prober reports.
    package let health = HealthBoard()

    /// An empty local Lattice.
    ///
    /// - Parameter configuration: Its settings.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        store = Mutex(Store(ids: Identities(seed: configuration.idSeed)))
    }

    /// A `LatticeClient` on this local Lattice, with static dummy credentials and the
    /// service's regional endpoint, so every layer above the transport runs for real. Pass an
    /// environment whose sleep returns at once to make waiters and retries instant.
    public static func client(
        _ lattice: LocalLattice = LocalLattice(),
        region: String = "us-east-1",
        validation: ValidationMode = .strict,
        environment: RuntimeEnvironment = .live
    ) throws -> LatticeClient {
        let configuration = LatticeConfiguration(
            region: region,
            endpoint: "https://vpc-lattice.\(region).amazonaws.com",
            credentials: AWSCredentials(accessKeyId: "AKIALOCALLATTICE0000", secretAccessKey: "local-lattice-secret-key"),
            validation: validation)
        return try LatticeClient(configuration, transport: lattice, environment: environment)
    }

    /// Answers a signed control-plane request as the service would, from the in-memory state.
    ///
    /// - Parameter request: The request.
    /// - Returns: The service's answer.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        handle(request)
    }

    /// Answers one signed request (the synchronous core of `send`). Blocks only for the
    /// local Lattice's lock: never call it where a delay is wanted (add the delay outside).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let now = configuration.now()
        let configuration = configuration
        let reported = health.reports()
        // Work that needs no state (the signature's form, the route, the identity policy,
        // reading and checking the input) is done before the lock is taken, so concurrent
        // calls wait for each other only on the state; its errors are answered in the order
        // the checks run in (an injected fault before a refused input).
        let prepared: Result<Prepared, ServiceFault>
        do throws(ServiceFault) {
            prepared = .success(try prepare(request))
        } catch {
            prepared = .failure(error)
        }
        // Under the lock the call runs on the state; its answer is encoded after, so calls
        // do not queue behind one another's JSON.
        let (requestId, outcome) = store.withLock { store -> (String, Result<Answer, any Error>) in
            let requestId = store.ids.requestId()
            return (requestId, Result { () throws -> Answer in
                let call = try prepared.get()
                if let fault = configuration.injectFault?(call.endpoint.spec.name) { throw ServiceFault.injected(fault, operation: call.endpoint.spec.name) }
                let input = try call.input.get()
                let region = call.credential.region
                // What has settled by now has settled, whatever this call does (settled in
                // place: a copy would copy every table it changes).
                store.regions[region, default: RegionState()].settle(at: now, seconds: configuration.secondsToSettle)
                let key = call.endpoint.idempotencyKey(input.json).map { "\(region)/\($0)" }
                if let key, let earlier = store.idempotency[key] {
                    return Answer(status: call.endpoint.spec.successCode, output: try call.endpoint.replay(earlier, for: input.json))
                }
                var scope = Scope(
                    db: store.regions[region] ?? RegionState(), ids: store.ids, region: region,
                    account: configuration.accountId, now: now, settle: configuration.settling(at: now), quotas: configuration.quotas)
                scope.reportedHealth = reported
                scope.healthBoard = health
                let output: (any Encodable & Sendable)?
                do {
                    output = try call.endpoint.run(&scope, input.json, input.value)
                } catch {
                    store.ids = scope.ids
                    throw error
                }
                // Only a call that succeeds changes the region: a failed one leaves no trace.
                // Settling again starts the health checks of groups this call put in use.
                scope.db.settle(at: now, seconds: configuration.secondsToSettle)
                store.regions[region] = scope.db
                store.ids = scope.ids
                if let key { store.idempotency[key] = IdempotentCall(input: input.json, output: output) }
                store.generation &+= 1
                return Answer(status: call.endpoint.spec.successCode, output: output)
            })
        }
        do {
            let answer = try outcome.get()
            let body = try answer.output.map { Array(try LatticeJSON.sharedEncoder.encode($0)) } ?? []
            return Wire.success(status: answer.status, body: body, requestId: requestId)
        } catch let fault as ServiceFault {
            return Wire.failure(fault, requestId: requestId)
        } catch {
            return Wire.failure(.internalError("The local Lattice failed: \(error)"), requestId: requestId)
        }
    }

    /// What a call that succeeded answers: its status and output (nil: no body).
    private struct Answer {
        let status: Int
        let output: (any Encodable & Sendable)?
    }

    /// A request read and checked as far as that needs no state: its signature's scope, its
    /// operation, and its input (or why the input was refused, answered after an injected
    /// fault, as the service checks members after throttling).
    private struct Prepared {
        let credential: Wire.Scope
        let endpoint: Endpoint
        let input: Result<(json: JSONValue, value: any Sendable), ServiceFault>
    }

    private func prepare(_ request: HTTPRequest) throws(ServiceFault) -> Prepared {
        let credential = try Wire.checkSignature(request)
        let target = Wire.target(request.url)
        guard let (endpoint, labels) = Router.route(method: request.method.uppercased(), segments: target.segments) else {
            throw ServiceFault.validation("No operation matches \(request.method) \(target.path).", reason: .unknownOperation)
        }
        if let policy = configuration.identityPolicy {
            let action = "\(LatticeClient.signingName):\(endpoint.spec.name)"
            let decision = policy.decision(for: action)
            if decision != .allowed {
                throw ServiceFault.notAuthorized(action, decision, account: configuration.accountId)
            }
        }
        let input: Result<(json: JSONValue, value: any Sendable), ServiceFault>
        do {
            let json = try Wire.input(endpoint.spec, labels: labels, query: target.query, body: request.body)
            input = .success((json, try endpoint.prepare(json)))
        } catch let fault as ServiceFault {
            input = .failure(fault)
        } catch {
            input = .failure(.internalError("The local Lattice failed: \(error)"))
        }
        return Prepared(credential: credential, endpoint: endpoint, input: input)
    }

    /// Whether no resource of any type is left, in any region.
    public var isEmpty: Bool {
        resourceCounts().values.allSatisfy { $0 == 0 }
    }

    /// How many resources of each type exist, summed over regions: `serviceNetworks`,
    /// `services`, `targetGroups`, `targets`, `listeners`, `rules` (not counting listeners'
    /// default rules), the associations, `accessLogSubscriptions`, `authPolicies`,
    /// `resourcePolicies`, `resourceGateways`, `resourceConfigurations`,
    /// `resourceEndpointAssociations`, `domainVerifications`. Resources being deleted count
    /// until their deletion has settled.
    public func resourceCounts() -> [String: Int] {
        let now = configuration.now()
        let seconds = configuration.secondsToSettle
        return store.withLock { store in
            var total = RegionState().counts
            for name in Array(store.regions.keys) {
                store.regions[name]?.settle(at: now, seconds: seconds)
                total.merge(store.regions[name]?.counts ?? [:], uniquingKeysWith: +)
            }
            return total
        }
    }

    /// What a simulated VPC endpoint made.
    public struct VpcEndpoint: Sendable, Hashable {
        /// The VPC endpoint's ID (`vpce-...`).
        public var vpcEndpointId: String
        /// The resource endpoint association's ID, for an endpoint to a resource configuration.
        public var associationId: String?
    }

    /// An error of the local Lattice's own API (not of the service's).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Simulates EC2 creating a VPC endpoint to a service network or to a resource
    /// configuration (by ID or ARN), which the vpc-lattice API cannot do itself, so that
    /// ListServiceNetworkVpcEndpointAssociations, ListResourceEndpointAssociations and
    /// DeleteResourceEndpointAssociation have something to show.
    public func addVpcEndpoint(to identifier: String, vpcId: String = "vpc-0123456789abcdef0", region: String = "us-east-1") throws(Failure) -> VpcEndpoint {
        let now = configuration.now()
        let configuration = configuration
        let result: Result<VpcEndpoint, ServiceFault> = store.withLock { store in
            store.regions[region, default: RegionState()].settle(at: now, seconds: configuration.secondsToSettle)
            var scope = Scope(
                db: store.regions[region] ?? RegionState(), ids: store.ids, region: region,
                account: configuration.accountId, now: now, settle: configuration.settling(at: now), quotas: configuration.quotas)
            let result = Result { () throws(ServiceFault) -> VpcEndpoint in try scope.addVpcEndpoint(to: identifier, vpcId: vpcId) }
            if case .success = result {
                store.regions[region] = scope.db
                store.ids = scope.ids
            }
            return result
        }
        switch result {
        case let .success(endpoint): return endpoint
        case let .failure(fault): throw Failure(description: "\(fault.code): \(fault.message)")
        }
    }

    /// Removes a simulated VPC endpoint, as EC2's DeleteVpcEndpoints would, with its
    /// association. Returns whether there was one.
    @discardableResult
    public func removeVpcEndpoint(_ vpcEndpointId: String, region: String = "us-east-1") -> Bool {
        store.withLock { store in
            guard var db = store.regions[region] else { return false }
            var found = db.networkEndpoints[vpcEndpointId] != nil
            db.remove(vpcEndpointId, from: \.networkEndpoints)
            for association in db.endpointAssociations.filter({ $0.vpcEndpointId == vpcEndpointId }) {
                db.remove(association.id, from: \.endpointAssociations)
                found = true
            }
            store.regions[region] = db
            return found
        }
    }
}
