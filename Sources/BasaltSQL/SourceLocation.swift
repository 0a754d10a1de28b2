/// A position in the SQL source text, used to put a caret under the text an error is about.
///
/// Offsets are UTF-8 byte offsets into the original statement text (the string given to
/// ``Parser/parse(_:options:)``), so later layers can slice `sql.utf8` without re-lexing.
///
/// Equality deliberately ignores the location: two syntax trees are equal when they denote the same
/// SQL, wherever it was written. This is what a binder needs when it matches `GROUP BY a + 1`
/// against `SELECT a + 1`, and what makes print → parse round trips comparable with `==`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// UTF-8 byte offset of the first byte of the construct.
    public var offset: Int
    /// Length in UTF-8 bytes of the construct's first token (or of the whole construct when known);
    /// 0 when unknown.
    public var length: Int

    /// Creates a location from a byte offset and an optional byte length.
    public init(offset: Int, length: Int = 0) {
        self.offset = offset
        self.length = length
    }

    /// A placeholder for synthesized nodes that have no source text.
    public static let unknown = SourceLocation(offset: 0, length: 0)

    /// Always `true`: locations never take part in AST equality (see the type documentation).
    public static func == (lhs: SourceLocation, rhs: SourceLocation) -> Bool { true }

    /// Hashes nothing, consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {}

    /// `@offset+length`, for debugging.
    public var description: String { "@\(offset)+\(length)" }
}
