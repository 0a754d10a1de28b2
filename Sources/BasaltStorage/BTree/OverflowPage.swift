/// One page of a large value's overflow chain.
///
/// | offset | size | field                                   |
/// |--------|------|-----------------------------------------|
/// | 0      | 24   | common page header, type `overflow`     |
/// | 24     | 4    | next page of the chain (0: last)        |
/// | 28     | 4    | value bytes held in this page           |
/// | 32     | ...  | value bytes                             |
struct OverflowPage {
    let page: Page
    static let nextOffset = 24
    static let lengthOffset = 28
    static let dataOffset = 32

    static func capacity(pageSize: Int) -> Int { pageSize - dataOffset }

    var next: PageID {
        get { page.u32(Self.nextOffset) }
        nonmutating set { page.setU32(Self.nextOffset, newValue) }
    }
    var length: Int {
        get { Int(page.u32(Self.lengthOffset)) }
        nonmutating set { page.setU32(Self.lengthOffset, UInt32(newValue)) }
    }
    var data: UnsafeMutableRawPointer { page.base + Self.dataOffset }
}

extension BTree {
    /// Writes `value` into a new overflow chain and returns its first page.
    func writeOverflow(_ value: UnsafeRawBufferPointer) throws -> PageID {
        try writeOverflow(value) { try pager.allocate(reuseTrunk: false) }
    }

    /// Writes `value` into a new overflow chain of pages from `allocate` and returns its first page.
    func writeOverflow(_ value: UnsafeRawBufferPointer, allocate: () throws -> PageID) throws -> PageID {
        let capacity = OverflowPage.capacity(pageSize: pager.pageSize)
        let pageCount = (value.count + capacity - 1) / capacity
        var ids: [PageID] = []
        ids.reserveCapacity(pageCount)
        for _ in 0..<pageCount { ids.append(try allocate()) }
        for (i, id) in ids.enumerated() {
            try pool.withNewPage(id, type: .overflow) { page in
                let overflow = OverflowPage(page: page)
                let start = i * capacity
                let length = min(capacity, value.count - start)
                overflow.next = i + 1 < ids.count ? ids[i + 1] : .none
                overflow.length = length
                overflow.data.copyMemory(from: value.baseAddress! + start, byteCount: length)
            }
        }
        return ids[0]
    }

    /// Reads a `length`-byte value from the chain at `first`. Throws `corruption` when the chain's
    /// structure disagrees with the length recorded in the leaf.
    func readOverflow(first: PageID, length: Int) throws -> [UInt8] {
        let capacity = OverflowPage.capacity(pageSize: pager.pageSize)
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var id = first
            var offset = 0
            while offset < length {
                guard id != .none else {
                    throw StorageError.corruption(page: first, detail: "overflow chain ends after \(offset) of \(length) bytes")
                }
                id = try pool.withPageForRead(id) { page in
                    guard page.type == .overflow else {
                        throw StorageError.corruption(page: page.id, detail: "overflow chain reaches a page of type \(page.rawType)")
                    }
                    let overflow = OverflowPage(page: page)
                    let chunk = overflow.length
                    guard chunk > 0, chunk <= capacity, chunk <= length - offset else {
                        throw StorageError.corruption(page: page.id, detail: "overflow page holds \(chunk) bytes")
                    }
                    (buffer.baseAddress! + offset).initialize(
                        from: overflow.data.assumingMemoryBound(to: UInt8.self), count: chunk)
                    offset += chunk
                    return overflow.next
                }
            }
            initialized = length
        }
    }

    /// Frees every page of the chain at `first`.
    func freeOverflow(first: PageID) throws {
        var id = first
        var ids: [PageID] = []
        while id != .none {
            ids.append(id)
            id = try pool.withPage(id) { page in
                guard page.type == .overflow else {
                    throw StorageError.corruption(page: page.id, detail: "overflow chain reaches a page of type \(page.rawType)")
                }
                return OverflowPage(page: page).next
            }
        }
        for id in ids { try pager.free(id) }
    }
}
