import Testing
@testable import BasaltSQL

@Suite struct ParameterTests {
    @Test func numberedParameters() throws {
        let core = try #require(try selectCore("SELECT $1, $3 FROM t WHERE a = $2"))
        #expect(core.items == [.expression(Expression(.parameter(1)), alias: nil),
                               .expression(Expression(.parameter(3)), alias: nil)])
        #expect(try Parser.parseScript("SELECT $1, $3")[0].parameterCount == 3)
    }

    @Test func positionalParametersCountThroughTheStatement() throws {
        guard case .insert(let insert) = try statement("INSERT INTO t VALUES (?, ?), (?, (SELECT ? + 1))"),
              case .values(let rows) = insert.source else {
            Issue.record("insert")
            return
        }
        #expect(rows[0] == [Expression(.parameter(1)), Expression(.parameter(2))])
        #expect(rows[1][0] == Expression(.parameter(3)))
        #expect(rows[1][1].description == "(SELECT $4 + 1)")
        // Each statement of a script starts again at 1.
        let script = try Parser.parseScript("SELECT ?; SELECT ?, ?")
        #expect(script.map(\.parameterCount) == [1, 2])
        #expect(script[1].statement.description == "SELECT $1, $2")
    }

    @Test func mixingStylesIsRejected() {
        #expect(syntaxError("SELECT $1, ?")?.message == "cannot mix $n and ? parameters in one statement")
        #expect(syntaxError("SELECT ?, $1") != nil)
    }
}
