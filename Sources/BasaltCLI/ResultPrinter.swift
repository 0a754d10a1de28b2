import Basalt
import Foundation

/// Prints query results as an aligned table, CSV or JSON.
enum ResultFormat: String, CaseIterable {
    case table, csv, json
}

enum ResultPrinter {
    /// The text of one value in table and CSV output.
    static func text(_ value: SQLValue) -> String {
        value.isNull ? "NULL" : value.textValue
    }

    /// Table output: a header, a rule, the rows (numbers right-aligned), and a row count.
    static func table(columns: [String], rows: [[SQLValue]]) -> String {
        guard !columns.isEmpty else { return "" }
        let cells = rows.map { $0.map(text) }
        var widths = columns.map(\.count)
        for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func pad(_ s: String, _ w: Int, right: Bool) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        var lines = [columns.enumerated().map { pad($0.element, widths[$0.offset], right: false) }.joined(separator: " | ")]
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        for (r, row) in cells.enumerated() {
            lines.append(row.enumerated().map { i, c in
                let numeric: Bool
                switch rows[r][i] { case .integer, .double, .numeric: numeric = true; default: numeric = false }
                return pad(c, widths[i], right: numeric)
            }.joined(separator: " | "))
        }
        lines.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV with a header line.
    static func csv(columns: [String], rows: [[SQLValue]]) -> String {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [columns.map(quote).joined(separator: ",")]
        for row in rows { lines.append(row.map { $0.isNull ? "" : quote($0.textValue) }.joined(separator: ",")) }
        return lines.joined(separator: "\n")
    }

    /// One JSON array of row arrays: numbers and booleans as JSON values, NULL as null, the rest as strings.
    static func json(rows: [[SQLValue]]) -> String {
        func encode(_ v: SQLValue) -> String {
            switch v {
            case .null: return "null"
            case .integer(let i): return String(i)
            case .double(let d): return d.isFinite ? v.textValue : "\"\(v.textValue)\""
            case .numeric: return v.textValue
            case .boolean(let b): return b ? "true" : "false"
            default:
                var out = "\""
                for scalar in v.textValue.unicodeScalars {
                    switch scalar {
                    case "\"": out += "\\\""
                    case "\\": out += "\\\\"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\t": out += "\\t"
                    default:
                        if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                    }
                }
                return out + "\""
            }
        }
        return "[" + rows.map { "[" + $0.map(encode).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
    }

    static func render(_ format: ResultFormat, columns: [String], rows: [[SQLValue]]) -> String {
        switch format {
        case .table: return table(columns: columns, rows: rows)
        case .csv: return csv(columns: columns, rows: rows)
        case .json: return json(rows: rows)
        }
    }
}
