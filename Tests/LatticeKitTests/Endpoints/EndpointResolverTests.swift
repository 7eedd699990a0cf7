import Foundation
import Testing
@testable import LatticeKit

/// The public resolver: messages, input checks and caching.
@Suite struct EndpointResolverTests {
    @Test func resolvesTheRegionalEndpoint() throws {
        let endpoint = try EndpointResolver.resolve(EndpointParameters(region: "eu-west-1"))
        #expect(endpoint == ResolvedEndpoint(url: "https://vpc-lattice.eu-west-1.amazonaws.com"))
    }

    @Test func missingRegionSaysHowToSetOne() {
        let error = #expect(throws: EndpointError.self) { try EndpointResolver.resolve(EndpointParameters()) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.reason == "Invalid Configuration: Missing Region")
        #expect(error?.description.contains("AWS_REGION") == true)
        #expect(error?.description.contains("LatticeConfiguration.region") == true)
    }

    @Test func emptyRegionCountsAsMissing() {
        let error = #expect(throws: EndpointError.self) { try EndpointResolver.resolve(EndpointParameters(region: "")) }
        #expect(error?.reason == "Invalid Configuration: Missing Region")
    }

    @Test func emptyEndpointCountsAsUnset() throws {
        #expect(try EndpointResolver.resolve(EndpointParameters(region: "us-east-1", endpoint: "")).url == "https://vpc-lattice.us-east-1.amazonaws.com")
    }

    @Test func fipsWithCustomEndpointSaysWhatToUnset() {
        let error = #expect(throws: EndpointError.self) {
            try EndpointResolver.resolve(EndpointParameters(region: "us-east-1", useFIPS: true, endpoint: "https://example.com"))
        }
        #expect(error?.reason == "Invalid Configuration: FIPS and custom endpoint are not supported")
        let text = error?.description ?? ""
        #expect(text.hasPrefix("Invalid Configuration: FIPS and custom endpoint are not supported. "))
        #expect(text.contains("AWS_USE_FIPS_ENDPOINT"))
        #expect(text.contains("AWS_ENDPOINT_URL_VPC_LATTICE"))
        #expect(!text.contains("AWS_USE_DUALSTACK_ENDPOINT"))
    }

    @Test func dualStackWithCustomEndpointSaysWhatToUnset() {
        let error = #expect(throws: EndpointError.self) {
            try EndpointResolver.resolve(EndpointParameters(useDualStack: true, endpoint: "http://127.0.0.1:5000"))
        }
        #expect(error?.description.contains("AWS_USE_DUALSTACK_ENDPOINT") == true)
        #expect(error?.description.contains("LatticeConfiguration.endpoint") == true)
    }

    @Test func partitionAdviceNamesTheRegion() {
        let advice = EndpointResolver.advice(
            for: "FIPS is enabled but this partition does not support FIPS",
            EndpointParameters(region: "zz-top-1", useFIPS: true)
        )
        #expect(advice.contains("AWS_USE_FIPS_ENDPOINT") && advice.contains("zz-top-1"))
    }

    @Test(arguments: ["us east 1", "us-east-1\n", "../etc", "123", "-x"])
    func invalidRegionIsRejectedBeforeTheRules(_ region: String) {
        let error = #expect(throws: EndpointError.self) { try EndpointResolver.resolve(EndpointParameters(region: region)) }
        #expect(error?.kind == .invalidRegion)
        #expect(error?.description.contains("AWS_REGION") == true)
    }

    @Test(arguments: ["ftp://example.com", "localhost:5000", "https://exa mple.com", "https://:443"])
    func invalidEndpointIsRejectedBeforeTheRules(_ endpoint: String) {
        let error = #expect(throws: EndpointError.self) { try EndpointResolver.resolve(EndpointParameters(region: "us-east-1", endpoint: endpoint)) }
        #expect(error?.kind == .invalidEndpoint)
        #expect(error?.description.contains("AWS_ENDPOINT_URL_VPC_LATTICE") == true)
    }

    @Test func theEmbeddedDataLoads() throws {
        _ = try EndpointResolver.engine.get()
    }

    @Test func repeatedResolutionIsFast() throws {
        let p = EndpointParameters(region: "ap-southeast-2", useDualStack: true)
        _ = try EndpointResolver.resolve(p)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<10_000 { _ = try EndpointResolver.resolve(p) }
        }
        // Cached lookups take about a microsecond; the bound only catches a lost cache.
        #expect(elapsed < .seconds(1), "10k resolutions took \(elapsed)")
    }

    @Test func concurrentResolutionAgrees() async throws {
        let regions = ["us-east-1", "cn-north-1", "us-gov-east-1", "eu-isoe-west-1", "xx-nowhere-1"]
        let urls = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<200 {
                let region = regions[i % regions.count]
                group.addTask { try EndpointResolver.uncachedResolve(EndpointParameters(region: region, useFIPS: i % 2 == 0)).url }
            }
            var all = Set<String>()
            for try await url in group { all.insert(url) }
            return all
        }
        #expect(urls.count == regions.count * 2)
    }
}
