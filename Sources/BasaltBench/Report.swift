import Foundation

/// Progress lines on stderr while running, only when stderr is a terminal.
struct Progress: Sendable {
    let enabled: Bool = isatty(2) != 0

    func say(_ line: @autoclosure () -> String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("  " + line() + "\n").utf8))
    }
}

/// The results table on stdout and the --json file.
enum Report {
    static func printTable(_ results: [BenchResult], header: [String]) {
        for line in header { print("# \(line)") }
        let rows = [["workload", "Basalt", "SQLite", "unit", "ratio"]] + results.map {
            [$0.workload, grouped($0.basalt), grouped($0.sqlite), $0.unit, String(format: "%.2f", $0.ratio)]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                // Left-align text columns, right-align numbers.
                column == 0 || column == 3
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            print(cells.joined(separator: "  "))
            if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
    }

    /// `[{"workload": ..., "basalt": ..., "sqlite": ..., "unit": ..., "ratio": ...}, ...]`
    static func writeJSON(_ results: [BenchResult], to path: String) throws {
        let objects = results.map { r in
            "  {\"workload\": \(quoted(r.workload)), \"basalt\": \(number(r.basalt)), "
                + "\"sqlite\": \(number(r.sqlite)), \"unit\": \(quoted(r.unit)), \"ratio\": \(number(r.ratio, digits: 4))}"
        }
        let json = "[\n" + objects.joined(separator: ",\n") + "\n]\n"
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// 1234567.8 -> "1,234,568"
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let digits = String(Int(value.rounded()).magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return value < 0 ? "-" + out : out
    }

    private static func number(_ value: Double, digits: Int = 1) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "null"
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
