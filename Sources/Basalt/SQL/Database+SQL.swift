import BasaltExecution
import BasaltSQL
import BasaltTransactions

extension Database {
    /// A new SQL session (its own transaction block state) on this database.
    public func session() -> SQLSession { SQLSession(database: self) }

    /// Runs a script of SQL statements, each in its own transaction unless the script opens a block
    /// (BEGIN … COMMIT; a block left open at the end is rolled back). Returns the rows the last
    /// statement changed. Throws `BasaltError` with the failing statement's SQLSTATE.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Int {
        try session().execute(sql, parameters)
    }

    /// Runs one query and returns its rows, read lazily from one snapshot.
    public func query(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Rows {
        try session().query(sql, parameters)
    }

    /// Prepares one statement for repeated execution (on its own session).
    public func prepare(_ sql: String) throws -> PreparedStatement {
        try session().prepare(sql)
    }

    /// 1-based line and column (in characters) of a UTF-8 byte offset.
    static func lineAndColumn(of offset: Int, in sql: String) -> (Int, Int) {
        let bytes = Array(sql.utf8.prefix(max(0, offset)))
        let line = bytes.filter { $0 == 10 }.count + 1
        let lastLine = bytes.lastIndex(of: 10).map { bytes[($0 + 1)...] } ?? bytes[...]
        return (line, String(decoding: lastLine, as: UTF8.self).count + 1)
    }

    /// Wraps any error of the SQL layers into `BasaltError`, keeping SQLSTATEs.
    func sqlError(_ error: any Error, sql: String) -> any Error {
        switch error {
        case let e as BasaltError: return e
        case let e as ExecutionError:
            var context = e.context
            if let detail = e.detail { context["detail"] = detail }
            if let p = context["position"], let offset = Int(p) {
                let (line, column) = Self.lineAndColumn(of: offset, in: sql)
                context["line"] = String(line)
                context["column"] = String(column)
            }
            return BasaltError(code: BasaltError.Code(rawValue: e.sqlState), message: e.message, context: context,
                               suggestion: e.hint)
        case let e as SQLSyntaxError: return BasaltError(syntax: e, sql: sql)
        default:
            if TransactionError.isOwn(error) { return failed(error, "sql") }
            return error
        }
    }
}

extension BasaltError {
    /// A syntax error with its line, column and the caret display in `suggestion`-free `context`.
    init(syntax error: SQLSyntaxError, sql: String) {
        self.init(code: Code(rawValue: error.sqlState), message: error.message,
                  context: ["line": String(error.line), "column": String(error.column), "position": String(error.offset),
                            "display": error.formatted(source: sql)],
                  suggestion: error.expected.isEmpty ? nil : "Expected " + error.expected.joined(separator: " or ") + ".")
    }
}

extension BasaltError.Code {
    /// 42601: the SQL text does not parse.
    public static let syntaxError = Self(rawValue: "42601")
    /// 0A000: the statement uses a feature Basalt does not have.
    public static let featureNotSupported = Self(rawValue: "0A000")
    /// 25001: not allowed once the transaction has run a query.
    public static let activeSQLTransaction = Self(rawValue: "25001")
    /// 25P01: allowed only inside BEGIN … COMMIT.
    public static let noActiveSQLTransaction = Self(rawValue: "25P01")
    /// 25P02: an earlier statement of the block failed; only ROLLBACK (TO SAVEPOINT) is accepted.
    public static let inFailedSQLTransaction = Self(rawValue: "25P02")
    /// 23505: a primary key or unique constraint would be violated.
    public static let uniqueViolation = Self(rawValue: "23505")
    /// 23503: a foreign key would be violated.
    public static let foreignKeyViolation = Self(rawValue: "23503")
    /// 23502: NULL in a NOT NULL column.
    public static let notNullViolation = Self(rawValue: "23502")
    /// 23514: a CHECK constraint would be violated.
    public static let checkViolation = Self(rawValue: "23514")
    /// 22012: division by zero.
    public static let divisionByZero = Self(rawValue: "22012")
    /// 22003: a number out of its type's range.
    public static let numericValueOutOfRange = Self(rawValue: "22003")
    /// 42P01: no such table or view.
    public static let undefinedTable = Self(rawValue: "42P01")
    /// 42703: no such column.
    public static let undefinedColumn = Self(rawValue: "42703")
}
