import BasaltStorage
import BasaltTransactions
import Foundation

/// Everything a running statement needs: the transaction it runs in, its parameters, the schema it was
/// planned against, the clock values of `now()`, and the outer rows of correlated subqueries.
///
/// Used by one thread at a time (the statement's); not shared.
package final class ExecutionContext {
    package let manager: TransactionManager
    package let transaction: TransactionContext
    package var parameters: [SQLValue]
    /// Unchecked exclusivity, as `catalogEpoch`: every write of a row reads it (its indexes), one
    /// thread at a time, never within another access to it.
    @exclusivity(unchecked) package var schema: Schema
    package var functionContext: FunctionContext
    package let rowIDs: RowIDAllocator
    /// Rows of the enclosing queries, innermost last, for `BoundExpression.outerColumn`.
    package var outerRows: [ArraySlice<SQLValue>] = []
    /// The buffer `TableStore.insert` builds each row key in, kept between rows (and between the
    /// executions of a point insert reusing this context). Unchecked exclusivity, as `catalogEpoch`.
    @exclusivity(unchecked) package var rowKeyBuffer: [UInt8] = []
    /// Rows changed by the statement (INSERT/UPDATE/DELETE count).
    package var changedRows = 0
    /// Results of uncorrelated subqueries, computed once per execution.
    var subqueryResults: [ObjectIdentifier: SubqueryResult] = [:]
    /// The catalog epoch (`TransactionManager.catalogEpoch`) of the committed schema the statement was
    /// planned with; nil when it runs under its transaction's own schema (which holds the catalog's X
    /// lock, so no other schema change can commit) or a past one (time travel reads only).
    ///
    /// Unchecked exclusivity: read once per row by a reused point insert context, and a context is
    /// used by one thread at a time with no access to this field nested in another, so the dynamic
    /// check (about 70 instructions per access across modules) could never fire.
    @exclusivity(unchecked) package var catalogEpoch: UInt64?

    /// `catalogEpoch`, for readers in other modules: the attribute covers only accesses compiled in
    /// this module, and a direct read from the SQL session still paid the dynamic check per row.
    package var plannedCatalogEpoch: UInt64? { catalogEpoch }

    package init(manager: TransactionManager, transaction: TransactionContext, parameters: [SQLValue], schema: Schema,
                functionContext: FunctionContext, rowIDs: RowIDAllocator) {
        self.manager = manager
        self.transaction = transaction
        self.parameters = parameters
        self.schema = schema
        self.functionContext = functionContext
        self.rowIDs = rowIDs
    }
}

extension ExecutionContext {
    /// Takes the lock that orders this transaction's writes to `table` against schema changes of it
    /// (S on the object; DDL holds X), before anything of the table is written. When the lock is new to
    /// the transaction and a schema change committed after the statement's schema was loaded, the plan
    /// may be stale (an index it does not maintain, a dropped table): throws a retryable serialization
    /// failure (40001), which autocommit statements retry under the new schema.
    package func lockForWrite(_ table: TableDescriptor) throws {
        guard try manager.lockObject(transaction, table.id, .shared), let planned = catalogEpoch else { return }
        if manager.catalogEpoch != planned {
            throw TransactionError.serializationFailure(
                "the definition of table \"\(table.name)\" changed while the statement was being planned")
        }
    }
}
