#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, shared memory mapping of the start of a file: the buffer pool copies missed pages out of
/// it instead of calling `pread` for each (a system call costs more than the 8 KiB copy itself).
///
/// The mapping may be longer than the file. Touching bytes past the file's end, or bytes the kernel
/// cannot read from the disk, raises SIGBUS instead of returning an error: so the owner reads only
/// below a size it knows the file has (it never shrinks while open), and `Config.memoryMappedReads`
/// turns mapping off for those who prefer an I/O error to a crash on a failing disk (as SQLite's
/// `mmap_size` and LevelDB's mapped table reads make the same trade).
public final class FileMapping {
    /// The first mapped byte (offset 0 of the file).
    public let base: UnsafeRawPointer
    /// Mapped bytes (a reservation of address space: it can exceed the file's size).
    public let length: Int

    private init(base: UnsafeRawPointer, length: Int) {
        self.base = base
        self.length = length
    }

    /// Maps the first `length` bytes of `descriptor` for reading; nil when the system refuses.
    static func map(descriptor: Int32, length: Int) -> FileMapping? {
        guard length > 0 else { return nil }
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { return nil }
        return FileMapping(base: UnsafeRawPointer(address), length: length)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }
}
