// swift-tools-version: 6.0
import PackageDescription

// Layers (dependencies point down only), see docs/architecture.md:
//   client:   Basalt (public API), basalt (CLI), basalt-bench
//   query:    BasaltSQL (lexer, parser, AST; no storage imports), BasaltPlanner (binder, plans, rules),
//             BasaltExecution (values, row and key encoding, catalog, expressions, operators)
//   tools:    BasaltSLT (sqllogictest runner; engine-independent)
//   transactions: BasaltTransactions (timestamps, MVCC versions, lock manager, isolation, version GC)
//   storage:  BasaltStorage (file system seam, pages, space, buffer pool, B+trees, key encoding)
//   support:  CBasaltCRC32C (hardware CRC32C), CBasaltPrefetch (cache prefetch hint), CBasaltWriteback
//             (early writeback hint, sync_file_range), CSQLite (benchmark only; the library never links SQLite)
let package = Package(
    name: "Basalt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Basalt", targets: ["Basalt"]),
        .executable(name: "basalt", targets: ["BasaltCLI"]),
        .executable(name: "basalt-bench", targets: ["BasaltBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "CBasaltCRC32C"),
        .target(name: "CBasaltPrefetch"),
        .target(name: "CBasaltWriteback"),
        .target(
            name: "BasaltStorage",
            dependencies: [
                "CBasaltCRC32C",
                "CBasaltPrefetch",
                "CBasaltWriteback",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BasaltTransactions",
            dependencies: [
                "BasaltStorage",
                "CBasaltPrefetch",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "BasaltSQL"),
        .target(
            name: "BasaltExecution",
            dependencies: [
                "CBasaltPrefetch",
                "BasaltStorage",
                "BasaltTransactions",
            ]
        ),
        .target(
            name: "BasaltPlanner",
            dependencies: [
                "BasaltSQL",
                "BasaltExecution",
            ]
        ),
        .target(name: "BasaltSLT"),
        .target(
            name: "Basalt",
            dependencies: [
                "BasaltStorage",
                "BasaltTransactions",
                "BasaltSQL",
                "BasaltExecution",
                "BasaltPlanner",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "BasaltCLI",
            dependencies: [
                "Basalt",
                "BasaltSLT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .executableTarget(
            name: "BasaltBench",
            dependencies: [
                "Basalt",
                "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BasaltStorageTests", dependencies: ["BasaltStorage"]),
        .testTarget(name: "BasaltTransactionsTests", dependencies: ["BasaltTransactions", "BasaltStorage"]),
        .testTarget(name: "BasaltSQLTests", dependencies: ["BasaltSQL"]),
        .testTarget(name: "BasaltExecutionTests", dependencies: ["BasaltExecution"]),
        .testTarget(name: "BasaltSLTTests", dependencies: ["BasaltSLT"]),
        .testTarget(name: "BasaltTests", dependencies: ["Basalt", "BasaltSLT", "BasaltStorage", "BasaltTransactions"]),
    ],
    swiftLanguageModes: [.v6]
)
