/// SplitMix64: a tiny, well-mixed deterministic generator, so a given seed always yields the
/// same IDs, tokens and request IDs.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` characters drawn uniformly from `alphabet`.
    mutating func string(_ count: Int, from alphabet: [Character]) -> String {
        var out = ""
        out.reserveCapacity(count)
        let n = UInt64(alphabet.count)
        for _ in 0..<count {
            // Rejection sampling keeps every character equally likely.
            var x = next()
            while x >= UInt64.max - UInt64.max % n { x = next() }
            out.append(alphabet[Int(x % n)])
        }
        return out
    }
}

/// Makes the identifiers the service makes: resource IDs (`svc-` and 17 lowercase hexadecimal
/// digits, as the service's are for every type, though most of the model's patterns would
/// allow [0-9a-z]), request IDs, hosted zone IDs, page tokens. Separate streams keep resource
/// IDs independent of how often lists are paged.
struct Identities: Sendable {
    static let hex = Array("0123456789abcdef")
    static let upper = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    private var ids: SplitMix64
    private var requests: SplitMix64
    private var tokens: SplitMix64
    private var issued: Set<String> = []

    init(seed: UInt64) {
        ids = SplitMix64(seed: seed)
        requests = SplitMix64(seed: seed ^ 0x5EED_0000_0000_0001)
        tokens = SplitMix64(seed: seed ^ 0x5EED_0000_0000_0002)
    }

    /// A fresh ID for `kind`, never issued before by this generator.
    mutating func id(_ kind: ResourceKind) -> String {
        while true {
            let candidate = kind.prefix + "-" + ids.string(17, from: Self.hex)
            if issued.insert(candidate).inserted { return candidate }
        }
    }

    /// `count` characters of `alphabet` from the resource stream (DNS labels, TXT values).
    mutating func characters(_ count: Int, _ alphabet: [Character]) -> String {
        ids.string(count, from: alphabet)
    }

    /// A request ID in the UUID form the service uses.
    mutating func requestId() -> String {
        let h = requests.string(32, from: Self.hex)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-" + String(c[20..<32])
    }

    /// An opaque pagination token.
    mutating func pageToken() -> String {
        "AQ" + tokens.string(46, from: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    }
}

/// ARNs of this service: `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:TYPE/ID`.
enum ARN {
    /// The partition a region belongs to.
    static func partition(_ region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    static func make(_ kind: ResourceKind, _ id: String, region: String, account: String) -> String {
        prefix(region: region, account: account) + kind.arnType + "/" + id
    }

    static func prefix(region: String, account: String) -> String {
        "arn:\(partition(region)):vpc-lattice:\(region):\(account):"
    }

    /// The account of an ARN (its fifth field), or nil when the text is not an ARN.
    static func account(_ arn: String) -> Substring? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        return parts[4]
    }

    /// The ARN's service and resource fields: `("s3", "bucket")`.
    static func serviceAndResource(_ arn: String) -> (service: Substring, region: Substring, resource: Substring)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        return (parts[2], parts[3], parts[5])
    }
}
