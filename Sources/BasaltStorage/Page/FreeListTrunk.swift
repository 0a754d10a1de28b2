/// A free-list trunk page: a stack of free page ids plus a link to the next trunk.
///
/// | offset | size | field                                  |
/// |--------|------|----------------------------------------|
/// | 0      | 24   | common page header, type `freeTrunk`   |
/// | 24     | 4    | next trunk page (0: last trunk)        |
/// | 28     | 4    | entry count n                          |
/// | 32     | 4·n  | free page ids                          |
///
/// The trunk page is itself free: once its entries are used up it is handed out too. Free pages listed in
/// a trunk ("leaves") carry stale bytes and are never read; they are initialised when reused.
struct FreeListTrunk {
    let page: Page

    static let nextOffset = 24
    static let countOffset = 28
    static let entriesOffset = 32

    static func capacity(pageSize: Int) -> Int { (pageSize - entriesOffset) / 4 }

    var next: PageID {
        get { page.u32(Self.nextOffset) }
        nonmutating set { page.setU32(Self.nextOffset, newValue) }
    }
    var count: Int {
        get { Int(page.u32(Self.countOffset)) }
        nonmutating set { page.setU32(Self.countOffset, UInt32(newValue)) }
    }
    func entry(_ i: Int) -> PageID { page.u32(Self.entriesOffset + 4 * i) }
    func setEntry(_ i: Int, _ id: PageID) { page.setU32(Self.entriesOffset + 4 * i, id) }
}
