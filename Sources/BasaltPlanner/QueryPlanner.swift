import BasaltExecution
import BasaltSQL

/// Turns statements (AST) into executable operator trees against one `Schema`: binds names and types,
/// pushes predicates down, chooses access paths (primary key ranges, secondary indexes), orders joins
/// along equality predicates with hash joins, and plans aggregation, sorting and set operations.
///
/// A planner is used for one statement and then dropped; the plan it returns can be executed many
/// times (prepared statements), by one thread at a time.
package final class QueryPlanner {
    package let schema: Schema
    let functions: FunctionRegistry
    package let options: PlannerOptions
    /// Parameter types inferred from context ($1 compared with an integer column is an integer).
    package private(set) var parameterTypes: [Int: SQLType] = [:]
    /// Minimum scope level each subquery being planned refers to (see `correlationStack` use).
    var correlationStack: [Int] = []
    /// Guards against views defined in terms of themselves.
    var expandingViews: Set<String> = []
    /// WITH entries in scope, innermost last.
    var cteFrames: [[String: CTEDefinition]] = []
    /// The top-level `AS OF SYSTEM TIME` expression, if the query has one.
    package internal(set) var asOfExpression: BoundExpression?

    package init(schema: Schema, functions: FunctionRegistry, options: PlannerOptions = PlannerOptions()) {
        self.schema = schema
        self.functions = functions
        self.options = options
    }

    func noteParameter(_ index: Int, _ type: SQLType) {
        if parameterTypes[index] == nil || parameterTypes[index] == .unknown { parameterTypes[index] = type }
    }
}

/// Planner switches.
package struct PlannerOptions: Sendable {
    /// Accept SQLite's and MySQL's looser forms that PostgreSQL rejects: numbers as conditions, bare
    /// columns in aggregate queries (their value from the group's last row).
    package var lenient: Bool = true
    package init(lenient: Bool = true) { self.lenient = lenient }
}

/// A planned query: its operator tree and its result columns.
package struct PlannedQuery {
    package var root: any Operator
    package var columns: [ResultColumn]
}

/// One result column: its name (as PostgreSQL names it) and type.
package struct ResultColumn: Sendable, Equatable {
    package var name: String
    package var type: SQLType
    package init(name: String, type: SQLType) {
        self.name = name
        self.type = type
    }
}
