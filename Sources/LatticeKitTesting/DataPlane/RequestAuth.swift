#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

/// Credentials the local data plane accepts signatures from, with who they belong to.
package struct KnownCredential: Sendable, Hashable {
    package var accessKeyId: String
    package var secretAccessKey: String
    package var sessionToken: String?
    package var accountId: String
    /// The principal policies name: `arn:aws:iam::ACCOUNT:user/NAME`, a role or an
    /// `assumed-role/ROLE/SESSION`, or the account's root.
    package var principalArn: String
    /// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths` and `aws:PrincipalTag/KEY`: what IAM
    /// knows of the principal and a signature cannot say, so the credentials file does.
    package var orgID: String?
    package var orgPaths: [String]
    package var tags: [String: String]

    package init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, accountId: String, principalArn: String,
                 orgID: String? = nil, orgPaths: [String] = [], tags: [String: String] = [:]) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.accountId = accountId
        self.principalArn = principalArn
        self.orgID = orgID
        self.orgPaths = orgPaths
        self.tags = tags
    }

    /// The caller policies see.
    package var caller: AuthRequest.Caller {
        var caller = AuthRequest.Caller(arn: principalArn) ?? AuthRequest.Caller(kind: .user, arn: principalArn, account: accountId)
        caller.orgID = orgID
        caller.orgPaths = orgPaths
        caller.tags = tags
        return caller
    }
}

/// The credentials file of `local-lattice --auth-credentials`: a JSON array of objects with
/// `accessKeyId`, `secretAccessKey`, optional `sessionToken`, `accountId` and `principalArn`,
/// and, for policies that test them, `principalOrgId` (`aws:PrincipalOrgID`),
/// `principalOrgPaths` (`aws:PrincipalOrgPaths`) and `principalTags` (`aws:PrincipalTag/KEY`).
package struct CredentialBook: Sendable {
    package private(set) var byAccessKey: [String: KnownCredential] = [:]

    package init(_ credentials: [KnownCredential] = []) {
        for c in credentials { byAccessKey[c.accessKeyId] = c }
    }

    private struct Entry: Decodable {
        var accessKeyId: String
        var secretAccessKey: String
        var sessionToken: String?
        var accountId: String?
        var principalArn: String?
        var principalOrgId: String?
        var principalOrgPaths: [String]?
        var principalTags: [String: String]?
    }

    /// Reads the JSON text of a credentials file; the error names the entry at fault (never a secret).
    package init(json: [UInt8], defaultAccount: String) throws(Problem) {
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: Data(json))
        } catch {
            throw Problem(description: "the credentials file is not a JSON array of {\"accessKeyId\", \"secretAccessKey\", \"sessionToken\"?, \"accountId\"?, \"principalArn\"?, \"principalOrgId\"?, \"principalOrgPaths\"?, \"principalTags\"?}: \(error)")
        }
        for (i, e) in entries.enumerated() {
            guard !e.accessKeyId.isEmpty, !e.secretAccessKey.isEmpty else {
                throw Problem(description: "entry \(i) of the credentials file has an empty accessKeyId or secretAccessKey")
            }
            let account = e.accountId ?? defaultAccount
            byAccessKey[e.accessKeyId] = KnownCredential(accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey, sessionToken: e.sessionToken,
                                                         accountId: account, principalArn: e.principalArn ?? "arn:aws:iam::\(account):root",
                                                         orgID: e.principalOrgId, orgPaths: e.principalOrgPaths ?? [], tags: e.principalTags ?? [:])
        }
    }

    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }
}

extension CredentialBook {
    /// Credentials of the process itself that the data plane also accepts, and where they came from.
    package struct Found: Sendable, Hashable {
        /// `the environment (AWS_ACCESS_KEY_ID)` or `profile 'NAME' of the shared files`.
        package var source: String
        package var credential: KnownCredential
    }

