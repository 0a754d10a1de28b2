#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keys compare as unsigned byte strings (memcmp, then length): the order every key encoding targets.
@inline(__always)
func compareKeys(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int {
    let common = aCount < bCount ? aCount : bCount
    if common > 0 {
        let r = memcmp(a, b, common)
        if r != 0 { return Int(r) }
    }
    return aCount < bCount ? -1 : (aCount > bCount ? 1 : 0)
}

@inline(__always)
func compareKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    compareKeys(a.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, a.count,
                b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, b.count)
}
