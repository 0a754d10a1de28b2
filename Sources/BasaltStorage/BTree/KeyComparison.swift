#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keys compare as unsigned byte strings (memcmp, then length): the order every key encoding targets.
/// Eight bytes at a time as big-endian words, which is the same order and avoids a libc call for the
/// short keys that dominate.
@inline(__always)
package func compareKeys(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int {
    let common = aCount < bCount ? aCount : bCount
    var i = 0
    while i + 8 <= common {
        let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        if x != y { return x < y ? -1 : 1 }
        i += 8
    }
    if i < common {
        let r = memcmp(a + i, b + i, common - i)
        if r != 0 { return Int(r) }
    }
    return aCount < bCount ? -1 : (aCount > bCount ? 1 : 0)
}

/// The first four bytes of a key as a big-endian integer, zero-padded: comparing prefixes orders keys
/// correctly whenever the prefixes differ (equal prefixes need the full comparison).
enum KeyPrefix {
    @inline(__always)
    static func of(_ key: UnsafeRawPointer?, _ count: Int) -> UInt32 {
        guard let key else { return 0 }
        if count >= 4 { return UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)) }
        var value: UInt32 = 0
        for i in 0..<4 {
            value <<= 8
            if i < count { value |= UInt32(key.load(fromByteOffset: i, as: UInt8.self)) }
        }
        return value
    }
}

@inline(__always)
package func compareKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    compareKeys(a.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, a.count,
                b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, b.count)
}
