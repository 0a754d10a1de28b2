import CBasaltPrefetch

/// A B+tree node (leaf or internal) laid out as a slotted page.
///
/// | offset        | size | field                                                                 |
/// |---------------|------|-----------------------------------------------------------------------|
/// | 0             | 24   | common page header (`Page`), type `leaf` or `internal`                |
/// | 24            | 2    | cell count n                                                          |
/// | 26            | 1    | prefix skip s: leading key bytes every cell shares (0...255)          |
/// | 27            | 1    | reserved, zero                                                        |
/// | 28            | 4    | content start: lowest byte used by cells (page size when empty)       |
/// | 32            | 4    | leaf: next leaf (0: last); internal: rightmost child                  |
/// | 36            | 4    | leaf: previous leaf (0: first); internal: zero                        |
/// | 40            | 4    | garbage: bytes of dead cells inside the content area                  |
/// | 44            | 6·n  | slot array, in key order: cell offset (2 bytes), key prefix (4 bytes) |
/// | ...           |      | free space                                                            |
/// | content start |      | cells, growing down from the end of the page                          |
///
/// Leaf cell: `varint keyLength`, `varint valueField`, key bytes, then either the value inline
/// (`valueField = length << 1`) or the first overflow page as 4 bytes (`valueField = length << 1 | 1`).
///
/// Internal cell: 4-byte child page, `varint keyLength`, key bytes. Child i holds keys k with
/// `key[i-1] <= k < key[i]`; the rightmost child holds keys `>= key[n-1]`.
///
/// The slot's key prefix is the four key bytes after the node's prefix skip s, big-endian, zero-padded
/// (`KeyPrefix` of `key[s...]`). Binary search compares prefixes first and reads a cell only when they
/// tie, so a search touches mostly the contiguous slot array instead of one cache line per probe
/// scattered over the page. The skip matters because neighbouring keys share their leading bytes (the
/// object id, the integer's width tag, its high bytes): without it the four bytes would tie on nearly
/// every probe. A node rebuilt from cells (split, merge, bulk load) takes the longest prefix its first
/// and last keys share; a key inserted later that does not share it lowers the skip and rewrites the
/// slot prefixes. Files written before the skip existed carry 0 there, which is the old layout.
///
/// Invariants (checked by `BTree.verify`): slots point inside the content area, cells do not overlap,
/// keys are strictly increasing, every key is at least s bytes long and starts with the same s bytes
/// (s = 0 in an empty node), each slot's prefix is `KeyPrefix` of its key after those s bytes,
/// `contentStart - (44 + 6n) + garbage` equals the free bytes.
struct BTreeNode {
    let page: Page

    static let headerSize = 44
    /// Bytes per slot: 2-byte cell offset and 4-byte key prefix.
    static let slotSize = 6
    static let countOffset = 24
    static let prefixSkipOffset = 26
    /// The longest prefix skip the one-byte header field holds.
    static let maxPrefixSkip = 255
    static let contentStartOffset = 28
    static let link1Offset = 32
    static let link2Offset = 36
    static let garbageOffset = 40

    @inline(__always) init(_ page: Page) { self.page = page }

    // MARK: Header

