// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "cg-revenue",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cg-revenue", targets: ["cg-revenue"]),
        .executable(name: "cg-sandbox", targets: ["CustomerGaugeSandbox"]),
        .library(name: "RevenueReport", targets: ["RevenueReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // libxml2 through pkg-config; Debian/Ubuntu: apt-get install libxml2-dev
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // The core library: Fetch -> Parse -> Transform -> Emit
        .target(
            name: "RevenueReport",
            dependencies: [
                "CLibXML2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // Deterministic upload generator shared by examples/, the sandbox and benchmarks
        .target(
            name: "SandboxData",
            dependencies: ["RevenueReport"]
        ),
        .executableTarget(
            name: "cg-revenue",
            dependencies: [
                "RevenueReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "CustomerGaugeSandbox",
            dependencies: [
                "SandboxData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RevenueReportTests",
            dependencies: ["RevenueReport", "SandboxData", "cg-revenue"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
