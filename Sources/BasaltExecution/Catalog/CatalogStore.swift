import BasaltStorage
import BasaltTransactions
import Foundation

/// Reads and writes the catalog: descriptors stored as rows of the `RootSlot.catalog` tree through the
/// transaction layer, so DDL is transactional (MVCC-versioned, rolled back with its transaction,
/// recovered after a crash, and readable as of a past time).
///
/// DISK FORMAT (catalog tree; values are versioned by `VersionFormat` like every MVCC tree):
///
///   key                      value
///   "T" ‖ table name         JSON `TableDescriptor`
///   "I" ‖ index name         JSON `IndexDescriptor`
///   "V" ‖ view name          JSON `ViewDescriptor`
///   "N"                      next object id, 4 bytes big-endian
///
/// Names are stored after identifier folding, UTF-8. JSON keeps the descriptors readable by later
/// versions that add fields (decoding ignores unknown keys; new fields get defaults).
package enum CatalogStore {
    static let tableTag = UInt8(ascii: "T")
    static let indexTag = UInt8(ascii: "I")
    static let viewTag = UInt8(ascii: "V")
    static let nextIDKey: [UInt8] = [UInt8(ascii: "N")]

    /// Loads the whole catalog as `txn` sees it (its snapshot, or the newest committed state when nil).
    /// Throws `TransactionError` or a corruption `ExecutionError` (XX001).
    package static func load(_ manager: TransactionManager, _ txn: TransactionContext?) throws -> Schema {
        var schema = Schema()
        var firstError: Error?
        let decoder = JSONDecoder()
        try manager.scan(txn, .catalog, lower: nil, upper: nil, reverse: false) { key, value in
            guard let tag = key.first else { return true }
            let data = Data(value)
            do {
                switch tag {
                case tableTag: schema.setTable(try decoder.decode(TableDescriptor.self, from: data))
                case indexTag: schema.setIndex(try decoder.decode(IndexDescriptor.self, from: data))
                case viewTag: schema.setView(try decoder.decode(ViewDescriptor.self, from: data))
                case nextIDKey[0] where value.count == 4:
                    schema.nextObjectID = value.reduce(0) { $0 << 8 | UInt32($1) }
                default: break
                }
            } catch {
                firstError = ExecutionError("XX001", "catalog entry is corrupted",
                                            detail: "\(error)")
                return false
            }
            return true
        }
        if let firstError { throw firstError }
        return schema
    }

    static func key(_ tag: UInt8, _ name: String) -> [UInt8] { [tag] + Array(name.utf8) }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    /// Writes the difference between `old` and `new` into `txn` (buffered until it commits).
    package static func write(_ manager: TransactionManager, _ txn: TransactionContext, from old: Schema,
                             to new: Schema) throws {
        for (name, table) in new.tables where old.tables[name] != table {
            try manager.put(txn, .catalog, key(tableTag, name), try encode(table))
        }
        for name in old.tables.keys where new.tables[name] == nil {
            _ = try manager.delete(txn, .catalog, key(tableTag, name))
        }
        for (name, index) in new.indexes where old.indexes[name] != index {
            try manager.put(txn, .catalog, key(indexTag, name), try encode(index))
        }
        for name in old.indexes.keys where new.indexes[name] == nil {
            _ = try manager.delete(txn, .catalog, key(indexTag, name))
        }
        for (name, view) in new.views where old.views[name] != view {
            try manager.put(txn, .catalog, key(viewTag, name), try encode(view))
        }
        for name in old.views.keys where new.views[name] == nil {
            _ = try manager.delete(txn, .catalog, key(viewTag, name))
        }
        if new.nextObjectID != old.nextObjectID {
            let id = new.nextObjectID
            try manager.put(txn, .catalog, nextIDKey,
                            [UInt8(id >> 24 & 0xFF), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)])
        }
    }
}
