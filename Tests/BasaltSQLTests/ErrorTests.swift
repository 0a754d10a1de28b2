import Testing
@testable import BasaltSQL

/// Error messages, positions and caret output follow PostgreSQL.
@Suite struct ErrorTests {
    @Test func nearToken() throws {
        let error = try #require(syntaxError("SELECT * FORM t"))
        #expect(error.sqlState == "42601")
        #expect(error.message == "syntax error at or near \"FORM\"")
        #expect(error.offset == 9)
        #expect(error.line == 1 && error.column == 10)
        #expect(error.formatted(source: "SELECT * FORM t") == """
            syntax error at or near "FORM"
            LINE 1: SELECT * FORM t
                             ^
            """)
    }

    @Test func endOfInput() throws {
        let error = try #require(syntaxError("SELECT 1 +"))
        #expect(error.message == "syntax error at end of input")
        #expect(error.offset == 10)
        #expect(error.expected == ["expression"])
        #expect(syntaxError("SELECT (1")?.expected == [")"])
    }

    @Test func multilineAndUnicodePositions() throws {
        let sql = "SELECT 'é',\n  ü FROM FROM t"
        let error = try #require(syntaxError(sql))
        #expect(error.message == "syntax error at or near \"FROM\"")
        #expect(error.line == 2)
        #expect(error.column == 10)
        #expect(error.formatted(source: sql) == """
            syntax error at or near "FROM"
            LINE 2:   ü FROM FROM t
                             ^
            """)
    }

    @Test func lexicalErrors() throws {
        #expect(syntaxError("SELECT 'abc")?.message == "unterminated quoted string at or near \"'abc\"")
        #expect(syntaxError("SELECT \"abc")?.message == "unterminated quoted identifier at or near \"\"abc\"")
        #expect(syntaxError("SELECT 1 /* x")?.message.hasPrefix("unterminated /* comment") == true)
        #expect(syntaxError("SELECT @")?.message == "syntax error at or near \"@\"")
        #expect(syntaxError("SELECT $0")?.sqlState == "42P02")
        // Errors come out in source order: the syntax error in the first statement wins.
        #expect(syntaxError("SELECT FROM FROM; SELECT 'x")?.message == "syntax error at or near \"FROM\"")
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        let error = try #require(syntaxError("SELECT " + deep))
        #expect(error.sqlState == "54001")
        let unary = "SELECT " + String(repeating: "- ", count: 100_000) + "1"
        #expect(syntaxError(unary)?.sqlState == "54001")
        let nots = "SELECT " + String(repeating: "NOT ", count: 10_000) + "TRUE"
        #expect(syntaxError(nots)?.sqlState == "54001")
        let subqueries = String(repeating: "SELECT * FROM (", count: 3_000) + "SELECT 1" + String(repeating: ")", count: 3_000)
        #expect(syntaxError(subqueries)?.sqlState == "54001")
        // Just under the limit still parses (the default limit is safe for the stack in debug builds).
        let ok = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(syntaxError("SELECT " + ok) == nil)
        #expect(syntaxError("SELECT " + ok, options: ParserOptions(maxDepth: 20))?.sqlState == "54001")
    }

    @Test func variousInvalidInputs() {
        for sql in ["SELECT", "SELECT 1 FROM", "INSERT INTO t", "CREATE TABLE t (", "SELECT CASE END",
                    "SELECT a FROM t WHERE", "UPDATE t SET", "DELETE t", "DROP", "SELECT 1 2", "SELECT (SELECT",
                    "SELECT * FROM (SELECT 1", "SELECT count(", "SELECT x::", "SELECT a.b.c.d.e",
                    "SELECT 1; SELECT", "CREATE INDEX", "BEGIN ISOLATION LEVEL", ")", "SELECT 1)", "$1"] {
            let error = syntaxError(sql)
            #expect(error != nil, "\(sql) should not parse")
            if let error {
                #expect(error.offset >= 0 && error.offset <= sql.utf8.count, "\(sql)")
            }
        }
    }
}
