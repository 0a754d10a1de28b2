/// The one error the lexer and parser throw: a PostgreSQL-style syntax error with its position.
///
/// Every failure of ``Parser`` is reported as this type — never a crash — so the server can map it to an
/// `ErrorResponse` one to one (``sqlState`` is a PostgreSQL SQLSTATE).
public struct SQLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The fields live in one immutable box so the error is a single pointer wide. With typed throws every
    /// call site reserves room for the error value in its frame; a pointer-sized error keeps the
    /// recursive-descent frames small enough that ``ParserOptions/maxDepth`` nesting fits a modest stack.
    private final class Storage: Sendable {
        let sqlState: String
        let message: String
        let expected: [String]
        let offset: Int
        let line: Int
        let column: Int

        init(sqlState: String, message: String, expected: [String], offset: Int, line: Int, column: Int) {
            self.sqlState = sqlState
            self.message = message
            self.expected = expected
            self.offset = offset
            self.line = line
            self.column = column
        }
    }

    private var storage: Storage

    /// SQLSTATE: `42601` syntax error, `54001` statement too complex (nesting deeper than
    /// ``ParserOptions/maxDepth``), `42P02` undefined parameter (`$0`), `0A000` feature not supported.
    public var sqlState: String {
        get { storage.sqlState }
        set { storage = Storage(sqlState: newValue, message: message, expected: expected, offset: offset, line: line, column: column) }
    }
    /// PostgreSQL-style message, e.g. `syntax error at or near "FROM"` or `syntax error at end of input`.
    public var message: String {
        get { storage.message }
        set { storage = Storage(sqlState: sqlState, message: newValue, expected: expected, offset: offset, line: line, column: column) }
    }
    /// What the parser would have accepted at ``offset``, e.g. `["expression"]` or `[")"]`; may be empty.
    public var expected: [String] {
        get { storage.expected }
        set { storage = Storage(sqlState: sqlState, message: message, expected: newValue, offset: offset, line: line, column: column) }
    }
    /// UTF-8 byte offset of the offending text in the source; equal to the source's byte count for
    /// errors at end of input.
    public var offset: Int {
        get { storage.offset }
        set { storage = Storage(sqlState: sqlState, message: message, expected: expected, offset: newValue, line: line, column: column) }
    }
    /// 1-based line of ``offset``.
    public var line: Int {
        get { storage.line }
        set { storage = Storage(sqlState: sqlState, message: message, expected: expected, offset: offset, line: newValue, column: column) }
    }
    /// 1-based column of ``offset`` within its line, counted in characters (not bytes).
    public var column: Int {
        get { storage.column }
        set { storage = Storage(sqlState: sqlState, message: message, expected: expected, offset: offset, line: line, column: newValue) }
    }

    /// Field-wise equality (the storage box's identity does not matter).
    public static func == (lhs: SQLSyntaxError, rhs: SQLSyntaxError) -> Bool {
        lhs.sqlState == rhs.sqlState && lhs.message == rhs.message && lhs.expected == rhs.expected
            && lhs.offset == rhs.offset && lhs.line == rhs.line && lhs.column == rhs.column
    }

    /// SQLSTATE for syntax errors.
    public static let syntaxErrorState = "42601"
    /// SQLSTATE for statements nested too deeply.
    public static let tooComplexState = "54001"
    /// SQLSTATE for unsupported features.
    public static let featureNotSupportedState = "0A000"

    /// Creates an error; `line` and `column` are normally computed by ``init(sqlState:message:expected:offset:source:)``.
    public init(sqlState: String = SQLSyntaxError.syntaxErrorState, message: String, expected: [String] = [],
                offset: Int, line: Int, column: Int) {
        self.storage = Storage(sqlState: sqlState, message: message, expected: expected, offset: offset,
                               line: line, column: column)
    }

    /// Creates an error at a byte offset of `source`, computing line and column.
    public init(sqlState: String = SQLSyntaxError.syntaxErrorState, message: String, expected: [String] = [],
                offset: Int, source: [UInt8]) {
        let clamped = max(0, min(offset, source.count))
        let position = SQLSyntaxError.lineAndColumn(of: clamped, in: source)
        self.init(sqlState: sqlState, message: message, expected: expected, offset: clamped,
                  line: position.line, column: position.column)
    }

    /// `message (expected …)` for logs; use ``formatted(source:)`` for the psql-style caret display.
    public var description: String {
        var text = "\(sqlState): \(message) (line \(line), column \(column))"
        if !expected.isEmpty { text += "; expected \(expected.joined(separator: ", "))" }
        return text
    }

    /// The message, the offending line and a caret under the offending text, as psql shows it:
    ///
    /// ```
    /// syntax error at or near "FORM"
    /// LINE 1: SELECT * FORM t
    ///                  ^
    /// ```
    public func formatted(source: String) -> String {
        let bytes = Array(source.utf8)
        let offset = max(0, min(self.offset, bytes.count))
        var start = offset
        while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = offset
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        let lineText = String(decoding: bytes[start..<end], as: UTF8.self)
            .replacingTabs()
        let before = String(decoding: bytes[start..<offset], as: UTF8.self).replacingTabs()
        let prefix = "LINE \(line): "
        let caretIndent = String(repeating: " ", count: prefix.count + before.count)
        return "\(message)\n\(prefix)\(lineText)\n\(caretIndent)^"
    }

    /// 1-based line and character column of a byte offset.
    static func lineAndColumn(of offset: Int, in source: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < offset {
            if source[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        // Count characters, not bytes, so a caret lands under the right glyph after non-ASCII text.
        let column = String(decoding: source[lineStart..<offset], as: UTF8.self).count + 1
        return (line, column)
    }
}

extension String {
    /// Tabs become single spaces so caret alignment survives terminals with other tab stops.
    fileprivate func replacingTabs() -> String {
        String(self.map { $0 == "\t" ? " " : $0 })
    }
}
