import BasaltStorage
import BasaltTransactions

/// Rows and index entries of SQL tables in the `RootSlot.tables` tree, read and written through the
/// statement's transaction: row keys and encodings, secondary index maintenance, primary key, unique
/// and foreign key enforcement.
///
/// Row key: `ObjectKey` prefix of the table ‖ its primary key columns (`KeyCodec`), or ‖ the hidden row
/// id as one INT64 component. Row value: `RowCodec` over the columns in physical order.
/// Index entries: see `IndexDescriptor`.
///
/// Invariant kept by every write here: after a statement, each index holds exactly one entry per row of
/// its table, computed from the row's current values.
package enum TableStore {
    static let slot = RootSlot.tables

    // MARK: Keys and rows

    /// The row key of `row` (logical column order) in `table`; `rowID` for tables without a primary key.
    package static func rowKey(_ table: TableDescriptor, _ row: [SQLValue], rowID: Int64? = nil) -> [UInt8] {
        var key: [UInt8] = []
        writeRowKey(table, row, rowID: rowID, into: &key)
        return key
    }

    /// Replaces the contents of `key` with `rowKey(table, row, rowID:)`, keeping its capacity: an
    /// insert reuses one buffer for every row's key instead of allocating and freeing one per row.
    static func writeRowKey(_ table: TableDescriptor, _ row: [SQLValue], rowID: Int64? = nil, into key: inout [UInt8]) {
        if let integer = integerKey(table, row, rowID: rowID) {
            // The key of nearly every inserted row, built on the stack; copied over the buffer's bytes
            // when the previous key had the same length (a bulk insert's keys mostly do), else stored
            // afresh. Emptying and appending cost about 170 instructions per row.
            var bytes: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &bytes) { buffer in
                let base = buffer.baseAddress!
                let prefix = ObjectKey.writePrefix(table.id, to: base)
                let length = prefix + KeyEncoder.writeInt(integer, descending: false, to: base + prefix)
                if key.count == length {
                    key.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base, byteCount: length) }
                } else {
                    key.removeAll(keepingCapacity: true)
                    key.append(contentsOf: UnsafeRawBufferPointer(start: base, count: length))
                }
            }
            return
        }
        key.removeAll(keepingCapacity: true)
        key.reserveCapacity(32)   // an id prefix and a few integers or a short text: one allocation
        ObjectKey.appendPrefix(table.id, to: &key)
        if table.hasRowID {
            KeyCodec.append(.integer(rowID ?? 0), type: .bigint, descending: false, to: &key)
        } else {
            // Through the buffer: reads each key column's type in place instead of copying its
            // descriptor (a dozen references retained and released per inserted row).
            table.columns.withUnsafeBufferPointer { columns in
                for c in table.primaryKey {
                    KeyCodec.append(row[c], type: columns[c].type, descending: false, to: &key)
                }
            }
        }
    }

    /// The row's key as one integer, when the table's key is its row id or one integer column holding an
    /// integer (what `KeyCodec.append` encodes with `KeyEncoder.appendInt`); nil otherwise.
    @inline(__always)
    private static func integerKey(_ table: TableDescriptor, _ row: [SQLValue], rowID: Int64?) -> Int64? {
        if table.hasRowID { return rowID ?? 0 }
        guard table.primaryKey.count == 1 else { return nil }
        let c = table.primaryKey[0]
        guard case .integer(let value) = row[c] else { return nil }
        return table.columns.withUnsafeBufferPointer { columns in
            switch columns[c].type {
            case .smallint, .integer, .bigint: return value
            default: return nil
            }
        }
    }

    /// The encoded row value.
    package static func encodeRow(_ table: TableDescriptor, _ row: [SQLValue]) -> [UInt8] {
        var out: [UInt8] = []
        RowCodec.encode(physicalRow(table, row), into: &out)
        return out
    }

    /// `row` (logical order) in physical column order. Until a column is dropped or reordered, logical
    /// order is physical order and the row is returned as is.
    static func physicalRow(_ table: TableDescriptor, _ row: [SQLValue]) -> [SQLValue] {
        // Through the buffer: the loop reads one field per column instead of copying each descriptor.
        let inPlace = table.nextPhysical == row.count && table.columns.withUnsafeBufferPointer { columns in
            columns.indices.allSatisfy { columns[$0].physical == $0 }
        }
        if inPlace { return row }
        var physical = [SQLValue](repeating: .null, count: table.nextPhysical)
        for (i, column) in table.columns.enumerated() { physical[column.physical] = row[i] }
        return physical
    }

    /// Decodes a stored row into logical column order, appending to `out`.
    @inline(__always)
    package static func decodeRow(_ table: TableDescriptor, physicalTypes: [SQLType], physicalOfLogical: [Int],
                                 _ bytes: UnsafeRawBufferPointer, into out: inout [SQLValue],
                                 scratch: inout [SQLValue]) throws {
        scratch.removeAll(keepingCapacity: true)
        try RowCodec.decode(bytes, types: physicalTypes, into: &scratch)
        for p in physicalOfLogical { out.append(scratch[p]) }
    }

    /// The positions in `physicalTypes` of the logical columns.
    package static func physicalOfLogical(_ table: TableDescriptor) -> [Int] { table.columns.map(\.physical) }

    /// The key of `index`'s entry for `row` whose row key is `rowKey`, and the entry's value.
    static func indexEntry(_ index: IndexDescriptor, _ table: TableDescriptor, _ row: [SQLValue],
                           rowKey: [UInt8]) -> (key: [UInt8], value: [UInt8], unique: Bool) {
        var key: [UInt8] = [], value: [UInt8] = []
        let unique = rowKey.withUnsafeBytes { writeIndexEntry(index, table, row, rowKey: $0, key: &key, value: &value) }
        return (key, value, unique)
    }

    /// `indexEntry` into buffers the caller reuses: replaces the contents of `key` and `value` with the
    /// entry's and returns whether it is a unique entry (its key the indexed values alone).
    ///
    /// Entry layout: the key is the index's object prefix, then each indexed value (`KeyCodec`), then —
    /// unless the entry is unique — the row key without its object prefix (`rowKeySuffix`); a unique
    /// entry (unique index, no NULL among the values) has that suffix as its value instead, so equal
    /// values collide.
    static func writeIndexEntry(_ index: IndexDescriptor, _ table: TableDescriptor, _ row: [SQLValue],
                                rowKey: UnsafeRawBufferPointer, key: inout [UInt8], value: inout [UInt8]) -> Bool {
        value.removeAll(keepingCapacity: true)
        let unique = writeIndexKeyPrefix(index, table, index.columns.lazy.map { row[$0.column] }, into: &key)
        let suffix = rowKeySuffix(table, rowKey)
        if unique { value.append(contentsOf: suffix) } else { key.append(contentsOf: suffix) }
        return unique
    }

    /// Replaces `key` with an entry key's first part (object prefix and encoded values, see
    /// `writeIndexEntry`) for `values`, the indexed columns' values in index order; returns whether the
    /// entry is unique (then the row key suffix is its value, else the rest of its key).
    @inline(__always)
    static func writeIndexKeyPrefix(_ index: IndexDescriptor, _ table: TableDescriptor, _ values: some Sequence<SQLValue>,
                                    into key: inout [UInt8]) -> Bool {
        key.removeAll(keepingCapacity: true)
        ObjectKey.appendPrefix(index.id, to: &key)
        var hasNull = false
        for (c, v) in zip(index.columns, values) {
            if v.isNull { hasNull = true }
            KeyCodec.append(v, type: table.columns[c.column].type, descending: c.descending, to: &key)
        }
        return index.unique && !hasNull
    }

    /// A row key without its table's object prefix: what an index entry stores to find the row.
    @inline(__always)
    static func rowKeySuffix(_ table: TableDescriptor, _ rowKey: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: rowKey[ObjectKey.prefixLength(table.id)...])
    }

    // MARK: Reads

    /// Visits the rows of `table` with row keys in [lower, upper) as the transaction sees them: the row
    /// key and the decoded row (logical order). `body` returns false to stop.
    package static func scan(_ context: ExecutionContext, _ table: TableDescriptor, lower: [UInt8]? = nil,
                            upper: [UInt8]? = nil, _ body: ([UInt8], [SQLValue]) throws -> Bool) throws {
        let prefix = ObjectKey.prefix(table.id)
        let types = table.physicalTypes
        let logical = physicalOfLogical(table)
        var scratch: [SQLValue] = []
        var rows: [([UInt8], [SQLValue])] = []
        try context.manager.scan(context.transaction, slot, lower: lower ?? prefix,
                                 upper: upper ?? ObjectKey.upperBound(prefix), reverse: false) { key, value in
            var row: [SQLValue] = []
            row.reserveCapacity(logical.count)
            try decodeRow(table, physicalTypes: types, physicalOfLogical: logical, value, into: &row, scratch: &scratch)
            rows.append((Array(key), row))
            return true
        }
        for (key, row) in rows where !(try body(key, row)) { break }
    }

    /// The row stored under `key`, decoded, as the transaction sees it.
    package static func fetch(_ context: ExecutionContext, _ table: TableDescriptor, key: [UInt8]) throws -> [SQLValue]? {
        let types = table.physicalTypes
        let logical = physicalOfLogical(table)
        var scratch: [SQLValue] = []
        return try context.manager.get(context.transaction, slot, key) { bytes -> [SQLValue] in
            var row: [SQLValue] = []
            try decodeRow(table, physicalTypes: types, physicalOfLogical: logical, bytes, into: &row, scratch: &scratch)
            return row
        }
    }

    /// The largest committed row id of a row-id table (0 when empty).
    static func largestRowID(_ context: ExecutionContext, _ table: TableDescriptor) throws -> Int64 {
        let prefix = ObjectKey.prefix(table.id)
        var largest: Int64 = 0
        try context.manager.scan(nil, slot, lower: prefix, upper: ObjectKey.upperBound(prefix), reverse: true) { key, _ in
            let values = try KeyCodec.decode(Array(key[prefix.count...]), types: [.bigint], descending: [false])
            if case .integer(let id)? = values.first { largest = id }
            return false
        }
        return largest
    }

    // MARK: Writes

    /// Which unique constraints an INSERT … ON CONFLICT skips or updates on.
    package enum ConflictScope: Equatable, Sendable {
        /// None: every conflict is 23505.
        case none
        /// Any primary key or unique index (ON CONFLICT without a target, INSERT OR IGNORE).
        case any
        /// The primary key only.
        case primaryKey
        /// One unique index, by object id.
        case index(UInt32)

        /// Whether a conflict on the primary key (`index` nil) or on unique index `index` is covered.
        func covers(_ index: UInt32?) -> Bool {
            switch self {
            case .none: return false
            case .any: return true
            case .primaryKey: return index == nil
            case .index(let id): return index == id
            }
        }
    }

    static func uniqueViolation(_ name: String, _ table: TableDescriptor) -> ExecutionError {
        ExecutionError("23505", "duplicate key value violates unique constraint \"\(name)\"",
                       context: ["table": table.name, "constraint": name])
    }

    /// True when `key` exists for the transaction, taking an X lock on it first, so no concurrent
    /// transaction can create it until this one ends. A version committed by a concurrent transaction
    /// after the snapshot counts as existing (PostgreSQL reports a unique violation there too).
    static func lockAndCheckExists(_ context: ExecutionContext, _ key: [UInt8]) throws -> Bool {
        do {
            try context.manager.lockKey(context.transaction, slot, key, .exclusive)
        } catch {
            // Changed since the snapshot: a concurrent insert of the same key.
            if error.sqlState == "40001" { return true }
            throw error
        }
        if try context.manager.get(context.transaction, slot, key, { _ in true }) == true { return true }
        return try key.withUnsafeBytes { k in try context.manager.getLatest(slot, k) { _ in true } } == true
            && context.transaction.isolation == .readCommitted
    }

    /// Inserts `row` (already converted to the column types and checked for NOT NULL and CHECK).
    /// Returns false without writing anything when the row conflicts with an existing primary key or
    /// unique index entry that `skipConflicts` covers; any other conflict throws 23505.
    @discardableResult
    package static func insert(_ context: ExecutionContext, _ table: TableDescriptor, _ row: [SQLValue],
                              skipConflicts: ConflictScope = .none) throws -> Bool {
        try context.lockForWrite(table)
        // The context's key buffer, taken for this row and handed back after it.
        var key = context.rowKeyBuffer
        context.rowKeyBuffer = []
        defer { context.rowKeyBuffer = key }
        if table.hasRowID {
            let id = try context.rowIDs.allocate(table.id) { try largestRowID(context, table) }
            writeRowKey(table, row, rowID: id, into: &key)
        } else {
            writeRowKey(table, row, into: &key)
            if try context.manager.lockForInsert(context.transaction, slot, key) {
                if skipConflicts.covers(nil) { return false }
                throw uniqueViolation(table.primaryKeyName, table)
            }
        }
        let indexes = context.schema.indexes(ofTable: table.id)
        var entries: [(key: [UInt8], value: [UInt8])] = []
        for index in indexes {
            let entry = indexEntry(index, table, row, rowKey: key)
            if entry.unique, try context.manager.lockForInsert(context.transaction, slot, entry.key) {
                if skipConflicts.covers(index.id) { return false }
                throw uniqueViolation(index.name, table)
            }
            entries.append((entry.key, entry.value))
        }
        try checkForeignKeys(context, table, row, previous: nil)
        // The row key is locked (and known absent) unless it is a fresh row id, which no one else can
        // hold: its version needs no lock or conflict check either.
        let physical = physicalRow(table, row)
        try context.manager.putLocked(context.transaction, slot, key, valueCount: RowCodec.encodedSize(physical)) {
            RowCodec.encode(physical, to: $0)
        }
        // Unique entries were locked above; a non-unique entry's key contains the row key, as new as
        // the row itself.
        for entry in entries { try context.manager.putLocked(context.transaction, slot, entry.key, entry.value) }
        return true
    }

    /// Deletes the row stored under `key` whose current values are `row`, with its index entries,
    /// applying the foreign keys that reference it (RESTRICT/NO ACTION fail with 23503; CASCADE deletes;
    /// SET NULL / SET DEFAULT update the referencing rows).
    package static func delete(_ context: ExecutionContext, _ table: TableDescriptor, key: [UInt8], row: [SQLValue]) throws {
        try context.lockForWrite(table)
        try context.manager.delete(context.transaction, slot, key)
        for index in context.schema.indexes(ofTable: table.id) {
            _ = try context.manager.delete(context.transaction, slot, indexEntry(index, table, row, rowKey: key).key)
        }
        try applyReferencingActions(context, table, old: row, new: nil)
    }

    /// Replaces the row under `key` (values `old`) by `new`, moving it when its primary key changes and
    /// updating the index entries whose columns changed. Returns the new row key.
    @discardableResult
    package static func update(_ context: ExecutionContext, _ table: TableDescriptor, key: [UInt8], old: [SQLValue],
                              new: [SQLValue]) throws -> [UInt8] {
        try context.lockForWrite(table)
        var newKey = key
        if !table.hasRowID {
            newKey = rowKey(table, new)
            if newKey != key, try lockAndCheckExists(context, newKey) {
                throw uniqueViolation(table.primaryKeyName, table)
            }
        }
        var changes: [(old: [UInt8], new: [UInt8], value: [UInt8], unique: Bool, name: String)] = []
        for index in context.schema.indexes(ofTable: table.id) {
            let before = indexEntry(index, table, old, rowKey: key)
            let after = indexEntry(index, table, new, rowKey: newKey)
            if before.key != after.key || before.value != after.value {
                changes.append((before.key, after.key, after.value, after.unique, index.name))
            }
        }
        for change in changes where change.unique && change.old != change.new {
            if try lockAndCheckExists(context, change.new) { throw uniqueViolation(change.name, table) }
        }
        try checkForeignKeys(context, table, new, previous: old)
        if newKey != key { try context.manager.delete(context.transaction, slot, key) }
        try context.manager.put(context.transaction, slot, newKey, encodeRow(table, new))
        for change in changes where change.old != change.new {
            _ = try context.manager.delete(context.transaction, slot, change.old)
        }
        for change in changes { try context.manager.put(context.transaction, slot, change.new, change.value) }
        try applyReferencingActions(context, table, old: old, new: new)
        return newKey
    }

    // MARK: Foreign keys

    /// Checks that every foreign key of `table` whose columns are all non-NULL in `row` finds its
    /// referenced row (locked FOR SHARE so it cannot vanish before this transaction ends). Skips keys
    /// whose columns did not change from `previous`.
    static func checkForeignKeys(_ context: ExecutionContext, _ table: TableDescriptor, _ row: [SQLValue],
                                 previous: [SQLValue]?) throws {
        for fk in table.foreignKeys {
            let values = fk.columns.map { row[$0] }
            if values.contains(where: \.isNull) { continue }
            if let previous, fk.columns.allSatisfy({ SQLValue.compare(previous[$0], row[$0]) == 0 }) { continue }
            guard let parent = context.schema.table(fk.referencedTable) else {
                throw ExecutionError("42P01", "relation \"\(fk.referencedTable)\" does not exist")
            }
            let found = try findReferenced(context, parent, columns: fk.referencedColumns, values: values)
            if !found {
                throw ExecutionError("23503",
                                     "insert or update on table \"\(table.name)\" violates foreign key constraint \"\(fk.name)\"",
                                     context: ["table": table.name, "constraint": fk.name],
                                     detail: "Key is not present in table \"\(parent.name)\".")
            }
        }
    }

    /// Whether `parent` has a row whose `columns` equal `values`, locking what was found FOR SHARE.
    static func findReferenced(_ context: ExecutionContext, _ parent: TableDescriptor, columns: [String],
                               values: [SQLValue]) throws -> Bool {
        let positions = columns.compactMap { parent.columnIndex($0) }
        let converted = try zip(positions, values).map { try $1.cast(to: parent.columns[$0].type, explicit: false) }
        if !parent.hasRowID, parent.primaryKey == positions || Set(parent.primaryKey) == Set(positions) {
            var row = [SQLValue](repeating: .null, count: parent.columns.count)
            for (p, v) in zip(positions, converted) { row[p] = v }
            let key = rowKey(parent, row)
            try context.manager.lockKey(context.transaction, slot, key, .shared)
            return try context.manager.get(context.transaction, slot, key) { _ in true } == true
        }
        var found = false
        try scan(context, parent) { key, row in
            if zip(positions, converted).allSatisfy({ SQLValue.compare(row[$0], $1) == 0 }) {
                try context.manager.lockKey(context.transaction, slot, key, .shared)
                found = true
                return false
            }
            return true
        }
        return found
    }

    /// Applies the foreign keys referencing `table` after its row `old` was deleted (`new` nil) or
    /// updated to `new`.
    static func applyReferencingActions(_ context: ExecutionContext, _ table: TableDescriptor, old: [SQLValue],
                                        new: [SQLValue]?) throws {
        for child in context.schema.referencingTables(table.name) {
            for fk in child.foreignKeys where fk.referencedTable == table.name {
                let parentPositions = fk.referencedColumns.compactMap { table.columnIndex($0) }
                let oldValues = parentPositions.map { old[$0] }
                if oldValues.contains(where: \.isNull) { continue }
                if let new, parentPositions.allSatisfy({ SQLValue.compare(old[$0], new[$0]) == 0 }) { continue }
                var matches: [([UInt8], [SQLValue])] = []
                try scan(context, child) { key, row in
                    if zip(fk.columns, oldValues).allSatisfy({ SQLValue.compare(row[$0], $1) == 0 }) {
                        matches.append((key, row))
                    }
                    return true
                }
                if matches.isEmpty { continue }
                let action = new == nil ? fk.onDelete : fk.onUpdate
                switch action {
                case .noAction, .restrict:
                    throw ExecutionError("23503",
                                         "update or delete on table \"\(table.name)\" violates foreign key constraint \"\(fk.name)\" on table \"\(child.name)\"",
                                         context: ["table": table.name, "constraint": fk.name],
                                         detail: "Key is still referenced from table \"\(child.name)\".")
                case .cascade:
                    for (key, row) in matches {
                        if let new {
                            var updated = row
                            for (c, p) in zip(fk.columns, parentPositions) { updated[c] = new[p] }
                            try update(context, child, key: key, old: row, new: updated)
                        } else {
                            try delete(context, child, key: key, row: row)
                        }
                    }
                case .setNull, .setDefault:
                    for (key, row) in matches {
                        var updated = row
                        for c in fk.columns {
                            if child.columns[c].notNull {
                                throw ExecutionError("23502",
                                                     "null value in column \"\(child.columns[c].name)\" of relation \"\(child.name)\" violates not-null constraint")
                            }
                            updated[c] = .null
                        }
                        try update(context, child, key: key, old: row, new: updated)
                    }
                }
            }
        }
    }
}

