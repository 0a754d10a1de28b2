import BasaltExecution
import BasaltSQL

/// Errors of binding and planning, as `ExecutionError`s with PostgreSQL's codes and the position in
/// the SQL text (context "position": byte offset) for a caret.
enum PlanError {
    static func at(_ error: ExecutionError, _ location: SourceLocation) -> ExecutionError {
        var e = error
        if location.length > 0 || location.offset > 0 { e.context["position"] = String(location.offset) }
        return e
    }

    static func undefinedColumn(_ name: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42703", "column \"\(name)\" does not exist", context: ["column": name]), location)
    }

    static func ambiguousColumn(_ name: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42702", "column reference \"\(name)\" is ambiguous", context: ["column": name]), location)
    }

    static func undefinedTable(_ name: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42P01", "relation \"\(name)\" does not exist", context: ["table": name]), location)
    }

    static func missingFromEntry(_ name: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42P01", "missing FROM-clause entry for table \"\(name)\"", context: ["table": name]), location)
    }

    static func grouping(_ name: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42803", "column \"\(name)\" must appear in the GROUP BY clause or be used in an aggregate function"), location)
    }

    static func notSupported(_ what: String, _ location: SourceLocation = .unknown) -> ExecutionError {
        at(ExecutionError("0A000", "\(what) is not supported"), location)
    }

    static func datatype(_ message: String, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42804", message), location)
    }

    static func operatorMissing(_ op: String, _ l: SQLType, _ r: SQLType, _ location: SourceLocation) -> ExecutionError {
        at(ExecutionError("42883", "operator does not exist: \(l.name) \(op) \(r.name)",
                          hint: "No operator matches the given name and argument types. You might need to add explicit type casts."),
           location)
    }
}
