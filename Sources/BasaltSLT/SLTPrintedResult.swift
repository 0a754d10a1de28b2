/// A query result as printed strings, in the order the comparison uses.
struct SLTPrintedResult: Sendable {
    /// Every printed value, row-major.
    var values: [String]
    /// Values per row (the engine's column count; the type string's length for an empty result).
    var columns: Int

    /// Prints engine rows by the query's column types and applies its sort mode.
    init(rows: [[SLTValue]], types: [SLTColumnType], sortMode: SLTSortMode) {
        let columns = rows.first?.count ?? types.count
        var values: [String] = []
        values.reserveCapacity(rows.count * max(columns, 1))
        for row in rows {
            for (i, value) in row.enumerated() {
                values.append(SLTValueFormatter.format(value, as: i < types.count ? types[i] : .text))
            }
        }
        self.values = values
        self.columns = columns
        sort(sortMode)
    }

    /// Creates a printed result from values already printed and ordered.
    init(values: [String], columns: Int) {
        self.values = values
        self.columns = columns
    }

    /// Orders the values as `rowsort` / `valuesort` ask (byte comparison, like `strcmp`).
    private mutating func sort(_ mode: SLTSortMode) {
        switch mode {
        case .nosort:
            return
        case .valuesort:
            values.sort(by: SLTPrintedResult.precedes)
        case .rowsort:
            if columns <= 1 {
                values.sort(by: SLTPrintedResult.precedes)
                return
            }
            guard values.count % columns == 0 else { return }
            let width = columns
            let rowCount = values.count / width
            let current = values
            var order = Array(0..<rowCount)
            order.sort { a, b in
                for c in 0..<width {
                    let x = current[a * width + c], y = current[b * width + c]
                    if x != y { return SLTPrintedResult.precedes(x, y) }
                }
                return false
            }
            var sorted: [String] = []
            sorted.reserveCapacity(current.count)
            for row in order { sorted.append(contentsOf: current[(row * width)..<(row * width + width)]) }
            values = sorted
        }
    }

    /// `strcmp(a, b) < 0` on the UTF-8 bytes.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Number of rows.
    var rowCount: Int { columns > 0 ? values.count / columns : 0 }

    /// Hex MD5 of every value followed by `\n`.
    var md5: String {
        var digest = MD5()
        let newline: [UInt8] = [0x0A]
        for value in values {
            digest.update(value)
            digest.update(newline)
        }
        return digest.finalizeHex()
    }

    /// `N values hashing to <md5>`.
    var hashLine: String { "\(values.count) values hashing to \(md5)" }

    /// Parses an `N values hashing to <md5>` line.
    static func parseHashLine(_ line: String) -> (count: Int, hash: String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 5, parts[1] == "values" || parts[1] == "value", parts[2] == "hashing", parts[3] == "to",
              let count = Int(parts[0]), parts[4].utf8.count == 32,
              parts[4].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) })
        else { return nil }
        return (count, parts[4].lowercased())
    }

    /// Whether the expected lines describe this result: a hash line with the same count and MD5,
    /// the same values one per line, or (older files) one row per line with values separated by
    /// single spaces.
    func matches(_ expected: [String]) -> Bool {
        if expected.count == 1, let (count, hash) = SLTPrintedResult.parseHashLine(expected[0]) {
            if count == values.count && hash == md5 { return true }
            return values.count == 1 && values[0] == expected[0]
        }
        if expected == values { return true }
        if columns > 1 && expected.count == rowCount && expected.count * columns == values.count {
            for (row, line) in expected.enumerated() {
                let joined = values[(row * columns)..<(row * columns + columns)].joined(separator: " ")
                if joined != line { return false }
            }
            return true
        }
        return false
    }

    /// The actual side of a report, in the same form as the expected lines: the hash line when
    /// the expected side is a hash line, otherwise the values one per line (at most `limit`).
    func rendered(like expected: [String]?, limit: Int = 200) -> String {
        if let expected, expected.count == 1, SLTPrintedResult.parseHashLine(expected[0]) != nil {
            return hashLine
        }
        if values.count <= limit { return values.joined(separator: "\n") }
        return values[0..<limit].joined(separator: "\n") + "\n… (\(values.count - limit) more values; \(hashLine))"
    }
}
