import BasaltStorage

/// A query that reads at most one row by its whole primary key — `SELECT columns FROM t WHERE pk = $1`
/// — recognised in a finished plan so that an autocommit run can skip the operator machinery (TiDB's
/// PointGet, CockroachDB's single-row fast path): encode the key from the parameters, read one version
/// at the newest visible state, decode the wanted columns.
///
/// Recognised shapes: a `TableScanOperator` whose range fixes every primary key column with constants
/// or parameters (no row key output), alone or under a `ProjectOperator` of plain column references.
/// Anything else (filters, limits, expressions, row-id tables) is not a point get.
/// A class: a cached plan hands it to every execution, and a struct would copy its table descriptor
/// (dozens of references) each time.
package final class PointGet {
    let table: TableDescriptor
    let keyValues: [BoundExpression]
    let keyTypes: [SQLType]
    let physicalTypes: [SQLType]
    let wantedPhysical: [Int]
    /// Positions in the scan's output of each result column (nil: all, in order).
    let output: [Int]?

    private init(table: TableDescriptor, keyValues: [BoundExpression], keyTypes: [SQLType], physicalTypes: [SQLType],
                 wantedPhysical: [Int], output: [Int]?) {
        self.table = table
        self.keyValues = keyValues
        self.keyTypes = keyTypes
        self.physicalTypes = physicalTypes
        self.wantedPhysical = wantedPhysical
        self.output = output
    }

    /// The point get `root` performs, if it is one.
    package static func recognize(_ root: any Operator) -> PointGet? {
        var output: [Int]?
        var scan: TableScanOperator
        if let direct = root as? TableScanOperator {
            scan = direct
        } else if let project = root as? ProjectOperator, let columns = project.columns,
                  let child = project.child as? TableScanOperator {
            scan = child
            output = project.isIdentity ? nil : columns
        } else {
            return nil
        }
        let table = scan.table
        guard !table.hasRowID, !scan.includeKey, scan.range.lower == nil, scan.range.upper == nil,
              !table.primaryKey.isEmpty, scan.range.equal.count == table.primaryKey.count,
              scan.range.equal.allSatisfy(ExpressionEvaluator.isParameterOrConstant) else { return nil }
        return PointGet(table: table, keyValues: scan.range.equal, keyTypes: table.primaryKey.map { table.columns[$0].type },
                        physicalTypes: scan.physicalTypes, wantedPhysical: scan.wantedPhysical, output: output)
    }

    /// The value of a constant, parameter or cast of one, as `ExpressionEvaluator` computes it.
    static func value(of expression: BoundExpression, _ parameters: [SQLValue]) throws -> SQLValue {
        guard let value = try ExpressionEvaluator.parameterOrConstant(expression, parameters) else {
            preconditionFailure("not a point-get key expression")
        }
        return value
    }

    /// The stored key of the row `parameters` select; nil when no row can match (a NULL, or a value the
    /// key column's type cannot hold exactly, as in `KeyRange.bounds`). Throws 08P01 for a missing
    /// parameter.
    package func key(_ parameters: [SQLValue]) throws -> [UInt8]? {
        var key = ObjectKey.prefix(table.id)
        for (i, expression) in keyValues.enumerated() {
            let value = try Self.value(of: expression, parameters)
            guard !value.isNull, let converted = try? value.cast(to: keyTypes[i], explicit: false),
                  SQLValue.compare(converted, value) == 0 else { return nil }
            KeyCodec.append(converted, type: keyTypes[i], descending: false, to: &key)
        }
        return key
    }

    /// Appends the result columns of the stored row `bytes` to `row`.
    package func decode(_ bytes: UnsafeRawBufferPointer, into row: inout [SQLValue]) throws {
        guard let output else {
            try RowCodec.decodeColumns(bytes, types: physicalTypes, wanted: wantedPhysical, into: &row)
            return
        }
        var scanned: [SQLValue] = []
        try RowCodec.decodeColumns(bytes, types: physicalTypes, wanted: wantedPhysical, into: &scanned)
        for position in output { row.append(scanned[position]) }
    }
}