    var isLeaf: Bool { page.u8(4) == PageType.leaf.rawValue }
    /// Whether the page is a B+tree node at all (leaf or internal).
    var isNode: Bool {
        let type = page.u8(4)
        return type == PageType.leaf.rawValue || type == PageType.internal.rawValue
    }
    var count: Int {
        @inline(__always) get { Int(page.u16(Self.countOffset)) }
        nonmutating set { page.setU16(Self.countOffset, UInt16(newValue)) }
    }
    /// Leading key bytes every cell shares, which slot prefixes leave out.
    var prefixSkip: Int {
        @inline(__always) get { Int(page.u8(Self.prefixSkipOffset)) }
        nonmutating set { page.setU8(Self.prefixSkipOffset, UInt8(newValue)) }
    }
    var contentStart: Int {
        @inline(__always) get { Int(page.u32(Self.contentStartOffset)) }
        nonmutating set { page.setU32(Self.contentStartOffset, UInt32(newValue)) }
    }
    /// Leaf: next leaf. Internal: rightmost child.
    var link1: PageID {
        @inline(__always) get { page.u32(Self.link1Offset) }
        nonmutating set { page.setU32(Self.link1Offset, newValue) }
    }
    /// Leaf: previous leaf.
    var link2: PageID {
        @inline(__always) get { page.u32(Self.link2Offset) }
        nonmutating set { page.setU32(Self.link2Offset, newValue) }
    }
    var garbage: Int {
        get { Int(page.u32(Self.garbageOffset)) }
        nonmutating set { page.setU32(Self.garbageOffset, UInt32(newValue)) }
    }
    var next: PageID { link1 }
    var previous: PageID { link2 }
    var rightmostChild: PageID { link1 }

    /// Contiguous free bytes between the slot array and the content area.
    var contiguousFree: Int { contentStart - (Self.headerSize + Self.slotSize * count) }
    /// All free bytes, counting dead cells a defragmentation would reclaim.
    var totalFree: Int { contiguousFree + garbage }
    /// Bytes used by live cells and their slots.
    var usedBytes: Int { page.size - Self.headerSize - totalFree }

    /// Turns the page into an empty node. Keeps the page id; clears everything else.
    func initialize(leaf: Bool, id: PageID) {
        page.initialize(type: leaf ? .leaf : .internal, id: id)
        contentStart = page.size
    }

    // MARK: Validation

    /// Checks, with bounded reads only, that the header and every cell lie inside the page, so later
    /// accessors cannot read out of bounds. Run on every node read from disk: a checksum only proves the
    /// bytes are what was written, not that a crafted or buggy writer wrote a sound node.
    func validateLayout() throws {
        let id = page.id
        let size = page.size
        let n = count
        let start = contentStart
        guard Self.headerSize + Self.slotSize * n <= start, start <= size, garbage <= size - start else {
            throw StorageError.corruption(page: id, detail: "node header is inconsistent (\(n) cells, content at \(start))")
        }
        // Raw reads: this runs on every page read from the file, so it avoids the checked accessors.
        let base = UnsafeRawPointer(page.base)
        let leaf = isLeaf
        for i in 0..<n {
            let offset = slot(i)
            guard offset >= start, offset < size else {
                throw StorageError.corruption(page: id, detail: "slot \(i) points outside the cell area")
            }
            var at = leaf ? offset : offset + 4
            guard let (keyLength, afterKeyLength) = Self.cellVarint(base, at, size) else {
                throw StorageError.corruption(page: id, detail: "cell \(i) runs past the page")
            }
            at = afterKeyLength
            var end = UInt64(at) &+ keyLength
            if leaf {
                guard let (field, afterField) = Self.cellVarint(base, at, size) else {
                    throw StorageError.corruption(page: id, detail: "cell \(i) runs past the page")
                }
                at = afterField
                end = UInt64(at) &+ keyLength &+ (field & 1 == 1 ? 4 : field >> 1)
            }
            guard end <= UInt64(size), at <= size else {
                throw StorageError.corruption(page: id, detail: "cell \(i) runs past the page")
            }
            // Searches compare the first key's first `prefixSkip` bytes (and slot prefixes start after
            // them), so every key must be that long.
            guard keyLength >= UInt64(prefixSkip) else {
                throw StorageError.corruption(page: id, detail: "cell \(i) is shorter than the node's prefix skip")
            }
        }
        if n == 0 && prefixSkip != 0 {
            throw StorageError.corruption(page: id, detail: "empty node with a prefix skip")
        }
    }

