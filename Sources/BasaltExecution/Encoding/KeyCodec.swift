import BasaltStorage

// SQL values as order-preserving key components (index keys and table primary keys).
//
// THIS IS A DISK FORMAT (through BasaltStorage's KeyEncoder format, see KeyEncoder.swift): the mapping
// from a column type to key components below never changes meaning once written.
//
//   column type                         components
//   ----------------------------------  ----------------------------------------------------------------
//   NULL value (any type)               NULL                (sorts first ascending, last descending)
//   smallint, integer, bigint           INT64
//   date                                INT64 of the day count
//   timestamp                           INT64 of the microseconds
//   real, double precision              FLOAT64             (-0 = +0, NaN above +inf: PostgreSQL's order)
//   numeric(p, s), numeric(p)           INT64 of the significand rescaled to the declared scale s
//                                       (0 for numeric(p)); values are already rounded to s when stored
//   numeric (unconstrained)             INT64 floor(value), then INT64 of the fraction (value - floor) × 10^18,
//                                       in [0, 10^18): exact and order-preserving for every scale ≤ 18;
//                                       decoding gives the value with trailing zeros removed (1.50 → 1.5)
//   text, varchar(n), char(n)           TEXT                (UTF-8 byte order, PostgreSQL's "C" collation)
//   bytea                               BLOB
//   boolean                             BOOL
//
// Property (tested): for two values of one column type, memcmp of their encodings has the sign of
// `SQLValue.sortCompare(a, b, nullsFirst: true)` ascending, and the opposite sign descending.

/// Converts between SQL values and order-preserving key bytes (format above).
public enum KeyCodec {
    static let fractionScale = 18
    static let fractionUnit: Int64 = 1_000_000_000_000_000_000

    /// The declared scale used for a numeric key column, or nil for unconstrained numeric.
    @inline(__always)
    static func keyScale(_ type: SQLType) -> Int? {
        guard case let .numeric(p, s) = type else { return nil }
        if let s { return s }
        return p != nil ? 0 : nil
    }

    /// Appends the key component(s) of `value` as a value of the column type `type`.
    ///
    /// Precondition: the value has the column type's storage class (converted with `cast`/
    /// `checkAssignable`); as a convenience an `.integer` in a float column is encoded as its double, and
    /// integers or doubles in a numeric column as numerics, so that literals of another numeric class
    /// still probe correctly. A numeric with more fraction digits than a declared scale is rounded.
    public static func append(_ value: SQLValue, type: SQLType, descending: Bool, to out: inout [UInt8]) {
        if case .null = value {
            // Unconstrained numeric takes two components; a NULL takes one, and its tag sorts it first.
            KeyEncoder.appendNull(descending: descending, to: &out)
            return
        }
        switch (type, value) {
        case let (_, .boolean(b)):
            KeyEncoder.appendBool(b, descending: descending, to: &out)
        case let (.real, .integer(i)), let (.double, .integer(i)):
            KeyEncoder.appendDouble(Double(i), descending: descending, to: &out)
        case let (.numeric, .integer(i)):
            appendNumeric(SQLDecimal(i), type: type, descending: descending, to: &out)
        case let (.numeric, .double(d)):
            appendNumeric((try? SQLValue.decimal(fromDouble: d)) ?? SQLDecimal(d < 0 ? .min : .max),
                          type: type, descending: descending, to: &out)
        case let (_, .integer(i)):
            KeyEncoder.appendInt(i, descending: descending, to: &out)
        case let (_, .double(d)):
            KeyEncoder.appendDouble(d, descending: descending, to: &out)
        case let (_, .numeric(n)):
            appendNumeric(n, type: type, descending: descending, to: &out)
        case let (_, .text(s)):
            KeyEncoder.appendText(s, descending: descending, to: &out)
        case let (_, .blob(b)):
            KeyEncoder.appendBlob(b, descending: descending, to: &out)
        case let (_, .date(d)):
            KeyEncoder.appendInt(Int64(d), descending: descending, to: &out)
        case let (_, .timestamp(t)):
            KeyEncoder.appendInt(t, descending: descending, to: &out)
        case (_, .null):
            KeyEncoder.appendNull(descending: descending, to: &out)
        }
    }

    static func appendNumeric(_ n: SQLDecimal, type: SQLType, descending: Bool, to out: inout [UInt8]) {
        if let scale = keyScale(type) {
            let s = min(scale, SQLDecimal.maxScale)
            let significand: Int64
            if let r = try? n.rescaled(to: s) {
                significand = r.significand
            } else {
                significand = n.significand < 0 ? .min : .max  // out of the column's range: clamp
            }
            KeyEncoder.appendInt(significand, descending: descending, to: &out)
            return
        }
        // floor and fraction at scale 18: value = floor + fraction / 10^18.
        let unit = Int128(SQLDecimal.pow10[Int(n.scale)])
        let wide = Int128(n.significand)
        var (q, r) = wide.quotientAndRemainder(dividingBy: unit)
        if r < 0 { q -= 1; r += unit }
        let fraction = r * SQLDecimal.pow10Wide(fractionScale - Int(n.scale))
        KeyEncoder.appendInt(Int64(q), descending: descending, to: &out)
        KeyEncoder.appendInt(Int64(fraction), descending: descending, to: &out)
    }

    static func corrupted(_ error: KeyDecodingError) -> ExecutionError {
        ExecutionError("XX001", "index key is corrupted", detail: error.description)
    }

