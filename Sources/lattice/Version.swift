import LatticeKit

enum Version {
    static let cli = "0.1.0"
    /// `lattice/0.1.0 LatticeKit/0.1 vpc-lattice/2022-11-30`.
    static var line: String {
        let library = LatticeClient.userAgent.split(separator: " ").first.map(String.init) ?? LatticeClient.userAgent
        return "lattice/\(cli) \(library) vpc-lattice/2022-11-30"
    }
}
