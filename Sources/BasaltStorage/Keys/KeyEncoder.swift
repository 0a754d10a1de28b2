// Order-preserving key encoding.
//
// B+tree and index pages compare keys with memcmp (unsigned lexicographic byte order, shorter prefix
// first). KeyEncoder writes a tuple of SQL values so that this byte order equals the SQL order of the
// tuples, column by column, each column ascending or descending. KeyDecoder reads the tuple back.
//
// THIS IS A DISK FORMAT. Index pages store these bytes, so a tag or layout below never changes meaning
// once written. New types get new tags; an existing one is never reused or reinterpreted.
//
// Component layout (ascending)
// ----------------------------
//   tag   type      payload after the tag                       order within the type
//   ----  --------  ------------------------------------------  --------------------------------------
//   0x00  -         reserved, never a tag                       -
//   0x05  NULL      none                                        NULL sorts before every non-NULL value
//   0x10  BOOL      1 byte: 0x00 false, 0x01 true               false < true
//   0x20  -         retired: the 8-byte INT64 of database        -
//                   format 2; never written or read since format 3
//   0x21  INT64 < 0 8 bytes big-endian of                       Int64.min ... -1
//                   UInt64(bitPattern: v) ^ 0x8000_0000_0000_0000
//   0x22  INT64 >= 0 n = 1...8 bytes big-endian of v, the      0 ... Int64.max: a longer payload is a
//   ...             fewest that hold it (a first byte 0x00     larger value; equal lengths compare
//   0x29            only for 0 itself); tag = 0x21 + n          bytewise
//   0x30  FLOAT64   8 bytes big-endian of the IEEE-754 bits b:  -inf < ... < -0 == +0 < ... < +inf < NaN
//                   b has sign set -> ~b; else b ^ 0x8000_0000_0000_0000
//                   -0.0 is written as +0.0 (bits 0x0000_0000_0000_0000 -> 0x8000_0000_0000_0000);
//                   every NaN is written as the canonical quiet NaN 0x7FF8_0000_0000_0000
//                   -> 0xFFF8_0000_0000_0000, above +inf (0xFFF0_0000_0000_0000): PostgreSQL's order.
//   0x40  TEXT      UTF-8 bytes, escaped (below), terminated    UTF-8 byte order (= code point order);
//                                                               a proper prefix sorts first
//   0x50  BLOB      bytes, escaped (below), terminated          byte order; a proper prefix sorts first
//   0xFF  -         reserved, never a tag (see "bounds")        -
//
//   Escaping (TEXT, BLOB): every 0x00 byte of the value is written as 0x00 0xFF; the value ends with the
//   terminator 0x00 0x01. No other byte is changed. Because 0x01 < 0xFF and every value byte other than
//   0x00 is > 0x00, a value sorts before its extensions, and the end of a value is found without a length.
//
// Descending components
// ---------------------
//   A component marked descending is written as its ascending bytes with every byte inverted (b ^ 0xFF),
//   tag and terminator included: NULL tag 0xFA, BOOL 0xEF, INT64 0xDE and 0xDD...0xD6, FLOAT64 0xCF, TEXT 0xBF,
//   BLOB 0xAF; the text/blob escape becomes 0xFF 0x00 and the terminator 0xFF 0xFE. NULL therefore
//   sorts last in a descending column. Ascending tags are all < 0x80 and descending ones all > 0x80, so
//   a decoder told the wrong direction fails on the tag instead of misreading the value.
//
// Why it orders correctly
// -----------------------
//   Every component is self-delimiting and no component's encoding is a proper prefix of another
//   value's encoding of the same column (the tag fixes an integer's width; escaped + terminated
//   strings). Each value has exactly one encoding (minimal integer widths, canonical NaN and zero), so
//   equal values have equal bytes. So the first
//   differing byte of two keys lies in the first differing component, and memcmp order equals the
//   column-by-column tuple order. A key that is a whole-component prefix of another (fewer columns)
//   sorts first.
//
// Types
// -----
//   Different types have different tags, ordered NULL < BOOL < INT64 < FLOAT64 < TEXT < BLOB. An index
//   column has one declared type, so values of different types meet only against NULL; the SQL layer
//   converts values to the column type (e.g. an integer literal into a FLOAT64 column) before encoding.
//   INT64 and FLOAT64 are never compared numerically with each other by this format.
//
// Bounds for range scans
// ----------------------
//   All tags are in 0x05...0xFA. For an encoded prefix P of whole components, every key starting with P
//   is >= P and < P + [0xFF]: use [0xFF] appended as an exclusive upper bound. The empty byte string
//   sorts before every key.