    /// Decodes a whole key made of one value per type (and nothing else). `descending[i]` gives the
    /// direction of column i (missing entries: ascending). Throws XX001 for a malformed key.
    public static func decode(_ key: [UInt8], types: [SQLType], descending: [Bool]) throws(ExecutionError) -> [SQLValue] {
        var decoder = KeyDecoder(key)
        var out: [SQLValue] = []
        out.reserveCapacity(types.count)
        try decodeComponents(from: &decoder, types: types, descending: descending, into: &out)
        do {
            try decoder.finish()
        } catch {
            throw corrupted(error)
        }
        return out
    }

    /// Decodes a whole key from a buffer (copied into the decoder's array).
    public static func decode(_ key: UnsafeRawBufferPointer, types: [SQLType], descending: [Bool]) throws(ExecutionError) -> [SQLValue] {
        try decode([UInt8](key), types: types, descending: descending)
    }

    /// Decodes one value per type from `decoder`'s position, appending them to `out`, and leaves the
    /// decoder after them (for keys with a prefix or a suffix). Throws XX001 for a malformed key.
    public static func decodeComponents(from decoder: inout KeyDecoder, types: [SQLType], descending: [Bool],
                                        into out: inout [SQLValue]) throws(ExecutionError) {
        do {
            for (i, type) in types.enumerated() {
                let desc = i < descending.count && descending[i]
                let first = try decoder.next(descending: desc)
                out.append(try value(first, type: type, descending: desc, decoder: &decoder))
            }
        } catch let error as KeyDecodingError {
            throw corrupted(error)
        } catch let error as ExecutionError {
            throw error
        } catch {
            throw ExecutionError("XX001", "index key is corrupted", detail: "\(error)")
        }
    }

    /// Whether `type`'s values are integer key components that decode to `.integer` (what
    /// `decodeIntegers` reads).
    package static func isIntegerKey(_ type: SQLType) -> Bool {
        switch type {
        case .smallint, .integer, .bigint: return true
        default: return false
        }
    }

    /// Decodes one integer component per entry of `descending` from `key` at `offset` (moving it past
    /// them), appending each as `.integer` (or `.null`) to `out`. For columns whose `isIntegerKey`
    /// holds: the values and checks of `decodeComponents`, read in place instead of through a copy of
    /// the key. Throws XX001 for a malformed key.
    package static func decodeIntegers(_ key: UnsafeRawBufferPointer, at offset: inout Int, descending: [Bool],
                                       into out: inout [SQLValue]) throws(ExecutionError) {
        do {
            for desc in descending {
                let value = try KeyDecoder.integer(in: key, at: &offset, descending: desc)
                out.append(value.map { .integer($0) } ?? .null)
            }
        } catch {
            throw corrupted(error)
        }
    }

    /// `decodeIntegers` that only moves `offset` past the components.
    package static func skipIntegers(_ key: UnsafeRawBufferPointer, at offset: inout Int,
                                     descending: [Bool]) throws(ExecutionError) {
        do {
            for desc in descending { _ = try KeyDecoder.integer(in: key, at: &offset, descending: desc) }
        } catch {
            throw corrupted(error)
        }
    }

    /// Moves `decoder` past `count` components (directions from `descending`, from its first entry).
    public static func skipComponents(_ count: Int, from decoder: inout KeyDecoder,
                                      descending: [Bool]) throws(ExecutionError) {
        do {
            for i in 0..<count { try decoder.skip(descending: i < descending.count && descending[i]) }
        } catch {
            throw corrupted(error)
        }
    }

    private static func mismatch(_ type: SQLType) -> ExecutionError {
        ExecutionError("XX001", "index key is corrupted", detail: "component does not match column type \(type.name)")
    }

    private static func value(_ c: KeyComponent, type: SQLType, descending: Bool,
                              decoder: inout KeyDecoder) throws -> SQLValue {
        if case .null = c { return .null }
        switch (type, c) {
        case let (.boolean, .bool(b)): return .boolean(b)
        case let (.smallint, .int(i)), let (.integer, .int(i)), let (.bigint, .int(i)): return .integer(i)
        case let (.date, .int(i)):
            guard let d = Int32(exactly: i) else { throw mismatch(type) }
            return .date(d)
        case let (.timestamp, .int(i)): return .timestamp(i)
        case let (.real, .double(d)), let (.double, .double(d)): return .double(d)
        case let (.text, .text(s)), let (.varchar, .text(s)), let (.char, .text(s)): return .text(s)
        case let (.bytea, .blob(b)): return .blob(b)
        case let (.numeric, .int(i)):
            if let scale = keyScale(type) {
                return .numeric(SQLDecimal(significand: i, scale: Int8(min(scale, SQLDecimal.maxScale))))
            }
            guard case let .int(fraction) = try decoder.next(descending: descending),
                  fraction >= 0, fraction < fractionUnit else { throw mismatch(type) }
            let wide = Int128(i) * Int128(fractionUnit) + Int128(fraction)
            guard let significand = Int64(exactly: wide) else {
                // The value needs fewer fraction digits to fit; normalize in 128 bits first.
                var w = wide, s = fractionScale
                while s > 0 && w % 10 == 0 { w /= 10; s -= 1 }
                guard let v = Int64(exactly: w) else { throw mismatch(type) }
                return .numeric(SQLDecimal(significand: v, scale: Int8(s)))
            }
            return .numeric(SQLDecimal(significand: significand, scale: Int8(fractionScale)).normalized)
        default:
            throw mismatch(type)
        }
    }
}
