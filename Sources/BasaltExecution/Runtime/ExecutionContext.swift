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
    package var schema: Schema
    package var functionContext: FunctionContext
    package let rowIDs: RowIDAllocator
    /// Rows of the enclosing queries, innermost last, for `BoundExpression.outerColumn`.
    package var outerRows: [ArraySlice<SQLValue>] = []
    /// Rows changed by the statement (INSERT/UPDATE/DELETE count).
    package var changedRows = 0
    /// Results of uncorrelated subqueries, computed once per execution.
    var subqueryResults: [ObjectIdentifier: SubqueryResult] = [:]

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
