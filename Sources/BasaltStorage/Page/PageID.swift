/// A page's number in the data file: page `n` starts at byte `n * pageSize`.
///
/// Page 0 is always the database header, so `0` doubles as "no page" in every on-disk link field
/// (leaf siblings, overflow chains, free-list trunks).
public typealias PageID = UInt32

extension PageID {
    /// The "no page" value of on-disk link fields.
    static let none: PageID = 0
}