/// Appends order-preserving encodings of key components to a byte buffer; see the format table at the
/// top of this file.
///
/// ```swift
/// var encoder = KeyEncoder(reservingCapacity: 32)
/// encoder.append(.int(42))
/// encoder.append(.text("b"), descending: true)
/// let key = encoder.bytes
/// ```
///
/// Appending allocates nothing beyond growth of `bytes`; reserve the expected size up front.
public struct KeyEncoder: Sendable {
    /// The encoded key so far.
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 32) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the components encoded so far, keeping the buffer for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    public mutating func append(_ component: KeyComponent, descending: Bool = false) {
        KeyEncoder.append(component, descending: descending, to: &bytes)
    }

    public mutating func appendNull(descending: Bool = false) {
        KeyEncoder.appendNull(descending: descending, to: &bytes)
    }

    public mutating func appendBool(_ value: Bool, descending: Bool = false) {
        KeyEncoder.appendBool(value, descending: descending, to: &bytes)
    }

    public mutating func appendInt(_ value: Int64, descending: Bool = false) {
        KeyEncoder.appendInt(value, descending: descending, to: &bytes)
    }

    public mutating func appendDouble(_ value: Double, descending: Bool = false) {
        KeyEncoder.appendDouble(value, descending: descending, to: &bytes)
    }

    public mutating func appendText(_ value: String, descending: Bool = false) {
        KeyEncoder.appendText(value, descending: descending, to: &bytes)
    }

    public mutating func appendBlob(_ value: [UInt8], descending: Bool = false) {
        KeyEncoder.appendBlob(value, descending: descending, to: &bytes)
    }

    /// Encodes a whole key. `descending[i]` gives the direction of `components[i]`; missing entries
    /// mean ascending.
    public static func encode(_ components: [KeyComponent], descending: [Bool] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(of: components))
        for (i, component) in components.enumerated() {
            append(component, descending: i < descending.count && descending[i], to: &out)
        }
        return out
    }
}

// MARK: - Format constants and the appenders

extension KeyEncoder {
    /// Ascending type tags (the format table above). Descending tags are these inverted.
    enum Tag {
        static let null: UInt8 = 0x05
        static let bool: UInt8 = 0x10
        /// Negative INT64, 8-byte payload.
        static let negativeInt: UInt8 = 0x21
        /// Non-negative INT64 with a payload of n = 1...8 bytes is tagged `nonNegativeInt + n - 1`.
        static let nonNegativeInt: UInt8 = 0x22
        static let lastNonNegativeInt: UInt8 = 0x29
        static let double: UInt8 = 0x30
        static let text: UInt8 = 0x40
        static let blob: UInt8 = 0x50
    }

    /// The value bytes 0x00 inside text and blobs are written as `escape, escapedZero`.
    static let escape: UInt8 = 0x00
    static let escapedZero: UInt8 = 0xFF
    /// Text and blobs end with `escape, terminator`.
    static let terminator: UInt8 = 0x01

    static let signBit: UInt64 = 0x8000_0000_0000_0000
    /// The bits every NaN is written as (Double.nan's quiet NaN, sign clear).
    static let canonicalNaNBits: UInt64 = 0x7FF8_0000_0000_0000

    /// Appends one component to `out`.
    public static func append(_ component: KeyComponent, descending: Bool, to out: inout [UInt8]) {
        switch component {
        case .null: appendNull(descending: descending, to: &out)
        case let .bool(v): appendBool(v, descending: descending, to: &out)
        case let .int(v): appendInt(v, descending: descending, to: &out)
        case let .double(v): appendDouble(v, descending: descending, to: &out)
        case let .text(v): appendText(v, descending: descending, to: &out)
        case let .blob(v): appendBlob(v, descending: descending, to: &out)
        }
    }

    public static func appendNull(descending: Bool, to out: inout [UInt8]) {
        out.append(descending ? ~Tag.null : Tag.null)
    }

    public static func appendBool(_ value: Bool, descending: Bool, to out: inout [UInt8]) {
        let mask: UInt8 = descending ? 0xFF : 0x00
        out.append(Tag.bool ^ mask)
        out.append((value ? 0x01 : 0x00) ^ mask)
    }

