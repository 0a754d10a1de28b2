import BasaltStorage

/// A transaction's buffered writes: nothing reaches a tree before commit, so no reader can ever see an
/// uncommitted change and rollback is free.
///
/// **Layout.** Each write is one record in `arena`: the key, `VersionFormat.headerSize` bytes of room,
/// then the value (none for a deletion). At commit the version header is written into the room, so a
/// record's tail is exactly the version stored in the tree: nothing is copied or allocated per row.
/// Entries (`Entry`) are plain values pointing into the arena: no reference counting per row, and
/// the freed write set is a few large blocks, not millions of small ones.
///
/// **Lookup.** Keys written in ascending order (a bulk insert by primary key) need no hash table: a
/// new key above the last one is new, any other is found by binary search. The first key out of order
/// builds a hash index (`WriteIndex`) that is kept from then on.
///
/// Invariants, per tree (`TreeWrites`):
/// - `entries` holds one entry per buffered key, in the order the keys were first written; each is
///   the transaction's latest write to its key.
/// - `ascending` implies the entries' keys strictly ascend by `compareKeys`, and then `index` is nil;
///   otherwise `index` locates every entry.
/// - `sorted` is nil or the entries' indices in key order.
/// - While journaling (a savepoint exists), `journal` lists every change to `entries` since the
///   oldest savepoint with what it replaced, and no record is overwritten in place; so rolling back
///   restores the entries, and the bytes they point to, exactly.
struct WriteSet {
    enum Write: Equatable {
        case put([UInt8])
        case delete
    }

    /// One buffered write: where its record lies in the arena.
    struct Entry {
        /// The record: key bytes, then the version header's room, then the value.
        var record: UnsafeMutableRawPointer
        var keyCount: Int32
        /// -1 for a deletion.
        var valueCount: Int32
        /// Value bytes the record has room for: a later write of no more bytes reuses it.
        var capacity: Int32

