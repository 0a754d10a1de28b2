import Foundation

/// Totals over many test files, and the text report the CLI and CI print.
public struct SLTSummary: Sendable {
    /// The results added so far, in order.
    public private(set) var files: [SLTFileResult]

    /// Creates a summary of these results.
    public init(files: [SLTFileResult] = []) {
        self.files = files
    }

    /// Adds one file's result.
    public mutating func add(_ result: SLTFileResult) {
        files.append(result)
    }

    /// Records passed in all files.
    public var passed: Int { files.reduce(0) { $0 + $1.passed } }
    /// Records failed in all files.
    public var failed: Int { files.reduce(0) { $0 + $1.failed } }
    /// Records skipped in all files.
    public var skipped: Int { files.reduce(0) { $0 + $1.skipped } }
    /// Files stopped by a `halt` record.
    public var haltedFiles: Int { files.filter(\.halted).count }
    /// Total wall-clock time of all files.
    public var seconds: Double { files.reduce(0) { $0 + $1.seconds } }
    /// True if no record failed.
    public var allPassed: Bool { failed == 0 }

    /// One `path: N passed, N failed, N skipped` line per file.
    public var fileLines: [String] { files.map(\.summaryLine) }

    /// `total: N passed, N failed, N skipped in F files (H halted)`.
    public var totalLine: String {
        var line = "total: \(passed) passed, \(failed) failed, \(skipped) skipped in \(files.count) file"
        if files.count != 1 { line += "s" }
        if haltedFiles > 0 { line += " (\(haltedFiles) halted)" }
        line += String(format: ", %.2f s", seconds)
        return line
    }

    /// The per-file lines, the total line, then the first `maxMismatches` mismatches (over all
    /// files, in file order) with their SQL, expected and actual text.
    public func report(maxMismatches: Int = 10) -> String {
        var lines = fileLines
        lines.append(totalLine)
        let mismatches = files.flatMap(\.mismatches)
        if !mismatches.isEmpty && maxMismatches > 0 {
            let shown = mismatches.prefix(maxMismatches)
            lines.append("")
            lines.append("first \(shown.count) mismatch\(shown.count == 1 ? "" : "es") of \(failed) failure\(failed == 1 ? "" : "s"):")
            for mismatch in shown {
                lines.append(mismatch.description)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
