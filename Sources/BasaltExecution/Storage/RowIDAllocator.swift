import BasaltStorage
import BasaltTransactions
import Synchronization

/// Hands out hidden row ids for tables without a primary key: increasing per table, never reused within
/// a process, shared by every transaction so concurrent inserters never pick the same key.
///
/// The first id for a table is one above the largest committed row id (read once); a rolled-back insert
/// leaves a gap, as SQLite's AUTOINCREMENT and PostgreSQL's sequences do.
package final class RowIDAllocator: Sendable {
    /// table id → next row id. Invariant: above every row id committed or handed out for that table.
    private let next = Mutex<[UInt32: Int64]>([:])

    package init() {}

    /// Forgets a table's counter (DROP TABLE; its id is never reused, this only frees memory).
    package func forget(_ table: UInt32) { _ = next.withLock { $0.removeValue(forKey: table) } }

    /// The next row id for `table`; `largest` reads the largest committed id when the table is new here.
    package func allocate(_ table: UInt32, largest: () throws -> Int64) throws -> Int64 {
        if let id = next.withLock({ state -> Int64? in
            guard let id = state[table] else { return nil }
            state[table] = id + 1
            return id
        }) { return id }
        let start = try largest() + 1
        return next.withLock { state in
            let id = max(state[table] ?? start, start)
            state[table] = id + 1
            return id
        }
    }
}
