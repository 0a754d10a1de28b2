/// One column value of an index key, in the form `KeyEncoder` turns into order-preserving bytes.
///
/// The SQL layer converts a value to its column's type before building a key: an index column holds one
/// type, and `KeyEncoder` does not order an `.int` against a `.double` numerically (they have different
/// tags, see the format table in KeyEncoder.swift).
///
/// Equality is the synthesized one, which is Swift's, not the key order's:
/// - `.double(.nan) != .double(.nan)`, although every NaN encodes to the same bytes;
/// - `.double(-0.0) == .double(0.0)`, and both encode to the same bytes;
/// - `.text` compares by Unicode canonical equivalence, while keys compare by UTF-8 bytes, so two
///   canonically equivalent strings with different bytes ("é" vs "e\u{301}") are `==` yet encode
///   differently. Compare encodings when byte identity matters.
public enum KeyComponent: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// Ordered by its UTF-8 bytes (binary collation, equal to Unicode code point order).
    case text(String)
    case blob([UInt8])
}
