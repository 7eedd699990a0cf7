import CCrypto
import Foundation
import Testing
@testable import SigV4

/// SigV4a key derivation: the KDF input, the range check and the counter loop, and public keys
/// for known credentials.
@Suite struct SigV4aKeyDerivationTests {
    static let exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    static func hex(_ s: String) -> [UInt8] { SigV4aPublicKey.bytes(hex: s) ?? [] }

    /// n, n - 1 and n - 2 for P-256, big-endian.
    static let order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
    static let orderMinusOne = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")
    static let orderMinusTwo = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f")

    @Test func fixedInputIsIndexLabelZeroContextAndLength() {
        let input = SigV4aKeyDerivation.fixedInput(accessKeyId: "AKID".utf8, counter: 7)
        let expected: [UInt8] = [0, 0, 0, 1] + Array("AWS4-ECDSA-P256-SHA256".utf8) + [0] + Array("AKID".utf8) + [7] + [0, 0, 1, 0]
        #expect(input == expected)
        #expect(SigV4aKeyDerivation.orderMinusTwo == Self.orderMinusTwo)
    }

    @Test func candidatesUpToOrderMinusTwoGiveCandidatePlusOne() {
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: [UInt8](repeating: 0, count: 32)) == [UInt8](repeating: 0, count: 31) + [1])
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: Self.orderMinusTwo) == Self.orderMinusOne)
        // The carry runs through every 0xff byte.
        let carry = [UInt8](repeating: 0x7f, count: 1) + [UInt8](repeating: 0xff, count: 31)
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: carry) == [0x80] + [UInt8](repeating: 0, count: 31))
        // Just below n - 2 in a low byte, and in the high word.
        var below = Self.orderMinusTwo
        below[31] -= 1
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: below) == Self.orderMinusTwo)
        var highBelow = Self.orderMinusTwo
        highBelow[3] = 0xfe
        highBelow[31] = 0xff
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: highBelow) != nil)
    }

    @Test func candidatesAboveOrderMinusTwoAreRejected() {
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: Self.orderMinusOne) == nil)
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: Self.order) == nil)
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: [UInt8](repeating: 0xff, count: 32)) == nil)
        // Greater in an early byte though smaller in every later one.
        var above = [UInt8](repeating: 0, count: 32)
        above[0...4] = [0xff, 0xff, 0xff, 0xff, 0x01]
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: above) == nil)
        // Not 32 bytes.
        #expect(SigV4aKeyDerivation.scalar(fromCandidate: [1, 2, 3]) == nil)
    }

    @Test func aRejectedCandidateMovesTheCounterOn() throws {
        var counters: [UInt8] = []
        let (scalar, counter) = try SigV4aKeyDerivation.privateScalar(accessKeyId: "AKID") { input in
            let c = input[4 + 22 + 1 + 4]
            counters.append(c)
            #expect(input == SigV4aKeyDerivation.fixedInput(accessKeyId: "AKID".utf8, counter: c))
            return c < 3 ? Self.orderMinusOne : Self.orderMinusTwo
        }
        #expect(counters == [1, 2, 3])
        #expect(counter == 3)
        #expect(scalar == Self.orderMinusOne)
    }

    @Test func derivationGivesUpAfterCounter254() {
        var calls = 0
        var last: UInt8 = 0
        #expect(throws: SigV4Error.keyDerivationFailed(accessKeyId: "AKID")) {
            try SigV4aKeyDerivation.privateScalar(accessKeyId: "AKID") { input in
                calls += 1
                last = input[4 + 22 + 1 + 4]
                return Self.order
            }
        }
        #expect(calls == 254)
        #expect(last == 254)
    }

    /// Public keys for credentials: the suite's, aws-c-auth's fixed vector (values its tests
    /// say were checked against the Go and IAM implementations), and edge inputs whose expected
    /// keys were computed separately with Python's hmac and the `cryptography` package.
    @Test(arguments: [
        ("AKIDEXAMPLE", exampleSecret,
         "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1", "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518"),
        ("AKISORANDOMAASORANDOM", "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom",
         "15d242ceebf8d8169fd6a8b5a746c41140414c3b07579038da06af89190fffcb", "0515242cedd82e94799482e4c0514b505afccf2c0c98d6a553bf539f424c5ec0"),
        // "AWS4A" + secret is longer than the HMAC block: the key is hashed first.
        ("AKIDEXAMPLE", String(repeating: "x", count: 100),
         "b465b82a31b98203d03c13485e30f090130b9d78027bea316ff8d40eeba68982", "c8cd93614edc5dfcf56fe7ed12c5e3c1702f2cefccc3d39d876b250ef790efa9"),
        // Non-ASCII secret: its UTF-8 bytes.
        ("AKIDEXAMPLE", "sécret-ключ-秘密",
         "014e0d41cd40380c03bd9d9da694931c771aed736c0d297b988828b2dbe87c7e", "b707f83a4a8df7981ca431c758a2d3d6bf2cb63dab73711e58e7d52d922663d7"),
        // A 128-character access key id.
        ("ASIA" + String(repeating: "Z", count: 124), exampleSecret,
         "f764789b2ef1bc36b1106934aec65f8f4933cf8187483f37c0796c422fd37065", "ad34acb53bc883a61b26b765844a219d38e4354a0c2dd007b1a1312c3c244130"),
        // The access key id is part of the derivation: same secret, another key.
        ("AKIDEXAMPLE2", exampleSecret,
         "132b3fe40f11fb007d863b9afbe1979acb4e3211dc6d26aa1fed63b530bf1b56", "b6b3a29e7c3fb5059607dbca874c76fca2d680cf2409231eb1ff777d176f3725"),
    ])
    func derivedPublicKey(accessKeyId: String, secret: String, x: String, y: String) throws {
        let cache = SigV4aKeyCache()
        let key = try cache.publicKey(for: SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secret))
        #expect(key == SigV4aPublicKey(hexX: x, hexY: y))
    }

    @Test func exampleScalarIsTheFirstCandidatePlusOne() throws {
        let scalar = try SigV4aKeyDerivation.privateScalar(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.exampleSecret)
        #expect(Hex.encode(scalar) == "7efc8c0e65a324242818c5a50c891c6060b6a00717b7ba3cbe3c5d765be9259c")
    }

    @Test func sessionTokenPlaysNoPart() throws {
        let cache = SigV4aKeyCache()
        let plain = try cache.publicKey(for: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.exampleSecret))
        let withToken = try cache.publicKey(for: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.exampleSecret, sessionToken: "token"))
        #expect(plain == withToken)
        #expect(cache.count == 1)
    }

    @Test func cacheReusesKeysAndStaysBounded() throws {
        let cache = SigV4aKeyCache(capacity: 2)
        let first = try cache.privateKey(accessKeyId: "AKID1", secret: "s")
        #expect(try cache.privateKey(accessKeyId: "AKID1", secret: "s") === first)
        #expect(try cache.privateKey(accessKeyId: "AKID1", secret: "other") !== first)
        #expect(cache.count == 2)
        // Full: emptied before the third key goes in.
        _ = try cache.privateKey(accessKeyId: "AKID3", secret: "s")
        #expect(cache.count == 1)
        let again = try cache.privateKey(accessKeyId: "AKID1", secret: "s")
        #expect(again !== first)
        #expect(again.publicKey == first.publicKey)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(SigV4aKeyCache(capacity: 0).description == "SigV4aKeyCache(count: 0, capacity: 1)")
    }

    /// OSSL_PARAM keeps its names by pointer, so the signer uses static copies of OpenSSL's.
    @Test func keyParameterNamesAreOpenSSLs() {
        #expect(String(cString: P256.cString(P256.groupKey)) == OSSL_PKEY_PARAM_GROUP_NAME)
        #expect(String(cString: P256.cString(P256.privateKeyKey)) == OSSL_PKEY_PARAM_PRIV_KEY)
        #expect(String(cString: P256.cString(P256.publicKeyKey)) == OSSL_PKEY_PARAM_PUB_KEY)
        #expect(String(cString: P256.cString(P256.curveName)) == SN_X9_62_prime256v1)
    }

    @Test func publicKeyFromHexNeedsTwo32ByteCoordinates() {
        let x = String(repeating: "ab", count: 32)
        #expect(SigV4aPublicKey(hexX: x, hexY: x) != nil)
        #expect(SigV4aPublicKey(hexX: String(x.dropLast(2)), hexY: x) == nil)
        #expect(SigV4aPublicKey(hexX: x, hexY: String(x.dropLast()) + "g") == nil)
        #expect(SigV4aPublicKey(hexX: x, hexY: String(x.dropLast())) == nil)
        #expect(SigV4aPublicKey(hexX: x, hexY: x)?.uncompressed.count == 65)
    }
}
