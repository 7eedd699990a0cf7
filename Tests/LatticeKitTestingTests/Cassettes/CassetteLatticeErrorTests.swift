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
}
