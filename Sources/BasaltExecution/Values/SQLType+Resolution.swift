/// Type names, classification and PostgreSQL's type resolution rules.
extension SQLType: CustomStringConvertible {
    /// PostgreSQL's name of the type, as `format_type` prints it: "integer", "double precision",
    /// "numeric(10,2)", "character varying(30)", "character(5)", "timestamp without time zone".
    public var name: String {
        switch self {
        case .unknown: return "unknown"
        case .boolean: return "boolean"
        case .smallint: return "smallint"
        case .integer: return "integer"
        case .bigint: return "bigint"
        case .real: return "real"
        case .double: return "double precision"
        case let .numeric(p, s):
            guard let p else { return "numeric" }
            return "numeric(\(p),\(s ?? 0))"
        case .text: return "text"
        case let .varchar(n): return n.map { "character varying(\($0))" } ?? "character varying"
        case let .char(n): return n.map { "character(\($0))" } ?? "bpchar"
        case .bytea: return "bytea"
        case .date: return "date"
        case .timestamp: return "timestamp without time zone"
        }
    }

    public var description: String { name }

    /// Resolves a type name as the parser produces it (lower case, modifiers as integers) to a type:
    /// int/integer/int4, smallint/int2, bigint/int8, real/float4, float (double precision; float(p) is
    /// real for p ≤ 24), float8/double precision/double, numeric/decimal(p[, s]), text/string,
    /// varchar/character varying(n), char/character(n) (length 1 without a modifier, as in PostgreSQL),
    /// bpchar (unbounded), bytea/blob, boolean/bool, date, timestamp/datetime (also "timestamp without
    /// time zone").
    ///
    /// Throws 42704 `type "x" does not exist` for an unknown name and 22023 for invalid modifiers
    /// (numeric precision outside 1...18 or scale outside 0...precision, a length below 1, modifiers on
    /// a type that takes none).
    public static func named(_ name: String, modifiers: [Int]) throws(ExecutionError) -> SQLType {
        func noModifiers(_ t: SQLType) throws(ExecutionError) -> SQLType {
            if !modifiers.isEmpty { throw .invalidParameter("type modifier is not allowed for type \"\(name)\"") }
            return t
        }
        func length(_ make: (Int?) -> SQLType, default defaultLength: Int?) throws(ExecutionError) -> SQLType {
            switch modifiers.count {
            case 0: return make(defaultLength)
            case 1:
                guard modifiers[0] >= 1 else {
                    throw .invalidParameter("length for type \(name) must be at least 1")
                }
                return make(modifiers[0])
            default: throw .invalidParameter("invalid type modifier for type \(name)")
            }
        }
        switch name {
        case "int", "integer", "int4": return try noModifiers(.integer)
        case "smallint", "int2": return try noModifiers(.smallint)
        case "bigint", "int8": return try noModifiers(.bigint)
        case "real", "float4": return try noModifiers(.real)
        case "float8", "double precision", "double": return try noModifiers(.double)
        case "float":
            if modifiers.isEmpty { return .double }
            guard modifiers.count == 1, modifiers[0] >= 1, modifiers[0] <= 53 else {
                throw .invalidParameter("precision for type float must be between 1 and 53 bits")
            }
            return modifiers[0] <= 24 ? .real : .double
        case "numeric", "decimal":
            switch modifiers.count {
            case 0: return .numeric(precision: nil, scale: nil)
            case 1, 2:
                let p = modifiers[0], s = modifiers.count == 2 ? modifiers[1] : 0
                guard p >= 1, p <= SQLDecimal.maxPrecision else {
                    throw .invalidParameter("NUMERIC precision \(p) must be between 1 and \(SQLDecimal.maxPrecision)")
                }
                guard s >= 0, s <= p else {
                    throw .invalidParameter("NUMERIC scale \(s) must be between 0 and precision \(p)")
                }
                return .numeric(precision: p, scale: s)
            default: throw .invalidParameter("invalid NUMERIC type modifier")
            }
        case "text", "string": return try noModifiers(.text)
        case "varchar", "character varying": return try length({ .varchar($0) }, default: nil)
        case "char", "character": return try length({ .char($0) }, default: 1)
        case "bpchar": return try length({ .char($0) }, default: nil)
        case "bytea", "blob": return try noModifiers(.bytea)
        case "boolean", "bool": return try noModifiers(.boolean)
        case "date": return try noModifiers(.date)
        case "timestamp", "datetime", "timestamp without time zone": return try noModifiers(.timestamp)
        default:
            throw ExecutionError("42704", "type \"\(name)\" does not exist", context: ["type": name])
        }
    }

