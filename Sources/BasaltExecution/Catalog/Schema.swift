/// An immutable view of the catalog: every table, index and view, by lower-case-insensitive name.
///
/// A `Schema` is what the planner binds against. Changing it (DDL) makes a new value; the engine keeps
/// the newest committed one (`CatalogStore`), and a transaction that ran DDL keeps its own until commit.
package struct Schema: Sendable {
    package private(set) var tables: [String: TableDescriptor] = [:]
    package private(set) var indexes: [String: IndexDescriptor] = [:]
    package private(set) var views: [String: ViewDescriptor] = [:]
    /// The next object id to hand out.
    package var nextObjectID: UInt32 = 16
    /// Changes whenever any descriptor changes: plan caches key on it.
    package private(set) var generation: UInt64 = 0

    package init() {}

    package func table(_ name: String) -> TableDescriptor? { tables[name] }
    package func view(_ name: String) -> ViewDescriptor? { views[name] }
    package func index(_ name: String) -> IndexDescriptor? { indexes[name] }

    /// The indexes of table `id`, in name order (deterministic maintenance order).
    package func indexes(ofTable id: UInt32) -> [IndexDescriptor] {
        indexes.values.filter { $0.tableID == id }.sorted { $0.name < $1.name }
    }

    /// Tables with a foreign key referencing `name`.
    package func referencingTables(_ name: String) -> [TableDescriptor] {
        tables.values.filter { $0.foreignKeys.contains { $0.referencedTable == name } }.sorted { $0.name < $1.name }
    }

    package mutating func setTable(_ table: TableDescriptor) { tables[table.name] = table; generation &+= 1 }
    package mutating func removeTable(_ name: String) { tables[name] = nil; generation &+= 1 }
    package mutating func setIndex(_ index: IndexDescriptor) { indexes[index.name] = index; generation &+= 1 }
    package mutating func removeIndex(_ name: String) { indexes[name] = nil; generation &+= 1 }
    package mutating func setView(_ view: ViewDescriptor) { views[view.name] = view; generation &+= 1 }
    package mutating func removeView(_ name: String) { views[name] = nil; generation &+= 1 }

    /// Hands out a new object id.
    package mutating func allocateObjectID() -> UInt32 {
        let id = nextObjectID
        nextObjectID += 1
        return id
    }
}
