import Foundation
import Testing
@testable import BasaltSQL

/// Parses the SQL of SQLite's sqllogictest corpus. Records guarded by `onlyif <other engine>` may fail.
/// Default: every 7th record of the large generated files plus every record of the small files;
/// `BASALT_PARSER_CORPUS=full` parses everything.
@Suite struct CorpusTests {
    @Test func corpusParses() throws {
        guard let files = SQLLogicTestCorpus.files() else {
            print("sqllogictest corpus not found at \(SQLLogicTestCorpus.root); skipping corpus test")
            return
        }
        let full = ProcessInfo.processInfo.environment["BASALT_PARSER_CORPUS"] == "full"
        var parsed = 0
        var guardedFailures = 0
        var unexpected: [String] = []
        var roundTripFailures: [String] = []
        let options = ParserOptions(sqliteCompoundPrecedence: true)
        let started = Date()
        for file in files {
            let records = SQLLogicTestCorpus.records(inFile: file)
            let stride = full || records.count < 2_000 ? 1 : 7
            for (offset, record) in records.enumerated() where offset % stride == 0 {
                do {
                    let statements = try Parser.parse(record.sql, options: options)
                    parsed += 1
                    // Round trip: the printed form parses to an equal AST.
                    for statement in statements {
                        let printed = statement.description
                        let reparsed = try? Parser.parseStatement(printed, options: options)
                        if reparsed != statement {
                            roundTripFailures.append("\(record.file):\(record.line): \(record.sql)\n  printed: \(printed)")
                        }
                    }
                } catch {
                    if record.guardedForOtherEngine {
                        guardedFailures += 1
                    } else {
                        unexpected.append("\(record.file):\(record.line): \(error.message)\n\(error.formatted(source: record.sql))")
                    }
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("corpus: \(files.count) files, \(parsed) statements parsed, \(guardedFailures) guarded (other-engine) failures, \(unexpected.count) unexpected failures, \(String(format: "%.1f", seconds)) s\(full ? " (full)" : " (sampled)")")
        for failure in unexpected.prefix(30) { print(failure) }
        for failure in roundTripFailures.prefix(10) { print("round trip failed: \(failure)") }
        #expect(unexpected.isEmpty)
        #expect(roundTripFailures.isEmpty)
    }
}
