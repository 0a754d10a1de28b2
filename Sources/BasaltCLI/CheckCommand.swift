import ArgumentParser
import Basalt

/// `basalt check PATH`: verifies every invariant of a database file and reports its shape.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify a database file: checksums, B+tree invariants, free list and page accounting.",
        discussion: "Exits 0 when the file is sound, 1 when problems were found."
    )

    @Argument(help: "The database file.")
    var path: String

    func run() throws {
        guard POSIXFileSystem().fileExists(path: path) else {
            throw CLIError("\(path) does not exist")
        }
        let db = try Database.open(path: path)
        defer { try? db.close() }
        let progress = TerminalProgress(label: "checking \(path)")
        let report = try db.checkIntegrity { done, total in progress.update(done, of: total) }
        progress.finish()
        print("page size        \(report.pageSize) bytes")
        print("pages            \(report.pageCount) (\(report.freePages) free)")
        for (name, tree) in report.trees.sorted(by: { $0.key < $1.key }) {
            let fill = (tree.fillFactor * 1000).rounded() / 10
            print("tree \(name): \(tree.keys) keys, height \(tree.height), \(tree.leafPages) leaf + \(tree.internalPages) internal + \(tree.overflowPages) overflow pages, fill \(fill)%")
        }
        if report.isClean {
            print("ok")
        } else {
            for problem in report.problems { print("problem: \(problem)") }
            print("\(report.problems.count) problem(s) found")
            throw ExitCode(1)
        }
    }
}
