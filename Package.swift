// swift-tools-version: 6.0
// LatticeKit: a Swift SDK for Amazon VPC Lattice: the libraries (SigV4, LatticeKit,
// LatticeKitTesting) and the tools (the lattice CLI, the local-lattice server).
import PackageDescription

let package = Package(
    name: "LatticeKit",
    // Built and tested on Linux. On Apple systems the `Synchronization` module (Mutex, Atomic)
    // needs macOS 15 / iOS 18; those platforms are expected to work but are not tested here.
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "LatticeKit", targets: ["LatticeKit"]),
        .library(name: "LatticeKitTesting", targets: ["LatticeKitTesting"]),
        .executable(name: "lattice", targets: ["lattice"]),
        // The local Lattice served over HTTP, so a package that depends on LatticeKit can
        // `swift run local-lattice` for its tests and scripts.
        .executable(name: "local-lattice", targets: ["local-lattice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        // `make docs`: the DocC catalogs of SigV4, LatticeKit and LatticeKitTesting. A plugin
        // only; nothing of it is linked into the products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
        // The local data plane of local-lattice (TLS, HTTP/2, streaming proxy). Only the
        // local-lattice executable depends on these: a package that uses the SigV4, LatticeKit
        // or LatticeKitTesting libraries resolves them but never compiles them.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.34.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "SigV4", dependencies: ["CCrypto"]),
        .target(
            name: "LatticeKit",
            dependencies: [
                "SigV4",
                "CCurl",
                // SHA-1, to name SSO token cache files as the AWS CLI does.
                "CCrypto",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "LatticeKitTesting", dependencies: ["LatticeKit", "SigV4"]),
        .executableTarget(name: "lattice", dependencies: ["LatticeKit", "SigV4"]),
        .executableTarget(
            name: "seed-topology",
            dependencies: ["LatticeKit", "LatticeKitTesting"],
            path: "Examples/SeedTopology"
        ),
        // The seed topology as code (Examples/topologies/seed.json): plan, apply, drift, destroy.
        .executableTarget(
            name: "topology-demo",
            dependencies: ["LatticeKit", "LatticeKitTesting"],
            path: "Examples/TopologyDemo"
        ),
        // The local certificate authority of local-lattice's TLS listeners: libcrypto's X.509 API.
        .systemLibrary(name: "CLocalTLS", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .executableTarget(
            name: "local-lattice",
            dependencies: [
                "LatticeKit", "LatticeKitTesting", "SigV4", "CLocalTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "lattice-bench",
            dependencies: ["SigV4", "LatticeKit"],
            path: "Benchmarks/lattice-bench"
        ),
        // Apply of a 50-service topology on local-lattice: graph vs critical path vs one at a time.
        .executableTarget(
            name: "topology-bench",
            dependencies: ["SigV4", "LatticeKit"],
            path: "Benchmarks/topology-bench"
        ),
        .executableTarget(
            name: "sign-request-example",
            dependencies: ["SigV4"],
            path: "Examples/SignRequest"
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4", "LatticeTestSupport"],
            resources: [.copy("Resources")]
        ),
        // Loopback servers the tests start (an HTTP/1.1 server, moto_server), shared by the
        // test targets; not a product.
        .target(name: "LatticeTestSupport", dependencies: ["LatticeKit"], path: "Tests/TestSupport"),
        .testTarget(name: "LatticeKitTestingTests", dependencies: ["LatticeKitTesting", "LatticeKit", "SigV4", "LatticeTestSupport"], resources: [.copy("Fixtures")]),
        // Runs the built lattice binary, and (@testable) the CLI's JSON code in process.
        .testTarget(name: "LatticeCLITests", dependencies: ["lattice", "LatticeKit", "SigV4", "LatticeTestSupport"]),
        // Starts the built local-lattice, and runs lattice against it (dependencies, so that they are built first).
        .testTarget(name: "LocalLatticeServerTests", dependencies: ["local-lattice", "lattice", "LatticeKit", "LatticeKitTesting", "SigV4", "LatticeTestSupport"]),
        // Topology as code (plan, apply, destroy) against the in-process local Lattice.
        .testTarget(name: "TopologyTests", dependencies: ["LatticeKit", "LatticeKitTesting"]),
        .testTarget(
            name: "LatticeKitTests",
            dependencies: ["LatticeKit", "LatticeTestSupport"],
            resources: [.copy("Resources")]
        ),
    ]
)
