import BasaltStorage

/// Builds the output row of an index-only scan from one index entry (its key, and for a unique index
/// the primary key in its value), following the plan `IndexScanOperator` fixes per operator: where
/// each output column comes from, which index columns are decoded or skipped, and the primary key.
/// Holds the scratch arrays and decoders reused across entries, so an entry allocates nothing beyond
/// the values it produces.
struct IndexEntryReader {
    let indexPrefixLength: Int
    let width: Int
    /// Per output column: `i >= 0` index column i, `-2 - j` primary key column j, -1 NULL.
    let sources: [Int]
    let needsPrimaryKey: Bool
    let decodedTypes: [SQLType]
    let decodedDescending: [Bool]
    let indexDescending: [Bool]
    let skippedDescending: [Bool]
    let primaryKeyTypes: [SQLType]
    let primaryKeyDescending: [Bool]
    /// Every component read is an integer: decoded in place (`KeyCodec.decodeIntegers`).
    let integerEntries: Bool
    private var indexValues: [SQLValue] = []
    private var pkValues: [SQLValue] = []
    private var decoder = KeyDecoder([])
    private var valueDecoder = KeyDecoder([])

    init(indexPrefixLength: Int, width: Int, sources: [Int], needsPrimaryKey: Bool, decodedTypes: [SQLType],
         decodedDescending: [Bool], indexDescending: [Bool], skippedDescending: [Bool], primaryKeyTypes: [SQLType],
         primaryKeyDescending: [Bool], integerEntries: Bool) {
        self.indexPrefixLength = indexPrefixLength
        self.width = width
        self.sources = sources
        self.needsPrimaryKey = needsPrimaryKey
        self.decodedTypes = decodedTypes
        self.decodedDescending = decodedDescending
        self.indexDescending = indexDescending
        self.skippedDescending = skippedDescending
        self.primaryKeyTypes = primaryKeyTypes
        self.primaryKeyDescending = primaryKeyDescending
        self.integerEntries = integerEntries
    }

    /// Appends the row of the entry `key` / `value` to `batch`. Throws what the key decoder throws for
    /// an entry that does not decode (a corrupt index), leaving `batch` as it was.
    mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, to batch: inout RowBatch) throws {
        guard width > 0 else {
            batch.appendEmptyRow()
            return
        }
        indexValues.removeAll(keepingCapacity: true)
        pkValues.removeAll(keepingCapacity: true)
        // A unique index keeps the primary key in the value; any other, after the index columns.
        if integerEntries {
            var offset = indexPrefixLength
            try KeyCodec.decodeIntegers(key, at: &offset, descending: decodedDescending, into: &indexValues)
            if needsPrimaryKey {
                if value.count > 0 {
                    var valueOffset = 0
                    try KeyCodec.decodeIntegers(value, at: &valueOffset, descending: primaryKeyDescending, into: &pkValues)
                } else {
                    try KeyCodec.skipIntegers(key, at: &offset, descending: skippedDescending)
                    try KeyCodec.decodeIntegers(key, at: &offset, descending: primaryKeyDescending, into: &pkValues)
                }
            }
        } else {
            decoder.reset(UnsafeRawBufferPointer(rebasing: key[indexPrefixLength...]))
            try KeyCodec.decodeComponents(from: &decoder, types: decodedTypes, descending: indexDescending, into: &indexValues)
            if needsPrimaryKey {
                if value.count > 0 {
                    valueDecoder.reset(value)
                    try KeyCodec.decodeComponents(from: &valueDecoder, types: primaryKeyTypes, descending: primaryKeyDescending,
                                                  into: &pkValues)
                } else {
                    try KeyCodec.skipComponents(skippedDescending.count, from: &decoder, descending: skippedDescending)
                    try KeyCodec.decodeComponents(from: &decoder, types: primaryKeyTypes, descending: primaryKeyDescending,
                                                  into: &pkValues)
                }
            }
        }
        for source in sources {
            batch.values.append(source >= 0 ? indexValues[source] : source == -1 ? .null : pkValues[-source - 2])
        }
        batch.markRowAppended()
    }
}
