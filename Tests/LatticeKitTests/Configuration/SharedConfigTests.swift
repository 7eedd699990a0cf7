import Foundation
import Testing
@testable import LatticeKit

@Suite("Shared config files")
struct SharedConfigTests {
    /// Found by the shared-config fuzz target: "\r\n" is one Swift Character, so a file with
    /// Windows line endings was read as a single line and refused.
    @Test("CRLF and CR line endings read as LF does, as Python's universal newlines read them")
    func lineEndings() throws {
        let lf = "[default]\nregion = us-west-2 # comment\ns3 =\n  addressing_style = path\nnote = first\n  second\n[profile dev]\nregion = eu-west-1\n"
        let expected = try SharedConfig(configText: lf, credentialsText: nil)
        #expect(expected.profiles["default"]?["region"] == "us-west-2")
        for ending in ["\r\n", "\r"] {
            let text = lf.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ending)
            let config = try SharedConfig(configText: text, credentialsText: text)
            #expect(config.profiles["default"] == expected.profiles["default"], "\(ending.debugDescription)")
            #expect(config.profiles["dev"] == expected.profiles["dev"])
            #expect(config.profiles["default"]?["note"] == "first\nsecond")
        }
        // An error's line number counts CRLF lines.
        #expect(throws: ConfigurationError.self) { try SharedConfig(configText: "[default]\r\nregion = x\r\nnot a setting\r\n", credentialsText: nil, configFilePath: "cfg") }
        do {
            _ = try SharedConfig(configText: "[default]\r\nregion = x\r\nnot a setting\r\n", credentialsText: nil, configFilePath: "cfg")
        } catch {
            #expect(error.message.hasPrefix("cfg, line 3: expected `key = value`"))
        }
    }

    @Test("parses profiles, comments, inline comments, spacing, nesting and continuations")
    func parsesTheFormat() throws {
        let config = try SharedConfig(configText: """
            # a comment
            ; another comment
            [default]
            region=us-west-2   # inline comment
            output = json;not a comment
            [profile dev]   ; comment after the header
              region   =   eu-west-1
            s3 =
              max_concurrent_requests = 20
              addressing_style = path
            note = first line
              second line
            EMPTY =
            [profile  spaced  name ]
            region = ap-south-1
            [sso-session corp]
            sso_region = us-east-1
            [services local]
            vpc-lattice =
              endpoint_url = http://127.0.0.1:5000
            [something-else]
            region = nowhere
            """, credentialsText: nil, configFilePath: "/cfg")
        #expect(config.profiles.keys.sorted() == ["default", "dev", "spaced  name"])
        let def = try #require(config.profiles["default"])
        #expect(def["region"] == "us-west-2")
        #expect(def["output"] == "json;not a comment")
        let dev = try #require(config.profiles["dev"])
        #expect(dev["region"] == "eu-west-1")
        #expect(dev.subsections["s3"] == ["max_concurrent_requests": "20", "addressing_style": "path"])
        #expect(dev["note"] == "first line\nsecond line")
        #expect(dev["empty"] == nil)
        #expect(dev["REGION"] == "eu-west-1")
        #expect(config.ssoSessions["corp"]?["sso_region"] == "us-east-1")
        #expect(config.services["local"]?.subsections["vpc-lattice"]?["endpoint_url"] == "http://127.0.0.1:5000")
        #expect(config.filesRead == ["/cfg"])
    }

    @Test("in the credentials file, [profile x] is not profile x, and its values win over the config file")
    func credentialsFileRules() throws {
        let config = try SharedConfig(
            configText: """
                [profile dev]
                region = eu-west-1
                aws_access_key_id = FROM_CONFIG
                """,
            credentialsText: """
                [dev]
                aws_access_key_id = FROM_CREDENTIALS
                aws_secret_access_key = s
                [profile other]
                aws_access_key_id = X
                """
        )
        let dev = try #require(config.profiles["dev"])
        #expect(dev["aws_access_key_id"] == "FROM_CREDENTIALS")
        #expect(dev["region"] == "eu-west-1")
        #expect(config.profiles["other"] == nil)
        #expect(config.profiles["profile other"] != nil)
    }

    @Test("[profile default] wins over [default] in the config file; a plain [name] is not a profile there")
    func defaultSections() throws {
        let config = try SharedConfig(configText: """
            [profile default]
            region = us-east-2
            [default]
            region = us-west-1
            [dev]
            region = x
            """, credentialsText: nil)
        #expect(config.profiles["default"]?["region"] == "us-east-2")
        #expect(config.profiles["dev"] == nil)
    }

    @Test("a malformed line is an error naming the file and the line")
    func malformedLine() {
        #expect(throws: ConfigurationError.self) {
            try SharedConfig(configText: "[default]\nregion us-east-1\n", credentialsText: nil, configFilePath: "/etc/cfg")
        }
        do {
            _ = try SharedConfig(configText: "[default]\nregion us-east-1\n", credentialsText: nil, configFilePath: "/etc/cfg")
        } catch {
            #expect(error.message.contains("/etc/cfg, line 2"))
            #expect(error.kind == .invalidConfiguration)
        }
        #expect(throws: ConfigurationError.self) { try SharedConfig(configText: "region = x\n", credentialsText: nil) }
        #expect(throws: ConfigurationError.self) { try SharedConfig(configText: "[default\n", credentialsText: nil) }
    }

    @Test("profile selection: explicit, then AWS_PROFILE, then default")
    func profileSelection() throws {
        let config = try SharedConfig(configText: "[default]\nregion = a\n[profile p1]\nregion = b\n[profile p2]\nregion = c\n", credentialsText: nil)
        let none = testEnvironment([:])
        let envP2 = testEnvironment(["AWS_PROFILE": "p2"])
        #expect(try config.profile(explicit: nil, environment: none)?["region"] == "a")
        #expect(try config.profile(explicit: nil, environment: envP2)?["region"] == "c")
        #expect(try config.profile(explicit: "p1", environment: envP2)?["region"] == "b")
        #expect(SharedConfig.profileName(explicit: nil, environment: envP2) == "p2")
    }

    @Test("a named profile that does not exist is an error listing the profiles and files; a missing default is not")
    func missingProfile() throws {
        let dir = try TempDirectory()
        let configPath = try dir.write("config", "[default]\nregion = a\n[profile work]\nregion = b\n")
        let env = testEnvironment(["AWS_CONFIG_FILE": configPath, "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/nope"])
        let config = try SharedConfig.load(environment: env)
        do {
            _ = try config.profile(explicit: "prod", environment: env)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .profileNotFound)
            #expect(error.message.contains("'prod'"))
            #expect(error.message.contains("'default', 'work'"))
            #expect(error.message.contains("\(configPath) (read)"))
            #expect(error.message.contains("\(dir.path)/nope (not found)"))
        }
        let viaEnv = testEnvironment(["AWS_CONFIG_FILE": configPath, "AWS_PROFILE": "ghost"])
        #expect(throws: ConfigurationError.self) { try config.profile(explicit: nil, environment: viaEnv) }

        let empty = try SharedConfig(configText: nil, credentialsText: nil)
        #expect(try empty.profile(explicit: nil, environment: testEnvironment([:])) == nil)
    }

    @Test("files come from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws under HOME, with ~ expanded")
    func filePaths() throws {
        let dir = try TempDirectory()
        try dir.write(".aws/config", "[default]\nregion = from-home\n")
        try dir.write(".aws/credentials", "[default]\naws_access_key_id = HOMEKEY\n")
        try dir.write("custom/cfg", "[default]\nregion = custom\n")

        let home = try SharedConfig.load(environment: testEnvironment(["HOME": dir.path]))
        #expect(home.profiles["default"]?["region"] == "from-home")
        #expect(home.profiles["default"]?["aws_access_key_id"] == "HOMEKEY")
        #expect(home.filesRead == [dir.path + "/.aws/config", dir.path + "/.aws/credentials"])

        let custom = try SharedConfig.load(environment: testEnvironment(["HOME": dir.path, "AWS_CONFIG_FILE": "~/custom/cfg", "AWS_SHARED_CREDENTIALS_FILE": "~/missing"]))
        #expect(custom.profiles["default"]?["region"] == "custom")
        #expect(custom.configFilePath == dir.path + "/custom/cfg")
        #expect(custom.filesRead == [dir.path + "/custom/cfg"])

        let nothing = try SharedConfig.load(environment: testEnvironment([:]))
        #expect(nothing.profiles.isEmpty)
        #expect(nothing.filesRead.isEmpty)
    }
}

