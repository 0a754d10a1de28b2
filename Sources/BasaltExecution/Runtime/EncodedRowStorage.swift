/// What an `EncodedRowBatch` holds: the layout of its rows (result types and storage classes, the
/// column locator) and two buffers, the rows' bytes and their column slots, each grown by doubling and
/// freed with the storage.
///
/// `Array` appends cost as much as the row walk itself here (a generic copy for the bytes, a uniqueness
/// and capacity check per slot); these buffers are filled with one `memcpy` and one pass of stores. And
/// the batch is one reference: copying it (each scan copies its empty template) retains one object, not
/// five arrays.
///
/// Invariants: `bytes[0..<byteCount]` and `slots[0..<slotCount]` are initialised;
/// `byteCount <= byteCapacity`, `slotCount <= slotCapacity`, `slotCount == rowCount * width`. Only
/// `EncodedRowBatch` holds one, and it writes only while its reference is unique
/// (`isKnownUniquelyReferenced`, copying first otherwise).
final class EncodedRowStorage: @unchecked Sendable {
    // @unchecked Sendable: the buffers and counts are written only through a uniquely referenced
    // storage (see the invariant above), so a storage another thread can see is never written again;
    // reads need no lock. The layout is immutable.
    /// The stored type and storage class of each result column (`.unknown` for an unread column).
    let resultTypes: [SQLType]
    let resultClasses: [RowCodec.StorageClass]
    /// Which stored columns fill which result columns.
    let locator: RowCodec.ColumnLocator
    /// Result columns per row.
    let width: Int
    private(set) var rowCount = 0
    private var bytes: UnsafeMutableRawPointer
    private var byteCount = 0
    private var byteCapacity: Int
    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount = 0
    private var slotCapacity: Int

    /// Empty buffers for rows whose result column k is stored column `wanted[k]` of `types`.
    convenience init(types: [SQLType], wanted: [Int]) {
        let resultTypes = wanted.map { $0 == RowCodec.unread ? SQLType.unknown : types[$0] }
        self.init(resultTypes: resultTypes, resultClasses: resultTypes.map(RowCodec.StorageClass.init),
                  locator: RowCodec.ColumnLocator(types: types, wanted: wanted), byteCapacity: 0, slotCapacity: 0)
    }

    private init(resultTypes: [SQLType], resultClasses: [RowCodec.StorageClass], locator: RowCodec.ColumnLocator,
                 byteCapacity: Int, slotCapacity: Int) {
        self.resultTypes = resultTypes
        self.resultClasses = resultClasses
        self.locator = locator
        width = locator.width
        self.byteCapacity = max(byteCapacity, 1)
        self.slotCapacity = max(slotCapacity, 1)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: self.byteCapacity, alignment: 8)
        slots = UnsafeMutablePointer<Int32>.allocate(capacity: self.slotCapacity)
    }

    deinit {
        bytes.deallocate()
        slots.deallocate()
    }

    /// The initialised bytes, for reading.
    private var byteBuffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: byteCount) }

    /// A copy holding the same rows, with room for at least `extraBytes` and `extraSlots` more.
    func copy(extraBytes: Int, extraSlots: Int) -> EncodedRowStorage {
        let copy = EncodedRowStorage(resultTypes: resultTypes, resultClasses: resultClasses, locator: locator,
                                     byteCapacity: byteCount + extraBytes, slotCapacity: slotCount + extraSlots)
        copy.bytes.copyMemory(from: bytes, byteCount: byteCount)
        copy.slots.initialize(from: slots, count: slotCount)
        copy.byteCount = byteCount
        copy.slotCount = slotCount
        copy.rowCount = rowCount
        return copy
    }

    /// Makes room for `extraBytes` and `extraSlots` more (at least doubling a buffer that grows).
    @inline(__always)
    private func reserve(extraBytes: Int, extraSlots: Int) {
        if byteCount + extraBytes > byteCapacity { growBytes(to: byteCount + extraBytes) }
        if slotCount + extraSlots > slotCapacity { growSlots(to: slotCount + extraSlots) }
    }

    private func growBytes(to needed: Int) {
        byteCapacity = max(needed, byteCapacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: byteCapacity, alignment: 8)
        grown.copyMemory(from: bytes, byteCount: byteCount)
        bytes.deallocate()
        bytes = grown
    }

    private func growSlots(to needed: Int) {
        slotCapacity = max(needed, slotCapacity * 2)
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: slotCapacity)
        grown.moveInitialize(from: slots, count: slotCount)
        slots.deallocate()
        slots = grown
    }

    /// Appends a copy of stored row `row` and its column slots (`RowCodec.locateColumns`); throws XX001
    /// for a corrupt row and then leaves the storage as it was. The caller holds the only reference.
    func append(_ row: UnsafeRawBufferPointer) throws(ExecutionError) {
        // Methods of the storage rather than of the batch: `locator` is borrowed here, where copying it
        // out of the class would retain and release its arrays for every row.
        guard width > 0 else { rowCount += 1; return }
        reserve(extraBytes: row.count, extraSlots: width)
        try RowCodec.locateColumns(row, locator, base: byteCount,
                                   into: UnsafeMutableBufferPointer(start: slots + slotCount, count: width))
        if let source = row.baseAddress, row.count > 0 {
            (bytes + byteCount).copyMemory(from: source, byteCount: row.count)
        }
        byteCount += row.count
        slotCount += width
        rowCount += 1
    }

    /// The slot of result column `column` of row `row` (both in range): a payload offset, or -1 for NULL.
    @inline(__always)
    func slot(row: Int, column: Int) -> Int {
        precondition(row >= 0 && row < rowCount && column >= 0 && column < width, "row or column out of range")
        return Int(slots[row &* width &+ column])
    }

    /// Result column `column` of row `row`.
    func value(row: Int, column: Int) -> SQLValue {
        let offset = slot(row: row, column: column)
        if offset < 0 { return .null }
        return RowCodec.validatedValue(byteBuffer, at: offset, class: resultClasses[column], type: resultTypes[column])
    }

    /// `EncodedRowBatch.withBytes`.
    func withBytes(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        let offset = slot(row: row, column: column)
        let storageClass = resultClasses[column]
        guard offset >= 0, storageClass == .text || storageClass == .blob else { return false }
        try body(RowCodec.validatedBytes(byteBuffer, at: offset))
        return true
    }
}
