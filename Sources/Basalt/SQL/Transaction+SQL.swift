import BasaltExecution
import BasaltPlanner
import BasaltSQL
import BasaltTransactions

extension Transaction {
    /// Runs SQL statements inside this transaction (DDL included: it commits or rolls back with the
    /// transaction). Returns the rows the last statement changed. Transaction-control statements
    /// (BEGIN, COMMIT, SAVEPOINT…) are refused with 25001: use the `Transaction` methods.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Int {
        var last = 0
        for statement in try parseForTransaction(sql) {
            switch try runSQL(statement, parameters.map(\.sqlValue), sql: sql) {
            case .count(let n): last = n
            case .rows(let rows): last = try rows.all().count
            }
        }
        return last
    }

    /// Runs one query inside this transaction and returns its rows (read at once: the rows stay valid
    /// after the transaction ends).
    public func query(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> Rows {
        let statements = try parseForTransaction(sql)
        guard statements.count == 1 else {
            throw BasaltError(code: .syntaxError, message: "query() takes one statement")
        }
        switch try runSQL(statements[0], parameters.map(\.sqlValue), sql: sql) {
        case .rows(let rows): return rows
        case .count: return Rows(columns: [], rows: RowBatch(width: 0))
        }
    }

    private func parseForTransaction(_ sql: String) throws -> [BasaltSQL.Statement] {
        let statements: [BasaltSQL.Statement]
        do {
            statements = try Parser.parse(sql)
        } catch {
            throw BasaltError(syntax: error, sql: sql)
        }
        for statement in statements {
            switch statement {
            case .begin, .commit, .rollback, .savepoint, .releaseSavepoint, .rollbackToSavepoint, .setTransaction:
                throw BasaltError(code: .activeSQLTransaction,
                                  message: "transaction control statements are not allowed in Transaction.execute",
                                  suggestion: "Use the Transaction's commit(), rollback() and savepoint methods.")
            default: break
            }
        }
        return statements
    }

    private func runSQL(_ statement: BasaltSQL.Statement, _ parameters: [SQLValue], sql: String) throws -> SQLSession.Outcome {
        try withGate {
            let runner = StatementRunner(database: database, transaction: context, schema: sqlSchema,
                                         plannerOptions: PlannerOptions(), sql: sql)
            let outcome = try runner.run(statement, parameters, lazy: false)
            if let changed = runner.changedSchema { sqlSchema = changed }
            return outcome
        }
    }
}
