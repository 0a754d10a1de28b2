#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The redo half of `update` and `compensation` records: the new bytes of every page an operation
/// changed, so recovery can repeat history page by page without running tree code.
///
/// Pages section (after the record's own header fields):
///
/// | size   | field                                                         |
/// |--------|---------------------------------------------------------------|
/// | varint | page count n                                                  |
/// | n ×    | u32 page id, u8 kind, then the kind's body                    |
///
/// Kinds:
/// - `0` image: the whole page (`pageSize` bytes). Logged for a page the operation created, and for the
///   first change to a page after a checkpoint began (its page LSN is below the redo point): recovery
///   installs it without reading the page, so a page torn by a crash during write-back is rebuilt from
///   the log (PostgreSQL's full-page writes).
/// - `1` diff: varint range count, then per range varint offset, varint length and the bytes. Ranges are
///   the 8-byte words that differ from the page's previous state, ignoring the checksum (bytes 0..<4,
///   sealed at write-back) and the page LSN (bytes 16..<24, set by redo to the record's LSN).
/// - `2` sparse image: an image whose zero words are left out, in the diff's range format; the page is
///   every listed range over zeros. Chosen instead of kind 0 when it is smaller: a slotted page keeps
///   its free space between the slot array and the cells, zero in a new page, so the image of a page a
///   split just created (one cell) or of a half-full page costs its used bytes, not the page size. A
///   bulk insert logs each leaf about once instead of twice (empty image at creation, diff when filled).
///
/// Invariant (why a diff is safe to apply): between a checkpoint's begin and its end every page dirtied
/// before it is written and synced; so a page whose first change after the redo point is logged as an
/// image needs no disk copy, and a page with a diff after the redo point has an earlier image after it,
/// or is intact on disk and carries the LSN of its last change, which redo compares against.
enum PageRedo {
    static let imageKind: UInt8 = 0
    static let diffKind: UInt8 = 1
    static let sparseImageKind: UInt8 = 2

    /// Appends the image of `page` (kind 0, or kind 2 when leaving out its zero words is smaller).
    static func appendImage(id: PageID, page: UnsafeRawPointer, pageSize: Int, into out: inout LogPayloadWriter) {
        let ranges = changedRanges(words: pageSize / 8) { word in
            (page + word * 8).loadUnaligned(as: UInt64.self) != 0
        } allEqual: { word in
            let p = page + word * 8
            return (p.loadUnaligned(as: UInt64.self) | (p + 8).loadUnaligned(as: UInt64.self)
                | (p + 16).loadUnaligned(as: UInt64.self) | (p + 24).loadUnaligned(as: UInt64.self)
                | (p + 32).loadUnaligned(as: UInt64.self) | (p + 40).loadUnaligned(as: UInt64.self)
                | (p + 48).loadUnaligned(as: UInt64.self) | (p + 56).loadUnaligned(as: UInt64.self)) == 0
        }
        // Each range costs at most 6 bytes of framing (two varints below 2^14 with 8 KiB–64 KiB pages
        // need 2–3 bytes each).
        let sparseSize = ranges.reduce(0) { $0 + 6 + $1.end - $1.start }
        out.u32(id)
        guard sparseSize < pageSize else {
            out.u8(imageKind)
            out.raw(page, pageSize)
            return
        }
        out.u8(sparseImageKind)
        appendRanges(ranges, of: page, into: &out)
    }

    /// Appends the diff of `after` against `before`; returns false (appending nothing) when they are
    /// equal. `before`'s checksum and LSN fields are overwritten with `after`'s so they never differ.
    static func appendDiff(id: PageID, before: UnsafeMutableRawPointer, after: UnsafeRawPointer, pageSize: Int,
                           into out: inout LogPayloadWriter) -> Bool {
        before.copyMemory(from: after, byteCount: 4)
        (before + 16).copyMemory(from: after + 16, byteCount: 8)
        // memcmp keeps this fast in debug builds too (the tests log millions of operations).
        let ranges = changedRanges(words: pageSize / 8) { word in
            memcmp(before + word * 8, after + word * 8, 8) != 0
        } allEqual: { word in
            memcmp(before + word * 8, after + word * 8, 64) == 0
        }
        guard !ranges.isEmpty else { return false }
        out.u32(id)
        out.u8(diffKind)
        appendRanges(ranges, of: after, into: &out)
        return true
    }

