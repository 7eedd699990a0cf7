import Foundation
import Testing
@testable import SigV4

/// Shared inputs and small parsers for the signer's unit tests.
enum Fixture {
    /// 2015-08-30T12:36:00Z, the AWS signing suite's time.
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let dateString = "20150830T123600Z"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let credentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret)
    /// A session token shaped like a real one: base64, with `+`, `/` and `=`.
    static let token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def+ghi=="
    static let tokenCredentials = SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token)

    static func signer(
        credentials: SigV4Credentials = Fixture.credentials,
        region: String = "us-east-1",
        service: String = "vpc-lattice",
        options: SigV4Options = SigV4Options(),
        cache: SigningKeyCache = SigningKeyCache()
    ) -> SigV4Signer {
        SigV4Signer(credentials: credentials, region: region, service: service, options: options, cache: cache)
    }

    /// Signs a request built from the arguments; returns the signed request, the details and
    /// the parsed canonical request.
    static func sign(
        _ url: String,
        method: String = "GET",
        headers: HTTPHeaders = HTTPHeaders(),
        payload: SigV4Payload = .empty,
        options: SigV4Options = SigV4Options(),
        credentials: SigV4Credentials = Fixture.credentials,
        date: Date = Fixture.date
    ) throws -> (request: SigV4Request, details: SigV4SigningDetails, canonical: CanonicalRequest) {
        var request = SigV4Request(method: method, url: url, headers: headers)
        let details = try signer(credentials: credentials, options: options).sign(&request, payload: payload, date: date)
        return (request, details, try CanonicalRequest(details.canonicalRequest))
    }

    /// A date from UTC calendar fields, through Foundation's Gregorian calendar.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return try #require(calendar.date(from: components))
    }
}

/// The lines of a canonical request.
struct CanonicalRequest {
    var method: String
    var uri: String
    var query: String
    /// `name:value` lines, in order.
    var headerLines: [String]
    var signedHeaders: String
    var payloadHash: String

    struct Malformed: Error {}

    init(_ text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // method, URI, query, header lines, a blank line, signed headers, payload hash
        guard lines.count >= 6, let blank = lines[3...].firstIndex(of: ""), blank + 3 == lines.count else {
            throw Malformed()
        }
        method = lines[0]
        uri = lines[1]
        query = lines[2]
        headerLines = Array(lines[3..<blank])
        signedHeaders = lines[blank + 1]
        payloadHash = lines[blank + 2]
    }

    /// The canonical value of a header, or nil when it is not signed.
    func header(_ name: String) -> String? {
        for line in headerLines {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    var signedHeaderNames: [String] { signedHeaders.split(separator: ";").map(String.init) }
}

/// The `name=value` pairs of a URL's query (before any fragment), still percent-encoded.
func queryItems(of url: String) -> [(name: String, value: String)] {
    let beforeFragment = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
    let split = beforeFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    guard split.count == 2 else { return [] }
    return split[1].split(separator: "&").map { pair in
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
    }
}

/// Runs `body` and returns the SigV4Error it throws; records an issue when it throws nothing
/// or another error.
func sigV4Error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> SigV4Error? {
    do {
        try body()
        Issue.record("expected a SigV4Error, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as SigV4Error {
        return error
    } catch {
        Issue.record("expected a SigV4Error, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
