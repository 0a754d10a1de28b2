/// A possibly schema-qualified name of a table, view, index, trigger or function (`public.t1`).
public struct ObjectName: Sendable, Hashable {
    /// The schema, when written (`public` in `public.t1`).
    public var schema: String?
    /// The object's own name, case-folded unless it was double-quoted.
    public var name: String

    /// Creates a name.
    public init(schema: String? = nil, name: String) {
        self.schema = schema
        self.name = name
    }
}
