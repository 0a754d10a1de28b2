/// The rows a recursive CTE's recursive term reads: the previous iteration's new rows.
package final class WorkTable {
    var rows: RowBatch
    package init(width: Int) { rows = RowBatch(width: width) }
}

/// Scans the current contents of a `WorkTable`.
package final class WorkTableScanOperator: Operator {
    let table: WorkTable
    var done = false
    package let width: Int

    package init(table: WorkTable, width: Int) {
        self.table = table
        self.width = width
    }

    package func open(_ context: ExecutionContext) throws { done = false }
    package func next(_ context: ExecutionContext) throws -> RowBatch? {
        guard !done, table.rows.count > 0 else { return nil }
        done = true
        return table.rows
    }
    package func close() {}
    package var explainLabel: String { "WorkTable Scan" }
    package var children: [any Operator] { [] }
}

/// WITH RECURSIVE: the base term's rows, then the recursive term run again and again over the rows the
/// previous round added (UNION drops rows already produced), until a round adds nothing.
package final class RecursiveUnionOperator: Operator {
    let base: any Operator
    let recursive: any Operator
    let workTable: WorkTable
    let all: Bool
    var output = MaterializedRows()
    package var width: Int { base.width }
    /// A recursion that never ends is stopped with 54001 instead of exhausting memory.
    package static let maximumRows = 10_000_000

    package init(base: any Operator, recursive: any Operator, workTable: WorkTable, all: Bool) {
        self.base = base
        self.recursive = recursive
        self.workTable = workTable
        self.all = all
    }

    package func open(_ context: ExecutionContext) throws {
        var seen = Set<[SQLValue]>()
        func fresh(_ batch: RowBatch) -> RowBatch {
            if all { return batch }
            var keep: [Int] = []
            for r in 0..<batch.count where seen.insert(Array(batch.row(r))).inserted { keep.append(r) }
            return batch.selecting(keep)
        }
        var result = fresh(try base.collect(context))
        var work = result
        while work.count > 0 {
            workTable.rows = work
            work = fresh(try recursive.collect(context))
            result.append(contentsOf: work)
            if result.count > Self.maximumRows {
                throw ExecutionError("54001", "recursive query produced more than \(Self.maximumRows) rows",
                                     hint: "Check the recursive term's stop condition.")
            }
        }
        output.set(result)
    }

    package func next(_ context: ExecutionContext) throws -> RowBatch? { output.next() }

    package func close() { output.clear() }
    package var explainLabel: String { "Recursive Union" + (all ? " All" : "") }
    package var children: [any Operator] { [base, recursive] }
}
