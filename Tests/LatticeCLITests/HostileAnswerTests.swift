import Foundation
import Testing
import LatticeTestSupport
import LatticeKit

/// What a broken or hostile service can answer, through the built `lattice` binary: tokens
/// that cycle, terminal control characters in what is printed, and a success answer that is
/// not JSON (objects of many keys: JSONObjectCostTests).
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
    @Test func tokensThatCycleEndTheListingWithAnError() async throws {
        let pages = Locked(0)
        let server = try LoopbackServer { request in
            if pages.withLock({ $0 += 1; return $0 }) > 50 { return .respond(status: 200, headers: [], body: Array("{\"items\":[]}".utf8)) }
            let token = request.target.split(separator: "nextToken=").dropFirst().first.map(String.init)
            return .respond(status: 200, headers: [], body: Array("{\"items\":[],\"nextToken\":\"\(token == "A" ? "B" : "A")\"}".utf8))
        }
        let sandbox = try CLI.Sandbox()
        let r = try await CLI.lattice(["list-services", "--endpoint-url", server.url], sandbox)
        #expect(r.status == 255, "\(r.stderr)")
        #expect(server.requests.count == 3, "pages asked for: \(server.requests.map(\.target))")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("Error during pagination: The same next token was received twice: {'nextToken': 'A'}"), "\(r.stderr)")
        #expect(r.stderr.contains("Page 3 of ListServices returned the next token of page 1"), "\(r.stderr)")
        #expect(r.stderr.contains("--no-paginate"), "says what to do: \(r.stderr)")
        // Resuming from a token the service answers with again.
        let resumed = try await CLI.lattice(["list-services", "--starting-token", "B", "--endpoint-url", server.url], sandbox)
        #expect(resumed.status == 255 && resumed.stderr.contains("Page 2 of ListServices returned the token --starting-token started from"), "\(resumed.stderr)")
    }

    // MARK: - item 8: control characters

    /// The service's error code and message, and a hint made from the body: escaped on stderr.
    @Test func controlCharactersInErrorsAreEscaped() async throws {
        let sandbox = try CLI.Sandbox()
        let code = try Self.server(status: 400, "{\"code\":\(try Self.jsonString("Bad" + Self.hostile + "Code")),\"message\":\(try Self.jsonString("msg " + Self.hostile))}")
        let r1 = try await CLI.lattice(["list-services", "--endpoint-url", code.url], sandbox)
        #expect(r1.status == 254)
        #expect(Self.controls(r1.stderr).isEmpty, "raw: \(Self.controls(r1.stderr)) in \(r1.stderr)")
        #expect(r1.errorLine == "An error occurred (Bad\(Self.escaped)Code) when calling the ListServices operation: msg \(Self.escaped)", "\(r1.stderr)")
        let notFound = try Self.server(status: 404, headers: [("x-amzn-ErrorType", "ResourceNotFoundException")],
                                       "{\"message\":\"gone\",\"resourceId\":\(try Self.jsonString(Self.hostile)),\"resourceType\":\"SERVICE\"}")
        let r2 = try await CLI.lattice(["list-services", "--endpoint-url", notFound.url], sandbox)
        #expect(r2.status == 254)
        #expect(Self.controls(r2.stderr).isEmpty, "raw: \(Self.controls(r2.stderr)) in \(r2.stderr)")
        #expect(r2.stderr.contains("Hint: SERVICE '\(Self.escaped)' was not found"), "\(r2.stderr)")
        // --debug shows the service's headers and body escaped too.
        let raw = try Self.server(status: 400, headers: [("x-amzn-ErrorType", "Raw\u{1B}[2JCode")], Self.hostile)
        let r3 = try await CLI.lattice(["list-services", "--debug", "--endpoint-url", raw.url], sandbox)
        #expect(r3.status == 254)
        #expect(Self.controls(r3.stderr).isEmpty, "raw: \(Self.controls(r3.stderr)) in \(r3.stderr)")
        #expect(r3.stderr.contains("[debug]   body: \(Self.escaped)\n"), "\(r3.stderr)")
        #expect(r3.stderr.contains("Raw\\x1b[2JCode"), "\(r3.stderr)")
    }

    /// text and table output show the service's values escaped, keep their own colors; json
    /// escapes them as JSON (`\u001b`, and, unlike Python, `\u007f`, `\u009b`, `\u202e`).
    @Test func controlCharactersInOutputAreEscaped() async throws {
        let sandbox = try CLI.Sandbox()
        let body = "{\"id\":\"svc-0123456789abcdef0\",\"name\":\(try Self.jsonString(Self.hostile)),\"status\":\"ACTIVE\",\"dnsEntry\":{\"domainName\":\(try Self.jsonString("d" + Self.hostile))}}"
        let server = try Self.server(body)
        let get = ["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", server.url]
        let text = try await CLI.lattice(get + ["--output", "text"], sandbox)
        #expect(text.status == 0 && Self.controls(text.stdout).isEmpty, "raw: \(Self.controls(text.stdout)) in \(text.stdout)")
        #expect(text.stdout.contains("\t\(Self.escaped)\t"), "\(text.stdout)")
        #expect(text.stdout.contains("DNSENTRY\td\(Self.escaped)\n"), "\(text.stdout)")
        let table = try await CLI.lattice(get + ["--output", "table"], sandbox)
        #expect(table.status == 0 && Self.controls(table.stdout).isEmpty, "raw: \(Self.controls(table.stdout)) in \(table.stdout)")
        #expect(table.stdout.contains("|  \(Self.escaped)  |") || table.stdout.contains(" \(Self.escaped) "), "\(table.stdout)")
        // With colors, the table's own escape sequences stay and the service's do not.
        let colored = try await CLI.lattice(get + ["--output", "table", "--color", "on"], sandbox)
        let colors = ["\u{1B}[2m", "\u{1B}[33m", "\u{1B}[0m", "\u{1B}[1m", "\u{1B}[34m"]
        let withoutColors = colors.reduce(colored.stdout) { $0.replacingOccurrences(of: $1, with: "") }
        #expect(colored.stdout.contains("\u{1B}[34m") && Self.controls(withoutColors).isEmpty, "raw: \(Self.controls(withoutColors))")
        let json = try await CLI.lattice(get, sandbox)
        #expect(json.status == 0 && Self.controls(json.stdout).isEmpty, "raw: \(Self.controls(json.stdout))")
        #expect(json.stdout.contains("\"name\": \"a\\u001b]0;owned\\u0007b\\u001b[2Jc\\rd\\u009b31me\\u007ff\\u202eg\""), "\(json.stdout)")
        let parsed = try #require(try JSONText.parse(json.stdout) as? [String: Any])
        #expect(parsed["name"] as? String == Self.hostile, "the same value once parsed")
    }

    // MARK: - item 10: a success answer that is not JSON

    /// Before, a 200 whose body was not JSON printed nothing and exited 0: a create may have
    /// happened without the user knowing.
    @Test func aSuccessAnswerThatIsNotJSONIsAnError() async throws {
        let sandbox = try CLI.Sandbox()
        let cut = try Self.server("{\"id\": \"svc-0123")
        let create = try await CLI.lattice(["create-service", "--name", "provider-svc", "--endpoint-url", cut.url], sandbox)
        #expect(create.status == 255, "\(create.stderr)")
        #expect(create.stdout.isEmpty)
        #expect(create.stderr.contains("The CreateService answer (HTTP 200, a success) could not be read: it is not JSON (Unterminated string starting at: line 1 column 8 (char 7))."), "\(create.stderr)")
        #expect(create.stderr.contains("The request may have taken effect: check with 'lattice list-services' before running the command again"), "\(create.stderr)")
        #expect(create.stderr.contains("Body (16 bytes): {\"id\": \"svc-0123\n"), "\(create.stderr)")
        // What to check follows the operation; a read changes nothing.
        let delete = try await CLI.lattice(["delete-listener", "--service-identifier", "svc-0123456789abcdef0", "--listener-identifier", "listener-0123456789abcdef0", "--endpoint-url", cut.url], sandbox)
        #expect(delete.status == 255 && delete.stderr.contains("check with 'lattice get-listener'"), "\(delete.stderr)")
        let tag = try await CLI.lattice(["tag-resource", "--resource-arn", Self.arn, "--tags", "a=b", "--endpoint-url", cut.url], sandbox)
        #expect(tag.status == 255 && tag.stderr.contains("check with 'lattice list-tags-for-resource'"), "\(tag.stderr)")
        let get = try await CLI.lattice(["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", cut.url], sandbox)
        #expect(get.status == 255 && get.stderr.contains("GetService only reads, so nothing was changed"), "\(get.stderr)")
        // JSON that is not an object; a long body, cut, with its control characters escaped.
        let list = try await CLI.lattice(["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", try Self.server("[1, 2]").url], sandbox)
        #expect(list.status == 255 && list.stderr.contains("could not be read: it is JSON but not an object"), "\(list.stderr)")
        let long = String(repeating: "\u{1B}[2J<html>", count: 1_100)
        let html = try await CLI.lattice(["get-service", "--service-identifier", "svc-0123456789abcdef0", "--endpoint-url", try Self.server(long).url], sandbox)
        #expect(html.status == 255 && html.stderr.contains("Body (first 2000 of 11000 bytes): \\x1b[2J<html>"), "\(html.stderr)")
        #expect(Self.controls(html.stderr).isEmpty && html.stderr.count < 3_500)
        // An empty success body is no members, as before.
        let empty = try await CLI.lattice(["delete-auth-policy", "--resource-identifier", "svc-0123456789abcdef0", "--endpoint-url", try Self.server("").url], sandbox)
        #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty.stderr)")
    }
}
