import Foundation
import Testing
@testable import BasaltSLT

@Suite("Script parsing")
struct SLTScriptParserTests {
    @Test func statementsQueriesAndControlRecords() throws {
        let records = SLTScriptParser.parse("""
            hash-threshold 8

            statement ok
            CREATE TABLE t1(a INTEGER, b INTEGER)

            statement error
            CREATE TABLE t1(a)

            statement error no such table: t9
            SELECT * FROM t9

            query IT rowsort label-1
            SELECT a, b
              FROM t1
            ----
            1
            x

            query R nosort
            SELECT 1.0

            halt
            """)
        #expect(records.count == 7)
        #expect(records.map(\.line) == [1, 3, 6, 9, 12, 19, 22])
        #expect(records[0].kind == .hashThreshold(8))
        #expect(records[1].kind == .statement(SLTStatement(expectsError: false, sql: "CREATE TABLE t1(a INTEGER, b INTEGER)")))
        #expect(records[2].kind == .statement(SLTStatement(expectsError: true, sql: "CREATE TABLE t1(a)")))
        #expect(records[3].kind == .statement(SLTStatement(expectsError: true, errorPattern: "no such table: t9", sql: "SELECT * FROM t9")))
        guard case .query(let q) = records[4].kind else { Issue.record("not a query"); return }
        #expect(q.typeString == "IT")
        #expect(q.columnTypes == [.integer, .text])
        #expect(q.sortMode == .rowsort)
        #expect(q.label == "label-1")
        #expect(q.sql == "SELECT a, b\n  FROM t1")
        #expect(q.expected == ["1", "x"])
        guard case .query(let noResults) = records[5].kind else { Issue.record("not a query"); return }
        #expect(noResults.expected == nil)
        #expect(noResults.sortMode == .nosort)
        #expect(noResults.label == nil)
        #expect(records[6].kind == .halt)
    }

    @Test func crlfLfAndMixedLineEndingsParseTheSame() {
        let lf = "statement ok\nCREATE TABLE t(x)\n\n# c\nquery I nosort\nSELECT x\nFROM t\n----\n1\n2\n\nskipif mysql # why\nstatement ok\nINSERT INTO t VALUES(1)\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        var mixed = ""
        for (n, line) in lf.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            mixed += line + (n % 2 == 0 ? "\r\n" : "\n")
        }
        let expected = SLTScriptParser.parse(lf)
        #expect(expected.count == 3)
        #expect(SLTScriptParser.parse(crlf) == expected)
        #expect(SLTScriptParser.parse(mixed) == expected)
        for record in SLTScriptParser.parse(crlf) {
            if case .query(let q) = record.kind {
                #expect(!q.sql.contains("\r"))
                #expect(q.expected == ["1", "2"])
            }
        }
    }

    @Test func commentsAreDroppedEverywhereAndDoNotSeparateRecords() {
        let records = SLTScriptParser.parse("""
            # leading comment
            statement ok
            # comment inside the SQL
            CREATE TRIGGER r1 AFTER INSERT ON t1 BEGIN
            # another
              INSERT INTO t2 VALUES(1); DELETE FROM t3;
            END;
            # trailing comment, still the same record
            query I nosort
            SELECT 1
            ----
            # comment among the results
            1
            """)
        #expect(records.count == 1, "comments do not separate records, so the query is part of the statement")
        #expect(records[0].kind == .statement(SLTStatement(expectsError: false, sql: """
            CREATE TRIGGER r1 AFTER INSERT ON t1 BEGIN
              INSERT INTO t2 VALUES(1); DELETE FROM t3;
            END;
            query I nosort
            SELECT 1
            ----
            1
            """)))
    }

    @Test func whitespaceOnlyLinesAreBlank() {
        let records = SLTScriptParser.parse("statement ok\nSELECT 1\n   \t\nstatement ok\nSELECT 2\n \r\nquery I nosort\nSELECT 3\n----\n3\n  \n")
        #expect(records.count == 3)
    }

    @Test func conditionsStackWithTrailingComments() {
        let records = SLTScriptParser.parse("""
            skipif mysql # not compatible
            onlyif sqlite
            skipif postgresql   # PostgreSQL requires AS
            query I rowsort label-7
            SELECT 1
            ----
            1

            onlyif mssql
            halt

            skipif sqlite

            statement ok
            SELECT 2
            """)
        #expect(records.count == 3)
        #expect(records[0].conditions == [.skipIf("mysql"), .onlyIf("sqlite"), .skipIf("postgresql")])
        #expect(records[0].line == 4)
        #expect(records[1].conditions == [.onlyIf("mssql")])
        #expect(records[1].kind == .halt)
        #expect(records[2].conditions == [], "a condition followed by a blank line applies to nothing")
    }

    @Test func conditionsMatchEngineNamesCaseInsensitively() {
        #expect(SLTCondition.skipIf("SQLite").allows(engineNames: ["sqlite"]) == false)
        #expect(SLTCondition.skipIf("mysql").allows(engineNames: ["sqlite"]))
        #expect(SLTCondition.onlyIf("Basalt").allows(engineNames: ["sqlite", "basalt"]))
        #expect(SLTCondition.onlyIf("mssql").allows(engineNames: ["sqlite", "basalt"]) == false)
        #expect(SLTCondition.allRun([.skipIf("mysql"), .onlyIf("sqlite")], engineNames: ["SQLITE"]))
        #expect(!SLTCondition.allRun([.skipIf("mysql"), .skipIf("sqlite")], engineNames: ["sqlite"]))
    }

    @Test func dashesAndEmptyExpectedResults() {
        let records = SLTScriptParser.parse("query IT rowsort\nSELECT x, y FROM t1 WHERE x=2\n----  \n\nquery I nosort\nSELECT 1\n")
        guard case .query(let withDashes) = records[0].kind, case .query(let without) = records[1].kind else {
            Issue.record("expected two queries")
            return
        }
        #expect(withDashes.expected == [])
        #expect(without.expected == nil)
    }

    @Test func unknownAndMalformedRecords() {
        let records = SLTScriptParser.parse("""
            control sortmode rowsort
            more lines of it

            statement maybe
            SELECT 1

            query
            SELECT 1

            query I sideways
            SELECT 1

            hash-threshold many

            statement
            SELECT 1
            """)
        #expect(records.count == 6)
        #expect(records[0].kind == .unknown("control"))
        for record in records.dropFirst() {
            guard case .malformed = record.kind else {
                Issue.record("line \(record.line) should be malformed: \(record.kind)")
                continue
            }
        }
    }

    @Test func emptyScriptsAndTrailingBlankLines() {
        #expect(SLTScriptParser.parse("").isEmpty)
        #expect(SLTScriptParser.parse("\n\n# only a comment\n\n").isEmpty)
        #expect(SLTScriptParser.parse("statement ok\nSELECT 1").count == 1)
        #expect(SLTScriptParser.parse("skipif mysql").isEmpty)
    }
}
