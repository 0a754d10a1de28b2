import BasaltExecution
import BasaltTransactions

/// The rows of a query, produced as they are read: each `next()` pulls from the plan a batch at a
/// time. A query run outside a transaction owns a read-only snapshot that ends when the last row has
/// been read or the `Rows` is dropped.
///
/// Not thread-safe: iterate from one thread.
public final class Rows {
    /// Result column names and types.
    public let columns: [String]
    public let columnTypes: [SQLType]
    private var batch: RowBatch?
    private var position = 0
    private var source: (any Operator)?
    private let context: ExecutionContext?
    /// Set when these rows own their (read-only) transaction.
    private let owned: TransactionContext?
    private let manager: TransactionManager?
    private let wrap: (any Error) -> any Error

    init(columns: [ResultColumnInfo], source: (any Operator)?, context: ExecutionContext?, owned: TransactionContext?,
         manager: TransactionManager?, wrap: @escaping (any Error) -> any Error) {
        self.columns = columns.map(\.name)
        self.columnTypes = columns.map(\.type)
        self.source = source
        self.context = context
        self.owned = owned
        self.manager = manager
        self.wrap = wrap
    }

    init(columns: [ResultColumnInfo], rows: RowBatch) {
        self.columns = columns.map(\.name)
        self.columnTypes = columns.map(\.type)
        self.batch = rows
        self.source = nil
        self.context = nil
        self.owned = nil
        self.manager = nil
        self.wrap = { $0 }
    }

    deinit { finish() }

    /// Whether the rows no longer read from their plan (all read, failed, or materialized).
    var isFinished: Bool { source == nil }

    private func finish() {
        source?.close()
        source = nil
        if let owned, let manager { manager.rollback(owned) }
    }

    /// The next row, or nil after the last. Throws the query's error (division by zero found late, a
    /// storage failure); after an error there are no more rows.
    public func next() throws -> Row? {
        while true {
            if let batch, position < batch.count {
                defer { position += 1 }
                return Row(storage: batch.values, offset: position * batch.width, count: batch.width, columns: columns)
            }
            guard let source, let context else { return nil }
            do {
                if let next = try source.next(context) {
                    batch = next
                    position = 0
                } else {
                    batch = nil
                    finish()
                    return nil
                }
            } catch {
                finish()
                throw wrap(error)
            }
        }
    }

    /// Every remaining row.
    public func all() throws -> [Row] {
        var out: [Row] = []
        while let row = try next() { out.append(row) }
        return out
    }

    /// Every remaining row as value arrays.
    public func allValues() throws -> [[SQLValue]] { try all().map(\.values) }
}

/// A result column's name and type.
struct ResultColumnInfo {
    var name: String
    var type: SQLType
}
