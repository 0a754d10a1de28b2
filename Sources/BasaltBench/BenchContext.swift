import ArgumentParser
import CSQLite
import Foundation

/// A group of workloads (one file per suite: KVSuite.swift, later CommitSuite, YCSBSuite, SQLSuite).
protocol BenchSuite {
    /// Runs every workload `context.runs` times on each engine and returns the medians.
    func run(_ context: BenchContext) throws -> SuiteOutcome
}

/// Options every suite shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Runs per workload and engine; the report shows the median.")
    var runs = 3

    @Option(name: .customLong("cache-mib"), help: "Cache budget in MiB for each engine (Basalt buffer pool, SQLite cache_size).")
    var cacheMiB = 64

    @Option(help: "Directory for the database files (default: a fresh temporary directory, removed afterwards).")
    var dir: String?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Option(help: "Seed for the generated data and access sequences.")
    var seed: UInt64 = 20_240_601

    @Option(name: .customLong("page-size"), help: "Basalt's page size in bytes (SQLite keeps its default).")
    var pageSize = 8192

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard cacheMiB >= 1 else { throw ValidationError("--cache-mib must be at least 1") }
    }
}

/// What a suite needs while running: options, a place for database files, progress output.
final class BenchContext {
    let common: CommonOptions
    let progress = Progress()
    /// Holds one subdirectory per (run, engine), each removed when its run ends.
    let root: URL
    private let removeRoot: Bool

    init(_ common: CommonOptions) throws {
        self.common = common
        let fileManager = FileManager.default
        if let dir = common.dir {
            root = URL(fileURLWithPath: dir, isDirectory: true)
            removeRoot = false
        } else {
            root = fileManager.temporaryDirectory.appendingPathComponent("basalt-bench-\(UUID().uuidString)", isDirectory: true)
            removeRoot = true
        }
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var runs: Int { common.runs }
    var cacheBytes: Int { common.cacheMiB << 20 }
    var pageSize: Int { common.pageSize }

    /// Removes the temporary directory (never a --dir given by the user).
    func cleanUp() {
        if removeRoot { try? FileManager.default.removeItem(at: root) }
    }

    /// Calls `body` with the path of a new, empty directory that is removed afterwards.
    func withFreshDirectory<T>(_ name: String, _ body: (String) throws -> T) throws -> T {
        let url = root.appendingPathComponent(name, isDirectory: true)
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: url)
        try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: url) }
        return try body(url.path)
    }

    /// Settings shown above the table.
    var headerLines: [String] {
        [
            "runs=\(common.runs) (median reported), cache=\(common.cacheMiB) MiB per engine, seed=\(common.seed)",
            "dir=\(root.path)\(removeRoot ? " (temporary)" : "")",
            "SQLite \(String(cString: sqlite3_libversion())): \(SQLiteKV.settingsDescription)",
        ]
    }
}
