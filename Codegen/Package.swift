// swift-tools-version: 6.0
// The LatticeKit generator: reads Model/ (botocore's vpc-lattice model, trimmed) and writes
// ../Sources/LatticeKit/Generated and ../Sources/lattice/Generated. Library users never build
// this package; `make generate` runs it and `make test` checks that its output is what is
// committed, and runs its tests (the documentation converter on the model's HTML).
import PackageDescription

let package = Package(
    name: "LatticeKitCodegen",
    targets: [
        .executableTarget(name: "lattice-codegen"),
        .testTarget(name: "LatticeCodegenTests", dependencies: ["lattice-codegen"]),
    ]
)
