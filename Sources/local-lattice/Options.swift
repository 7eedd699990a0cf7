#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKitTesting

/// The command line of local-lattice.
struct Options {
    var port: UInt16 = 0
    var portFile: String?
    var identityPolicy: IdentityPolicy?
    var limits = ServerLimits()
    /// nil: a fresh seed from the system's random source.
    var seed: UInt64?
    var settleSeconds = LocalLattice.Configuration.defaultSecondsToSettle
    var settleObservations = 1
    var latencyMilliseconds = 0
    /// `--throttle-rps`, `--throttle-burst`, `--throttle-retry-after`; nil: no throttle.
    var throttle: ThrottleSettings?
    var dataPlane = DataPlaneSettings()
    /// Accept the process's own credentials (environment, shared files' profile) on the data plane.
    var processCredentials = true
    /// The account the process's own credentials belong to (the local Lattice's own by default).
    var processAccount = LocalLattice.Configuration().accountId

    /// The local Lattice these options describe.
    var configuration: LocalLattice.Configuration {
        LocalLattice.Configuration(
            // SystemRandomNumberGenerator: the kernel's random source (getrandom).
            idSeed: seed ?? UInt64.random(in: .min ... .max),
            observationsToSettle: settleObservations, secondsToSettle: settleSeconds, identityPolicy: identityPolicy)
    }

