import BasaltExecution
import BasaltSQL

/// One column visible to name resolution: the relation (alias) it comes from, its name and type.
struct ScopeColumn {
    var relation: String?
    var name: String
    var type: SQLType
    /// Hidden columns (a USING join's right-hand copy) are reachable qualified, not by `*` or bare name.
    var hidden = false
}

/// The names visible at one query level, in the order of the row the level's expressions read (the
/// FROM layout), and the enclosing level for correlated references.
///
/// Invariant: `columns[i]` describes position i of the row expressions of this level are evaluated on.
final class Scope {
    var columns: [ScopeColumn]
    let parent: Scope?
    /// Subquery nesting at run time: the number of outer rows pushed between the root query and this
    /// level's rows. A derived table shares its containing query's level (nothing is pushed for it).
    let level: Int

    init(columns: [ScopeColumn], parent: Scope?, level: Int) {
        self.columns = columns
        self.parent = parent
        self.level = level
    }


    /// Resolves a column reference here: the position, or nil when absent; throws 42702 when ambiguous.
    func resolveLocal(table: String?, column: String, location: SourceLocation) throws -> Int? {
        var found: Int?
        for (i, c) in columns.enumerated() where c.name == column {
            if let table {
                guard c.relation == table else { continue }
            } else if c.hidden {
                continue
            }
            if found != nil {
                throw PlanError.ambiguousColumn(column, location)
            }
            found = i
        }
        return found
    }

    /// Whether any column belongs to relation `name`.
    func hasRelation(_ name: String) -> Bool { columns.contains { $0.relation == name } }
}

/// A WITH entry as the planner sees it.
final class CTEDefinition {
    let name: String
    let columnNames: [String]
    let query: SelectStatement
    let recursive: Bool
    /// Set while the recursive term of a WITH RECURSIVE entry is planned: references read the work table.
    var workTable: (table: WorkTable, types: [SQLType], names: [String])?
    init(name: String, columnNames: [String], query: SelectStatement, recursive: Bool) {
        self.name = name
        self.columnNames = columnNames
        self.query = query
        self.recursive = recursive
    }
}
