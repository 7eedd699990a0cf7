import Foundation
import Testing
@testable import LatticeKit

/// One expectation of Resources/endpoints/cases.json, computed by botocore's own resolver
/// (scripts/endpoint-cases.py).
struct EndpointCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Params: Decodable, Sendable {
        var Region: String?
        var UseFIPS: Bool
        var UseDualStack: Bool
        var Endpoint: String?
    }
    struct Expect: Decodable, Sendable {
        var url: String?
        var headers: [String: [String]]?
        var error: String?
        var errorKind: String?
    }
    var name: String
    var params: Params
    var expect: Expect

    var testDescription: String { name }

    var parameters: EndpointParameters {
        EndpointParameters(region: params.Region, useFIPS: params.UseFIPS, useDualStack: params.UseDualStack, endpoint: params.Endpoint)
    }

    struct File: Decodable {
        var botocore: String
        var cases: [EndpointCase]
    }

    static func load() -> File {
        guard let folder = Bundle.module.url(forResource: "Resources", withExtension: nil),
              let data = try? Data(contentsOf: folder.appendingPathComponent("endpoints/cases.json")),
              let file = try? JSONDecoder().decode(File.self, from: data) else {
            return File(botocore: "missing", cases: [])
        }
        return file
    }
}

@Suite struct EndpointCaseTests {
    static let file = EndpointCase.load()

    @Test func casesComeFromTheEmbeddedBotocore() {
        #expect(Self.file.cases.count > 300)
        #expect(Self.file.botocore == EndpointData.botocoreVersion)
    }

    @Test(arguments: file.cases)
    func resolvesAsBotocoreDoes(_ c: EndpointCase) {
        let result = Result { () throws(EndpointError) in try EndpointResolver.resolve(c.parameters) }
        switch result {
        case .success(let endpoint):
            #expect(endpoint.url == c.expect.url, "got \(endpoint.url)")
            #expect(endpoint.headers == (c.expect.headers ?? [:]))
            #expect(c.expect.error == nil && c.expect.errorKind == nil, "expected an error, got \(endpoint.url)")
        case .failure(let error):
            #expect(c.expect.url == nil, "expected \(c.expect.url ?? ""), got error: \(error)")
            if let text = c.expect.error {
                #expect(error.kind == .invalidConfiguration)
                #expect(error.reason == text)
                #expect(error.description.hasPrefix(text))
                #expect(!error.advice.isEmpty)
            }
            if let kind = c.expect.errorKind {
                #expect(error.kind.rawValue == kind)
            }
        }
    }

    @Test(arguments: file.cases)
    func cachedAndUncachedAgree(_ c: EndpointCase) {
        let cached = Result { () throws(EndpointError) in try EndpointResolver.resolve(c.parameters) }
        let fresh = Result { () throws(EndpointError) in try EndpointResolver.uncachedResolve(c.parameters) }
        #expect(cached == fresh)
    }
}
