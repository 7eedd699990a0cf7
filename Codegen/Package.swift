// swift-tools-version: 6.0
// The LatticeKit generator: reads Model/ (botocore's vpc-lattice model, trimmed) and writes
// ../Sources/LatticeKit/Generated. Library users never build this package; `make generate`
// runs it and `make test` checks that its output is what is committed.
import PackageDescription

let package = Package(
    name: "LatticeKitCodegen",
    targets: [
        .executableTarget(name: "lattice-codegen"),
    ]
)
