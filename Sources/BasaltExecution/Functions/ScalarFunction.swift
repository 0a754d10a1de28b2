/// A SQL scalar function: its name, the argument counts it accepts, how its result type follows from
/// its argument types, and the body that computes a value.
///
/// The executor calls `returnType` once at bind time (with the argument types; 42883 when they are not
/// supported) and `body` once per row. For a strict function the executor passes no NULL to `body`: a
/// NULL argument makes the result NULL without calling it. A volatile function (`now()` is stable but
/// clock_timestamp() and random() are not) is never constant-folded.
public struct ScalarFunction: Sendable {
    /// The name in lower case.
    public let name: String
    /// Accepted argument counts.
    public let arity: ClosedRange<Int>
    /// NULL argument → NULL result without calling `body`.
    public let isStrict: Bool
    /// The result may differ between calls with equal arguments (never constant-folded).
    public let isVolatile: Bool
    /// The result type for the given argument types; throws 42883 for unsupported argument types.
    public let returnType: @Sendable ([SQLType]) throws(ExecutionError) -> SQLType
    /// Computes the result. Arguments have the types `returnType` accepted (values of `.unknown`-typed
    /// arguments arrive as text or NULL).
    public let body: @Sendable ([SQLValue], FunctionContext) throws(ExecutionError) -> SQLValue

    public init(name: String, arity: ClosedRange<Int>, isStrict: Bool = true, isVolatile: Bool = false,
                returnType: @escaping @Sendable ([SQLType]) throws(ExecutionError) -> SQLType,
                body: @escaping @Sendable ([SQLValue], FunctionContext) throws(ExecutionError) -> SQLValue) {
        self.name = name.lowercased()
        self.arity = arity
        self.isStrict = isStrict
        self.isVolatile = isVolatile
        self.returnType = returnType
        self.body = body
    }

    /// Evaluates the function the way the executor does: checks the argument count (42883), applies
    /// strictness, then calls `body`. For tests and for constant folding.
    public func call(_ arguments: [SQLValue], context: FunctionContext) throws(ExecutionError) -> SQLValue {
        guard arity.contains(arguments.count) else {
            throw .undefinedFunction("\(name)(\(arguments.map(\.storageTypeName).joined(separator: ", ")))")
        }
        if isStrict && arguments.contains(where: \.isNull) { return .null }
        return try body(arguments, context)
    }
}
