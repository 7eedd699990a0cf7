#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

/// The HTTP side of the local Lattice: the signature's form, the URL's path and query, the
/// JSON body in, the JSON answer out.
enum Wire {
    /// A request URL split into its decoded path segments and query pairs.
    struct Target {
        var segments: [String]
        var query: [(name: String, value: String)]
        var path: String
    }

    // MARK: Signature form

    /// What the signature's credential scope says.
    struct Scope {
        var accessKeyId: String
        var region: String
    }

    /// Checks that the request carries a SigV4 signature of the right form for this service
    /// (it cannot check the signature itself: it does not know the secret) and returns the
    /// credential scope. Throws the 403 the service answers for a missing or malformed one.
    static func checkSignature(_ request: HTTPRequest) throws(ServiceFault) -> Scope {
        guard let authorization = request.headers["authorization"]?.trimmedWhitespace, !authorization.isEmpty else {
            throw .missingToken()
        }
        let algorithm = "AWS4-HMAC-SHA256"
        guard authorization.hasPrefix(algorithm + " ") else {
            throw .incompleteSignature("Authorization header requires the '\(algorithm)' algorithm followed by Credential, SignedHeaders and Signature parameters. Authorization=\(authorization.prefix(40))")
        }
        var parameters: [String: String] = [:]
        for part in authorization.dropFirst(algorithm.count + 1).split(separator: ",") {
            let pair = part.trimmedWhitespace
            guard let eq = pair.firstIndex(of: "=") else { continue }
            parameters[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let missing = ["Credential", "SignedHeaders", "Signature"].filter { (parameters[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            throw .incompleteSignature(missing.map { "Authorization header requires '\($0)' parameter." }.joined(separator: " "))
        }
        let credential = (parameters["Credential"] ?? "").split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard credential.count == 5, !credential[0].isEmpty else {
            throw .incompleteSignature("Credential must have the form ACCESS_KEY_ID/yyyymmdd/REGION/SERVICE/aws4_request.")
        }
        let (date, region, service, terminator) = (credential[1], credential[2], credential[3], credential[4])
        guard date.count == 8, date.allSatisfy(\.isASCIIDigit) else {
            throw .invalidSignature("Credential should be scoped to a valid date, not '\(date)'.")
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isASCIILowercaseLetter || $0.isASCIIDigit || $0 == "-" }) else {
            throw .invalidSignature("Credential should be scoped to a valid region, not '\(region)'.")
        }
        guard service == LatticeClient.signingName else {
            throw .invalidSignature("Credential should be scoped to correct service: '\(LatticeClient.signingName)'.")
        }
        guard terminator == "aws4_request" else {
            throw .invalidSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '\(terminator)'.")
        }
        let signedHeaders = (parameters["SignedHeaders"] ?? "").split(separator: ";").map(String.init)
        guard signedHeaders.contains("host") else {
            throw .invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard signedHeaders.contains("x-amz-date") else {
            throw .invalidSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let signature = parameters["Signature"] ?? ""
        guard signature.utf8.count == 64, signature.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw .invalidSignature("The request signature we calculated does not match the signature you provided: a signature is 64 lowercase hexadecimal digits.")
        }
        guard let amzDate = request.headers["x-amz-date"]?.trimmedWhitespace, !amzDate.isEmpty else {
            throw .incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        for name in signedHeaders where name != "host" && !request.headers.contains(name) {
            throw .invalidSignature("The signed header '\(name)' is not in the request.")
        }
        guard isAmzDate(String(amzDate)) else {
            throw .invalidSignature("X-Amz-Date '\(amzDate)' is not of the form yyyyMMdd'T'HHmmss'Z'.")
        }
        guard amzDate.hasPrefix(date) else {
            throw .invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(date)' != '\(amzDate.prefix(8))'.")
        }
        return Scope(accessKeyId: credential[0], region: region)
    }

    /// `20240101T120000Z`.
    static func isAmzDate(_ s: String) -> Bool {
        let c = Array(s.utf8)
        guard c.count == 16, c[8] == UInt8(ascii: "T"), c[15] == UInt8(ascii: "Z") else { return false }
        return (c[0..<8] + c[9..<15]).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: URL

    /// Splits a wire URL (`https://host/a/b%2Fc?x=1`) into decoded path segments and query pairs.
    static func target(_ url: String) -> Target {
        let (path, queryText) = ParsedURL.pathAndQuery(url)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode(String($0)) }
        var query: [(String, String)] = []
        for pair in (queryText ?? "").split(separator: "&") where !pair.isEmpty {
            if let eq = pair.firstIndex(of: "=") {
                query.append((PercentEncoding.decode(String(pair[..<eq])), PercentEncoding.decode(String(pair[pair.index(after: eq)...]))))
            } else {
                query.append((PercentEncoding.decode(String(pair)), ""))
            }
        }
        return Target(segments: segments, query: query, path: String(path.isEmpty ? "/" : path))
    }

    // MARK: Input

    /// The operation's input as one JSON object: the body's members plus the path labels and
    /// query parameters, typed as the model says, ready to decode as the generated input.
    static func input(_ spec: OperationSpec, labels: [String: String], query: [(name: String, value: String)], body: [UInt8]) throws(ServiceFault) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if !body.isEmpty {
            guard let parsed = try? LatticeJSON.sharedDecoder.decode(JSONValue.self, from: Data(body)), case let .object(members) = parsed else {
                throw .validation("The request body could not be parsed as a JSON object.", reason: .cannotParse)
            }
            object = members
        }
        for member in spec.members {
            switch member.location {
            case .uri:
                if let value = labels[member.name] { object[member.name] = .string(value) }
            case .querystring:
                let values = query.filter { $0.name == member.name }.map(\.value)
                guard let first = values.first else { continue }
                switch member.type {
                case "integer", "long":
                    guard let n = Int64(first) else {
                        throw .validation("1 validation error detected: Value '\(first)' at '\(member.name)' failed to satisfy constraint: Member must be an integer",
                                          fields: [(member.name, "Member must be an integer")])
                    }
                    object[member.name] = .int(n)
                case "boolean":
                    guard first == "true" || first == "false" else {
                        throw .validation("1 validation error detected: Value '\(first)' at '\(member.name)' failed to satisfy constraint: Member must be true or false",
                                          fields: [(member.name, "Member must be true or false")])
                    }
                    object[member.name] = .bool(first == "true")
                case "list":
                    object[member.name] = .array(values.map { .string($0) })
                default:
                    object[member.name] = .string(first)
                }
            case .header, .body:
                continue
            }
        }
        return .object(object)
    }

    // MARK: Answers

    /// A success: the spec's status, JSON (or no body for 204), a request id.
    static func success(status: Int, body: [UInt8], requestId: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "x-amzn-RequestId", value: requestId)
        if status != 204 {
            headers.add(name: "Content-Type", value: "application/json")
        }
        headers.add(name: "Content-Length", value: String(status == 204 ? 0 : body.count))
        return HTTPResponse(status: status, headers: headers, body: status == 204 ? [] : body)
    }

    /// An error: `x-amzn-ErrorType`, the status, `{"message": ..., modeled members}`.
    static func failure(_ fault: ServiceFault, requestId: String) -> HTTPResponse {
        let body = fault.body
        var headers = HTTPHeaders()
        headers.add(name: "x-amzn-RequestId", value: requestId)
        headers.add(name: "x-amzn-ErrorType", value: fault.code)
        if let seconds = fault.retryAfterSeconds { headers.add(name: "Retry-After", value: String(seconds)) }
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        return HTTPResponse(status: fault.status, headers: headers, body: body)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILowercaseLetter: Bool { isASCII && isLowercase }
}
