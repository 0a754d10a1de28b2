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
    /// The batch being read, shared by the rows handed out from it, and its shape.
    private var block: RowBlock?
    private var blockRows = 0
    private var width = 0
    private var position = 0
    private var source: (any Operator)?
    private let context: ExecutionContext?
    /// Set when these rows own their (read-only) transaction.
    private let owned: TransactionContext?
    /// Turns an execution error into the `BasaltError` of the statement (nil: rethrown as is).
    private let database: Database?
    private let sql: String
    /// Told when these rows stop reading their plan, so a prepared statement knows its plan is free.
    var lease: PlanLease?

    /// Rows read lazily from `source`. `names` and `types` are usually a prepared plan's cached arrays,
    /// shared, so running a prepared query allocates none.
    init(names: [String], types: [SQLType], source: any Operator, context: ExecutionContext, owned: TransactionContext?,
         database: Database, sql: String) {
        self.columns = names
        self.columnTypes = types
        self.source = source
        self.context = context
        self.owned = owned
        self.database = database
        self.sql = sql
    }

    /// Rows already read: `count` rows of `width` columns in `block`.
    private init(names: [String], types: [SQLType], block: RowBlock, count: Int, width: Int) {
        self.columns = names
        self.columnTypes = types
        self.block = block
        self.blockRows = count
        self.width = width
        self.source = nil
        self.context = nil
        self.owned = nil
        self.database = nil
        self.sql = ""
    }

    convenience init(names: [String], types: [SQLType], rows: RowBatch) {
        self.init(names: names, types: types, block: RowBlock(values: rows.values, columns: names),
                  count: rows.count, width: rows.width)
    }

    /// Rows already read, kept encoded until their columns are read.
    convenience init(names: [String], types: [SQLType], encoded: EncodedRowBatch) {
        self.init(names: names, types: types, block: RowBlock(encoded: encoded, columns: names),
                  count: encoded.count, width: encoded.width)
    }

    convenience init(columns: [ResultColumnInfo], rows: RowBatch) {
        self.init(names: columns.map(\.name), types: columns.map(\.type), rows: rows)
    }

    deinit { finish() }

    /// Whether the rows no longer read from their plan (all read, failed, or materialized).
    var isFinished: Bool { source == nil }

    private func finish() {
        source?.close()
        source = nil
        lease?.open = false
        if let owned, let database { database.manager.rollback(owned) }
    }

    /// The next row, or nil after the last. Throws the query's error (division by zero found late, a
    /// storage failure); after an error there are no more rows.
    public func next() throws -> Row? {
        while true {
            if let block, position < blockRows {
                defer { position += 1 }
                return Row(block: block, offset: block.encoded == nil ? position * width : position, count: width)
            }
            guard let source, let context else { return nil }
            do {
                if let next = try source.next(context) {
                    block = RowBlock(values: next.values, columns: columns)
                    blockRows = next.count
                    width = next.width
                    position = 0
                } else {
                    block = nil
                    finish()
                    return nil
                }
            } catch {
                finish()
                throw database.map { $0.sqlError(error, sql: sql) } ?? error
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

/// Whether the rows reading a prepared statement's cached plan are still open (its operators hold
/// their state until then). A flag object rather than a weak reference to the `Rows`: a weak
/// reference gives every `Rows` a side table, and all its reference counting the slow path.
final class PlanLease {
    var open = true
}

/// A result column's name and type.
struct ResultColumnInfo {
    var name: String
    var type: SQLType
}
