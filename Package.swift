// swift-tools-version: 6.2
import Foundation
import PackageDescription

let package = Package(
    name: "cg-revenue",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cg-revenue", targets: ["cg-revenue"]),
        .executable(name: "cg-sandbox", targets: ["cg-sandbox"]),
        .library(name: "RevenueReport", targets: ["RevenueReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The metrics file's text: registry gauges made with descriptors carry the HELP text promtool wants
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The history: SQLite (system libsqlite3) in WAL mode, schema by migrations
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // `check`: the XLSX container (the parts are read with libxml2)
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The history on PostgreSQL: one connection (its advisory lock is the run's), no libpq.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
    ],
    targets: [
        // libxml2 through pkg-config; Debian/Ubuntu: apt-get install libxml2-dev (scripts/setup.sh)
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // libxlsxwriter through pkg-config, for STEM.xlsx; Debian/Ubuntu: apt-get install libxlsxwriter-dev (scripts/setup.sh)
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"]), .brew(["libxlsxwriter"])]
        ),
        // The core library: Fetch -> Parse -> Transform -> Emit, and the History

        .target(
            name: "RevenueReport",
            dependencies: [
                "CLibXML2",
                "CXLSXWriter",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "CFileSpace",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "SystemPackage", package: "swift-system"),
                // Heap: the k-way merge of sorted runs when a large run spills to disk
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for binding the history's rows without boxing each value
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Linux's fallocate(FALLOC_FL_PUNCH_HOLE) and sync_file_range, which Swift's Glibc module does not
        // expose: the sort file's pages are given back as the merge reads them (SequentialFileReader), and
        // the outputs go to the disk as they are written (OutputSink)
        .target(name: "CFileSpace"),
        // glibc's mallopt, which Swift's Glibc module does not expose (MemoryTuning.swift says why)
        .target(name: "CMallocTuning"),
        .executableTarget(
            name: "cg-revenue",
            dependencies: [
                "RevenueReport",
                "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A local imitation of the API and its data (deterministic generator), for tests and demos
        .target(
            name: "CustomerGaugeSandbox",
            dependencies: [
                "RevenueReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "cg-sandbox",
            dependencies: [
                "CustomerGaugeSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RevenueReportTests",
            dependencies: [
                "RevenueReport",
                "CustomerGaugeSandbox",
                "cg-revenue",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets for the page parsers and the revenue file readers: only with CG_FUZZ=1
// (scripts/fuzz.sh), because they have no main and link only with -sanitize=fuzzer.
if ProcessInfo.processInfo.environment["CG_FUZZ"] != nil {
    for name in ["FuzzJSONPage", "FuzzXMLPage", "FuzzRevenueCSV", "FuzzRevenueXLSX", "FuzzRevenueXLS", "FuzzRevenueXML"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["RevenueReport"], path: "Fuzz/\(name)"))
        package.products.append(.executable(name: name, targets: [name]))
    }
}
