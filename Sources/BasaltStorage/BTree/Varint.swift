/// Unsigned LEB128 varints, the length prefixes of B+tree cells (at most 10 bytes for a UInt64).
enum Varint {
    @inline(__always)
    static func size(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    /// Writes `value` at `pointer`; returns the bytes written.
    @inline(__always)
    static func write(_ value: UInt64, to pointer: UnsafeMutableRawPointer) -> Int {
        var v = value, n = 0
        while v >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
            v >>= 7
            n += 1
        }
        pointer.storeBytes(of: UInt8(v), toByteOffset: n, as: UInt8.self)
        return n + 1
    }

    /// Reads a varint at `pointer`; returns it and its size in bytes.
    @inline(__always)
    static func read(_ pointer: UnsafeRawPointer) -> (value: UInt64, size: Int) {
        let first = pointer.load(as: UInt8.self)
        if first < 0x80 { return (UInt64(first), 1) }
        var result = UInt64(first & 0x7F), shift: UInt64 = 7, n = 1
        while true {
            let byte = pointer.load(fromByteOffset: n, as: UInt8.self)
            n += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 || n == 10 { return (result, n) }
            shift += 7
        }
    }
}