    static let usage = """
        usage: local-lattice [options]

        Serves an in-memory VPC Lattice control plane (all 73 operations) over HTTP/1.1 on
        127.0.0.1, for the lattice CLI, the aws CLI, boto3 and any SDK given --endpoint-url.
        Prints the URL on stdout once it listens, then serves until stopped.

          --port N              the port (default 0: the system chooses one)
          --port-file PATH      also write the URL to PATH once listening
          --identity-policy FILE
                                check every call against this IAM identity policy (actions,
                                wildcards, explicit denies); calls it does not allow are
                                answered with AccessDeniedException
          --settle-seconds S    a transitional status (CREATE_, UPDATE_, DELETE_IN_PROGRESS,
                                a target's INITIAL or DRAINING) ends S seconds after it began,
                                whether or not anyone looks, as on the service (default 3: the
                                service takes seconds to minutes; 3 s keeps local runs quick,
                                yet a script that does not wait at all sees the status it
                                would see on the service); 0 settles at once
          --settle-observations N
                                ... or once N Gets or list pages have shown it, if sooner
                                (default 1); a large N leaves settling to time alone
          --latency-ms N        answer every API call N ms after it arrived, as a region's
                                round trip would (default 0; the call's own work is part of
                                it); concurrent calls are not serialised
          --throttle-rps N      answer control-plane calls beyond N a second (a token bucket
                                over every call, decimals allowed) with 429 ThrottlingException,
                                as the service does when its request rate is exceeded:
                                x-amzn-ErrorType ThrottlingException, a JSON body with message
                                and serviceCode (default: no throttle)
          --throttle-burst B    the bucket's size: calls at once before the rate applies
                                (default: N, at least 1)
          --throttle-retry-after S
                                add Retry-After: S (the model's retryAfterSeconds) to each
                                throttled answer (default: no header)
                                GET /_local/stats on the control-plane URL counts the calls and
                                the throttled ones: {"controlPlaneCalls", "throttledCalls", ...}
          --seed N              make IDs, request IDs and page tokens repeat from run to run
                                (default: a fresh seed from the system's random source, so
                                two servers hand out different IDs)
          --request-timeout S   seconds a request may take to arrive, from its first byte
                                (default 10); a slower one is answered 408 and closed
          --max-connections N   connections served at once (default 256); beyond it the one
                                idle the longest is closed, or the new one answered 503
          -h, --help            this text

        The local data plane (https://docs.aws.amazon.com/vpc-lattice/latest/ug/listeners.html):
        every service's listeners, served on two ports of 127.0.0.1 that choose the service by
        the Host header (its DNS name or custom domain): HTTP listeners on one (HTTP/1.1, and
        HTTP/2 by prior knowledge), HTTPS listeners on the other (TLS with a certificate from a
        local CA made at start; HTTP/2 or HTTP/1.1 by ALPN). Requests are routed by the
        listener's rules and proxied to the targets, which are health-checked for real.
        GET /_local/dataplane on the control-plane URL lists the ports and every service.
          --dataplane-port N    the HTTP listeners' port (default 0: the system chooses)
          --dataplane-tls-port N
                                the HTTPS listeners' port (default 0: the system chooses)
          --dataplane-ca-out FILE
                                write the local CA's certificate (PEM) to FILE, for clients
                                to trust (curl --cacert FILE)
          --dataplane-map FILE  write the two ports and the CA file as JSON to FILE
          --dataplane-seed N    seed of the draws between weighted target groups (default
                                fixed, so a run repeats)
          --target-map TARGET[:PORT]=HOST[:PORT]
                                reach a target that is not on this machine (a VPC address, an
                                instance ID) at HOST:PORT, e.g. 10.0.1.10:8080=127.0.0.1:9001;
                                repeatable. Targets on 127.0.0.0/8 need none.
          --access-log-dir DIR  write access logs of services and service networks with an
                                access log subscription under DIR: s3/BUCKET[/PREFIX]/,
                                logs/LOG-GROUP/ or firehose/STREAM/, one file RESOURCE-ID.log of
                                JSON lines each
          --source-vpc VPC-ID   the VPC requests come from (x-amzn-lattice-network, access logs);
                                a request's x-local-lattice-source-vpc header overrides it
          --auth-credentials FILE
                                the credentials whose signatures (service vpc-lattice-svcs,
                                UNSIGNED-PAYLOAD) the data plane accepts for services and
                                networks of auth type AWS_IAM: a JSON array of {"accessKeyId",
                                "secretAccessKey", "sessionToken"?, "accountId"?,
                                "principalArn"?, "principalOrgId"?, "principalOrgPaths"?,
                                "principalTags"?} (the last three for aws:PrincipalOrgID,
                                aws:PrincipalOrgPaths and aws:PrincipalTag/KEY in policies);
                                a denied request gets 403 AccessDeniedException
                                and the reason in x-local-lattice-auth-reason. SigV4
                                (AWS4-HMAC-SHA256, the service's region) and SigV4a
                                (AWS4-ECDSA-P256-SHA256, an x-amz-region-set such as * or us-*
                                that covers the region) are both verified
          --auth-process-account ID
                                the account of local-lattice's own credentials, which the data
                                plane also accepts: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
                                AWS_SESSION_TOKEN, and the static keys of the shared files'
                                profile (AWS_PROFILE, else default); never a role, SSO or
                                credential_process. They sign as arn:aws:iam::ID:root
                                (default 123456789012, the local Lattice's account); a key in
                                --auth-credentials keeps its entry's account
          --no-auth-process-credentials
                                accept only the --auth-credentials file's keys
          --target-timeout S    seconds a target may take to start its answer, or stay silent
                                in it (default 60): 504
          --dataplane-max-connections N
                                client connections at once (default 1024); beyond, 503
          --dataplane-max-body BYTES
                                a request body's cap (default 64 MiB): 413
          --dataplane-idle-timeout S
                                seconds a connection may stay silent (default 60)

        Requests are capped: 64 KiB of request line and headers (431), 100 header fields (431),
        1 MiB of body (413). A request whose framing is not plain HTTP/1.1 is answered 400 and
        its connection closed.
        """

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// The options of `arguments` (without the program name); nil for --help.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options? {
        var o = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let v = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value; see --help") }
            return v
        }
        func number<T: FixedWidthInteger>(_ flag: String, _ range: ClosedRange<T>) throws(UsageError) -> T {
            let text = try value(flag)
            guard let n = T(text), range.contains(n) else {
                throw UsageError(description: "\(flag) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return n
        }
        func seconds(_ flag: String, _ range: ClosedRange<Double>) throws(UsageError) -> Double {
            let text = try value(flag)
            guard let s = Double(text), s.isFinite, range.contains(s) else {
                throw UsageError(description: "\(flag) takes seconds from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return s
        }
        var rate: Double?, burst: Double?, retryAfter: Int?
        while let flag = rest.popFirst() {
            switch flag {
            case "--throttle-rps":
                let text = try value(flag)
                guard let n = Double(text), n.isFinite, (0.001...1_000_000).contains(n) else {
                    throw UsageError(description: "--throttle-rps takes calls a second from 0.001 to 1000000, not '\(text)'")
                }
                rate = n
            case "--throttle-burst":
                burst = Double(try number(flag, 1...1_000_000) as Int)
            case "--throttle-retry-after":
                retryAfter = try number(flag, 0...3600)
            case "-h", "--help":
                return nil
            case "--port":
                o.port = try number(flag, 0...65535)
            case "--port-file":
                o.portFile = try value(flag)
            case "--identity-policy":
                let path = try value(flag)
                do {
                    o.identityPolicy = try IdentityPolicy(contentsOfFile: path)
                } catch {
                    throw UsageError(description: "\(error)")
                }
            case "--settle-seconds":
                o.settleSeconds = try seconds(flag, 0...86_400)
            case "--settle-observations":
                o.settleObservations = try number(flag, 0...1_000_000_000)
            case "--latency-ms":
                o.latencyMilliseconds = try number(flag, 0...600_000)
            case "--seed":
                let text = try value(flag)
                guard let seed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text) else {
                    throw UsageError(description: "--seed takes a whole number from 0 to \(UInt64.max) (or 0x and hexadecimal digits), not '\(text)'")
                }
                o.seed = seed
            case "--request-timeout":
                o.limits.requestTimeout = try seconds(flag, 0.001...86_400)
            case "--max-connections":
                o.limits.maxConnections = try number(flag, 1...100_000)
            case "--dataplane-port":
                o.dataPlane.httpPort = try number(flag, 0...65535)
            case "--dataplane-tls-port":
                o.dataPlane.httpsPort = try number(flag, 0...65535)
            case "--dataplane-ca-out":
                o.dataPlane.caOut = try value(flag)
            case "--dataplane-map":
                o.dataPlane.mapFile = try value(flag)
            case "--dataplane-seed":
                o.dataPlane.seed = try number(flag, 0...UInt64.max)
            case "--target-map":
                do {
                    try o.dataPlane.targetMap.add(try value(flag))
                } catch let error as TargetMap.ParseError {
                    throw UsageError(description: error.description)
                } catch {
                    throw UsageError(description: "\(error)")
                }
            case "--access-log-dir":
                o.dataPlane.accessLogDir = try value(flag)
            case "--source-vpc":
                o.dataPlane.sourceVpc = try value(flag)
            case "--auth-credentials":
                let path = try value(flag)
                guard let bytes = FileManager.default.contents(atPath: path), bytes.count <= 1 << 20 else {
                    throw UsageError(description: "--auth-credentials: cannot read '\(path)' (or it is over 1 MiB)")
                }
                do {
                    o.dataPlane.credentials = try CredentialBook(json: Array(bytes), defaultAccount: LocalLattice.Configuration().accountId)
                } catch {
                    throw UsageError(description: "--auth-credentials \(path): \(error)")
                }
            case "--auth-process-account":
                let text = try value(flag)
                guard text.utf8.count == 12, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                    throw UsageError(description: "--auth-process-account takes a 12-digit account id, not '\(text)'")
                }
                o.processAccount = text
            case "--no-auth-process-credentials":
                o.processCredentials = false
            case "--target-timeout":
                o.dataPlane.limits.targetTimeout = try seconds(flag, 0.001...86_400)
            case "--dataplane-max-connections":
                o.dataPlane.limits.maxConnections = try number(flag, 1...1_000_000)
            case "--dataplane-max-body":
                o.dataPlane.limits.maxBodyBytes = try number(flag, 0...(1 << 40))
            case "--dataplane-idle-timeout":
                o.dataPlane.limits.idleTimeout = try seconds(flag, 0.001...86_400)
            default:
                throw UsageError(description: "unknown option '\(flag)'; see --help")
            }
        }
        if let rate {
            o.throttle = ThrottleSettings(rate: rate, burst: burst ?? max(1, rate.rounded(.up)), retryAfter: retryAfter)
        } else if burst != nil || retryAfter != nil {
            throw UsageError(description: "--throttle-burst and --throttle-retry-after shape the throttle --throttle-rps N turns on; give --throttle-rps too")
        }
        return o
    }
}
