#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The buffer pool's page frames: one anonymous mapping, aligned to 2 MiB and advised to use transparent
/// huge pages where the OS offers them. Random page accesses across a pool of many megabytes otherwise
/// miss the TLB on nearly every frame; with 2 MiB pages the whole pool fits in a few TLB entries.
///
/// Owns the memory; frames are handed out as raw pointers that live as long as this object.
final class FrameMemory {
    private static let hugePage = 2 << 20

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