    /// The byte ranges, in whole 8-byte words, of the words for which `differs` holds; `allEqual(w)`
    /// (for `w` a multiple of 8) says that none of words `w..<w+8` differs, to skip them at once.
    /// A range bridges a single equal word (a range costs about 3 bytes of framing).
    private static func changedRanges(words: Int, differs: (Int) -> Bool,
                                      allEqual: (Int) -> Bool) -> [(start: Int, end: Int)] {
        var ranges: [(start: Int, end: Int)] = []
        var w = 0
        while w < words {
            if w & 7 == 0, w + 8 <= words, allEqual(w) {
                w += 8
                continue
            }
            guard differs(w) else {
                w += 1
                continue
            }
            var end = w + 1
            while end < words {
                if differs(end) {
                    end += 1
                } else if end + 1 < words, differs(end + 1) {
                    end += 2
                } else {
                    break
                }
            }
            ranges.append((w * 8, end * 8))
            w = end
        }
        return ranges
    }

    /// The range list of kinds 1 and 2: count, then offset, length and the bytes of `page` per range.
    private static func appendRanges(_ ranges: [(start: Int, end: Int)], of page: UnsafeRawPointer,
                                     into out: inout LogPayloadWriter) {
        out.varint(UInt64(ranges.count))
        for range in ranges {
            out.varint(UInt64(range.start))
            out.varint(UInt64(range.end - range.start))
            out.raw(page + range.start, range.end - range.start)
        }
    }

    /// Reads a range list (kinds 1 and 2), checking every range lies inside a page.
    private static func readRanges(_ reader: inout LogPayloadReader, pageSize: Int) throws -> [(offset: Int, bytes: [UInt8])] {
        let ranges = try reader.varint()
        var edits: [(offset: Int, bytes: [UInt8])] = []
        for _ in 0..<ranges {
            let offset = Int(try reader.varint())
            let length = Int(try reader.varint())
            guard offset >= 0, length > 0, offset + length <= pageSize else {
                throw reader.corrupt("diff range \(offset)+\(length) lies outside the page")
            }
            edits.append((offset, try reader.raw(length) { Array($0) }))
        }
        return edits
    }

    /// Applies a pages section read from `reader` to the pool for the record at `lsn`: images always
    /// (repeating history from them on), diffs only to a page whose LSN is below `lsn`. Every page
    /// touched ends with LSN `lsn`.
    static func apply(_ reader: inout LogPayloadReader, pool: BufferPool, lsn: LSN) throws {
        let count = try reader.varint()
        let pageSize = pool.pageSize
        for _ in 0..<count {
            let id = try reader.u32()
            switch try reader.u8() {
            case imageKind:
                let problem = reader.corrupt("image of page \(id) carries another id")
                try reader.raw(pageSize) { bytes in
                    guard Page(base: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), size: pageSize).id == id else {
                        throw problem
                    }
                    try pool.installImage(id, bytes.baseAddress!)
                }
                try pool.withMutablePage(id) { $0.lsn = lsn }
            case sparseImageKind:
                let edits = try readRanges(&reader, pageSize: pageSize)
                let page = UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: 16)
                defer { page.deallocate() }
                page.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
                for edit in edits {
                    edit.bytes.withUnsafeBytes { (page + edit.offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                }
                guard Page(base: page, size: pageSize).id == id else {
                    throw reader.corrupt("image of page \(id) carries another id")
                }
                try pool.installImage(id, UnsafeRawPointer(page))
                try pool.withMutablePage(id) { $0.lsn = lsn }
            case diffKind:
                let edits = try readRanges(&reader, pageSize: pageSize)
                let current: LSN
                do {
                    current = try pool.withPage(id) { $0.lsn }
                } catch let error as StorageError {
                    throw StorageError.corruption(page: id, detail: "redo of LSN \(lsn) needs the page, which is unreadable (\(error)); the log holds no image of it since the checkpoint")
                }
                guard current < lsn else { continue }
                try pool.withMutablePage(id) { page in
                    for edit in edits {
                        edit.bytes.withUnsafeBytes { page.base.advanced(by: edit.offset).copyMemory(from: $0.baseAddress!, byteCount: edit.bytes.count) }
                    }
                    page.lsn = lsn
                }
            case let kind:
                throw reader.corrupt("unknown page redo kind \(kind)")
            }
        }
    }
}
