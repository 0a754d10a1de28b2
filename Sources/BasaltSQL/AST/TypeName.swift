/// A SQL type as written, e.g. `varchar(30)`, `numeric(10, 2)`, `double precision`.
///
/// The parser does not validate type names: unknown names are the binder's problem. Multi-word names are
/// normalized to lower case and single spaces (`character varying`, `double precision`,
/// `timestamp with time zone`); `timestamp without time zone` becomes `timestamp`.
public struct TypeName: Sendable, Hashable {
    /// Lower-case type name (multiword names joined by single spaces).
    public var name: String
    /// Integer modifiers, e.g. `[30]` for `varchar(30)`, `[10, 2]` for `numeric(10,2)`.
    public var modifiers: [Int]
    /// Number of array dimensions (`int[]` is 1); 0 for scalars.
    public var arrayDimensions: Int
    /// Where the type name starts.
    public var location: SourceLocation

    /// Creates a type name.
    public init(name: String, modifiers: [Int] = [], arrayDimensions: Int = 0, location: SourceLocation = .unknown) {
        self.name = name
        self.modifiers = modifiers
        self.arrayDimensions = arrayDimensions
        self.location = location
    }
}
