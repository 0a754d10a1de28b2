/// One failed record, with what was expected and what the engine gave.
public struct SLTMismatch: Sendable, Equatable, CustomStringConvertible {
    /// The test file's path (or the script's name).
    public var path: String
    /// 1-based line of the record's directive.
    public var line: Int
    /// The record's SQL.
    public var sql: String
    /// The expected lines (joined with `\n`) or hash line; for statements, `ok` or `error`.
    public var expected: String
    /// The actual lines (joined with `\n`) or hash line, or `error: …` when the engine threw.
    public var actual: String
    /// Why the record failed.
    public var kind: SLTMismatchKind
    /// A one-line explanation, e.g. `expected 2 columns (type string "II") but got 3`.
    public var detail: String

    /// Creates a mismatch.
    public init(
        path: String, line: Int, sql: String, expected: String, actual: String,
        kind: SLTMismatchKind, detail: String = ""
    ) {
        self.path = path
        self.line = line
        self.sql = sql
        self.expected = expected
        self.actual = actual
        self.kind = kind
        self.detail = detail
    }

    /// `path:line: kind (detail)` followed by the indented SQL, expected and actual text.
    public var description: String {
        var text = "\(path):\(line): \(kind.rawValue)"
        if !detail.isEmpty { text += " (\(detail))" }
        text += "\n  sql:\n" + SLTMismatch.indent(sql)
        text += "\n  expected:\n" + SLTMismatch.indent(expected)
        text += "\n  actual:\n" + SLTMismatch.indent(actual)
        return text
    }

    /// Indents every line of a block by four spaces.
    private static func indent(_ block: String) -> String {
        if block.isEmpty { return "    (nothing)" }
        return block.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }
            .joined(separator: "\n")
    }
}
