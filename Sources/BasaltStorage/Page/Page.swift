/// A page's bytes in a buffer pool frame, with typed little-endian accessors.
///
/// Common header of every page (24 bytes, little-endian):
///
/// | offset | size | field                                                   |
/// |--------|------|---------------------------------------------------------|
/// | 0      | 4    | CRC32C of bytes 4..<pageSize, written on every write-back |
/// | 4      | 1    | `PageType` raw value                                    |
/// | 5      | 3    | reserved, zero                                          |
/// | 8      | 4    | page id (detects misdirected reads and writes)          |
/// | 12     | 4    | reserved, zero                                          |
/// | 16     | 8    | page LSN: the log position of the last change (WAL rule) |
///
/// The type-specific layout starts at byte 24 (`Page.headerSize`) and is documented by the owner of that
/// page type (`DatabaseHeader`, `BTreeNode`, `OverflowPage`, `FreeListTrunk`).
///
/// `Page` is a non-owning view: it is valid only while its frame is pinned, which the buffer pool's scoped
/// access (`BufferPool.withPage`) guarantees. It never escapes those closures.
@usableFromInline
struct Page {
    /// Bytes every page type starts with.
    static let headerSize = 24

    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let size: Int

    @inlinable init(base: UnsafeMutableRawPointer, size: Int) {
        self.base = base
        self.size = size
    }

    // MARK: Raw little-endian access

    @inlinable @inline(__always) func u8(_ offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }
    @inlinable @inline(__always) func u16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inlinable @inline(__always) func u32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inlinable @inline(__always) func u64(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    @inlinable @inline(__always) func setU8(_ offset: Int, _ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }
    @inlinable @inline(__always) func setU16(_ offset: Int, _ value: UInt16) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
    @inlinable @inline(__always) func setU32(_ offset: Int, _ value: UInt32) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
    @inlinable @inline(__always) func setU64(_ offset: Int, _ value: UInt64) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    // MARK: Common header

    var checksum: UInt32 {
        get { u32(0) }
        nonmutating set { setU32(0, newValue) }
    }
    var rawType: UInt8 {
        get { u8(4) }
        nonmutating set { setU8(4, newValue) }
    }
    var type: PageType? { PageType(rawValue: rawType) }
    var id: PageID {
        get { u32(8) }
        nonmutating set { setU32(8, newValue) }
    }
    var lsn: UInt64 {
        get { u64(16) }
        nonmutating set { setU64(16, newValue) }
    }

    /// Zeroes the page and writes a fresh common header.
    func initialize(type: PageType, id: PageID) {
        base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        rawType = type.rawValue
        self.id = id
    }

    /// The CRC32C the page should carry in bytes 0..<4.
    func computeChecksum() -> UInt32 {
        CRC32C.checksum(UnsafeRawBufferPointer(start: base + 4, count: size - 4))
    }

    /// Stamps the checksum; called just before the page goes to disk.
    func sealChecksum() {
        checksum = computeChecksum()
    }

    /// Verifies a page just read from disk as page `expected`; throws `StorageError.corruption` naming it.
    func verify(expected: PageID) throws {
        let stored = checksum
        let computed = computeChecksum()
        guard stored == computed else {
            throw StorageError.corruption(
                page: expected,
                detail: "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        guard id == expected else {
            throw StorageError.corruption(page: expected, detail: "page carries id \(id) (misdirected write)")
        }
        guard type != nil else {
            throw StorageError.corruption(page: expected, detail: "unknown page type \(rawType)")
        }
    }

    /// Copies all bytes of `other` (same size) into this page.
    func copy(from other: Page) {
        base.copyMemory(from: other.base, byteCount: size)
    }
}

@inline(never)
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
