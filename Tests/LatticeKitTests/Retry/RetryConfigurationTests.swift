import Testing
@testable import LatticeKit

@Suite("Retry configuration")
struct RetryConfigurationTests {
    @Test("Defaults: 3 attempts, standard mode")
    func defaults() throws {
        let config = try RetryConfiguration.resolve(variables: [:])
        #expect(config == RetryConfiguration(maxAttempts: 3, mode: .standard))
    }

    @Test("Explicit values win over the environment, which wins over the profile")
    func precedence() throws {
        let env = ["AWS_MAX_ATTEMPTS": "5", "AWS_RETRY_MODE": "adaptive"]
        let profile = ["max_attempts": "7", "retry_mode": "standard"]
        #expect(try RetryConfiguration.resolve(variables: [:], profile: profile) == RetryConfiguration(maxAttempts: 7, mode: .standard))
        #expect(try RetryConfiguration.resolve(variables: env, profile: profile) == RetryConfiguration(maxAttempts: 5, mode: .adaptive))
        #expect(try RetryConfiguration.resolve(maxAttempts: 2, mode: .standard, variables: env, profile: profile)
            == RetryConfiguration(maxAttempts: 2, mode: .standard))
    }

    @Test("Each setting resolves on its own")
    func independent() throws {
        let config = try RetryConfiguration.resolve(
            maxAttempts: 9, variables: ["AWS_RETRY_MODE": "adaptive"], profile: ["max_attempts": "4"])
        #expect(config == RetryConfiguration(maxAttempts: 9, mode: .adaptive))
    }

    @Test("Modes read in any case; legacy reads as standard", arguments: [
        ("standard", RetryMode.standard), ("legacy", .standard), ("Legacy", .standard),
        ("adaptive", .adaptive), (" ADAPTIVE ", .adaptive),
    ])
    func modes(_ text: String, _ mode: RetryMode) throws {
        #expect(try RetryConfiguration.resolve(variables: ["AWS_RETRY_MODE": text]).mode == mode)
    }

    @Test("An empty value counts as unset")
    func emptyIsUnset() throws {
        let config = try RetryConfiguration.resolve(
            variables: ["AWS_MAX_ATTEMPTS": " ", "AWS_RETRY_MODE": ""], profile: ["max_attempts": "6", "retry_mode": "adaptive"])
        #expect(config == RetryConfiguration(maxAttempts: 6, mode: .adaptive))
    }

    @Test("An invalid AWS_MAX_ATTEMPTS is an error naming it and the allowed values", arguments: ["0", "-1", "abc", "2.5", "3x"])
    func invalidMaxAttempts(_ value: String) {
        #expect {
            _ = try RetryConfiguration.resolve(variables: ["AWS_MAX_ATTEMPTS": value], profile: ["max_attempts": "4"])
        } throws: { error in
            guard let error = error as? RetryConfigurationError else { return false }
            return error.setting == "AWS_MAX_ATTEMPTS" && error.value == value
                && error.description.contains("AWS_MAX_ATTEMPTS is '\(value)'")
                && error.description.contains("1 or more")
        }
    }

    @Test("An invalid AWS_RETRY_MODE lists the allowed modes")
    func invalidMode() {
        #expect {
            _ = try RetryConfiguration.resolve(variables: ["AWS_RETRY_MODE": "fast"])
        } throws: { error in
            (error as? RetryConfigurationError)?.description
                == "AWS_RETRY_MODE is 'fast': allowed values are standard, adaptive, and legacy (read as standard)"
        }
    }

    @Test("Invalid profile settings name the profile setting")
    func invalidProfile() {
        #expect {
            _ = try RetryConfiguration.resolve(variables: [:], profile: ["max_attempts": "many"])
        } throws: { error in
            (error as? RetryConfigurationError)?.setting == "max_attempts (in the shared config profile)"
        }
        #expect {
            _ = try RetryConfiguration.resolve(variables: [:], profile: ["retry_mode": "turbo"])
        } throws: { error in
            (error as? RetryConfigurationError)?.description.hasPrefix("retry_mode (in the shared config profile) is 'turbo'") == true
        }
    }

    @Test("An explicit maxAttempts below 1 is an error")
    func invalidExplicit() {
        #expect(throws: RetryConfigurationError.self) {
            _ = try RetryConfiguration.resolve(maxAttempts: 0, variables: [:])
        }
    }
}
