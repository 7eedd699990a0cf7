import Foundation
import Testing
@testable import LatticeKit
import SigV4

@Suite("Error decoding")
struct ErrorDecodingTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT

    static func decode(_ status: Int, _ headers: [(String, String)] = [], _ body: String = "") -> AWSServiceError {
        AWSServiceError(response: HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Array(body.utf8)), now: now)
    }

    @Test("Code from the x-amzn-ErrorType header alone")
    func headerOnly() {
        let error = Self.decode(409, [("x-amzn-ErrorType", "ConflictException")])
        #expect(error.code == "ConflictException")
        #expect(error.message == nil)
        #expect(error.httpStatus == 409)
    }

    @Test("The header wins over the body")
    func headerWins() {
        let error = Self.decode(400, [("X-Amzn-Errortype", "ValidationException")], #"{"code":"Other","__type":"Third"}"#)
        #expect(error.code == "ValidationException")
    }

    @Test("Code from body `code` alone, then `__type`, then `Code`")
    func bodyCodes() {
        #expect(Self.decode(404, [], #"{"code":"ResourceNotFoundException"}"#).code == "ResourceNotFoundException")
        #expect(Self.decode(404, [], #"{"__type":"com.amazonaws.vpclattice#ResourceNotFoundException"}"#).code == "ResourceNotFoundException")
        #expect(Self.decode(404, [], #"{"Code":"NoSuchThing"}"#).code == "NoSuchThing")
        #expect(Self.decode(404, [], #"{"__type":"Second","code":"First","Code":"Third"}"#).code == "First")
        #expect(Self.decode(404, [], #"{"__type":"Second","Code":"Third"}"#).code == "Second")
    }

    @Test("Namespace prefixes and colon suffixes are stripped", arguments: [
        ("aws.protocoltests#ValidationException:http://internal.amazon.com/", "ValidationException"),
        ("ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "ValidationException"),
        ("com.amazonaws.vpclattice#ThrottlingException", "ThrottlingException"),
        ("  AccessDeniedException  ", "AccessDeniedException"),
        ("ServiceQuotaExceededException", "ServiceQuotaExceededException"),
    ])
    func sanitised(_ raw: String, _ expected: String) {
        #expect(Self.decode(400, [("x-amzn-ErrorType", raw)]).code == expected)
        let json = #"{"__type":"\#(raw)"}"#
        #expect(Self.decode(400, [], json).code == expected)
    }

    @Test("An empty or unusable code falls through to the next source")
    func fallThrough() {
        #expect(Self.decode(400, [("x-amzn-ErrorType", "")], #"{"code":"Real"}"#).code == "Real")
        #expect(Self.decode(400, [("x-amzn-ErrorType", ":http://x/")], #"{"code":"Real"}"#).code == "Real")
        #expect(Self.decode(400, [], #"{"code":42,"__type":"Typed","message":"m"}"#).code == "Typed")
        #expect(Self.decode(400, [], #"{"message":"no code"}"#).code == "HTTP 400")
    }

    @Test("Message from `message`, else `Message`, else `errorMessage`")
    func messages() {
        #expect(Self.decode(400, [], #"{"message":"lower"}"#).message == "lower")
        #expect(Self.decode(400, [], #"{"Message":"upper"}"#).message == "upper")
        #expect(Self.decode(400, [], #"{"errorMessage":"lambda style"}"#).message == "lambda style")
        #expect(Self.decode(400, [], #"{"Message":"upper","message":"lower"}"#).message == "lower")
        #expect(Self.decode(400, [], #"{"message":"","Message":"upper"}"#).message == "upper")
        #expect(Self.decode(400, [], #"{"message":null}"#).message == nil)
    }

    @Test("JSON is read whatever the Content-Type says")
    func contentTypeIgnored() {
        let error = Self.decode(400, [("Content-Type", "text/html")], #"{"code":"ValidationException","message":"bad name"}"#)
        #expect(error.code == "ValidationException")
        #expect(error.message == "bad name")
    }

    @Test("A body that is not JSON gives an error named after the status, the body trimmed as message")
    func nonJSON() {
        let html = "\n  <html><body>503 Service Unavailable</body></html>\n"
        let error = Self.decode(503, [("Content-Type", "text/html")], html)
        #expect(error.code == "HTTP 503")
        #expect(error.message == "<html><body>503 Service Unavailable</body></html>")
        #expect(error.body == html)
        #expect(Self.decode(502, [], "Bad Gateway").description == "HTTP 502 (HTTP 502): Bad Gateway")
        #expect(Self.decode(400, [], "[1,2]").code == "HTTP 400")
        #expect(Self.decode(400, [], "{ truncated").message == "{ truncated")
    }

    @Test("An empty body gives the status as code and no message")
    func emptyBody() {
        let error = Self.decode(500)
        #expect(error.code == "HTTP 500")
        #expect(error.message == nil)
        #expect(error.description == "HTTP 500 (HTTP 500)")
    }

    @Test("A long plain body is cut in the message but kept whole in `body`")
    func longBody() {
        let text = String(repeating: "x", count: 5000)
        let error = Self.decode(502, [], text)
        #expect(error.message?.count == AWSServiceError.maxPlainMessageLength + 1)
        #expect(error.body == text)
    }

    @Test("Request id from x-amzn-RequestId, else x-amz-request-id")
    func requestId() {
        #expect(Self.decode(400, [("x-amzn-RequestId", "a-1"), ("x-amz-request-id", "b-2")]).requestId == "a-1")
        #expect(Self.decode(400, [("x-amz-request-id", "b-2")]).requestId == "b-2")
        #expect(Self.decode(400, [("X-AMZN-REQUESTID", "c-3")]).requestId == "c-3")
        #expect(Self.decode(400).requestId == nil)
    }

    @Test("Retry-After: seconds, or an HTTP date counted from now", arguments: [
        ("7", 7 as Int?), (" 0 ", 0), ("Tue, 14 Nov 2023 22:14:20 GMT", 60), ("Tue, 14 Nov 2023 22:00:00 GMT", 0),
        ("soon", nil), ("-3", nil), ("1.5", nil), ("99999999999999999999999", Int.max),
    ])
    func retryAfter(_ header: String, _ expected: Int?) {
        #expect(Self.decode(429, [("Retry-After", header)]).retryAfterSeconds == expected)
    }

    @Test("No Retry-After header, no retryAfterSeconds")
    func noRetryAfter() {
        #expect(Self.decode(429).retryAfterSeconds == nil)
    }

    @Test("Description: CODE (HTTP status, request id X): message, with no headers or body")
    func description() {
        let error = Self.decode(
            403,
            [("x-amzn-RequestId", "req-9"), ("x-amzn-ErrorType", "AccessDeniedException"), ("Set-Cookie", "session=secret")],
            #"{"message":"User is not authorized","detail":"internal-secret"}"#)
        #expect(error.description == "AccessDeniedException (HTTP 403, request id req-9): User is not authorized")
        #expect(!error.description.contains("secret"))
        #expect(error.headers["Set-Cookie"] == "session=secret")
        #expect(error.body.contains("internal-secret"))
    }
}
