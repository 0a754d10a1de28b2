// Row encoding: how a table row's column values are stored as the value of a B+tree entry.
//
// THIS IS A DISK FORMAT. Table pages store these bytes; a layout below never changes meaning once
// written. A future incompatible layout needs a per-table format version in the catalog.
//
// Layout
// ------
//   varint   N                      number of stored columns (unsigned LEB128, as B+tree cells use)
//   bytes    null bitmap            ceil(N / 8) bytes; bit (i % 8) of byte (i / 8) set = column i is NULL
//   then, for each non-NULL column i in order, its payload:
//
//   storage class (from the column's SQLType)   payload
//   -----------------------------------------   -------------------------------------------------------
//   integer (smallint, integer, bigint)         zigzag varint of the Int64
//   double (real, double precision)             8 bytes: little-endian IEEE-754 bit pattern
//   numeric                                     zigzag varint of the significand, then 1 byte scale (0...18)
//   text (text, varchar, char)                  varint byte length L, then L bytes of UTF-8
//   blob (bytea)                                varint byte length L, then L bytes
//   boolean                                     1 byte: 0x00 false, 0x01 true
//   date                                        zigzag varint of the day count (Int32 range)
//   timestamp                                   zigzag varint of the microseconds
//
//   zigzag(v) = (v << 1) ^ (v >> 63), so small magnitudes of either sign take few bytes.
//
// There is no per-value type tag: the reader supplies the column types (the catalog's). A row stored
// with fewer columns than the table now has decodes its missing trailing columns as NULL, which is how
// ALTER TABLE ADD COLUMN works without rewriting rows. Stored columns beyond the types given are not
// read.
//
// Corruption: every length and count is checked against the buffer before use; a row that does not
// decode (truncated, lengths past the end, invalid UTF-8, a bad boolean byte or scale, a date out of
// Int32 range, bytes left over after the last stored column) throws XX001 "row data is corrupted" and
// never reads out of bounds.

/// Encodes and decodes table rows in the format described at the top of this file.
public enum RowCodec {
    /// Whether every byte is below 0x80.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        // Words OR-ed together without a branch each (the loads overlap), the tail as one last word
        // overlapping the one before: no byte loop for text of eight bytes or more.
        if n >= 8 {
            var bits: UInt64 = 0
            var i = 0
            while i + 8 <= n {
                bits |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            bits |= bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            return bits & 0x8080_8080_8080_8080 == 0
        }
        var bits: UInt8 = 0
        for i in 0..<n { bits |= bytes[i] }
        return bits < 0x80
    }

    /// A `wanted` entry of `decodeColumns` standing for a column the caller never reads: it decodes as
    /// NULL and costs nothing, so an operator keeps its row layout while skipping unused columns.
    public static let unread = -1

    static func corrupted(_ detail: String) -> ExecutionError {
        ExecutionError("XX001", "row data is corrupted", detail: detail)
    }

    // MARK: Encoding

