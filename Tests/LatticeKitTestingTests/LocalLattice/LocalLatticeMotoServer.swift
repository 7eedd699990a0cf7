import LatticeTestSupport
import Foundation
@testable import LatticeKit

/// The shared moto_server starter (Tests/TestSupport), with what the comparison needs of
/// moto's coverage.
typealias LocalLatticeMotoServer = MotoServer

extension MotoServer {
    static func implemented() throws -> Set<String> {
        struct Coverage: Decodable { let implemented: [String] }
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Tests/Oracles/moto_coverage.json"))
        return Set(try JSONDecoder().decode(Coverage.self, from: data).implemented)
    }
}
