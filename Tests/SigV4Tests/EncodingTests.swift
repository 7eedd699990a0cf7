import Foundation
import LatticeTestSupport
import Testing
@testable import SigV4

@Suite struct HexTests {
    @Test func encodesEveryByteAsTwoLowercaseDigits() {
        for byte in UInt8.min...UInt8.max {
            #expect(Hex.encode([byte]) == String(format: "%02x", byte), "byte \(byte)")
        }
    }

    @Test func encodesAllBytesInOrder() {
        let all = Array(UInt8.min...UInt8.max)
        let expected = all.map { String(format: "%02x", $0) }.joined()
        #expect(Hex.encode(all) == expected)
        var sink: [UInt8] = []
        all.withUnsafeBytes { Hex.append($0, to: &sink) }
        #expect(String(decoding: sink, as: UTF8.self) == expected)
    }

    @Test func encodesNothingAsEmpty() {
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func readsDigitsOfBothCasesAndRejectsOthers() {
        for c in UInt8.min...UInt8.max {
            let expected = UInt8(String(UnicodeScalar(c)), radix: 16)
            #expect(Hex.value(c) == expected, "byte \(c)")
        }
    }
}

@Suite struct PercentEncodingTests {
    static let unreserved = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    @Test func keepsTheUnreservedSet() {
        let text = String(decoding: Self.unreserved, as: UTF8.self)
        #expect(PercentEncoding.encode(text) == text)
        #expect(PercentEncoding.encode(text, keepSlash: true) == text)
        for c in UInt8.min...UInt8.max {
            #expect(PercentEncoding.isUnreserved(c) == Self.unreserved.contains(c), "byte \(c)")
        }
    }

    @Test func encodesEveryOtherASCIIByteAsUppercasePercentXY() {
        for c in UInt8(0)...UInt8(127) where !Self.unreserved.contains(c) {
            let s = String(UnicodeScalar(c))
            #expect(PercentEncoding.encode(s) == String(format: "%%%02X", c), "byte \(c)")
        }
    }

    @Test func encodesEveryNonASCIIByteAsUppercasePercentXY() {
        // Bytes 0x80...0xFF alone are not valid UTF-8, so go through the byte-level encoder.
        for c in UInt8(128)...UInt8(255) {
            var out: [UInt8] = []
            PercentEncoding.append([c], to: &out, keepSlash: false)
            #expect(String(decoding: out, as: UTF8.self) == String(format: "%%%02X", c), "byte \(c)")
        }
    }

    @Test func encodesMultiByteUTF8ByteByByte() {
        #expect(PercentEncoding.encode("é") == "%C3%A9")
        #expect(PercentEncoding.encode("ሴ") == "%E1%88%B4")
        #expect(PercentEncoding.encode("😀") == "%F0%9F%98%80")
        #expect(PercentEncoding.encode("naïve ключ") == "na%C3%AFve%20%D0%BA%D0%BB%D1%8E%D1%87")
    }

    @Test func encodesSpaceAsPercent20NeverPlus() {
        #expect(PercentEncoding.encode(" ") == "%20")
        #expect(PercentEncoding.encode("a b  c") == "a%20b%20%20c")
        #expect(PercentEncoding.encode("a+b") == "a%2Bb")
        #expect(!PercentEncoding.encode("target groups").contains("+"))
    }

    @Test func keepSlashKeepsOnlyTheSlash() {
        #expect(PercentEncoding.encode("/a/b c/") == "%2Fa%2Fb%20c%2F")
        #expect(PercentEncoding.encode("/a/b c/", keepSlash: true) == "/a/b%20c/")
        #expect(PercentEncoding.encode("arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1")
            == "arn%3Aaws%3Avpc-lattice%3Aus-east-1%3A123456789012%3Aservice%2Fsvc-1")
        #expect(PercentEncoding.encode("a?b#c", keepSlash: true) == "a%3Fb%23c")
    }

    @Test(arguments: [
        ("%", "%"), ("%%", "%%"), ("%4", "%4"), ("a%2", "a%2"), ("%G1", "%G1"), ("%1G", "%1G"),
        ("100%", "100%"), ("%zz%41", "%zzA"), ("%%41", "%A"), ("%4%41", "%4A"), ("%%%", "%%%"),
    ])
    func decodeKeepsMalformedEscapes(_ input: String, _ expected: String) {
        #expect(PercentEncoding.decode(input) == expected)
    }

    @Test func decodeReadsBothHexCasesAndLeavesPlusAlone() {
        #expect(PercentEncoding.decode("%c3%a9%C3%A9") == "éé")
        #expect(PercentEncoding.decode("a+b%2b%2B") == "a+b++")
        #expect(PercentEncoding.decode("a%20b") == "a b")
        #expect(PercentEncoding.decode("") == "")
    }

    @Test func decodeRepairsInvalidUTF8() {
        #expect(PercentEncoding.decode("%FF") == "\u{FFFD}")
        #expect(PercentEncoding.decode("a%C3") == "a\u{FFFD}")
    }

    static func randomString(_ rng: inout SeededRandom) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            let value: UInt32
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1: value = UInt32.random(in: 0...0x7F, using: &rng)  // ASCII, controls included
            case 2: value = [0x20, 0x25, 0x2B, 0x2F, 0x3D, 0x26].randomElement(using: &rng)!  // space % + / = &
            case 3: value = UInt32.random(in: 0x80...0x7FF, using: &rng)
            case 4: value = UInt32.random(in: 0x800...0xD7FF, using: &rng)
            default: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            }
            s.append(UnicodeScalar(value)!)
        }
        return String(s)
    }

    @Test func decodeOfEncodeGivesBackSeededRandomStrings() {
        var rng = SeededRandom(seed: 0xC0DE_0000_0000_0001)
        for _ in 0..<2_000 {
            let s = Self.randomString(&rng)
            for keepSlash in [false, true] {
                let encoded = PercentEncoding.encode(s, keepSlash: keepSlash)
                #expect(PercentEncoding.decode(encoded) == s)
                // Only unreserved characters (and '/') and %XY with uppercase hex are left.
                var bytes = encoded.utf8.makeIterator()
                while let c = bytes.next() {
                    if c == UInt8(ascii: "%") {
                        let hi = bytes.next(), lo = bytes.next()
                        #expect(hi.map { Array("0123456789ABCDEF".utf8).contains($0) } == true, "\(encoded)")
                        #expect(lo.map { Array("0123456789ABCDEF".utf8).contains($0) } == true, "\(encoded)")
                    } else {
                        #expect(PercentEncoding.isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")), "\(encoded)")
                    }
                }
            }
        }
    }

    @Test func encodeOfDecodeIsStableOnEncodedStrings() {
        var rng = SeededRandom(seed: 0xC0DE_0000_0000_0002)
        for _ in 0..<1_000 {
            let encoded = PercentEncoding.encode(Self.randomString(&rng))
            #expect(PercentEncoding.encode(PercentEncoding.decode(encoded)) == encoded)
        }
    }
}
