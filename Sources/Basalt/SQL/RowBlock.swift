import BasaltExecution

/// A batch of result rows (row-major values) with their result's column names, shared by the `Row`s
/// that window it: a row holds this one reference instead of one per array.
final class RowBlock: Sendable {
    let values: [SQLValue]
    let columns: [String]

    init(values: [SQLValue], columns: [String]) {
        self.values = values
        self.columns = columns
    }
}