    /// The process's own credentials, from the default chain's sources that need no network
    /// and run nothing: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`,
    /// and the static keys (`aws_access_key_id`, `aws_secret_access_key`,
    /// `aws_session_token`) of the shared files' profile (`AWS_PROFILE`, else `default`;
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` say where the files are). Both are
    /// taken when both are there. Each belongs to `accountId` as its root
    /// (`arn:aws:iam::ACCOUNT:root`): keys do not say whose they are without calling STS.
    /// `notes` says, without secrets, what was there but could not be used (a lone
    /// AWS_ACCESS_KEY_ID, a profile that assumes a role or uses SSO, unreadable files).
    package static func processCredentials(variables: [String: String], accountId: String) -> (found: [Found], notes: [String]) {
        var found: [Found] = []
        var notes: [String] = []
        func known(_ key: String, _ secret: String, _ token: String?) -> KnownCredential {
            KnownCredential(accessKeyId: key, secretAccessKey: secret, sessionToken: token, accountId: accountId, principalArn: "arn:aws:iam::\(accountId):root")
        }
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        switch (nonEmpty(variables["AWS_ACCESS_KEY_ID"]), nonEmpty(variables["AWS_SECRET_ACCESS_KEY"])) {
        case let (key?, secret?):
            found.append(Found(source: "the environment (AWS_ACCESS_KEY_ID)", credential: known(key, secret, nonEmpty(variables["AWS_SESSION_TOKEN"]))))
        case (_?, nil):
            notes.append("AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY, so the environment's credentials are not accepted; set both")
        case (nil, _?):
            notes.append("AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID, so the environment's credentials are not accepted; set both")
        case (nil, nil):
            break
        }
        let environment = RuntimeEnvironment(now: { Date() }, sleep: { _ in }, random: { 0 }, variables: variables)
        let name = SharedConfig.profileName(explicit: nil, environment: environment)
        let section: ConfigSection?
        do {
            section = try SharedConfig.load(environment: environment).profile(explicit: nil, environment: environment)
        } catch {
            notes.append("the shared files' profile '\(name)' is not read: \(error.message)")
            return (found, notes)
        }
        guard let section else { return (found, notes) }
        let indirect = ["role_arn", "web_identity_token_file", "sso_account_id", "sso_session", "sso_start_url", "credential_process"].filter { section[$0] != nil }
        if let key = section["aws_access_key_id"], let secret = section["aws_secret_access_key"], indirect.isEmpty {
            found.append(Found(source: "profile '\(name)' of the shared files", credential: known(key, secret, section["aws_session_token"])))
        } else if !indirect.isEmpty {
            notes.append("profile '\(name)' gets its credentials through \(indirect.joined(separator: ", ")), which local-lattice does not resolve (no network, no commands); add the keys a client signs with to the --auth-credentials file")
        } else if section["aws_access_key_id"] != nil || section["aws_secret_access_key"] != nil {
            notes.append("profile '\(name)' has only one of aws_access_key_id and aws_secret_access_key; its keys are not accepted")
        }
        return (found, notes)
    }

    /// Adds `credential` unless its access key is known already (an `--auth-credentials` entry
    /// says more: its account and principal); whether it was added.
    @discardableResult
    package mutating func addIfNew(_ credential: KnownCredential) -> Bool {
        guard byAccessKey[credential.accessKeyId] == nil else { return false }
        byAccessKey[credential.accessKeyId] = credential
        return true
    }
}

/// What a request's signature says about its caller.
package enum SignatureCheck: Sendable, Hashable {
    /// No `authorization` header: an anonymous caller, as Lattice evaluates it.
    case unsigned
    case verified(KnownCredential)
    /// Refused before the policies: why, in words that say what to fix (no secrets).
    case rejected(String)
}

/// Verifies the signature of a request to a Lattice service (signing name `vpc-lattice-svcs`,
/// `x-amz-content-sha256: UNSIGNED-PAYLOAD`): SigV4 for the service's region, or SigV4a for a
/// region set (`x-amz-region-set`) that covers it. Either way the request, restricted to the
/// headers it says it signed, is signed again with the SigV4 module's public signer, the known
/// secret and the time it says it was signed: SigV4 compares the HMACs; SigV4a (whose ECDSA
/// signatures are randomized) takes the string to sign of that second signature and checks the
/// request's signature against the public key SigV4a derives from the secret.
/// https://docs.aws.amazon.com/vpc-lattice/latest/ug/sigv4-authenticated-requests.html
package enum SignatureVerifier {
    package static let service = "vpc-lattice-svcs"
    /// How far a request's `x-amz-date` may be from now: AWS's five minutes.
    package static let skew: Double = 300

    package static func verify(method: String, target: String, headers: [(name: String, value: String)], secure: Bool,
                               region: String, now: Date, book: CredentialBook) -> SignatureCheck {
        func header(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name }.map(\.value) }
        let authorizations = header("authorization")
        guard let authorization = authorizations.first else { return .unsigned }
        guard authorizations.count == 1 else { return .rejected("the request has \(authorizations.count) Authorization headers; send one") }
        let sigV4a: Bool
        if authorization.hasPrefix(SigV4Signer.algorithm + " ") {
            sigV4a = false
        } else if authorization.hasPrefix(SigV4aSigner.algorithm + " ") {
            sigV4a = true
        } else {
            return .rejected("the Authorization header is neither a SigV4 (AWS4-HMAC-SHA256) nor a SigV4a (AWS4-ECDSA-P256-SHA256) signature")
        }
        var fields: [String: String] = [:]
        for part in authorization.drop(while: { $0 != " " }).split(separator: ",") {
            let kv = part.drop(while: { $0 == " " }).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let credential = fields["Credential"], let signedList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .rejected("the Authorization header lacks Credential, SignedHeaders or Signature")
        }
        // SigV4: KEY/DATE/REGION/SERVICE/aws4_request; SigV4a: KEY/DATE/SERVICE/aws4_request.
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == (sigV4a ? 4 : 5), scope.last == "aws4_request" else {
            return .rejected(sigV4a ? "the SigV4a credential scope is not ACCESS-KEY/DATE/SERVICE/aws4_request"
                                    : "the credential scope is not ACCESS-KEY/DATE/REGION/SERVICE/aws4_request")
        }
        let (accessKey, day, signedService) = (scope[0], scope[1], scope[scope.count - 2])
        guard signedService == service else {
            return .rejected("the request is signed for the service '\(signedService)'; Lattice services take the signing name \(service)")
        }
        var regionSet: [String] = []
        if sigV4a {
            let sets = header("x-amz-region-set")
            guard sets.count == 1, let set = sets.first else {
                return .rejected("a SigV4a request needs one x-amz-region-set header (the regions it is signed for, such as * or \(region)); it has \(sets.count)")
            }
            regionSet = set.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard regionSet.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f } }) else {
                return .rejected("the x-amz-region-set '\(set.prefix(200))' is not a list of regions separated by commas without spaces (such as * or us-east-1,us-west-2)")
            }
            guard regionSetCovers(regionSet, region: region) else {
                return .rejected("the request is signed (SigV4a) for the region set '\(set.prefix(200))', which does not include the service's region \(region); sign for * or a set that names it")
            }
        } else {
            guard scope[2] == region else {
                return .rejected("the request is signed for the region '\(scope[2])'; the service is in \(region)")
            }
        }
        guard header("x-amz-content-sha256").first == SigV4Signer.unsignedPayload else {
            return .rejected("the x-amz-content-sha256 header is not UNSIGNED-PAYLOAD; Lattice requires it (the payload is not signed)")
        }
        guard let amzDate = header("x-amz-date").first, let date = parseAmzDate(amzDate) else {
            return .rejected("the request has no valid x-amz-date (yyyyMMddTHHmmssZ)")
        }
        guard amzDate.hasPrefix(day) else {
            return .rejected("the credential scope's date \(day) is not the day of x-amz-date \(amzDate)")
        }
        guard abs(date.timeIntervalSince(now)) <= skew else {
            return .rejected("the signature's time \(amzDate) is more than 5 minutes from the emulator's clock; sign again")
        }
        guard let known = book.byAccessKey[accessKey] else {
            return .rejected("the access key \(accessKey) is not one local-lattice knows; add it to the --auth-credentials file (or run local-lattice with it as its own credentials)")
        }
        if let token = known.sessionToken, header("x-amz-security-token").first != token {
            return .rejected("the x-amz-security-token does not belong to the access key \(accessKey)")
        }
        let signedNames = signedList.split(separator: ";").map { $0.lowercased() }
        let signedSet = Set(signedNames)
        guard signedSet.contains("host") else { return .rejected("the signature does not cover the host header; SigV4 requires it") }
        let kept = headers.filter { signedSet.contains($0.name.lowercased()) }
        let host = kept.first { $0.name.lowercased() == "host" }?.value ?? ""
        var request = SigV4Request(method: method, url: (secure ? "https://" : "http://") + host + target, headers: SigV4.HTTPHeaders(kept.map { ($0.name, $0.value) }))
        let credentials = SigV4Credentials(accessKeyId: known.accessKeyId, secretAccessKey: known.secretAccessKey, sessionToken: known.sessionToken)
        let options = SigV4Options(signedHeaders: .only(signedSet))
        let details: SigV4SigningDetails
        do {
            if sigV4a {
                details = try SigV4aSigner(credentials: credentials, service: service, regionSet: regionSet, options: options).sign(&request, payload: .unsigned, date: date)
            } else {
                details = try SigV4Signer(credentials: credentials, region: region, service: service, options: options).sign(&request, payload: .unsigned, date: date)
            }
        } catch {
            return .rejected("the request cannot be signed again to check it: \(error)")
        }
        guard details.signedHeaders == signedNames.joined(separator: ";") else {
            return .rejected("SignedHeaders lists \(signedList), which is not the sorted list of headers present (\(details.signedHeaders))")
        }
        let matches: Bool
        if sigV4a {
            // The second signature is ECDSA's, randomized: only its string to sign is compared,
            // through the request's signature and the key pair's public half.
            do {
                let key = try SigV4aSigner(credentials: credentials, service: service, regionSet: regionSet).publicKey()
                matches = try key.isValidSignature(hex: signature.lowercased(), for: details.stringToSign)
            } catch {
                return .rejected("the SigV4a signature cannot be checked: \(error)")
            }
        } else {
            matches = constantTimeEqual(details.signature, signature.lowercased())
        }
        guard matches else {
            return .rejected("the signature does not match: the request was changed after signing, or signed with another secret")
        }
        return .verified(known)
    }

    /// Whether a SigV4a region set covers `region`: a name equal to it, or a pattern whose `*`
    /// stands for any run of characters (`*`, `us-*`), matched by the policies' matcher with `*`
    /// its only wildcard.
    package static func regionSetCovers(_ set: [String], region: String) -> Bool {
        set.contains { PolicyPattern(tokens: $0.unicodeScalars.map { $0 == "*" ? .anyRun : .literal($0) }).matches(region) }
    }

    /// `20261129T221500Z` as a date.
    static func parseAmzDate(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for b in u[r] {
                guard b >= 48, b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard let y = number(0..<4), let mo = number(4..<6), let d = number(6..<8), let h = number(9..<11), let mi = number(11..<13), let s = number(13..<15),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        return try? Date("\(y)-\(mo < 10 ? "0" : "")\(mo)-\(d < 10 ? "0" : "")\(d)T\(h < 10 ? "0" : "")\(h):\(mi < 10 ? "0" : "")\(mi):\(s < 10 ? "0" : "")\(s)Z", strategy: .iso8601)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Whether the data plane lets a request through to a service: the signature first, then the
/// service network's and the service's auth policies (``AuthDecision``); a level of auth type
/// NONE is skipped, and a service with both levels NONE needs no signature at all.
package struct DataPlaneAuth: Sendable {
    /// The outcome, with what to tell the caller and the log.
    package enum Verdict: Sendable {
        case allowed(caller: AuthRequest.Caller?, decision: AuthDecision?)
        /// 403: the reason for `x-local-lattice-auth-reason` and the log (one line, no secrets).
        case denied(reason: String, caller: AuthRequest.Caller?)
    }

    package var book: CredentialBook

    package init(book: CredentialBook) {
        self.book = book
    }

    package func check(method: String, target: String, headers: [(name: String, value: String)], secure: Bool, port: Int,
                       service: DataPlaneSnapshot.Service, network: DataPlaneSnapshot.Network?, sourceVpc: String?, sourceIp: String?,
                       now: Date) -> Verdict {
        if service.authType == AuthType.noAuth, (network?.authType ?? AuthType.noAuth) == AuthType.noAuth {
            return .allowed(caller: nil, decision: nil)
        }
        var networkLevel: AuthDecision.Level?
        if let network {
            switch Self.level(network.authType, network.authPolicy) {
            case let .success(level): networkLevel = level
            case let .failure(problem): return .denied(reason: "the service network's \(problem)", caller: nil)
            }
        }
        let serviceLevel: AuthDecision.Level
        switch Self.level(service.authType, service.authPolicy) {
        case let .success(level): serviceLevel = level
        case let .failure(problem): return .denied(reason: "the service's \(problem)", caller: nil)
        }
        let caller: AuthRequest.Caller
        switch SignatureVerifier.verify(method: method, target: target, headers: headers, secure: secure, region: service.region, now: now, book: book) {
        case .unsigned: caller = .anonymous
        case let .verified(known): caller = known.caller
        case let .rejected(why): return .denied(reason: "signature rejected: " + why, caller: nil)
        }
        let (path, query) = Self.split(target)
        let request = AuthRequest.invoke(
            serviceArn: service.arn, serviceNetworkArn: network?.arn, method: method, path: path,
            headers: headers.filter { !["authorization", "x-amz-security-token"].contains($0.name.lowercased()) },
            query: query, port: port, caller: caller, sourceVpc: sourceVpc, sourceIp: sourceIp, secureTransport: secure,
            resourceTags: service.tags, now: now)
        let decision = AuthDecision(for: request, serviceNetwork: networkLevel, service: serviceLevel)
        guard decision.isAllowed else { return .denied(reason: decision.headerValue(maximumLength: 512), caller: caller) }
        return .allowed(caller: caller, decision: decision)
    }

    /// A level, or why its policy cannot be read.
    static func level(_ type: AuthType, _ policy: String?) -> Result<AuthDecision.Level, PolicyProblem> {
        guard type == .awsIam, let policy else { return .success(AuthDecision.Level(authType: type)) }
        do {
            return .success(AuthDecision.Level(authType: type, policy: try AuthPolicy(json: policy)))
        } catch {
            return .failure(PolicyProblem(description: "auth policy cannot be read: \(error)"))
        }
    }

    struct PolicyProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// The path and the decoded query pairs of a request target.
    static func split(_ target: String) -> (String, [(name: String, value: String)]) {
        guard let q = target.firstIndex(of: "?") else { return (target, []) }
        let pairs = target[target.index(after: q)...].split(separator: "&").map { pair -> (name: String, value: String) in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentEncoding.decode(String(kv[0])), kv.count > 1 ? PercentEncoding.decode(String(kv[1])) : "")
        }
        return (String(target[..<q]), pairs)
    }
}
