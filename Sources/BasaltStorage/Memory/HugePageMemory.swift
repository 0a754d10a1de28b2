#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Anonymous memory aligned to 2 MiB and advised to use transparent huge pages where the OS offers
/// them. Two reasons: random accesses across many megabytes (the buffer pool's frames) otherwise miss
/// the TLB on nearly every page, and first touching fresh memory costs one page fault per 4 KiB (several
/// microseconds each in a VM) against one per 2 MiB (a large transaction's buffered rows: 140 MB for a
/// million-row insert).
///
/// Owns the memory: `base` stays valid, unmoved, as long as this object.
final class HugePageMemory {
    /// The huge page size the mapping is aligned to.
    static let hugePage = 2 << 20

    let base: UnsafeMutableRawPointer
    private let mapping: UnsafeMutableRawPointer?
    private let mappingSize: Int

    init(byteCount: Int) {
        let size = max(byteCount, 1)
        let reserved = size + Self.hugePage
        let raw = mmap(nil, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let raw, raw != MAP_FAILED {
            let address = Int(bitPattern: raw)
            let aligned = (address + Self.hugePage - 1) & ~(Self.hugePage - 1)
            base = UnsafeMutableRawPointer(bitPattern: aligned)!
            mapping = raw
            mappingSize = reserved
            #if os(Linux)
            _ = madvise(base, size, MADV_HUGEPAGE)
            #endif
        } else {
            // No mapping available: fall back to the allocator (correct, only without huge pages).
            base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
            mapping = nil
            mappingSize = 0
        }
    }

    deinit {
        if let mapping {
            munmap(mapping, mappingSize)
        } else {
            base.deallocate()
        }
    }
}
