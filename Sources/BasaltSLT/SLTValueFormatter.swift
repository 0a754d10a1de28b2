/// Prints engine values the way SQLite's sqllogictest harness does, by the query's type letter.
///
/// - NULL is `NULL` for every type letter.
/// - `I` (`sqlite3_column_int64` then `%lld`): integers as is; reals truncated toward zero,
///   saturating; text and blobs by SQLite's text-to-integer rule (`"12abc"` → 12, `"1e3"` → 1,
///   `"abc"` → 0).
/// - `R` (`sqlite3_column_double` then SQLite's `%.3f`): integers as doubles; text and blobs by
///   SQLite's text-to-real rule (`"1e3"` → 1000.000).
/// - `T` (`sqlite3_column_text`): text as is; integers in decimal; reals as SQLite's `%!.15g`
///   (`2.0`, `1.0e+20`); blobs as their bytes. The text stops at the first NUL byte; an empty
///   result is `(empty)`; every byte below 0x20 or above 0x7E becomes `@` (so a 2-byte UTF-8
///   character gives `@@`).
public enum SLTValueFormatter {
    /// Prints one value for a column of the given type.
    public static func format(_ value: SLTValue, as type: SLTColumnType) -> String {
        switch value {
        case .null:
            return "NULL"
        case .integer(let i):
            switch type {
            case .integer, .text: return String(i)
            case .real: return SLTFloatPrinter.fixed(Double(i))
            }
        case .real(let r):
            switch type {
            case .integer: return String(SLTNumericText.int64(r))
            case .real: return SLTFloatPrinter.fixed(r)
            case .text: return printable(Array(SLTFloatPrinter.realToText(r).utf8))
            }
        case .text(let s):
            switch type {
            case .integer: return String(SLTNumericText.int64(s.utf8))
            case .real: return SLTFloatPrinter.fixed(SLTNumericText.double(s.utf8))
            case .text: return printable(s)
            }
        case .blob(let bytes):
            switch type {
            case .integer: return String(SLTNumericText.int64(bytes))
            case .real: return SLTFloatPrinter.fixed(SLTNumericText.double(bytes))
            case .text: return printable(bytes)
            }
        }
    }

    /// Prints a whole row, one string per value; columns past the type string print as text.
    public static func format(row: [SLTValue], types: [SLTColumnType]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(row.count)
        for (i, value) in row.enumerated() {
            out.append(format(value, as: i < types.count ? types[i] : .text))
        }
        return out
    }

    /// SQLite's `%.3f`, exposed for engines and tools that want the same rendering.
    public static func sqliteFixed3(_ value: Double) -> String {
        SLTFloatPrinter.fixed(value)
    }

    /// SQLite's REAL-to-text conversion (`%!.15g`), exposed for engines that want to match it.
    public static func sqliteRealText(_ value: Double) -> String {
        SLTFloatPrinter.realToText(value)
    }

    /// The `T` rendering of a string.
    static func printable(_ text: String) -> String {
        if text.isEmpty { return "(empty)" }
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) { return text }
        return printable(Array(text.utf8))
    }

    /// The `T` rendering of raw bytes.
    static func printable(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte == 0 { break }
            out.append(byte < 0x20 || byte > 0x7E ? UInt8(ascii: "@") : byte)
        }
        if out.isEmpty { return "(empty)" }
        return String(decoding: out, as: UTF8.self)
    }
}
