/// The kind of a page, stored in byte 4 of every page.
///
/// Disk format: these raw values are written to disk and never change meaning. `0` is never written, so a
/// zero-filled page (a hole in the file) is always rejected.
public enum PageType: UInt8, Sendable, CaseIterable {
    /// Page 0: the database header (`DatabaseHeader`).
    case header = 1
    /// A B+tree leaf: key/value cells and sibling links.
    case leaf = 2
    /// A B+tree internal node: (child, separator) cells and a rightmost child.
    case `internal` = 3
    /// One page of a large value's overflow chain.
    case overflow = 4
    /// A free-list trunk: a list of free page ids and a link to the next trunk.
    case freeTrunk = 5
}
