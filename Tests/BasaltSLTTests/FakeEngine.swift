import Foundation
@testable import BasaltSLT

/// A tiny scripted engine: SQL text → result rows, or an error.
final class FakeEngine: SLTEngine {
    /// The error the fake throws.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    var names: [String]
    /// Query SQL → rows it returns.
    var queries: [String: [[SLTValue]]] = [:]
    /// SQL (statement or query) that throws.
    var failing: Set<String> = []
    /// If true every call throws (used to parse the real corpus without an engine).
    var failEverything = false
    /// Seconds each call sleeps.
    var delay: Double = 0
    /// Every statement SQL received, in order.
    private(set) var executed: [String] = []
    /// Every query SQL received, in order.
    private(set) var queried: [String] = []

    init(names: [String] = ["sqlite"]) {
        self.names = names
    }

    func execute(_ sql: String) throws {
        executed.append(sql)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if failEverything || failing.contains(sql) { throw Failure(message: "cannot run: \(sql)") }
    }

    func query(_ sql: String) throws -> [[SLTValue]] {
        queried.append(sql)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if failEverything || failing.contains(sql) { throw Failure(message: "cannot run: \(sql)") }
        guard let rows = queries[sql] else { throw Failure(message: "no such table in: \(sql)") }
        return rows
    }
}

/// Collects verbose log lines from the runner.
final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
}

/// Shorthands for building rows.
func i(_ v: Int64) -> SLTValue { .integer(v) }
func r(_ v: Double) -> SLTValue { .real(v) }
func t(_ v: String) -> SLTValue { .text(v) }

/// The hash line sqllogictest writes for these printed values.
func hashLine(_ values: [String]) -> String {
    "\(values.count) values hashing to \(MD5.hex(values.map { $0 + "\n" }.joined()))"
}
