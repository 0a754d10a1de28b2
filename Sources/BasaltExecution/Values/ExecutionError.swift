/// An error raised while binding, planning or executing SQL: a PostgreSQL SQLSTATE, a message, and
/// where they exist the object it concerns (table, column, constraint), a detail and a hint.
///
/// The client layer wraps it into `BasaltError` one to one (`sqlState` becomes the code). Messages never
/// contain row contents or parameter values beyond what PostgreSQL itself reports for the same error
/// (the text that failed to parse as a number, the constraint's name).
public struct ExecutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The five-character SQLSTATE, e.g. "22012".
    public var sqlState: String
    public var message: String
    /// Named objects the error concerns: "table", "column", "constraint", "function", "type".
    public var context: [String: String]
    public var detail: String?
    /// What the user can do about it.
    public var hint: String?

    public init(_ sqlState: String, _ message: String, context: [String: String] = [:], detail: String? = nil,
                hint: String? = nil) {
        self.sqlState = sqlState
        self.message = message
        self.context = context
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = "\(sqlState): \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    // MARK: Common kinds, named as PostgreSQL's condition names.

    /// 22003 numeric_value_out_of_range: "integer out of range" and the like.
    public static func numericOutOfRange(_ typeName: String) -> ExecutionError {
        ExecutionError("22003", "\(typeName) out of range")
    }

    /// 22012 division_by_zero.
    public static let divisionByZero = ExecutionError("22012", "division by zero")

    /// 22P02 invalid_text_representation: `text` does not parse as `typeName`.
    public static func invalidText(_ typeName: String, _ text: String) -> ExecutionError {
        ExecutionError("22P02", "invalid input syntax for type \(typeName): \"\(text)\"")
    }

    /// 22001 string_data_right_truncation.
    public static func stringTooLong(_ typeName: String) -> ExecutionError {
        ExecutionError("22001", "value too long for type \(typeName)")
    }

    /// 42804 datatype_mismatch.
    public static func datatypeMismatch(_ message: String, hint: String? = nil) -> ExecutionError {
        ExecutionError("42804", message, hint: hint)
    }

    /// 42883 undefined_function (also used for operators with no matching argument types).
    public static func undefinedFunction(_ signature: String) -> ExecutionError {
        ExecutionError("42883", "function \(signature) does not exist", context: ["function": signature],
                       hint: "No function matches the given name and argument types. You might need to add explicit type casts.")
    }

    /// 22023 invalid_parameter_value.
    public static func invalidParameter(_ message: String) -> ExecutionError {
        ExecutionError("22023", message)
    }

    /// 42846 cannot_coerce: no cast between the two types.
    public static func cannotCast(_ from: String, _ to: String) -> ExecutionError {
        ExecutionError("42846", "cannot cast type \(from) to \(to)")
    }
}
