/// The SigV4a private key derivation: NIST SP 800-108 counter-mode KDF with HMAC-SHA256.
///
/// For counter c = 1, 2, ... 254, the candidate is
/// `HMAC-SHA256("AWS4A" + secret, 0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 || accessKeyId || c || 0x00000100)`
/// read as a 256-bit big-endian number k. The first k with k <= n - 2 (n the order of P-256)
/// gives the private scalar k + 1, which lies in [1, n - 1]. A candidate out of range has
/// probability about 2^-32, so the counter almost never moves past 1.
enum SigV4aKeyDerivation {
    /// The label of the KDF, which is also SigV4a's algorithm name.
    static let label = "AWS4-ECDSA-P256-SHA256"
    /// The last counter value tried.
    static let maxCounter: UInt8 = 254
    /// n - 2, big-endian, where n is the order of the P-256 group.
    static let orderMinusTwo: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x4F,
    ]

    /// The KDF input for one counter value: the block index 1, the label, a zero byte, the
    /// context (access key id and counter) and the output length in bits (256).
    static func fixedInput(accessKeyId: some Collection<UInt8>, counter: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4 + label.utf8.count + 1 + accessKeyId.count + 1 + 4)
        out.append(contentsOf: [0x00, 0x00, 0x00, 0x01])
        out.append(contentsOf: label.utf8)
        out.append(0x00)
        out.append(contentsOf: accessKeyId)
        out.append(counter)
        out.append(contentsOf: [0x00, 0x00, 0x01, 0x00])
        return out
    }

    /// `candidate + 1` when the 32-byte big-endian `candidate` is at most n - 2, else nil.
    /// Compares and adds without branching on the key bytes.
    static func scalar(fromCandidate candidate: [UInt8]) -> [UInt8]? {
        guard candidate.count == orderMinusTwo.count else { return nil }
        // Most significant byte first: `greater` is fixed by the first byte that differs.
        var greater: UInt8 = 0
        var equal: UInt8 = 1
        for i in 0..<candidate.count {
            let a = Int32(candidate[i]), b = Int32(orderMinusTwo[i])
            greater |= UInt8(truncatingIfNeeded: (b &- a) >> 31) & 1 & equal
            equal &= UInt8(truncatingIfNeeded: ((a ^ b) &- 1) >> 31) & 1
        }
        if greater == 1 { return nil }
        var out = candidate
        var carry: UInt16 = 1
        for i in out.indices.reversed() {
            let sum = UInt16(out[i]) &+ carry
            out[i] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
        return out
    }

    /// Runs the counter loop; `candidate` computes the HMAC output for a fixed input (tests
    /// inject their own). Returns the scalar and the counter that gave it.
    static func privateScalar(
        accessKeyId: String,
        candidate: ([UInt8]) -> [UInt8]
    ) throws(SigV4Error) -> (scalar: [UInt8], counter: UInt8) {
        for counter in 1...maxCounter {
            var input = fixedInput(accessKeyId: accessKeyId.utf8, counter: counter)
            var k = candidate(input)
            let scalar = scalar(fromCandidate: k)
            wipe(&k)
            wipe(&input)
            if let scalar { return (scalar, counter) }
        }
        throw .keyDerivationFailed(accessKeyId: accessKeyId)
    }

    /// The 32-byte big-endian private scalar for an access key pair.
    static func privateScalar(accessKeyId: String, secretAccessKey: String) throws(SigV4Error) -> [UInt8] {
        var keyBytes = Array("AWS4A".utf8)
        keyBytes.append(contentsOf: secretAccessKey.utf8)
        let hmac = HMACKey(key: keyBytes)
        wipe(&keyBytes)
        return try privateScalar(accessKeyId: accessKeyId) { hmac.authenticate($0) }.scalar
    }

    /// Overwrites key material with zeros before it is released.
    static func wipe(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = 0 }
    }
}
