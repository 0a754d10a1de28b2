import Foundation
import Testing
@testable import BasaltSQL

/// Prints parse throughput for a ~1 KB statement. Informational only (no timing assertion: speed is
/// judged by the benchmark program, not by unit tests).
@Suite struct ThroughputTests {
    @Test func parseOneKilobyteStatement() throws {
        var sql = "SELECT a, b + 1 AS c, CASE WHEN d > 5 THEN 'x' ELSE 'y' END, count(*) FROM t1 AS x JOIN t2 ON x.id = t2.id WHERE "
        var terms: [String] = []
        var index = 0
        while sql.utf8.count + terms.joined(separator: " AND ").utf8.count < 1_000 {
            terms.append("(col\(index) BETWEEN \(index) AND \(index * 3) OR col\(index) IN (1, 2, 3))")
            index += 1
        }
        sql += terms.joined(separator: " AND ") + " GROUP BY a, b ORDER BY 1 DESC LIMIT 10"
        let iterations = 2_000
        _ = try Parser.parse(sql)
        let started = Date()
        for _ in 0..<iterations { _ = try Parser.parse(sql) }
        let microseconds = Date().timeIntervalSince(started) * 1_000_000 / Double(iterations)
        print("throughput: \(sql.utf8.count)-byte statement parsed in \(String(format: "%.1f", microseconds)) µs")
    }
}
