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

    /// The newest committed catalog (nil until loaded, and after `invalidate`) and the catalog epoch
    /// (`TransactionManager.catalogEpoch`) read before loading it. Invariant: `schema` is at least as new
    /// as the catalog of `epoch`, so a plan made under epoch e is valid while the epoch is still e.
    private struct Cache {
        var schema: Schema?
        var epoch: UInt64 = 0
    }
    private let cache = Mutex(Cache())

    init(functions: FunctionRegistry = .builtins) {
        self.functions = functions
    }

    /// The newest committed schema and its version: the catalog epoch it is current for. A schema
    /// change committing meanwhile moves the epoch, so a plan made under the returned version is
    /// replanned, and a write planned with it fails retryably (`ExecutionContext.lockForWrite`).
    func schema(_ manager: TransactionManager) throws -> (schema: Schema, version: UInt64) {
        let epoch = manager.catalogEpoch
        if let hit = cache.withLock({ c in c.epoch == epoch ? c.schema : nil }) { return (hit, epoch) }
        let loaded = try CatalogStore.load(manager, nil)
        cache.withLock { c in
            if c.schema == nil || epoch >= c.epoch {
                c.schema = loaded
                c.epoch = epoch
            }
        }
        return (loaded, epoch)
    }

    /// Drops the cached schema (the next use reloads). Commits that change the catalog move the epoch
    /// themselves; this only frees the copy sooner.
    func invalidate() {
        cache.withLock { $0.schema = nil }
    }
}
