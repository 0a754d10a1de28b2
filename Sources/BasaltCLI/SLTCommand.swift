import ArgumentParser
import Basalt
import BasaltSLT
import Foundation

/// `basalt slt FILES…`: runs sqllogictest files against fresh databases and reports pass rates.
struct SLTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slt",
        abstract: "Run sqllogictest files (or folders of them), each on a fresh database."
    )

    @Argument(help: "Test files or folders (searched for *.test).")
    var paths: [String]

    @Option(help: "Fail (exit 1) when the pass rate of all records is below this percentage.")
    var minPassRate: Double?

    @Option(help: "Mismatches to print per file.")
    var maxMismatches: Int = 3

    @Flag(help: "Print every failing record.")
    var verbose = false

    func run() throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("no such file or folder: \(path)")
            }
            if isDirectory.boolValue {
                let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String }
                    .filter { $0.hasSuffix(".test") }.sorted() ?? []
                files += found.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var summary = SLTSummary()
        let runner = SLTRunner(options: SLTOptions(maxMismatchesReported: verbose ? 1_000_000 : maxMismatches, verbose: verbose))
        let progress = TerminalProgress(label: "slt")
        for (i, file) in files.enumerated() {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-slt-\(getpid())-\(i)")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var config = Config()
            config.syncMode = .off
            let db = try Database.open(path: directory.appendingPathComponent("slt.db").path, config: config)
            let engine = BasaltSLTEngine(database: db)
            let result = try runner.run(file: file, engine: engine)
            try db.close()
            progress.update(i + 1, of: files.count)
            summary.add(result)
            print(result.summaryLine)
        }
        progress.finish()
        print(summary.report(maxMismatches: verbose ? 1_000_000 : maxMismatches * max(1, files.count)))
        let total = summary.passed + summary.failed
        let rate = total == 0 ? 100 : Double(summary.passed) * 100 / Double(total)
        print(String(format: "pass rate: %.2f%% of %d records", rate, total))
        if let minPassRate, rate < minPassRate {
            Console.error(String(format: "pass rate %.2f%% is below the required %.2f%%\n", rate, minPassRate))
            throw ExitCode(1)
        }
    }
}

/// Drives a Basalt database for the sqllogictest runner: one SQL session, SQLite's compound-select
/// precedence (the corpus's expected results come from SQLite), values mapped to the runner's kinds.
final class BasaltSLTEngine: SLTEngine {
    let session: SQLSession
    let names = ["sqlite", "basalt"]

    init(database: Database) {
        session = database.session()
        session.sqliteCompoundSelects = true
    }

    func execute(_ sql: String) throws {
        try session.execute(sql)
    }

    func query(_ sql: String) throws -> [[SLTValue]] {
        try session.query(sql).allValues().map { row in row.map(Self.convert) }
    }

    static func convert(_ value: SQLValue) -> SLTValue {
        switch value {
        case .null: return .null
        case .integer(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .numeric(let d): return .real(d.doubleValue)
        case .boolean(let b): return .integer(b ? 1 : 0)
        case .text(let s): return .text(s)
        case .blob(let b): return .blob(b)
        case .date, .timestamp: return .text(value.textValue)
        }
    }
}