    /// Appends the encoding of `values` to `out`.
    ///
    /// Precondition: every value already has its column's storage class (the caller converted it with
    /// `checkAssignable`), because the decoder reads each column as the class of its declared type.
    /// Allocates nothing beyond the growth of `out`.
    public static func encode(_ values: [SQLValue], into out: inout [UInt8]) {
        let size = encodedSize(values)
        let start = out.count
        if start == 0 {
            out = [UInt8](repeating: 0, count: size)   // a memset, where the generic append loops
        } else {
            out.append(contentsOf: repeatElement(0, count: size))
        }
        out.withUnsafeMutableBytes { raw in
            encode(values, to: UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + size]))
        }
    }

    /// The exact number of bytes `encode` writes for `values`.
    public static func encodedSize(_ values: [SQLValue]) -> Int {
        let n = values.count
        var size = varintSize(UInt64(n)) + (n + 7) / 8
        for v in values {
            switch v {
            case .null: break
            case .boolean: size += 1
            case let .integer(x): size += varintSize(zigzag(x))
            case .double: size += 8
            case let .numeric(d): size += varintSize(zigzag(d.significand)) + 1
            case let .text(s): let l = s.utf8.count; size += varintSize(UInt64(l)) + l
            case let .blob(b): size += varintSize(UInt64(b.count)) + b.count
            case let .date(d): size += varintSize(zigzag(Int64(d)))
            case let .timestamp(t): size += varintSize(zigzag(t))
            }
        }
        return size
    }

    /// Encodes `values` into `buffer`, which holds exactly `encodedSize(values)` bytes (any contents).
    public static func encode(_ values: [SQLValue], to buffer: UnsafeMutableRawBufferPointer) {
        let n = values.count
        let size = buffer.count
        let base = buffer.baseAddress!
        var p = writeVarint(UInt64(n), to: base)
        let bitmap = base + p
        bitmap.initializeMemory(as: UInt8.self, repeating: 0, count: (n + 7) / 8)
        p += (n + 7) / 8
        for i in values.indices {
            switch values[i] {
            case .null:
                let byte = bitmap + i / 8
                byte.storeBytes(of: byte.load(as: UInt8.self) | UInt8(1 << (i % 8)), as: UInt8.self)
            case let .boolean(b):
                (base + p).storeBytes(of: b ? 1 : 0, as: UInt8.self)
                p += 1
            case let .integer(x):
                p += writeVarint(zigzag(x), to: base + p)
            case let .double(x):
                (base + p).storeBytes(of: x.bitPattern.littleEndian, as: UInt64.self)
                p += 8
            case let .numeric(d):
                p += writeVarint(zigzag(d.significand), to: base + p)
                (base + p).storeBytes(of: UInt8(d.scale), as: UInt8.self)
                p += 1
            case let .text(s):
                // In place when the string is contiguous (a native one always is): `withUTF8` is
                // mutating, and the copy it needs cost a retain and release per row.
                let copy = { (utf8: UnsafeBufferPointer<UInt8>) in
                    p += writeVarint(UInt64(utf8.count), to: base + p)
                    if utf8.count > 0 {
                        (base + p).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
                    }
                    p += utf8.count
                }
                if s.utf8.withContiguousStorageIfAvailable(copy) == nil {
                    var s = s
                    s.withUTF8(copy)
                }
            case let .blob(b):
                p += writeVarint(UInt64(b.count), to: base + p)
                b.withUnsafeBytes { bytes in
                    if bytes.count > 0 { (base + p).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                }
                p += b.count
            case let .date(d):
                p += writeVarint(zigzag(Int64(d)), to: base + p)
            case let .timestamp(t):
                p += writeVarint(zigzag(t), to: base + p)
            }
        }
        assert(p == size, "row size computed wrongly")
    }

    // MARK: Decoding

    /// Appends exactly `types.count` values decoded from `bytes` to `out`: stored columns in their
    /// types' storage classes, NULL for columns the row does not store. Throws XX001 for a corrupt row.
    public static func decode(_ bytes: UnsafeRawBufferPointer, types: [SQLType],
                              into out: inout [SQLValue]) throws(ExecutionError) {
        var reader = Reader(bytes)
        let stored = try reader.header()
        let present = min(stored, types.count)
        out.reserveCapacity(out.count + types.count)
        for i in 0..<present {
            if reader.isNull(i) { out.append(.null); continue }
            out.append(try reader.value(of: types[i]))
        }
        if stored <= types.count {
            if reader.offset != bytes.count { throw corrupted("\(bytes.count - reader.offset) bytes after the last column") }
            for _ in present..<types.count { out.append(.null) }
        }
    }

    /// Decodes a row from an array (see the buffer form).
    public static func decode(_ bytes: [UInt8], types: [SQLType], into out: inout [SQLValue]) throws(ExecutionError) {
        let result: Result<Void, ExecutionError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ExecutionError) in try decode(raw, types: types, into: &out) }
        }
        try result.get()
    }

    /// Appends `wanted.count` values to `out`, the k-th being column `wanted[k]` of the row (`types` are
    /// the types of all the table's columns), or NULL without reading anything when `wanted[k]` is
    /// `RowCodec.unread` (a column no expression of the query reads). Columns before the last wanted one
    /// are skipped without building values; columns after it are not read at all. Precondition: every
    /// other index in `wanted` is in `0..<types.count`. Throws XX001 for a corrupt row (as far as it is
    /// read).
    public static func decodeColumns(_ bytes: UnsafeRawBufferPointer, types: [SQLType], wanted: [Int],
                                     into out: inout [SQLValue]) throws(ExecutionError) {
        guard !wanted.isEmpty else { return }
        var ascending = true
        var previous = -1
        for w in wanted where w != unread {
            if w <= previous { ascending = false; break }
            previous = w
        }
        var reader = Reader(bytes)
        let stored = try reader.header()
        if ascending {
            // The common case (a projection in table order): values are appended as they are decoded.
            var c = 0  // next stored column to read or skip
            for w in wanted {
                if w == unread {
                    out.append(.null)
                    continue
                }
                while c < w && c < stored {
                    if !reader.isNull(c) { try reader.skip(types[c]) }
                    c += 1
                }
                if w < stored && !reader.isNull(w) {
                    // Integers inline: the general decoder is a call with a switch over every type.
                    switch types[w] {
                    case .smallint, .integer, .bigint: out.append(.integer(unzigzag(try reader.varint())))
                    default: out.append(try reader.value(of: types[w]))
                    }
                } else {
                    out.append(.null)  // NULL, or a column added after the row was written
                }
                c = w + 1
            }
            return
        }
        let base = out.count
        for _ in wanted { out.append(.null) }
        let end = min(wanted.max()! + 1, stored)  // columns the row stores up to the last wanted one (`unread` is -1)
        for c in 0..<end {
            let isWanted = wanted.contains(c)
            if reader.isNull(c) { continue }
            if !isWanted {
                try reader.skip(types[c])
                continue
            }
            let v = try reader.value(of: types[c])
            for k in wanted.indices where wanted[k] == c { out[base + k] = v }
        }
    }

    /// A column's storage class as the row format stores it (the table at the top of this file), for
    /// walking rows without switching over `SQLType`s and their payloads.
    package enum StorageClass: UInt8, Sendable {
        case integer, double, numeric, text, blob, boolean, date, timestamp, unknown

        package init(_ type: SQLType) {
            switch type {
            case .smallint, .integer, .bigint: self = .integer
            case .real, .double: self = .double
            case .numeric: self = .numeric
            case .text, .varchar, .char: self = .text
            case .bytea: self = .blob
            case .boolean: self = .boolean
            case .date: self = .date
            case .timestamp: self = .timestamp
            case .unknown: self = .unknown
            }
        }
    }

    /// The plan of a walk over rows for their wanted columns (`decodeColumns`' `wanted`), worked out
    /// once per query: each stored column's storage class and the result column it fills.
    package struct ColumnLocator: Sendable {
        /// The storage class of every stored column the walk passes (up to the last wanted one).
        let classes: [StorageClass]
        /// Per stored column up to the last wanted one: the first result column it fills, or -1.
        let target: [Int]
        /// Result columns repeating an earlier one's stored column: (result column, earlier one).
        let repeats: [(Int, Int)]
        /// Result columns per row.
        package let width: Int

        /// The plan for result column k being stored column `wanted[k]` (`unread`: NULL) of rows of
        /// `types`.
        package init(types: [SQLType], wanted: [Int]) {
            width = wanted.count
            let end = (wanted.max() ?? -1) + 1
            classes = types.prefix(end).map(StorageClass.init)
            var target = [Int](repeating: -1, count: end)
            var repeats: [(Int, Int)] = []
            for (k, c) in wanted.enumerated() where c != RowCodec.unread {
                if target[c] < 0 { target[c] = k } else { repeats.append((k, target[c])) }
            }
            self.target = target
            self.repeats = repeats
        }
    }

    /// Writes `locator.width` entries to `out` (which holds exactly that many): for each result column,
    /// the offset in `bytes` of its payload plus `base`, or -1 when it reads as NULL (stored NULL, not
    /// stored, or `unread`). Checks every wanted column exactly as `decodeColumns` would decode it
    /// (lengths, UTF-8, boolean bytes, scales, date ranges; nothing at all for no columns), so
    /// `validatedValue` at a recorded offset cannot fail; throws XX001 when that decode would (what `out`
    /// then holds is unspecified).
    package static func locateColumns(_ bytes: UnsafeRawBufferPointer, _ locator: ColumnLocator, base: Int,
                                      into out: UnsafeMutableBufferPointer<Int32>) throws(ExecutionError) {
        precondition(out.count == locator.width, "one slot per result column")
        guard locator.width > 0 else { return }
        out.initialize(repeating: -1)
        try locate(bytes, locator, base: base, into: out)
    }

    /// `locateColumns` of one row into `out` (`locator.width` entries, all -1).
    @inline(__always)
    private static func locate(_ bytes: UnsafeRawBufferPointer, _ locator: ColumnLocator, base: Int,
                               into out: UnsafeMutableBufferPointer<Int32>) throws(ExecutionError) {
        var reader = Reader(bytes)
        let stored = try reader.header()
        let end = min(locator.target.count, stored)
        var c = 0
        while c < end {
            if !reader.isNull(c) {
                let k = locator.target[c]
                if k >= 0 { out[k] = Int32(truncatingIfNeeded: base &+ reader.offset) }
                try reader.walk(locator.classes[c], checking: k >= 0)
            }
            c += 1
        }
        for (k, earlier) in locator.repeats { out[k] = out[earlier] }
    }

    /// The bytes of the text or blob payload (length, then bytes) that `locateColumns` found valid at
    /// `offset` of `bytes`.
    @inline(__always)
    package static func validatedBytes(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer {
        var reader = Reader(bytes)
        reader.offset = offset
        do {
            let l = try reader.length()
            return UnsafeRawBufferPointer(rebasing: bytes[reader.offset..<reader.offset + l])
        } catch {
            preconditionFailure("a validated column failed to decode: \(error)")
        }
    }

    /// The value of type `type` whose payload `locateColumns` found valid at `offset` of `bytes`.
    /// Traps when no such check was made: a bug of the caller, never bad data.
    @inline(__always)
    package static func validatedValue(_ bytes: UnsafeRawBufferPointer, at offset: Int, class storage: StorageClass,
                                       type: SQLType) -> SQLValue {
        var reader = Reader(bytes)
        reader.offset = offset
        do {
            switch storage {
            case .integer: return .integer(unzigzag(try reader.varint()))
            case .text:
                // Validated UTF-8: decoding repairs nothing.
                let l = try reader.length()
                let slice = UnsafeRawBufferPointer(rebasing: bytes[reader.offset..<reader.offset + l])
                return .text(String(decoding: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self))
            default: return try reader.value(of: type)
            }
        } catch {
            preconditionFailure("a validated column failed to decode: \(error)")
        }
    }

    /// Array form of `decodeColumns`.
    public static func decodeColumns(_ bytes: [UInt8], types: [SQLType], wanted: [Int],
                                     into out: inout [SQLValue]) throws(ExecutionError) {
        let result: Result<Void, ExecutionError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ExecutionError) in try decodeColumns(raw, types: types, wanted: wanted, into: &out) }
        }
        try result.get()
    }

    /// A bounds-checked cursor over a row's bytes.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        var bitmapStart = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        /// Reads the column count and positions after the null bitmap.
        mutating func header() throws(ExecutionError) -> Int {
            let n = try varint()
            // Every column needs at least one bitmap bit; a count beyond that is corruption.
            guard n <= UInt64(bytes.count) * 8 else { throw corrupted("column count \(n) exceeds the row size") }
            let count = Int(n)
            bitmapStart = offset
            let bitmapBytes = (count + 7) / 8
            guard bytes.count - offset >= bitmapBytes else { throw corrupted("null bitmap truncated") }
            offset += bitmapBytes
            return count
        }

        @inline(__always)
        func isNull(_ i: Int) -> Bool {
            bytes[bitmapStart + i / 8] & UInt8(1 << (i % 8)) != 0
        }

        @inline(__always)
        mutating func varint() throws(ExecutionError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < bytes.count else { throw corrupted("varint truncated") }
                let byte = bytes[offset]
                offset += 1
                if shift == 63 && byte > 1 { throw corrupted("varint too long") }
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
                if shift > 63 { throw corrupted("varint too long") }
            }
        }

        @inline(__always)
        mutating func length() throws(ExecutionError) -> Int {
            let l = try varint()
            guard l <= UInt64(bytes.count - offset) else { throw corrupted("length \(l) past the end of the row") }
            return Int(l)
        }

        @inline(__always)
        mutating func fixed8() throws(ExecutionError) -> UInt64 {
            guard bytes.count - offset >= 8 else { throw corrupted("double truncated") }
            let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
            return v
        }

        @inline(__always)
        mutating func byte() throws(ExecutionError) -> UInt8 {
            guard offset < bytes.count else { throw corrupted("row truncated") }
            let b = bytes[offset]
            offset += 1
            return b
        }

        /// Decodes one non-NULL value of the type's storage class.
        mutating func value(of type: SQLType) throws(ExecutionError) -> SQLValue {
            switch type {
            case .smallint, .integer, .bigint:
                return .integer(unzigzag(try varint()))
            case .real, .double:
                return .double(Double(bitPattern: try fixed8()))
            case .numeric:
                let significand = unzigzag(try varint())
                let scale = try byte()
                guard scale <= UInt8(SQLDecimal.maxScale) else { throw corrupted("numeric scale \(scale)") }
                return .numeric(SQLDecimal(significand: significand, scale: Int8(scale)))
            case .text, .varchar, .char:
                let l = try length()
                let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + l])
                // ASCII (checked a word at a time) needs no further validation and takes the decoder's
                // fast path; `String(validating:as:)` runs unspecialised here, with metadata lookups per
                // value, so it is kept for text that is not ASCII.
                let s: String
                if RowCodec.isASCII(slice) {
                    s = String(decoding: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
                } else if let valid = String(validating: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self) {
                    s = valid
                } else {
                    throw corrupted("text is not valid UTF-8")
                }
                offset += l
                return .text(s)
            case .bytea:
                let l = try length()
                let b = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + l]))
                offset += l
                return .blob(b)
            case .boolean:
                let b = try byte()
                guard b <= 1 else { throw corrupted("boolean byte \(b)") }
                return .boolean(b == 1)
            case .date:
                guard let d = Int32(exactly: unzigzag(try varint())) else { throw corrupted("date out of range") }
                return .date(d)
            case .timestamp:
                return .timestamp(unzigzag(try varint()))
            case .unknown:
                throw corrupted("non-NULL value in a column of type unknown")
            }
        }

        /// Moves past one non-NULL value of storage class `storage`; `checking` makes every check
        /// `value(of:)` makes, without building the value.
        @inline(__always)
        mutating func walk(_ storage: StorageClass, checking: Bool) throws(ExecutionError) {
            switch storage {
            case .integer, .date, .timestamp:
                let v = try varint()
                if checking, storage == .date, Int32(exactly: unzigzag(v)) == nil { throw corrupted("date out of range") }
            case .double:
                guard bytes.count - offset >= 8 else { throw corrupted("double truncated") }
                offset += 8
            case .numeric:
                _ = try varint()
                let scale = try byte()
                if checking, scale > UInt8(SQLDecimal.maxScale) { throw corrupted("numeric scale \(scale)") }
            case .text:
                let l = try length()
                if checking {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + l])
                    if !RowCodec.isASCII(slice),
                       String(validating: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self) == nil {
                        throw corrupted("text is not valid UTF-8")
                    }
                }
                offset += l
            case .blob: offset += try length()
            case .boolean:
                let b = try byte()
                if checking, b > 1 { throw corrupted("boolean byte \(b)") }
            case .unknown: throw corrupted("non-NULL value in a column of type unknown")
            }
        }

        /// Moves past one non-NULL value without building or checking it.
        @inline(__always)
        mutating func skip(_ type: SQLType) throws(ExecutionError) {
            try walk(StorageClass(type), checking: false)
        }
    }

    // MARK: Varints

    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    @inline(__always)
    static func writeVarint(_ value: UInt64, to pointer: UnsafeMutableRawPointer) -> Int {
        var v = value, n = 0
        while v >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
            v >>= 7
            n += 1
        }
        pointer.storeBytes(of: UInt8(v), toByteOffset: n, as: UInt8.self)
        return n + 1
    }
}
