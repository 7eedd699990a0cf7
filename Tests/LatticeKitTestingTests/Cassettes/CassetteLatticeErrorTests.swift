import Testing
import LatticeKit
import LatticeKitTesting

@Suite("LatticeKitTesting's errors are LatticeErrors")
struct CassetteLatticeErrorTests {
    @Test("A CassetteError is caught as a LatticeError, with its kind as the code")
    func cassetteError() {
        do {
            throw CassetteError(.noMatch, "no recorded interaction matches GET /services")
        } catch let error as LatticeError {
            #expect(error.errorCode == "CassetteError.noMatch")
            #expect(error.errorMessage == "no recorded interaction matches GET /services")
            #expect(error.httpStatusCode == nil && error.requestId == nil && error.isRetryable == nil)
        } catch {
            Issue.record("not a LatticeError: \(error)")
        }
    }

    @Test("A policy that cannot be read is a LatticeError: identity policies and auth policies")
    func policyErrors() {
        do {
            _ = try IdentityPolicy(json: Array("not json".utf8))
            Issue.record("expected an error")
        } catch let error as LatticeError {
            #expect(error.errorCode == "IdentityPolicy.Failure")
            #expect(!error.errorMessage.isEmpty)
        } catch {
            Issue.record("not a LatticeError: \(error)")
        }
        do {
            _ = try AuthPolicy(json: "not json")
            Issue.record("expected an error")
        } catch let error as LatticeError {
            #expect(error.errorCode == "AuthPolicy.ParseError")
            #expect(!error.errorMessage.isEmpty)
        } catch {
            Issue.record("not a LatticeError: \(error)")
        }
    }
}
