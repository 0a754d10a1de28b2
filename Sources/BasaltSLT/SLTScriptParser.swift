/// Splits a test script into records, lazily, one record per `next()` call.
///
/// Line rules (as in SQLite's harness):
/// - A trailing `\r` is removed from every line, so LF, CRLF and mixed files parse the same.
/// - A line holding only whitespace is blank; blank lines separate records.
/// - A line whose first character is `#` is a comment and is dropped wherever it appears,
///   including inside SQL and result lines; it does not separate records.
/// - `skipif X` / `onlyif X` lines (a trailing `# comment` is ignored) stack up in front of the
///   next directive line. Conditions followed by a blank line apply to nothing and are dropped.
///
/// The parser works on the script's bytes and only builds strings for the lines it keeps.
public struct SLTScriptParser: Sequence, IteratorProtocol {
    /// One physical line of the script (without `\n` and trailing `\r`).
    private struct Line {
        /// Byte offset of the first byte.
        var start: Int
        /// Byte offset just past the last byte kept.
        var end: Int
        /// 1-based line number.
        var number: Int
        /// True if the line holds only whitespace.
        var isBlank: Bool
    }

    /// The script's bytes.
    private let bytes: [UInt8]
    /// Offset of the next unread line.
    private var position = 0
    /// Number of the last line read.
    private var lineNumber = 0

    /// Creates a parser over a script's bytes (UTF-8, or ASCII as the format asks).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Creates a parser over a script held in a string.
    public init(script: String) {
        self.bytes = Array(script.utf8)
    }

    /// Parses a whole script at once.
    public static func parse(_ script: String) -> [SLTRecord] {
        Array(SLTScriptParser(script: script))
    }

    /// Returns the next record, or nil at the end of the script.
    public mutating func next() -> SLTRecord? {
        nextRecord: while true {
            var line: Line
            repeat {
                guard let found = nextContentLine() else { return nil }
                line = found
            } while line.isBlank

            var conditions: [SLTCondition] = []
            var tokens = tokenize(line, limit: 4)
            while tokens.first == "skipif" || tokens.first == "onlyif" {
                let name = tokens.count > 1 ? tokens[1] : ""
                conditions.append(tokens[0] == "skipif" ? .skipIf(name) : .onlyIf(name))
                guard let found = nextContentLine() else { return nil }
                if found.isBlank { continue nextRecord }
                line = found
                tokens = tokenize(line, limit: 4)
            }

            let kind: SLTRecord.Kind
            switch tokens[0] {
            case "statement":
                kind = parseStatement(header: line, tokens: tokens)
            case "query":
                kind = parseQuery(tokens: tokens)
            case "halt":
                skipRestOfRecord()
                kind = .halt
            case "hash-threshold":
                skipRestOfRecord()
                if tokens.count > 1, let value = Int(tokens[1]), value >= 0 {
                    kind = .hashThreshold(value)
                } else {
                    kind = .malformed("hash-threshold needs a non-negative integer")
                }
            default:
                skipRestOfRecord()
                kind = .unknown(tokens[0])
            }
            return SLTRecord(line: line.number, conditions: conditions, kind: kind)
        }
    }

    // MARK: - Records

    /// Parses the body of a `statement ok|error` record.
    private mutating func parseStatement(header: Line, tokens: [String]) -> SLTRecord.Kind {
        let sql = readSQL(stopAtDashes: false).sql
        guard tokens.count > 1 else {
            return .malformed("statement needs 'ok' or 'error'")
        }
        switch tokens[1] {
        case "ok":
            return .statement(SLTStatement(expectsError: false, sql: sql))
        case "error":
            let pattern = restOfLine(header, afterTokens: 2)
            return .statement(SLTStatement(expectsError: true, errorPattern: pattern, sql: sql))
        default:
            return .malformed("statement argument should be 'ok' or 'error', not '\(tokens[1])'")
        }
    }