    /// smallint, integer, bigint.
    public var isInteger: Bool {
        switch self {
        case .smallint, .integer, .bigint: return true
        default: return false
        }
    }

    /// Integer types, numeric, real and double precision.
    public var isNumeric: Bool {
        switch self {
        case .smallint, .integer, .bigint, .numeric, .real, .double: return true
        default: return false
        }
    }

    /// real and double precision.
    public var isFloatingPoint: Bool {
        switch self {
        case .real, .double: return true
        default: return false
        }
    }

    /// text, varchar, char.
    public var isText: Bool {
        switch self {
        case .text, .varchar, .char: return true
        default: return false
        }
    }

    /// date and timestamp.
    public var isDateTime: Bool {
        switch self {
        case .date, .timestamp: return true
        default: return false
        }
    }

    /// The run-time storage class of the type's values.
    public enum StorageClass: Sendable, Hashable {
        case unknown, boolean, integer, double, numeric, text, blob, date, timestamp
    }

    /// Which `SQLValue` case non-NULL values of this type have.
    public var storageClass: StorageClass {
        switch self {
        case .unknown: return .unknown
        case .boolean: return .boolean
        case .smallint, .integer, .bigint: return .integer
        case .real, .double: return .double
        case .numeric: return .numeric
        case .text, .varchar, .char: return .text
        case .bytea: return .blob
        case .date: return .date
        case .timestamp: return .timestamp
        }
    }

    /// The type with its modifiers removed (`varchar(5)` → `varchar`, `numeric(10,2)` → `numeric`).
    public var withoutModifiers: SQLType {
        switch self {
        case .numeric: return .numeric(precision: nil, scale: nil)
        case .varchar: return .varchar(nil)
        case .char: return .char(nil)
        default: return self
        }
    }

    /// Rank in the numeric widening chain smallint < integer < bigint < numeric < real < double.
    var numericRank: Int? {
        switch self {
        case .smallint: return 0
        case .integer: return 1
        case .bigint: return 2
        case .numeric: return 3
        case .real: return 4
        case .double: return 5
        default: return nil
        }
    }

    /// The type both sides of a UNION, CASE, COALESCE or comparison resolve to, as PostgreSQL's
    /// `select_common_type` decides for these types: `unknown` yields the other type; equal types yield
    /// themselves; numbers widen along smallint < integer < bigint < numeric < real < double (two numerics
    /// with different modifiers give unconstrained numeric); text types give text, except two varchars
    /// (the longer, or unbounded) and two chars (unbounded bpchar when the lengths differ); date and
    /// timestamp give timestamp. Returns nil when the types do not mix (text and integer, boolean and
    /// integer, …).
    public static func commonSupertype(_ a: SQLType, _ b: SQLType) -> SQLType? {
        if a == b { return a }
        if case .unknown = a { return b }
        if case .unknown = b { return a }
        if let ra = a.numericRank, let rb = b.numericRank {
            if ra == 3 && rb == 3 { return .numeric(precision: nil, scale: nil) }
            let top = ra >= rb ? a : b
            if case .numeric = top { return .numeric(precision: nil, scale: nil) }
            return top
        }
        switch (a, b) {
        case let (.varchar(x), .varchar(y)):
            guard let x, let y else { return .varchar(nil) }
            return .varchar(max(x, y))
        case (.char, .char): return .char(nil)
        case (.text, .varchar), (.varchar, .text), (.text, .char), (.char, .text), (.varchar, .char), (.char, .varchar):
            return .text
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        default: return nil
        }
    }

    /// Whether PostgreSQL converts a value of this type to `target` implicitly (in expressions, without
    /// a cast): the same type (modifiers ignored); integer widening; integers to numeric, real, double;
    /// numeric to real, double; real to double; between text, varchar and char; unknown to anything;
    /// date to timestamp.
    public func canImplicitlyCast(to target: SQLType) -> Bool {
        if self.withoutModifiers == target.withoutModifiers { return true }
        if case .unknown = self { return true }
        if let r = numericRank, let t = target.numericRank { return r < t }
        if isText && target.isText { return true }
        if case .date = self, case .timestamp = target { return true }
        return false
    }
}
