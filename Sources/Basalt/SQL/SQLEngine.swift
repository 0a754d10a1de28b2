import BasaltExecution
import BasaltPlanner
import BasaltSQL
import BasaltStorage
import BasaltTransactions
import Synchronization

/// The SQL state one `Database` owns: its function registry, the newest committed schema, and the
/// row-id allocator. Shared by every session of the database.
final class SQLEngine: Sendable {
    let functions: FunctionRegistry
    let rowIDs = RowIDAllocator()
    /// The newest committed catalog, loaded on first use and reloaded after each committed DDL.
    /// Invariant: equal to what `CatalogStore.load(manager, nil)` returns, as of its load.
    private let latest = Mutex<Schema?>(nil)

    init(functions: FunctionRegistry = .builtins) {
        self.functions = functions
    }

    /// The newest committed schema.
    func schema(_ manager: TransactionManager) throws -> Schema {
        if let schema = latest.withLock({ $0 }) { return schema }
        let loaded = try CatalogStore.load(manager, nil)
        latest.withLock { $0 = loaded }
        return loaded
    }

    /// Drops the cached schema after a DDL commit (the next use reloads).
    func invalidate() { latest.withLock { $0 = nil } }
}