    public static func appendInt(_ value: Int64, descending: Bool, to out: inout [UInt8]) {
        var bytes: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            let length = writeInt(value, descending: descending, to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length))
        }
    }

    /// The number of bytes `appendInt` appends (and `writeInt` writes) for `value`.
    @inlinable
    public static func intLength(_ value: Int64) -> Int {
        value < 0 ? 9 : 1 + max(1, (64 - UInt64(value).leadingZeroBitCount + 7) >> 3)
    }

    /// Writes the encoding of `value` that `appendInt` appends at `destination`, which has room for
    /// `intLength(value)` bytes, and returns that length: the tag (negative, or non-negative with the
    /// payload's width), then the value's big-endian bytes — all 8 of its sign-flipped bits when
    /// negative, the significant ones otherwise — each inverted when `descending`. For callers that
    /// build a key in memory of their own (a buffer on the stack).
    public static func writeInt(_ value: Int64, descending: Bool, to destination: UnsafeMutableRawPointer) -> Int {
        let mask: UInt8 = descending ? 0xFF : 0x00
        let tag: UInt8
        let bits: UInt64
        let width: Int
        if value < 0 {
            tag = Tag.negativeInt
            bits = UInt64(bitPattern: value) ^ signBit
            width = 8
        } else {
            bits = UInt64(value)
            width = max(1, (64 - bits.leadingZeroBitCount + 7) >> 3)
            tag = Tag.nonNegativeInt + UInt8(width - 1)
        }
        destination.storeBytes(of: tag ^ mask, as: UInt8.self)
        // The payload is the last `width` bytes of the big-endian word.
        let payload = (descending ? ~bits : bits).bigEndian
        withUnsafeBytes(of: payload) { word in
            (destination + 1).copyMemory(from: word.baseAddress! + (8 - width), byteCount: width)
        }
        return 1 + width
    }

    public static func appendDouble(_ value: Double, descending: Bool, to out: inout [UInt8]) {
        appendFixed(tag: Tag.double, bits: orderedBits(of: value), descending: descending, to: &out)
    }

    public static func appendText(_ value: String, descending: Bool, to out: inout [UInt8]) {
        var value = value  // withUTF8 is mutating only to make a bridged string contiguous; native: no copy
        value.withUTF8 { appendEscaped(tag: Tag.text, $0, descending: descending, to: &out) }
    }

    public static func appendBlob(_ value: [UInt8], descending: Bool, to out: inout [UInt8]) {
        value.withUnsafeBufferPointer { appendEscaped(tag: Tag.blob, $0, descending: descending, to: &out) }
    }

    /// The unsigned integer whose order is the FLOAT64 key order of `value` (before any inversion).
    @inline(__always)
    static func orderedBits(of value: Double) -> UInt64 {
        let bits: UInt64
        if value.isNaN {
            bits = canonicalNaNBits
        } else if value == 0 {
            bits = 0  // -0.0 and +0.0 are equal in SQL, so they get one encoding
        } else {
            bits = value.bitPattern
        }
        return bits & signBit != 0 ? ~bits : bits ^ signBit
    }

    @inline(__always)
    static func appendFixed(tag: UInt8, bits: UInt64, descending: Bool, to out: inout [UInt8]) {
        let mask: UInt8 = descending ? 0xFF : 0x00
        let payload = (descending ? ~bits : bits).bigEndian
        out.append(tag ^ mask)
        withUnsafeBytes(of: payload) { out.append(contentsOf: $0) }
    }

    static func appendEscaped(
        tag: UInt8, _ value: UnsafeBufferPointer<UInt8>, descending: Bool, to out: inout [UInt8]
    ) {
        let start = out.count
        out.append(tag)
        // Copy runs between 0x00 bytes in bulk; most values have none.
        var runStart = 0
        var i = 0
        while i < value.count {
            if value[i] == 0 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<i]))
                out.append(escape)
                out.append(escapedZero)
                runStart = i + 1
            }
            i += 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<value.count]))
        out.append(escape)
        out.append(terminator)
        if descending {
            out.withUnsafeMutableBufferPointer { buffer in
                for j in start..<buffer.count { buffer[j] = ~buffer[j] }
            }
        }
    }

    /// An upper estimate of the encoded size, good for `reserveCapacity` (text/blobs without 0x00 bytes).
    static func estimatedSize(of components: [KeyComponent]) -> Int {
        var size = 0
        for component in components {
            switch component {
            case .null: size += 1
            case .bool: size += 2
            case .int, .double: size += 9  // the widest integer
            case let .text(s): size += s.utf8.count + 3
            case let .blob(b): size += b.count + 3
            }
        }
        return size
    }
}
