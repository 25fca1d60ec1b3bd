// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "pixelrelay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pixelrelay", targets: ["pixelrelay"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // C libraries, each behind one small module.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CLinux"),
        .target(name: "CCRC32C"),

        // Pure logic: JSON, normalisation, hashing, config, event model, queue record format.
        .target(name: "RelayCore", dependencies: ["CCrypto", "CLinux"], swiftSettings: strict),
        // Raw-socket HTTP/1.1 server on epoll.
        .target(name: "RelayHTTP", dependencies: ["RelayCore", "CLinux"], swiftSettings: strict),
        // Durable on-disk queue with group commit.
        .target(name: "RelayStore", dependencies: ["RelayCore", "CCRC32C"], swiftSettings: strict),
        // libcurl forwarder to the Graph API.
        .target(
            name: "RelayForwarder",
            dependencies: ["RelayCore", "RelayStore", "CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The gateway: routes, handlers, enrichment, metrics, status pages.
        .target(
            name: "RelayApp",
            dependencies: [
                "RelayCore", "RelayHTTP", "RelayStore", "RelayForwarder",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Assets"],
            swiftSettings: strict),
        // Thin executable.
        .executableTarget(
            name: "pixelrelay",
            dependencies: [
                "RelayApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // Test helpers shared by the test targets: the fake Graph API, a raw HTTP client, the binary runner.
        .target(name: "RelayTestSupport", dependencies: ["RelayCore", "RelayHTTP"]),
        // The fake Graph API as a process, for `make bench`.
        .executableTarget(name: "fakegraph", dependencies: ["RelayTestSupport"]),

        .testTarget(name: "RelayCoreTests", dependencies: ["RelayCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RelayHTTPTests", dependencies: ["RelayHTTP", "RelayTestSupport", "CLinux"]),
        .testTarget(name: "RelayStoreTests", dependencies: ["RelayStore"]),
        .testTarget(name: "RelayForwarderTests", dependencies: ["RelayForwarder", "RelayHTTP", "RelayTestSupport"]),
        .testTarget(name: "RelayAppTests", dependencies: ["RelayApp", "RelayHTTP", "RelayStore", "RelayTestSupport"]),
    ]
)