extension TableStore {
    /// Fills a new index with an entry for every existing row of its table (CREATE INDEX), checking
    /// uniqueness on the way (23505 names the index).
    ///
    /// Only the indexed columns are decoded, and the entries are sorted before they are buffered, so
    /// the write set takes them in key order. The index is new (its object id was never used), so no
    /// other transaction can hold or have committed any of its keys: they need no locks and no check
    /// against committed versions, and a duplicate can only be among the entries themselves.
    package static func buildIndex(_ context: ExecutionContext, _ table: TableDescriptor, _ index: IndexDescriptor) throws {
        let prefix = ObjectKey.prefix(table.id)
        let types = table.physicalTypes
        let wanted = index.columns.map { table.columns[$0.column].physical }
        // `writeIndexEntry`'s entries, from the decoded columns alone, each appended to `entries` in
        // place without first joining its key's two parts.
        var values: [SQLValue] = []
        // Records with a version header's room: the write set takes them over instead of copying them.
        var entries = PairList(valueGap: TransactionManager.versionRoom)
        var entryKey: [UInt8] = []
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        // An index on one integer column (the common case) encodes each entry's key prefix on the stack:
        // the general path's buffer resets and appends cost a quarter of the scan. Non-nil for such an
        // index: the column's direction.
        let integerDescending: Bool? = index.columns.count == 1
            && [.smallint, .integer, .bigint].contains(table.columns[index.columns[0].column].type)
            ? index.columns[0].descending : nil
        var stack: (UInt64, UInt64) = (0, 0)
        try context.manager.scan(context.transaction, slot, lower: prefix, upper: ObjectKey.upperBound(prefix),
                                 reverse: false) { key, value in
            values.removeAll(keepingCapacity: true)
            try RowCodec.decodeColumns(value, types: types, wanted: wanted, into: &values)
            let suffix = rowKeySuffix(table, key)
            if let integerDescending, case .integer(let v) = values[0] {
                withUnsafeMutableBytes(of: &stack) { buffer in
                    let base = buffer.baseAddress!
                    let p = ObjectKey.writePrefix(index.id, to: base)
                    let k = UnsafeRawBufferPointer(
                        start: base, count: p + KeyEncoder.writeInt(v, descending: integerDescending, to: base + p))
                    if index.unique {
                        entries.append(key: k, value: suffix)
                    } else {
                        entries.append(key: k, keySuffix: suffix, value: none)
                    }
                }
                return true
            }
            let unique = writeIndexKeyPrefix(index, table, values, into: &entryKey)
            entryKey.withUnsafeBytes { k in
                if unique {
                    entries.append(key: k, value: suffix)
                } else {
                    entries.append(key: k, keySuffix: suffix, value: none)
                }
            }
            return true
        }
        entries.sort()
        // A unique entry's key is the indexed values alone (a NULL makes it non-unique, its key then
        // ending with the row key), so a duplicate value is an equal key. A non-unique index's keys all
        // end with distinct row keys.
        if index.unique, !entries.isStrictlyAscending {
            throw ExecutionError("23505", "could not create unique index \"\(index.name)\"",
                                 context: ["table": table.name, "constraint": index.name],
                                 detail: "Key is duplicated.")
        }
        try context.manager.putLocked(context.transaction, slot, pairs: &entries)
    }

    /// Drops every stored row or entry of object `id` (DROP TABLE, DROP INDEX) at commit, in O(1)
    /// (`TransactionManager.dropRange`): time travel to before the drop still reads them, and the version
    /// collector deletes them once the history retention has passed. The caller holds X on the object,
    /// and object ids are never reused, so nothing writes or reads the range after the drop.
    package static func dropObject(_ context: ExecutionContext, _ id: UInt32) throws {
        let prefix = ObjectKey.prefix(id)
        try context.manager.dropRange(context.transaction, slot, lower: prefix, upper: ObjectKey.upperBound(prefix))
    }

    /// Whether `table` has no rows for the transaction.
    package static func isEmpty(_ context: ExecutionContext, _ table: TableDescriptor) throws -> Bool {
        let prefix = ObjectKey.prefix(table.id)
        var empty = true
        try context.manager.scan(context.transaction, slot, lower: prefix, upper: ObjectKey.upperBound(prefix), reverse: false) { _, _ in
            empty = false
            return false
        }
        return empty
    }
}
