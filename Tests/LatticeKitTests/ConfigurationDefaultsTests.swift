import Testing
@testable import LatticeKit

@Suite struct ConfigurationDefaultsTests {
    @Test func defaultsLeaveResolutionToTheEnvironment() {
        let c = LatticeConfiguration()
        #expect(c.region == nil)
        #expect(c.endpoint == nil)
        #expect(c.credentials == nil)
        #expect(c.profile == nil)
        #expect(c.validation == .strict)
    }

    @Test func validationModesAreTheThreeTheCLIAccepts() {
        #expect(ValidationMode.allCases.map(\.rawValue) == ["strict", "relaxed", "off"])
    }
}
