import Foundation
import Testing
@testable import LatticeKit
import SigV4

/// Random model-valid response bodies for every operation decode into the output types and
/// encode back to equal JSON; unknown members are dropped, unknown enum values kept.
@Suite struct DecodingTests {
    @Test func everyOutputRoundTrips() throws {
        let cases = try PythonOracle.lines("Tests/Oracles/cases.py", ["outputs", "--seed", "31", "--per-op", "5"])
        #expect(cases.count == 73 * 5)
        var failures = 0
        for c in cases {
            let name = c["operation"] as! String
            let descriptor = try #require(OperationDescriptor.named(name))
            let body = c["body"]!
            do {
                let again = try JSONSerialization.jsonObject(with: descriptor.roundTripOutput(try PythonOracle.json(body)))
                if !PythonOracle.sameJSON(body, again) {
                    failures += 1
                    if failures <= 5 { Issue.record("\(name): \(body) came back as \(again)") }
                }
                // An unknown member is ignored, not an error.
                var extended = body as! [String: Any]
                extended["memberFromTheFuture"] = ["nested": [1, 2, 3]]
                let ignored = try JSONSerialization.jsonObject(with: descriptor.roundTripOutput(try PythonOracle.json(extended)))
                #expect(PythonOracle.sameJSON(body, ignored), "\(name): an unknown member changed the output")
            } catch {
                failures += 1
                if failures <= 5 { Issue.record("\(name): \(error)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func unknownEnumValuesAndExplicitNullsSurvive() throws {
        let d = try #require(OperationDescriptor.named("GetTargetGroup"))
        let body = #"{"id":"tg-1","type":"FUTURE_TYPE","status":"ACTIVE","config":{"protocol":"QUIC","port":443,"healthCheck":null},"failureMessage":null}"#
        let again = try #require(try JSONSerialization.jsonObject(with: d.roundTripOutput(Data(body.utf8))) as? [String: Any])
        #expect(again["type"] as? String == "FUTURE_TYPE")
        #expect((again["config"] as? [String: Any])?["protocol"] as? String == "QUIC")
        #expect(again["failureMessage"] == nil)
    }
}

/// Each modeled error, decoded from the three forms services use to name it.
@Suite struct ModeledErrorTests {
    static let forms = ["header", "code", "__type"]

    static func response(_ code: String, form: String, status: Int, fields: String) -> HTTPResponse {
        switch form {
        case "header":
            return HTTPResponse(status: status, headers: ["x-amzn-ErrorType": "\(code):http://internal.amazon.com/coral/", "x-amzn-RequestId": "req-h", "Retry-After": "7"], body: [])
        case "code":
            return HTTPResponse(status: status, headers: ["x-amzn-RequestId": "req-c", "Retry-After": "7"], body: Array(#"{"code":"\#(code)",\#(fields)}"#.utf8))
        default:
            return HTTPResponse(status: status, headers: ["x-amzn-RequestId": "req-t", "Retry-After": "7"], body: Array(#"{"__type":"com.amazonaws.vpclattice#\#(code)",\#(fields)}"#.utf8))
        }
    }

    func call(_ response: HTTPResponse) async throws {
        let transport = FakeTransport { _ in response }
        let client = try LatticeClient(
            LatticeConfiguration(region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "S"), maxAttempts: 1),
            transport: transport, environment: testEnvironment(LatticeClientTests.variables()))
        _ = try await client.getService(GetServiceRequest(serviceIdentifier: "svc-0123456789abcdef0"))
    }

    @Test(arguments: forms)
    func validationException(form: String) async throws {
        let r = Self.response("ValidationException", form: form, status: 400, fields: #""message":"bad name","reason":"fieldValidationFailed","fieldList":[{"name":"name","message":"too short"}]"#)
        do { try await call(r); Issue.record("expected an error") } catch let e as ValidationException {
            #expect(e.serviceError?.httpStatus == 400)
            #expect(e.serviceError?.requestId != nil)
            if form != "header" {
                #expect(e.message == "bad name")
                #expect(e.reason == .fieldValidationFailed)
                #expect(e.fieldList?.first?.name == "name")
            }
        }
    }

    @Test(arguments: forms)
    func resourceNotFoundException(form: String) async throws {
        let r = Self.response("ResourceNotFoundException", form: form, status: 404, fields: #""message":"no such service","resourceId":"svc-0123456789abcdef0","resourceType":"SERVICE""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as ResourceNotFoundException {
            #expect(e.serviceError?.httpStatus == 404)
            if form != "header" {
                #expect(e.resourceId == "svc-0123456789abcdef0")
                #expect(e.resourceType == "SERVICE")
                #expect("\(e)".contains("ResourceNotFoundException: no such service"))
            }
        }
    }

    @Test(arguments: forms)
    func conflictException(form: String) async throws {
        let r = Self.response("ConflictException", form: form, status: 409, fields: #""message":"exists","resourceId":"sn-1","resourceType":"SERVICE_NETWORK""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as ConflictException {
            if form != "header" { #expect(e.resourceType == "SERVICE_NETWORK") }
        }
    }

    @Test(arguments: forms)
    func accessDeniedException(form: String) async throws {
        let r = Self.response("AccessDeniedException", form: form, status: 403, fields: #""message":"not authorized to perform: vpc-lattice:GetService""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as AccessDeniedException {
            if form != "header" { #expect(e.message?.contains("vpc-lattice:GetService") == true) }
        }
    }

    @Test(arguments: forms)
    func serviceQuotaExceededException(form: String) async throws {
        let r = Self.response("ServiceQuotaExceededException", form: form, status: 402, fields: #""message":"quota","resourceType":"SERVICE","serviceCode":"vpc-lattice","quotaCode":"L-1""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as ServiceQuotaExceededException {
            if form != "header" { #expect(e.quotaCode == "L-1") }
        }
    }

    @Test(arguments: forms)
    func throttlingException(form: String) async throws {
        let r = Self.response("ThrottlingException", form: form, status: 429, fields: #""message":"slow down","serviceCode":"vpc-lattice","quotaCode":"L-2""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as ThrottlingException {
            #expect(e.retryAfterSeconds == 7)
            if form != "header" { #expect(e.quotaCode == "L-2") }
        }
    }

    @Test(arguments: forms)
    func internalServerException(form: String) async throws {
        let r = Self.response("InternalServerException", form: form, status: 500, fields: #""message":"oops""#)
        do { try await call(r); Issue.record("expected an error") } catch let e as InternalServerException {
            #expect(e.retryAfterSeconds == 7)
            #expect(e.serviceError?.attempts == 1)
        }
    }

    @Test func anUnmodeledCodeStaysAnAWSServiceError() async throws {
        let r = HTTPResponse(status: 400, headers: ["x-amzn-ErrorType": "SomethingNewException"], body: Array(#"{"message":"new"}"#.utf8))
        await #expect(throws: AWSServiceError.self) { try await call(r) }
    }
}