@Suite("Profile settings and region")
struct ProfileSettingsTests {
    @Test("reads region, endpoints, retries, FIPS, dual-stack and ca_bundle, with the services section")
    func readsSettings() throws {
        let config = try SharedConfig(configText: """
            [profile dev]
            region = eu-west-1
            endpoint_url = https://proxy.example.com
            max_attempts = 5
            retry_mode = Adaptive
            use_fips_endpoint = TRUE
            use_dualstack_endpoint = false
            ca_bundle = ~/certs/ca.pem
            services = local
            [services local]
            vpc-lattice =
              endpoint_url = http://127.0.0.1:5000
            s3 =
              endpoint_url = http://elsewhere
            """, credentialsText: nil)
        let settings = try ProfileSettings(profile: config.profiles["dev"], name: "dev", config: config, variables: ["HOME": "/home/u"])
        #expect(settings == ProfileSettings(
            name: "dev", region: "eu-west-1", endpointURL: "https://proxy.example.com",
            serviceEndpointURL: "http://127.0.0.1:5000", maxAttempts: 5, retryMode: "adaptive",
            useFIPSEndpoint: true, useDualStackEndpoint: false, caBundle: "/home/u/certs/ca.pem"
        ))
        let absent = try ProfileSettings(profile: nil, name: "default", config: config)
        #expect(absent == ProfileSettings(name: "default"))
    }

    @Test("invalid values are errors naming the profile and the setting")
    func invalidValues() throws {
        for (line, key) in [("use_fips_endpoint = yes", "use_fips_endpoint"), ("max_attempts = 0", "max_attempts"), ("retry_mode = fast", "retry_mode"), ("services = missing", "services")] {
            let config = try SharedConfig(configText: "[default]\n\(line)\n", credentialsText: nil)
            do {
                _ = try ProfileSettings(profile: config.profiles["default"], name: "default", config: config)
                Issue.record("expected an error for \(line)")
            } catch {
                #expect(error.kind == .invalidConfiguration)
                #expect(error.message.contains("'default'"))
                #expect(error.message.contains(key))
            }
        }
    }

    @Test("region: explicit, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile")
    func regionOrder() {
        let profile = ProfileSettings(name: "p", region: "from-profile")
        let all = testEnvironment(["AWS_REGION": "from-region", "AWS_DEFAULT_REGION": "from-default"])
        #expect(RegionResolver.region(explicit: "explicit", environment: all, profile: profile) == "explicit")
        #expect(RegionResolver.region(explicit: nil, environment: all, profile: profile) == "from-region")
        #expect(RegionResolver.region(explicit: nil, environment: testEnvironment(["AWS_DEFAULT_REGION": "from-default"]), profile: profile) == "from-default")
        #expect(RegionResolver.region(explicit: nil, environment: testEnvironment(["AWS_REGION": ""]), profile: profile) == "from-profile")
        #expect(RegionResolver.region(explicit: nil, environment: testEnvironment([:]), profile: nil) == nil)
    }

    @Test("no region is an error that says where it looked and how to set one")
    func noRegion() throws {
        let dir = try TempDirectory()
        let env = testEnvironment(["HOME": dir.path])
        let config = LatticeConfiguration()
        do {
            _ = try config.resolveRegion(profileSettings: config.loadProfileSettings(environment: env), environment: env)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .noRegion)
            for needle in ["AWS_REGION", "AWS_DEFAULT_REGION", "profile 'default'", "LatticeConfiguration.region", "aws configure set region"] {
                #expect(error.message.contains(needle), "missing \(needle)")
            }
        }
        let withRegion = LatticeConfiguration(region: "us-east-1")
        #expect(try withRegion.resolveRegion(profileSettings: nil, environment: env) == "us-east-1")
    }

    @Test("ProfileSettings.load follows AWS_PROFILE through the files")
    func loadFromFiles() throws {
        let dir = try TempDirectory()
        try dir.write(".aws/config", "[profile work]\nregion = sa-east-1\n")
        let settings = try ProfileSettings.load(profile: nil, environment: testEnvironment(["HOME": dir.path, "AWS_PROFILE": "work"]))
        #expect(settings.name == "work")
        #expect(settings.region == "sa-east-1")
    }
}
