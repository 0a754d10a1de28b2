/// A physical operator: pulls batches from its children and produces batches of `width`-wide rows.
///
/// Contract: `open` before the first `next`; `next` returns non-empty batches until it returns nil;
/// `close` releases what `open` acquired. An operator can be opened again after `close` (a prepared
/// statement re-runs its plan; a correlated subquery re-runs once per outer row). Operators are used by
/// one thread at a time. One `next` call per batch, never per row.
package protocol Operator: AnyObject {
    /// Values per output row.
    var width: Int { get }
    func open(_ context: ExecutionContext) throws
    func next(_ context: ExecutionContext) throws -> RowBatch?
    func close()
    /// One line describing the operator for EXPLAIN, and its children.
    var explainLabel: String { get }
    var children: [any Operator] { get }
}

extension Operator {
    /// Opens, drains and closes the operator: every row it produces.
    package func collect(_ context: ExecutionContext) throws -> RowBatch {
        try open(context)
        defer { close() }
        var all = RowBatch(width: width)
        while let batch = try next(context) { all.append(contentsOf: batch) }
        return all
    }

    /// The operator tree as indented lines (EXPLAIN output).
    package func explainLines(indent: Int = 0) -> [String] {
        var lines = [String(repeating: "  ", count: indent) + (indent > 0 ? "-> " : "") + explainLabel]
        for child in children { lines += child.explainLines(indent: indent + 1) }
        return lines
    }
}