        var isDelete: Bool { valueCount < 0 }
        var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: record, count: Int(keyCount)) }
        /// The value (empty for a deletion).
        var value: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: record + Int(keyCount) + VersionFormat.headerSize, count: max(Int(valueCount), 0))
        }
        /// The version header's room followed by the value: the stored version once stamped.
        var version: UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(start: record + Int(keyCount),
                                          count: VersionFormat.headerSize + max(Int(valueCount), 0))
        }
        var write: Write { isDelete ? .delete : .put(Array(value)) }
    }

    struct JournalEntry {
        var tree: Int
        var entry: Int
        /// What the entry was before; nil when the write added it.
        var previous: Entry?
    }

    /// One tree's writes (see the invariants above).
    struct TreeWrites {
        let slot: RootSlot
        var entries: [Entry] = []
        var ascending = true
        var index: WriteIndex?
        var sorted: [Int32]?

        init(slot: RootSlot) { self.slot = slot }

        /// The index of the entry for `key`, if buffered. Inlined so that callers reading a tree in place
        /// touch only the fields it needs instead of copying the whole value (three references).
        @inline(__always)
        func position(of key: UnsafeRawBufferPointer) -> Int? { location(of: key).position }

        /// `position(of:)`, and whether the entries ascend and `key` sorts after the last of them (then
        /// `append(_:afterLast:)` need not compare again: a bulk insert's every key is such a key).
        @inline(__always)
        func location(of key: UnsafeRawBufferPointer) -> (position: Int?, afterLast: Bool) {
            if let index { return (index.find(key, in: entries), false) }
            guard let last = entries.last else { return (nil, true) }
            let c = compareKeys(key, last.key)
            if c > 0 { return (nil, true) }
            if c == 0 { return (entries.count - 1, false) }
            var low = 0, high = entries.count - 1
            while low < high {
                let mid = (low + high) / 2
                if compareKeys(entries[mid].key, key) < 0 { low = mid + 1 } else { high = mid }
            }
            return (compareKeys(entries[low].key, key) == 0 ? low : nil, false)
        }

        /// Appends `entry`, whose key no entry has; `afterLast`: `location(of:)` found the entries
        /// ascending and the key after the last one.
        mutating func append(_ entry: Entry, afterLast: Bool = false) {
            if afterLast {
                entries.append(entry)
                return
            }
            if ascending, let last = entries.last, compareKeys(last.key, entry.key) >= 0 {
                ascending = false
                entries.append(entry)
                rebuildIndex()
                return
            }
            entries.append(entry)
            if !ascending {
                sorted = nil
                index!.insert(entries.count - 1, in: entries)
            }
        }

        mutating func rebuildIndex() {
            sorted = nil
            index = ascending ? nil : WriteIndex(entries)
        }

        /// The entries' indices in key order.
        mutating func order() -> [Int32] {
            if ascending { return (0..<Int32(entries.count)).map { $0 } }
            if let sorted { return sorted }
            let order = WriteSet.sortedOrder(entries)
            sorted = order
            return order
        }
    }

    /// Owns every record; shared with `CommitWrites` while a commit reads them.
    let arena = ByteArena()
    private(set) var trees: [TreeWrites] = []
    /// The tree a bulk insert is appending to, with its last key, so that a key past it is known new
    /// without touching `trees` (each access to an element there retains and releases its arrays, a
    /// few percent of a bulk insert). Invariant: when set, `trees[tail.index]` is the tree of slot
    /// `tail.slot`, its writes ascend without an index, and its last entry's key is `tail.lastKey`.
    /// `record` keeps it; every other change to `trees` clears it.
    private var tail: (slot: RootSlot, index: Int, lastKey: UnsafeRawBufferPointer)?
    private(set) var journal: [JournalEntry] = []
    var isJournaling = false
    private(set) var count = 0
    /// An upper bound on the key and value bytes buffered (every put adds its value, replaced or not;
    /// savepoint rollbacks do not subtract): enough to choose the commit path.
    private(set) var bytes = 0

    var isEmpty: Bool { count == 0 }

    // Reads go through the buffer pointer: it borrows the element in place, where the array's
    // subscript getter copies a whole `TreeWrites` (retaining and releasing its arrays) per call.

    func treeIndex(_ tree: RootSlot) -> Int? {
        trees.withUnsafeBufferPointer { trees in trees.firstIndex { $0.slot == tree } }
    }

    /// The latest buffered write to `key` of `tree`, if any. Its bytes stay valid as long as the
    /// write set.
    func find(_ tree: RootSlot, _ key: UnsafeRawBufferPointer) -> Entry? {
        if let tail, tail.slot == tree, compareKeys(key, tail.lastKey) > 0 { return nil }
        guard let t = treeIndex(tree) else { return nil }
        return trees.withUnsafeBufferPointer { trees in trees[t].position(of: key).map { trees[t].entries[$0] } }
    }

    /// `find`, for a write set stored in a class (a transaction's): a non-mutating call there copies
    /// the whole value first, retaining and releasing its references, where an in-place access (this
    /// method only reads) does not. A bulk insert looks up every row it writes.
    mutating func findInPlace(_ tree: RootSlot, _ key: UnsafeRawBufferPointer) -> Entry? {
        find(tree, key)
    }

    /// Buffers a write of `value` (nil: a deletion) to `key` of `tree`, replacing any earlier one.
    mutating func record(_ tree: RootSlot, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer?) {
        guard let value else {
            record(tree, key, valueCount: -1) { _ in }
            return
        }
        record(tree, key, valueCount: value.count) { room in
            if value.count > 0 { room.baseAddress!.copyMemory(from: value.baseAddress!, byteCount: value.count) }
        }
    }

    /// Buffers a write to `key` of `tree` of a value of `valueCount` bytes (-1: a deletion) that `fill`
    /// writes into the record's room for it, replacing any earlier write: a caller that can encode
    /// the value in place saves building it elsewhere and copying it.
    mutating func record(_ tree: RootSlot, _ key: UnsafeRawBufferPointer, valueCount bytesOfValue: Int,
                         _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let valueCount = Int32(bytesOfValue)
        if let tail, tail.slot == tree, compareKeys(key, tail.lastKey) > 0 {
            // A key past the last of an ascending tree: the bulk insert's path, no lookup at all. Its
            // append steps repeat those below on purpose: sharing them (one path choosing the tree and
            // position) cost a bulk insert 2% more instructions, the lookup's code staying on this path.
            let new = makeRecord(key, valueCount: valueCount)
            trees[tail.index].append(new, afterLast: true)
            self.tail = (tree, tail.index, new.key)
            count += 1
            bytes += key.count
            if isJournaling { journal.append(JournalEntry(tree: tail.index, entry: trees[tail.index].entries.count - 1, previous: nil)) }
            fill(UnsafeMutableRawBufferPointer(mutating: new.value))
            bytes += max(Int(valueCount), 0)
            return
        }
        tail = nil
        let t: Int
        if let found = treeIndex(tree) {
            t = found
        } else {
            t = trees.count
            trees.append(TreeWrites(slot: tree))
        }
        let new: Entry
        let (position, afterLast) = trees.withUnsafeBufferPointer { $0[t].location(of: key) }
        if let i = position {
            let old = trees[t].entries[i]
            if !isJournaling, old.capacity >= valueCount {
                var reused = old
                reused.valueCount = valueCount
                new = reused
            } else {
                new = makeRecord(key, valueCount: valueCount)
            }
            trees[t].entries[i] = new
            if isJournaling { journal.append(JournalEntry(tree: t, entry: i, previous: old)) }
        } else {
            new = makeRecord(key, valueCount: valueCount)
            trees[t].append(new, afterLast: afterLast)
            count += 1
            bytes += key.count
            if isJournaling { journal.append(JournalEntry(tree: t, entry: trees[t].entries.count - 1, previous: nil)) }
            if afterLast, trees[t].ascending { tail = (tree, t, new.key) }
        }
        fill(UnsafeMutableRawBufferPointer(mutating: new.value))
        bytes += max(Int(valueCount), 0)
    }

    /// Buffers every pair of `pairs` as a write to `tree` by taking over their records instead of
    /// copying them, when that keeps the invariants: the pairs strictly ascend (`sort()` found no equal
    /// keys), their records keep a version header's room (`valueGap`), and every key lies above the
    /// tree's buffered keys, which ascend. Returns false, changing nothing, otherwise (the caller then
    /// records the pairs one by one). On success `pairs` is left empty.
    mutating func adopt(_ tree: RootSlot, _ pairs: inout PairList) -> Bool {
        let n = pairs.count
        guard n > 0 else { return true }
        guard pairs.isStrictlyAscending, pairs.valueGap == VersionFormat.headerSize, n < Int(Int32.max) else { return false }
        tail = nil
        let t = treeIndex(tree) ?? trees.count
        if t < trees.count, let last = trees[t].entries.last {
            guard trees[t].ascending, compareKeys(pairs.pair(0).key, last.key) > 0 else { return false }
        }
        if t == trees.count {
            trees.append(TreeWrites(slot: tree))
        } else if !trees[t].ascending {
            // Emptied by a savepoint rollback after keys came out of order: with no entries left its
            // writes ascend again, and its hash index would not know the entries appended below.
            trees[t].ascending = true
            trees[t].rebuildIndex()
        }
        let first = trees[t].entries.count
        trees[t].entries.reserveCapacity(first + n)
        if isJournaling { journal.reserveCapacity(journal.count + n) }
        var added = 0
        for i in 0..<n {
            let (base, keyCount, valueCount) = pairs.record(i)
            trees[t].entries.append(Entry(record: base, keyCount: Int32(keyCount), valueCount: Int32(valueCount),
                                          capacity: Int32(valueCount)))
            if isJournaling { journal.append(JournalEntry(tree: t, entry: first + i, previous: nil)) }
            added += keyCount + valueCount
        }
        let transferred = pairs.transferStorage(to: arena)
        if !transferred {
            // Another copy of the list shares its memory: copy the records after all.
            for i in 0..<n {
                let (base, keyCount, valueCount) = pairs.record(i)
                let size = keyCount + VersionFormat.headerSize + valueCount
                let copy = arena.allocate(size)
                copy.copyMemory(from: base, byteCount: size)
                trees[t].entries[first + i].record = copy
            }
            pairs = PairList(valueGap: pairs.valueGap)
        }
        count += n
        bytes += added
        return true
    }

    /// A record for `key` with room for `valueCount` value bytes (none for a deletion, -1).
    private func makeRecord(_ key: UnsafeRawBufferPointer, valueCount: Int32) -> Entry {
        let room = Int(max(valueCount, 0))
        let record = arena.allocate(key.count + VersionFormat.headerSize + room)
        if key.count > 0 { record.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        return Entry(record: record, keyCount: Int32(key.count), valueCount: valueCount, capacity: Int32(room))
    }

    /// Undoes the journal back to `position`.
    mutating func rollBack(to position: Int) {
        tail = nil
        var shrunk: Set<Int> = []
        while journal.count > position {
            let entry = journal.removeLast()
            if let previous = entry.previous {
                trees[entry.tree].entries[entry.entry] = previous
            } else {
                // Entries are appended and the journal undone last-first: the entry is the last one.
                precondition(entry.entry == trees[entry.tree].entries.count - 1, "write set journal out of order")
                trees[entry.tree].entries.removeLast()
                count -= 1
                shrunk.insert(entry.tree)
            }
        }
        for t in shrunk { trees[t].rebuildIndex() }
    }

    mutating func truncateJournal() { journal.removeAll() }

    /// Per tree (ascending slot numbers), the index of its `TreeWrites` and its entries' indices in
    /// key order.
    mutating func commitOrder() -> [(tree: Int, order: [Int32])] {
        let byTree = trees.indices.sorted { trees[$0].slot.rawValue < trees[$1].slot.rawValue }
        return byTree.map { ($0, trees[$0].order()) }
    }

    /// The buffered keys of `tree` with `lower <= key < upper` (nil: unbounded) as entry indices in
    /// key order, with the tree's index in `trees`; nil when nothing of `tree` is buffered.
    mutating func sortedRange(_ tree: RootSlot, lower: UnsafeRawBufferPointer?,
                              upper: UnsafeRawBufferPointer?) -> (tree: Int, entries: ArraySlice<Int32>)? {
        guard let t = treeIndex(tree), !trees[t].entries.isEmpty else { return nil }
        let entries = trees[t].entries
        // In ascending order the entries are their own key order: no order array to build.
        let order: [Int32]? = trees[t].ascending ? nil : trees[t].order()
        func firstIndex(notBelow bound: UnsafeRawBufferPointer) -> Int {
            var low = 0, high = entries.count
            while low < high {
                let mid = (low + high) / 2
                let entry = entries[order.map { Int($0[mid]) } ?? mid]
                if compareKeys(entry.key, bound) < 0 { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let from = lower.map(firstIndex(notBelow:)) ?? 0
        let to = upper.map(firstIndex(notBelow:)) ?? entries.count
        guard from < to else { return (t, []) }
        return (t, order?[from..<to] ?? ArraySlice(Int32(from)..<Int32(to)))
    }

    // MARK: Arrays, for callers outside the hot paths

    /// The latest buffered write to `key` of `tree`, its value copied.
    func write(_ tree: RootSlot, _ key: [UInt8]) -> Write? {
        key.withUnsafeBytes { find(tree, $0)?.write }
    }

    mutating func record(_ tree: RootSlot, _ key: [UInt8], _ write: Write) {
        key.withUnsafeBytes { k in
            switch write {
            case .put(let value): value.withUnsafeBytes { record(tree, k, $0) }
            case .delete: record(tree, k, nil)
            }
        }
    }

    /// The buffered keys of `tree` in byte order.
    mutating func sortedKeys(_ tree: RootSlot) -> [[UInt8]] {
        sortedKeys(tree, lower: nil, upper: nil).map { $0 }
    }

    /// The buffered keys of `tree` with `lower <= key < upper` (nil: unbounded), in byte order.
    mutating func sortedKeys(_ tree: RootSlot, lower: [UInt8]?, upper: [UInt8]?) -> [[UInt8]] {
        let range = withOptionalBytes(lower) { l in withOptionalBytes(upper) { u in sortedRange(tree, lower: l, upper: u) } }
        guard let range else { return [] }
        return range.entries.map { Array(trees[range.tree].entries[Int($0)].key) }
    }

    /// Every write, tree by tree, keys in byte order.
    mutating func allSorted() -> [(tree: RootSlot, key: [UInt8], write: Write)] {
        commitOrder().flatMap { tree, order in
            order.map { i in
                let entry = trees[tree].entries[Int(i)]
                return (trees[tree].slot, Array(entry.key), entry.write)
            }
        }
    }

    /// The indices of `entries` in key order (`compareKeys`). Sorts by eight bytes of each key, taken
    /// after the prefix every key shares (SQL keys start with their table or index id), as one
    /// big-endian word, comparing whole keys only on ties.
    static func sortedOrder(_ entries: [Entry]) -> [Int32] {
        guard let first = entries.first else { return [] }
        var shared = Int(first.keyCount)
        for entry in entries where shared > 0 {
            shared = min(shared, Int(entry.keyCount))
            var i = 0
            while i < shared && entry.record.load(fromByteOffset: i, as: UInt8.self) == first.record.load(fromByteOffset: i, as: UInt8.self) {
                i += 1
            }
            shared = i
        }
        var order: [(prefix: UInt64, index: Int32)] = []
        order.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            var prefix: UInt64 = 0
            let key = entry.key
            for i in shared..<min(shared + 8, key.count) { prefix |= UInt64(key[i]) << (56 - 8 * UInt64(i - shared)) }
            order.append((prefix, Int32(index)))
        }
        entries.withUnsafeBufferPointer { entries in
            order.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return compareKeys(entries[Int(a.index)].key, entries[Int(b.index)].key) < 0
            }
        }
        return order.map(\.index)
    }
}
