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

    /// The newest committed catalog (nil until loaded, and after a DDL commit until reloaded) and the
    /// catalog version. Invariants: `schema` equals what `CatalogStore.load(manager, nil)` returned at its
    /// load; `version` grows at every invalidation, so a plan made under version v is valid while the
    /// version is still v.
    private struct Cache {
        var schema: Schema?
        var version: UInt64 = 0
    }
    private let cache = Mutex(Cache())

    init(functions: FunctionRegistry = .builtins) {
        self.functions = functions
    }

    /// The newest committed schema and its version.
    func schema(_ manager: TransactionManager) throws -> (schema: Schema, version: UInt64) {
        if let hit = cache.withLock({ c in c.schema.map { ($0, c.version) } }) { return hit }
        let versionBefore = cache.withLock { $0.version }
        let loaded = try CatalogStore.load(manager, nil)
        return cache.withLock { c in
            // A DDL commit during the load makes it stale: use it for this statement, cache nothing.
            if c.version == versionBefore { c.schema = loaded }
            return (loaded, versionBefore)
        }
    }

    /// Drops the cached schema after a DDL commit (the next use reloads); plans made before are stale.
    func invalidate() {
        cache.withLock { c in
            c.schema = nil
            c.version &+= 1
        }
    }
}
