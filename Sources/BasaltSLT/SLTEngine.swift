/// What the runner drives. One instance per test file (a fresh, empty database per file).
public protocol SLTEngine: AnyObject {
    /// Names the engine answers to in `skipif`/`onlyif` (compared case-insensitively),
    /// e.g. `["sqlite", "basalt"]`.
    var names: [String] { get }
    /// Runs one record's SQL (may contain several `;`-separated statements, and trigger bodies
    /// with `;`). Throws on error.
    func execute(_ sql: String) throws
    /// Runs a query and returns its rows (each row's values in column order).
    func query(_ sql: String) throws -> [[SLTValue]]
}