    /// Parses the body of a `query` record.
    private mutating func parseQuery(tokens: [String]) -> SLTRecord.Kind {
        let (sql, sawDashes) = readSQL(stopAtDashes: true)
        var expected: [String]? = nil
        if sawDashes {
            var lines: [String] = []
            while let line = nextContentLine(), !line.isBlank {
                lines.append(text(line))
            }
            expected = lines
        }
        guard tokens.count > 1 else {
            return .malformed("query needs a type string")
        }
        var sortMode = SLTSortMode.nosort
        if tokens.count > 2 {
            guard let mode = SLTSortMode(rawValue: tokens[2]) else {
                return .malformed("unknown sort mode '\(tokens[2])'")
            }
            sortMode = mode
        }
        let label = tokens.count > 3 ? tokens[3] : nil
        return .query(SLTQuery(typeString: tokens[1], sortMode: sortMode, label: label, sql: sql, expected: expected))
    }

    /// Reads SQL lines up to a blank line (or `----` when asked); returns the SQL and whether
    /// the `----` line was seen.
    private mutating func readSQL(stopAtDashes: Bool) -> (sql: String, sawDashes: Bool) {
        var sql: [UInt8] = []
        while let line = nextContentLine(), !line.isBlank {
            if stopAtDashes && isDashes(line) {
                return (String(decoding: sql, as: UTF8.self), true)
            }
            if !sql.isEmpty { sql.append(UInt8(ascii: "\n")) }
            sql.append(contentsOf: bytes[line.start..<line.end])
        }
        return (String(decoding: sql, as: UTF8.self), false)
    }

    /// Skips the remaining lines of the current record.
    private mutating func skipRestOfRecord() {
        while let line = nextContentLine(), !line.isBlank {}
    }

    // MARK: - Lines

    /// Reads the next line that is not a comment, or nil at the end of the script.
    private mutating func nextContentLine() -> Line? {
        while position < bytes.count {
            var end = position
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let start = position
            position = end + 1
            lineNumber += 1
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            var blank = true
            var i = start
            while i < end {
                if !SLTScriptParser.isSpace(bytes[i]) { blank = false; break }
                i += 1
            }
            if !blank && bytes[start] == UInt8(ascii: "#") { continue }
            return Line(start: start, end: end, number: lineNumber, isBlank: blank)
        }
        return nil
    }

    /// Whether a line is the `----` separator (trailing whitespace allowed).
    private func isDashes(_ line: Line) -> Bool {
        var end = line.end
        while end > line.start && SLTScriptParser.isSpace(bytes[end - 1]) { end -= 1 }
        guard end - line.start == 4 else { return false }
        for i in line.start..<end where bytes[i] != UInt8(ascii: "-") { return false }
        return true
    }

    /// The text of a line.
    private func text(_ line: Line) -> String {
        String(decoding: bytes[line.start..<line.end], as: UTF8.self)
    }

    /// Splits a line into at most `limit` whitespace-separated tokens, stopping at a token that
    /// starts with `#` (a trailing comment).
    private func tokenize(_ line: Line, limit: Int) -> [String] {
        var tokens: [String] = []
        var i = line.start
        while tokens.count < limit {
            while i < line.end && SLTScriptParser.isSpace(bytes[i]) { i += 1 }
            if i >= line.end || bytes[i] == UInt8(ascii: "#") { break }
            let start = i
            while i < line.end && !SLTScriptParser.isSpace(bytes[i]) { i += 1 }
            tokens.append(String(decoding: bytes[start..<i], as: UTF8.self))
        }
        if tokens.isEmpty { tokens.append("") }
        return tokens
    }

    /// The text after the first `count` tokens of a line, trimmed, or nil if empty.
    private func restOfLine(_ line: Line, afterTokens count: Int) -> String? {
        var i = line.start
        for _ in 0..<count {
            while i < line.end && SLTScriptParser.isSpace(bytes[i]) { i += 1 }
            while i < line.end && !SLTScriptParser.isSpace(bytes[i]) { i += 1 }
        }
        while i < line.end && SLTScriptParser.isSpace(bytes[i]) { i += 1 }
        var end = line.end
        while end > i && SLTScriptParser.isSpace(bytes[end - 1]) { end -= 1 }
        return end > i ? String(decoding: bytes[i..<end], as: UTF8.self) : nil
    }

    /// C `isspace` in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
