/// Layout of page 0, the database header. A disk format: fields never move or change meaning; new fields
/// take reserved bytes and bump `formatVersion` only when an older build could misread the file.
///
/// | offset | size | field                                                              |
/// |--------|------|--------------------------------------------------------------------|
/// | 0      | 24   | common page header (`Page`), type `header`, id 0                    |
/// | 24     | 8    | magic `"BasaltDB"`                                                  |
/// | 32     | 4    | format version (`DatabaseHeader.formatVersion`)                    |
/// | 36     | 4    | page size in bytes (power of two, 4096...65536)                     |
/// | 40     | 4    | page count: pages `0..<count` are allocated or free                 |
/// | 44     | 4    | first free-list trunk page (0: none)                                |
/// | 48     | 4    | free pages, trunks included                                         |
/// | 52     | 4    | reserved, zero                                                      |
/// | 56     | 8    | reserved, zero (every change is logged; no flush counter)            |
/// | 64     | 64   | 16 root slots of 4 bytes: root page of each named tree (`RootSlot`) |
/// | 128    | ...  | reserved, zero                                                      |
///
/// The magic, version and page size sit at fixed offsets inside the first 4096 bytes so a file can be
/// recognised before its page size is known, and a foreign file is rejected without being written.
enum DatabaseHeader {
    static let magic: [UInt8] = Array("BasaltDB".utf8)
    /// 2: values of the MVCC trees carry a version header (see `BasaltTransactions.VersionFormat`);
    /// a version-1 file stores bare values and cannot be read as versions.
    /// 3: integer key components take 1...8 payload bytes (`KeyEncoder`); the keys of a version-2 file
    /// use the retired fixed-width tag and would sort wrongly against them.
    static let formatVersion: UInt32 = 3

    static let magicOffset = 24
    static let versionOffset = 32
    static let pageSizeOffset = 36
    static let pageCountOffset = 40
    static let freeListHeadOffset = 44
    static let freePageCountOffset = 48
    static let changeCounterOffset = 56
    static let rootSlotsOffset = 64
    static let rootSlotCount = 16

    /// Bytes read to recognise a file before its page size is known.
    static let probeSize = 64

    static let minimumPageSize = 4096
    static let maximumPageSize = 65536

    static func isValidPageSize(_ size: Int) -> Bool {
        size >= minimumPageSize && size <= maximumPageSize && size & (size - 1) == 0
    }
}

/// The fixed trees a database keeps roots for in its header. Raw values are slot indexes (disk format).
public enum RootSlot: Int, Sendable, CaseIterable {
    /// The key-value store of the embedded key-value API.
    case keyValue = 0
    /// The SQL catalog (reserved for the SQL layer).
    case catalog = 1
    /// The MVCC history store: superseded committed versions, keyed by tree, key and start timestamp.
    case history = 2
    /// The version collector's queue: superseded versions and tombstones in the order they expire.
    case versionQueue = 3
    /// Small named values of the transaction layer (the clock's persisted ceiling, the GC horizon).
    case meta = 4
    /// SQL table rows and index entries, every key prefixed by its table's or index's object id
    /// (`BasaltExecution.ObjectKey`): one ordered key space for all SQL objects.
    case tables = 5
}
