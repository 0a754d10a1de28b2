/// PostgreSQL's text output of values.
extension SQLValue: CustomStringConvertible {
    /// The value as PostgreSQL's output functions write it (what psql shows and the wire protocol's
    /// text format sends): integers plainly; doubles in the shortest round-trip form ("0.1", "1e+20",
    /// "2", "-0", "NaN", "Infinity"); numerics with all their scale digits ("12.50"); booleans "t"/"f";
    /// bytea as "\x" + lowercase hex; dates "YYYY-MM-DD"; timestamps "YYYY-MM-DD HH:MM:SS[.ffffff]"
    /// without trailing fraction zeros. NULL has no text form and gives "" here (`description` says
    /// "NULL").
    ///
    /// A `real` column's values are doubles holding a Float; use `text(as: .real)` for the float4 form.
    public var textValue: String {
        switch self {
        case .null: return ""
        case let .boolean(v): return v ? "t" : "f"
        case let .integer(v): return String(v)
        case let .double(v): return FloatText.format(v)
        case let .numeric(v): return v.description
        case let .text(v): return v
        case let .blob(v): return SQLValue.hexText(v)
        case let .date(d): return CivilCalendar.formatDate(days: Int64(d))
        case let .timestamp(t): return CivilCalendar.formatTimestamp(t)
        }
    }

    /// The output form of the value as a value of `type`: as `textValue`, except that `real` values
    /// print with float4 precision ("0.1", not "0.10000000149011612").
    public func text(as type: SQLType) -> String {
        if case .real = type, case let .double(v) = self { return FloatText.format(real: v) }
        return textValue
    }

    /// The text a cast to text produces: as `textValue`, except booleans, which PostgreSQL's bool → text
    /// cast spells "true"/"false".
    public var castTextValue: String {
        if case let .boolean(v) = self { return v ? "true" : "false" }
        return textValue
    }

    /// "NULL" for NULL, else `textValue`.
    public var description: String {
        isNull ? "NULL" : textValue
    }

    static func hexText(_ bytes: [UInt8]) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