    /// The varint at `at` and the offset after it; nil when it runs past `size` or beyond 64 bits.
    @inline(__always)
    private static func cellVarint(_ base: UnsafeRawPointer, _ at: Int, _ size: Int) -> (UInt64, Int)? {
        var at = at
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard at < size, shift < 64 else { return nil }
            let byte = base.load(fromByteOffset: at, as: UInt8.self)
            at += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return (result, at) }
            shift += 7
        }
    }

    // MARK: Slots and cells

    @inline(__always) func slot(_ i: Int) -> Int { Int(page.u16(Self.headerSize + Self.slotSize * i)) }
    @inline(__always) func slotPrefix(_ i: Int) -> UInt32 {
        UInt32(bigEndian: page.base.loadUnaligned(fromByteOffset: Self.headerSize + Self.slotSize * i + 2, as: UInt32.self))
    }
    @inline(__always) func setSlot(_ i: Int, offset: Int, prefix: UInt32) {
        let at = Self.headerSize + Self.slotSize * i
        page.setU16(at, UInt16(offset))
        page.base.storeBytes(of: prefix.bigEndian, toByteOffset: at + 2, as: UInt32.self)
    }
    /// Moves only the offset of slot `i` (defragmentation), keeping its prefix.
    @inline(__always) func setSlotOffset(_ i: Int, _ offset: Int) {
        page.setU16(Self.headerSize + Self.slotSize * i, UInt16(offset))
    }
    /// The slot prefix a cell's bytes carry under the current prefix skip (leaf or internal, per this
    /// node's type). Precondition: the cell's key has at least `prefixSkip` bytes.
    func prefix(ofCell cell: UnsafeRawBufferPointer) -> UInt32 {
        let key = isLeaf ? InternalCell.key(ofLeafCell: cell) : InternalCell.key(of: cell)
        return slotPrefix(of: key.baseAddress, key.count)
    }

    /// The slot prefix of `key` under the current prefix skip (which the key's length covers).
    @inline(__always)
    func slotPrefix(of key: UnsafeRawPointer?, _ count: Int) -> UInt32 {
        let skip = prefixSkip
        guard skip > 0, let key else { return KeyPrefix.of(key, count) }
        return KeyPrefix.of(key + skip, count - skip)
    }

    /// Where `key` stands against the bytes every key of this node shares: 0 when it starts with them
    /// (or the skip is 0), -1 when it sorts before every key, 1 when after every key.
    @inline(__always)
    func sideOfSharedPrefix(_ key: UnsafeRawPointer, _ keyCount: Int) -> Int {
        let skip = prefixSkip
        guard skip > 0 else { return 0 }
        let first = self.key(0)
        let c = compareKeys(key, min(keyCount, skip), first.pointer, skip)
        // A key that is a proper prefix of the shared bytes compares below them, as it should.
        return c < 0 ? -1 : c > 0 ? 1 : 0
    }

    /// Sets the prefix skip to the longest prefix the first and last keys share (so every key shares
    /// it) and rewrites the slot prefixes. Called on a node just rebuilt from cells.
    func adoptCommonPrefix() {
        let n = count
        var skip = 0
        if n >= 2 {
            let a = key(0), b = key(n - 1)
            skip = Self.sharedLength(a.pointer, b.pointer, limit: min(a.count, b.count, Self.maxPrefixSkip))
        }
        if skip != prefixSkip { setPrefixSkip(skip) }
    }

    /// Makes room for `key` under the prefix skip: when the key does not start with the shared bytes,
    /// lowers the skip to what it does share and rewrites the slot prefixes.
    @inline(__always)
    func admitKey(_ key: UnsafeRawPointer?, _ keyCount: Int) {
        let skip = prefixSkip
        guard skip > 0 else { return }
        let shared = key.map { Self.sharedLength($0, self.key(0).pointer, limit: min(keyCount, skip)) } ?? 0
        if shared < skip { setPrefixSkip(shared) }
    }

    private func setPrefixSkip(_ skip: Int) {
        prefixSkip = skip
        for i in 0..<count {
            let k = key(i)
            setSlot(i, offset: slot(i), prefix: slotPrefix(of: k.pointer, k.count))
        }
    }

    /// How many leading bytes `a` and `b` have in common, up to `limit` (both hold at least that many).
    @inline(__always)
    private static func sharedLength(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, limit: Int) -> Int {
        var n = 0
        while n < limit && a.load(fromByteOffset: n, as: UInt8.self) == b.load(fromByteOffset: n, as: UInt8.self) { n += 1 }
        return n
    }

    /// The key of cell `i`.
    @inline(__always)
    func key(_ i: Int) -> (pointer: UnsafeRawPointer, count: Int) {
        let cell = UnsafeRawPointer(page.base + slot(i))
        if isLeaf {
            let (keyLength, s1) = Varint.read(cell)
            let (_, s2) = Varint.read(cell + s1)
            return (cell + s1 + s2, Int(keyLength))
        } else {
            let (keyLength, s1) = Varint.read(cell + 4)
            return (cell + 4 + s1, Int(keyLength))
        }
    }

    func keyBytes(_ i: Int) -> [UInt8] {
        let k = key(i)
        return Array(UnsafeRawBufferPointer(start: k.pointer, count: k.count))
    }

    /// A leaf cell's value: inline bytes or an overflow chain.
    @inline(__always)
    func leafValue(_ i: Int) -> LeafValue {
        let cell = UnsafeRawPointer(page.base + slot(i))
        let (keyLength, s1) = Varint.read(cell)
        let (field, s2) = Varint.read(cell + s1)
        let payload = cell + s1 + s2 + Int(keyLength)
        let length = Int(field >> 1)
        if field & 1 == 1 {
            return .overflow(length: length, firstPage: UInt32(littleEndian: payload.loadUnaligned(as: UInt32.self)))
        }
        return .inline(UnsafeRawBufferPointer(start: payload, count: length))
    }

    /// The child page of internal cell `i`, or the rightmost child for `i == count`.
    @inline(__always)
    func child(_ i: Int) -> PageID {
        i == count ? link1 : page.u32(slot(i))
    }

    func setChild(_ i: Int, _ id: PageID) {
        if i == count { link1 = id } else { page.setU32(slot(i), id) }
    }

    /// Size in bytes of the cell at byte `offset`.
    @inline(__always)
    func cellSize(atOffset offset: Int) -> Int {
        let cell = UnsafeRawPointer(page.base + offset)
        if isLeaf {
            let (keyLength, s1) = Varint.read(cell)
            let (field, s2) = Varint.read(cell + s1)
            return s1 + s2 + Int(keyLength) + (field & 1 == 1 ? 4 : Int(field >> 1))
        } else {
            let (keyLength, s1) = Varint.read(cell + 4)
            return 4 + s1 + Int(keyLength)
        }
    }

    @inline(__always) func cellSize(_ i: Int) -> Int { cellSize(atOffset: slot(i)) }

    /// The raw bytes of cell `i` (valid while the page is pinned and unchanged).
    func cell(_ i: Int) -> UnsafeRawBufferPointer {
        let offset = slot(i)
        return UnsafeRawBufferPointer(start: page.base + offset, count: cellSize(atOffset: offset))
    }

    // MARK: Search

    /// The first index whose key is >= `key`, and whether it is equal. `start`: an index every key
    /// before which is known to be < `key` (a sorted run of lookups resumes where the last one ended).
    @inline(__always)
    func lowerBound(_ key: UnsafeRawPointer, _ keyCount: Int, from start: Int = 0) -> (index: Int, found: Bool) {
        // A search resumed after an earlier one (`from:`) finds the node in cache.
        if start == 0 { prefetchSlots() }
        let side = sideOfSharedPrefix(key, keyCount)
        if side != 0 { return (side < 0 ? start : count, false) }
        let target = slotPrefix(of: key, keyCount)
        // Slots alone narrow the search to the run of keys sharing `key`'s slot prefix, [low, high).
        var low = start, high = count
        while low < high {
            let mid = (low &+ high) >> 1
            if slotPrefix(mid) < target { low = mid + 1 } else { high = mid }
        }
        var end = count
        high = low
        while high < end {
            let mid = (high &+ end) >> 1
            if slotPrefix(mid) <= target { high = mid + 1 } else { end = mid }
        }
        // Only cells decide within the run, and each probe depends on the one before: the cells the
        // first probes can read are prefetched together (a run of equal integer index keys, or a seek
        // to the first entry of a value, would otherwise wait for three or four misses in a row).
        if high - low > 1 { prefetchProbes(low, high) }
        while low < high {
            let mid = (low &+ high) >> 1
            let k = self.key(mid)
            let c = compareKeys(k.pointer, k.count, key, keyCount)
            if c < 0 {
                low = mid + 1
            } else if c == 0 {
                return (mid, true)
            } else {
                high = mid
            }
        }
        return (low, false)
    }

    /// Prefetches the cells a binary search of `low ..< high` can read first: all of a run of up to
    /// eight, else those of its first three probe levels (seven cells).
    @inline(__always)
    private func prefetchProbes(_ low: Int, _ high: Int) {
        if high - low <= 8 {
            for i in low..<high { basalt_prefetch(page.base + slot(i)) }
            return
        }
        // The probe points of the first three levels lie near the run's eighths.
        let eighth = (high - low) >> 3
        for j in 1...7 { basalt_prefetch(page.base + slot(low + j * eighth)) }
    }

    /// The first index at or after `start` whose slot prefix is not below `key`'s: every key before it
    /// is below `key`, so `lowerBound(key, from:)` may start there. Reads slots only (and the first
    /// cell, for the shared prefix), never the cell it returns, which a caller can prefetch.
    @inline(__always)
    func prefixLowerBound(_ key: UnsafeRawPointer, _ keyCount: Int, from start: Int) -> Int {
        let side = sideOfSharedPrefix(key, keyCount)
        if side != 0 { return side < 0 ? start : count }
        let target = slotPrefix(of: key, keyCount)
        var low = start, high = count
        while low < high {
            let mid = (low &+ high) >> 1
            if slotPrefix(mid) < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Starts loading the slot array: a binary search's probes depend on each other, so on a node that
    /// is not in cache each would otherwise wait for its own miss in turn; prefetched, the lines arrive
    /// together (about one miss's latency instead of one per probe).
    @inline(__always)
    func prefetchSlots() {
        let first = page.base + Self.headerSize
        let end = page.base + Self.headerSize + Self.slotSize * count
        var line = first
        while line < end {
            basalt_prefetch(line)
            line += 64
        }
    }

    /// Starts loading the first cache lines of cell `i` (nothing when `i` is out of range): enough for
    /// a row of about 100 bytes at any alignment. A scan visits cells in key order, but they lie
    /// scattered over the page, so the hardware prefetcher cannot follow them; issued a few cells ahead,
    /// each miss overlaps the work on the cells before it.
    @inline(__always)
    func prefetchCell(_ i: Int) {
        guard i >= 0 && i < count else { return }
        let cell = page.base + slot(i)
        basalt_prefetch(cell)
        basalt_prefetch(cell + 64)
        basalt_prefetch(cell + 128)
    }

    /// Internal nodes: the index of the child whose range holds `key` (`count` for the rightmost).
    @inline(__always)
    func childIndex(_ key: UnsafeRawPointer, _ keyCount: Int) -> Int {
        prefetchSlots()
        let side = sideOfSharedPrefix(key, keyCount)
        if side != 0 { return side < 0 ? 0 : count }
        let target = slotPrefix(of: key, keyCount)
        var low = 0, high = count
        while low < high {
            let mid = (low &+ high) >> 1
            let p = slotPrefix(mid)
            if p != target {
                if target < p { high = mid } else { low = mid + 1 }
                continue
            }
            let k = self.key(mid)
            if compareKeys(key, keyCount, k.pointer, k.count) < 0 { high = mid } else { low = mid + 1 }
        }
        return low
    }

    // MARK: Changes

    /// Reserves `size` bytes for a new cell at index `i` and returns where to write it, or nil when the
    /// node lacks room (the caller splits). Defragments when the free bytes exist but are scattered.
    /// `key` is the key the caller writes into the cell (it lowers the prefix skip when it must).
    func reserveCell(at i: Int, size: Int, key: UnsafeRawPointer?, keyCount: Int, scratch: Page) -> UnsafeMutableRawPointer? {
        let s = Self.slotSize
        if contiguousFree < size + s {
            guard totalFree >= size + s else { return nil }
            defragment(scratch: scratch)
        }
        admitKey(key, keyCount)
        let keyPrefix = slotPrefix(of: key, keyCount)
        let offset = contentStart - size
        contentStart = offset
        let n = count
        if i < n {
            let slots = page.base + Self.headerSize
            (slots + s * (i + 1)).copyMemory(from: slots + s * i, byteCount: s * (n - i))
        }
        setSlot(i, offset: offset, prefix: keyPrefix)
        count = n + 1
        return page.base + offset
    }

    /// Inserts a copy of `bytes` as cell `i`; false when it does not fit.
    @discardableResult
    func insertCell(at i: Int, _ bytes: UnsafeRawBufferPointer, scratch: Page) -> Bool {
        let key = isLeaf ? InternalCell.key(ofLeafCell: bytes) : InternalCell.key(of: bytes)
        guard let target = reserveCell(at: i, size: bytes.count, key: key.baseAddress, keyCount: key.count,
                                       scratch: scratch) else { return false }
        if bytes.count > 0 { target.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        return true
    }

    /// Appends a copy of `bytes` after the last cell; the caller guarantees room (node rebuilds, which
    /// end with `adoptCommonPrefix`).
    func appendCell(_ bytes: UnsafeRawBufferPointer) {
        if prefixSkip > 0 {
            let key = isLeaf ? InternalCell.key(ofLeafCell: bytes) : InternalCell.key(of: bytes)
            admitKey(key.baseAddress, key.count)
        }
        let n = count
        let offset = contentStart - bytes.count
        precondition(offset >= Self.headerSize + Self.slotSize * (n + 1), "node rebuild overflowed page \(page.id)")
        (page.base + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        contentStart = offset
        setSlot(n, offset: offset, prefix: prefix(ofCell: bytes))
        count = n + 1
    }

    /// Removes cell `i`; its bytes become garbage (or free space when it was the lowest cell).
    func removeCell(at i: Int) {
        let offset = slot(i)
        let size = cellSize(atOffset: offset)
        let n = count
        if i < n - 1 {
            let s = Self.slotSize
            let slots = page.base + Self.headerSize
            (slots + s * i).copyMemory(from: slots + s * (i + 1), byteCount: s * (n - 1 - i))
        }
        count = n - 1
        if offset == contentStart {
            contentStart = offset + size
        } else {
            garbage += size
        }
        if count == 0 {
            contentStart = page.size
            garbage = 0
            prefixSkip = 0
        }
    }

    /// Rewrites the cells contiguously at the end of the page, reclaiming garbage.
    func defragment(scratch: Page) {
        scratch.copy(from: page)
        let source = BTreeNode(scratch)
        var end = page.size
        for i in 0..<count {
            let offset = source.slot(i)
            let size = source.cellSize(atOffset: offset)
            end -= size
            (page.base + end).copyMemory(from: scratch.base + offset, byteCount: size)
            setSlotOffset(i, end)
        }
        contentStart = end
        garbage = 0
    }
}

/// Where a leaf cell keeps its value.
enum LeafValue {
    /// Bytes inside the page (valid while it is pinned).
    case inline(UnsafeRawBufferPointer)
    /// `length` bytes in the overflow chain starting at `firstPage`.
    case overflow(length: Int, firstPage: PageID)

    var length: Int {
        switch self {
        case .inline(let bytes): return bytes.count
        case .overflow(let length, _): return length
        }
    }
}
