import BasaltExecution

/// A batch of result rows with their result's column names, shared by the `Row`s that window it: a
/// row holds this one reference instead of one per array. The rows are either decoded values
/// (row-major) or still in their stored encoding, decoded a column at a time as they are read.
final class RowBlock: Sendable {
    let values: [SQLValue]
    /// The rows when they are encoded (then `values` is empty).
    let encoded: EncodedRowBatch?
    let columns: [String]

    init(values: [SQLValue], columns: [String]) {
        self.values = values
        self.encoded = nil
        self.columns = columns
    }

    init(encoded: EncodedRowBatch, columns: [String]) {
        self.values = []
        self.encoded = encoded
        self.columns = columns
    }
}
