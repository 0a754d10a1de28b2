/// The type a query's type string asks for in one result column: the letter `I`, `R` or `T`.
public enum SLTColumnType: Sendable, Equatable {
    /// `I`: printed as a 64-bit integer (`%lld`).
    case integer
    /// `R`: printed as SQLite's `%.3f`.
    case real
    /// `T` (and any other letter): printed as text.
    case text

    /// The column type for one type-string letter; letters other than `I` and `R` mean text.
    public init(letter: Character) {
        switch letter {
        case "I": self = .integer
        case "R": self = .real
        default: self = .text
        }
    }

    /// The column types of a whole type string such as `"IIT"`, one per letter.
    public static func parse(_ typeString: String) -> [SLTColumnType] {
        typeString.map { SLTColumnType(letter: $0) }
    }
}
