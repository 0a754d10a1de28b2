/// The scalar functions one database knows, by lower-case name. A value type: each `Database` owns its
/// own copy (starting from `builtins`), so registrations never leak between databases.
public struct FunctionRegistry: Sendable {
    private var functions: [String: ScalarFunction] = [:]

    /// An empty registry.
    public init() {}

    /// Every built-in function (string, math, date/time); an immutable constant.
    public static let builtins: FunctionRegistry = {
        var registry = FunctionRegistry()
        for f in StringFunctions.all + MathFunctions.all + DateTimeFunctions.all + ConditionalFunctions.all {
            registry.register(f)
        }
        return registry
    }()

    /// Adds `function`, replacing any function of the same name.
    public mutating func register(_ function: ScalarFunction) {
        functions[function.name] = function
    }

    /// The function named `name` (case-insensitive), or nil.
    public func lookup(_ name: String) -> ScalarFunction? {
        functions[name] ?? functions[name.lowercased()]
    }

    /// The names of all registered functions, sorted.
    public var names: [String] { functions.keys.sorted() }
}
