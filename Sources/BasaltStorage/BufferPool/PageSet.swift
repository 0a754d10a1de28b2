/// A set of page ids as a bitmap: one bit per page up to the largest id inserted, so membership costs
/// a shift and a load (the pool asks on every miss) and a million pages take 128 KiB.
struct PageSet {
    private var words: [UInt64] = []

    func contains(_ id: PageID) -> Bool {
        let word = Int(id >> 6)
        return word < words.count && words[word] & (1 << UInt64(id & 63)) != 0
    }

    mutating func insert(_ id: PageID) {
        let word = Int(id >> 6)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        words[word] |= 1 << UInt64(id & 63)
    }
}
