import Foundation
import Testing
import LatticeTestSupport
import LatticeKit

/// What a broken or hostile service can answer, through the built `lattice` binary.
@Suite struct HostileAnswerTests {
    static let arn = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"

    static func server(status: Int = 200, headers: [(String, String)] = [], _ body: String) throws -> LoopbackServer {
        try LoopbackServer { _ in .respond(status: status, headers: headers, body: Array(body.utf8)) }
    }

    /// The characters of `text` that act on a terminal: C0 controls but tab and newline, DEL,
    /// C1 controls, bidi embeddings, overrides, isolates and marks, U+2028 and U+2029.
    static func controls(_ text: String) -> [String] {
        text.unicodeScalars.filter { u in
            switch u.value {
            case 0x09, 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }.map { String(format: "U+%04X", $0.value) }
    }

    /// A value with a bit of everything a terminal acts on: a title-setting OSC ended by BEL,
    /// a clear-screen CSI, a CR that would overwrite the line, a C1 CSI, DEL and a right-to-left
    /// override.
    static let hostile = "a\u{1B}]0;owned\u{07}b\u{1B}[2Jc\rd\u{9B}31me\u{7F}f\u{202E}g"
    /// `hostile` as the CLI shows it.
    static let escaped = "a\\x1b]0;owned\\x07b\\x1b[2Jc\\rd\\x9b31me\\x7ff\\u202eg"

    /// `s` as a JSON string literal, quotes included.
    static func jsonString(_ s: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: [s], options: []), as: UTF8.self).dropFirst().dropLast().description
    }

    // MARK: - item 3: tokens that cycle

    /// Tokens A, B, A, B, ...: before, the pager only caught a token repeated twice in a row and
    /// looped forever (this server gives up after 50 pages, so the old pager ended with exit 0).
    @Test func tokensThatCycleEndTheListingWithAnError() throws {
        let pages = Locked(0)
        let server = try LoopbackServer { request in
            if pages.withLock({ $0 += 1; return $0 }) > 50 { return .respond(status: 200, headers: [], body: Array("{\"items\":[]}".utf8)) }
            let token = request.target.split(separator: "nextToken=").dropFirst().first.map(String.init)
            return .respond(status: 200, headers: [], body: Array("{\"items\":[],\"nextToken\":\"\(token == "A" ? "B" : "A")\"}".utf8))
        }
        let sandbox = try CLI.Sandbox()
        let r = try CLI.lattice(["list-services", "--endpoint-url", server.url], sandbox)
        #expect(r.status == 255, "\(r.stderr)")
        #expect(server.requests.count == 3, "pages asked for: \(server.requests.map(\.target))")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("Error during pagination: The same next token was received twice: {'nextToken': 'A'}"), "\(r.stderr)")
        #expect(r.stderr.contains("Page 3 of ListServices returned the next token of page 1"), "\(r.stderr)")
        #expect(r.stderr.contains("--no-paginate"), "says what to do: \(r.stderr)")
        // Resuming from a token the service answers with again.
        let resumed = try CLI.lattice(["list-services", "--starting-token", "B", "--endpoint-url", server.url], sandbox)
        #expect(resumed.status == 255 && resumed.stderr.contains("Page 2 of ListServices returned the token --starting-token started from"), "\(resumed.stderr)")
    }
}
