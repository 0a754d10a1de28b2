import Basalt
import Foundation
import Testing

@Suite struct SQLSelectTests {
    /// emp(id, name, dept, salary, boss) and dept(id, name): one employee without a department, one
    /// department without employees.
    static func company() throws -> Database {
        let db = try SQLTest.open()
        try db.execute("""
            CREATE TABLE dept (id INT PRIMARY KEY, name TEXT);
            CREATE TABLE emp (id INT PRIMARY KEY, name TEXT, dept INT, salary INT, boss INT);
            INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
            INSERT INTO emp VALUES (1, 'ann', 1, 100, NULL), (2, 'bob', 1, 80, 1), (3, 'cid', 2, 90, 1),
                                   (4, 'dan', 2, NULL, 3), (5, 'eve', NULL, 70, 3), (6, 'fay', 1, 80, 2)
            """)
        return db
    }

    // MARK: Basics

    @Test func distinctRemovesDuplicatesIncludingNulls() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT DISTINCT dept FROM emp ORDER BY dept") == ["1", "2", "NULL"])
        #expect(try db.rows("SELECT DISTINCT dept, salary FROM emp WHERE dept = 1 ORDER BY salary") == [["1", "80"], ["1", "100"]])
        #expect(try db.scalar("SELECT count(DISTINCT salary) FROM emp") == "4")
        try db.close()
    }

    @Test func selectWithoutFromAndColumnNames() throws {
        let db = try SQLTest.open()
        let rows = try db.query("SELECT 1 + 2 AS three, 'a' || 'b', 7 / 2, 7.0 / 2, -7 % 3, 2 ^ 10")
        #expect(rows.columns[0] == "three")
        #expect(try rows.tagged() == [["i:3", "t:ab", "i:3", "n:3.5000000000000000", "i:-1", "d:1024"]])
        try db.close()
    }

    @Test func whereUsesThreeValuedLogic() throws {
        let db = try Self.company()
        // NULL = NULL is unknown, never true.
        #expect(try db.column("SELECT id FROM emp WHERE dept = NULL").isEmpty)
        #expect(try db.column("SELECT id FROM emp WHERE dept <> 1 ORDER BY id") == ["3", "4"])
        #expect(try db.column("SELECT id FROM emp WHERE NOT (dept = 1) ORDER BY id") == ["3", "4"])
        #expect(try db.column("SELECT id FROM emp WHERE dept IS NULL") == ["5"])
        #expect(try db.column("SELECT id FROM emp WHERE salary > 85 OR dept IS NULL ORDER BY id") == ["1", "3", "5"])
        // NOT IN with a NULL in the list is never true.
        #expect(try db.column("SELECT id FROM emp WHERE id NOT IN (1, 2, NULL)").isEmpty)
        #expect(try db.column("SELECT id FROM emp WHERE id IN (1, 2, NULL) ORDER BY id") == ["1", "2"])
        #expect(try db.query("SELECT NULL = NULL, NULL AND false, NULL OR true, NULL AND true, NOT NULL").tagged()
            == [["NULL", "B:f", "B:t", "NULL", "NULL"]])
        try db.close()
    }

    // MARK: Joins

    @Test func innerJoinMatchesOnlyPairs() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept ORDER BY e.id")
            == [["ann", "eng"], ["bob", "eng"], ["cid", "ops"], ["dan", "ops"], ["fay", "eng"]])
        #expect(try db.rows("SELECT e.name FROM emp e, dept d WHERE d.id = e.dept AND d.name = 'ops' ORDER BY 1") == [["cid"], ["dan"]])
        // Self join.
        #expect(try db.rows("SELECT e.name, b.name FROM emp e INNER JOIN emp b ON b.id = e.boss WHERE e.id > 4 ORDER BY e.id")
            == [["eve", "cid"], ["fay", "bob"]])
        try db.close()
    }

    @Test func leftJoinPadsWithNull() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON d.id = e.dept ORDER BY e.id")
            == [["ann", "eng"], ["bob", "eng"], ["cid", "ops"], ["dan", "ops"], ["eve", "NULL"], ["fay", "eng"]])
        // A condition in ON keeps the unmatched row; in WHERE it removes it.
        #expect(try db.rows("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept = d.id AND e.salary > 85 ORDER BY d.id, e.id")
            == [["eng", "ann"], ["ops", "cid"], ["empty", "NULL"]])
        #expect(try db.rows("SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept = d.id WHERE e.id IS NULL") == [["empty"]])
        try db.close()
    }

    @Test func rightJoinPadsWithNull() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON d.id = e.dept ORDER BY d.id, e.id")
            == [["ann", "eng"], ["bob", "eng"], ["fay", "eng"], ["cid", "ops"], ["dan", "ops"], ["NULL", "empty"]])
        try db.close()
    }

    @Test func fullJoinPadsBothSides() throws {
        let db = try Self.company()
        let rows = try db.rows("SELECT e.name, d.name FROM emp e FULL OUTER JOIN dept d ON d.id = e.dept ORDER BY e.id NULLS LAST, d.id")
        #expect(rows == [["ann", "eng"], ["bob", "eng"], ["cid", "ops"], ["dan", "ops"], ["eve", "NULL"], ["fay", "eng"], ["NULL", "empty"]])
        try db.close()
    }

    @Test func crossJoinIsTheProduct() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (x INT); CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES ('p'), ('q'), ('r')")
        #expect(try db.rows("SELECT x, y FROM a CROSS JOIN b ORDER BY x, y") ==
            [["1", "p"], ["1", "q"], ["1", "r"], ["2", "p"], ["2", "q"], ["2", "r"]])
        #expect(try db.scalar("SELECT count(*) FROM a, b, a AS a2") == "12")
        try db.execute("DELETE FROM b")
        #expect(try db.rows("SELECT * FROM a CROSS JOIN b").isEmpty)
        try db.close()
    }

    @Test func joinUsingAndNatural() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (k INT, x TEXT); CREATE TABLE b (k INT, y TEXT)")
        try db.execute("INSERT INTO a VALUES (1, 'a1'), (2, 'a2'); INSERT INTO b VALUES (2, 'b2'), (3, 'b3')")
        let using = try db.query("SELECT * FROM a JOIN b USING (k)")
        #expect(using.columns == ["k", "x", "y"])
        #expect(try using.strings() == [["2", "a2", "b2"]])
        #expect(try db.rows("SELECT * FROM a NATURAL JOIN b") == [["2", "a2", "b2"]])
        try db.close()
    }

    @Test
    func fullAndRightJoinUsingMergesTheKey() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (k INT, x TEXT); CREATE TABLE b (k INT, y TEXT)")
        try db.execute("INSERT INTO a VALUES (1, 'a1'), (2, 'a2'); INSERT INTO b VALUES (2, 'b2'), (3, 'b3')")
        #expect(try db.rows("SELECT k, x, y FROM a FULL JOIN b USING (k) ORDER BY k") == [["1", "a1", "NULL"], ["2", "a2", "b2"], ["3", "NULL", "b3"]])
        #expect(try db.rows("SELECT * FROM a RIGHT JOIN b USING (k) ORDER BY k") == [["2", "a2", "b2"], ["3", "NULL", "b3"]])
        try db.close()
    }

    // MARK: Grouping

    @Test func groupByWithHaving() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT dept, count(*), count(salary), sum(salary), min(salary), max(salary) FROM emp GROUP BY dept ORDER BY dept")
            == [["1", "3", "3", "260", "80", "100"], ["2", "2", "1", "90", "90", "90"], ["NULL", "1", "1", "70", "70", "70"]])
        #expect(try db.rows("SELECT dept, count(*) AS n FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY n DESC") == [["1", "3"], ["2", "2"]])
        #expect(try db.rows("SELECT dept FROM emp GROUP BY dept HAVING sum(salary) > 100") == [["1"]])
        // Grouping by an expression and by output column position.
        #expect(try db.rows("SELECT salary > 85 AS high, count(*) FROM emp GROUP BY 1 ORDER BY 1 NULLS LAST") == [["f", "3"], ["t", "2"], ["NULL", "1"]])
        try db.close()
    }

    /// A single integer group key takes a fast path until another value (here NULL) appears; the
    /// groups found before must stay one per value after the switch.
    @Test func groupingByIntegersThenOtherValues() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE g(id INTEGER PRIMARY KEY, k INT)")
        try db.execute("INSERT INTO g VALUES (1, 1), (2, 2), (3, 1), (4, NULL), (5, 1), (6, 3), (7, 2), (8, NULL)")
        #expect(try db.rows("SELECT k, count(*), sum(id) FROM g GROUP BY k ORDER BY k NULLS LAST")
            == [["1", "3", "9"], ["2", "2", "9"], ["3", "1", "6"], ["NULL", "2", "12"]])
        #expect(try db.rows("SELECT id % 3, count(*), sum(id) FROM g GROUP BY 1 ORDER BY 1") == [["0", "2", "9"], ["1", "3", "12"], ["2", "3", "15"]])
        try db.close()
    }

    @Test func aggregatesOverEmptyInput() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT count(*), sum(salary), avg(salary), min(name), max(name) FROM emp WHERE id > 100")
            == [["0", "NULL", "NULL", "NULL", "NULL"]])
        #expect(try db.rows("SELECT dept, count(*) FROM emp WHERE id > 100 GROUP BY dept").isEmpty)
        try db.close()
    }

    @Test func aggregateFunctionsWithDistinct() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT sum(salary), sum(DISTINCT salary), avg(salary), count(DISTINCT dept), avg(DISTINCT salary) FROM emp")
            == [["420", "340", "84", "2", "85"]])
        #expect(try db.scalar("SELECT string_agg(name, ',' ORDER BY name) FROM emp WHERE dept = 1") == "ann,bob,fay")
        #expect(try db.scalar("SELECT string_agg(DISTINCT CAST(salary AS TEXT), '|' ORDER BY CAST(salary AS TEXT)) FROM emp WHERE dept = 1") == "100|80")
        #expect(try db.scalar("SELECT string_agg(name, '-') FROM emp WHERE id > 100") == "NULL")
        #expect(try db.query("SELECT min(salary), max(salary), avg(salary)::int FROM emp").tagged() == [["i:70", "i:100", "i:84"]])
        try db.close()
    }

    @Test(.disabled("documented difference: avg(integer) returns double precision; PostgreSQL returns numeric"))
    func avgOfIntegersIsNumeric() throws {
        let db = try Self.company()
        #expect(try db.query("SELECT avg(salary) FROM emp").tagged() == [["n:84.0000000000000000"]])
        #expect(try db.query("SELECT avg(x) FROM (VALUES (1), (2)) AS v(x)").tagged() == [["n:1.5000000000000000"]])
        try db.close()
    }

    @Test func nonGroupedColumnIsAcceptedLeniently() throws {
        // PostgreSQL rejects this with 42803 (column must appear in the GROUP BY clause or be used in an
        // aggregate function). Basalt's planner is lenient by default (SQLite's bare-column rule) and
        // returns a value from some row of the group. This test documents that observed behaviour.
        let db = try Self.company()
        let rows = try db.rows("SELECT dept, name, count(*) FROM emp WHERE dept = 2 GROUP BY dept")
        #expect(rows.count == 1)
        #expect(rows.first?[0] == "2")
        #expect(["cid", "dan"].contains(rows.first?[1] ?? ""))
        #expect(rows.first?[2] == "2")
        try db.close()
    }

    // MARK: Ordering and limits

    @Test func orderByNullsDefaultLastForAscFirstForDesc() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT salary FROM emp ORDER BY salary") == ["70", "80", "80", "90", "100", "NULL"])
        #expect(try db.column("SELECT salary FROM emp ORDER BY salary DESC") == ["NULL", "100", "90", "80", "80", "70"])
        #expect(try db.column("SELECT salary FROM emp ORDER BY salary ASC NULLS FIRST") == ["NULL", "70", "80", "80", "90", "100"])
        #expect(try db.column("SELECT salary FROM emp ORDER BY salary DESC NULLS LAST") == ["100", "90", "80", "80", "70", "NULL"])
        #expect(try db.column("SELECT name FROM emp ORDER BY salary DESC NULLS LAST, name DESC") == ["ann", "cid", "fay", "bob", "eve", "dan"])
        // By alias and by expression.
        #expect(try db.column("SELECT name AS n FROM emp ORDER BY n DESC LIMIT 2") == ["fay", "eve"])
        #expect(try db.column("SELECT name FROM emp ORDER BY length(name) * -1, id LIMIT 1") == ["ann"])
        try db.close()
    }

    @Test func limitAndOffset() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT 2") == ["1", "2"])
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT 2 OFFSET 3") == ["4", "5"])
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT 0").isEmpty)
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT 10 OFFSET 10").isEmpty)
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT $1 OFFSET $2", [1, 1]) == ["2"])
        #expect(try db.column("SELECT id FROM emp ORDER BY id OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY") == ["2", "3"])
        // PostgreSQL: 2201W LIMIT must not be negative.
        expectSQLError("2201W", db, "SELECT id FROM emp LIMIT -1")
        try db.close()
    }

    @Test
    func offsetWithoutLimit() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT id FROM emp ORDER BY id OFFSET 5") == ["6"])
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT ALL OFFSET 4") == ["5", "6"])
        #expect(try db.column("SELECT id FROM emp ORDER BY id LIMIT 9223372036854775807 OFFSET 4") == ["5", "6"])
        try db.close()
    }

    // MARK: Set operations

    @Test func unionIntersectExcept() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE a (x INT); CREATE TABLE b (x INT)")
        try db.execute("INSERT INTO a VALUES (1), (2), (2), (3), (NULL); INSERT INTO b VALUES (2), (3), (3), (4), (NULL)")
        #expect(try db.column("SELECT x FROM a UNION SELECT x FROM b ORDER BY 1") == ["1", "2", "3", "4", "NULL"])
        #expect(try db.column("SELECT x FROM a UNION ALL SELECT x FROM b ORDER BY 1") == ["1", "2", "2", "2", "3", "3", "3", "4", "NULL", "NULL"])
        #expect(try db.column("SELECT x FROM a INTERSECT SELECT x FROM b ORDER BY 1") == ["2", "3", "NULL"])
        #expect(try db.column("SELECT x FROM a INTERSECT ALL SELECT x FROM b ORDER BY 1") == ["2", "3", "NULL"])
        #expect(try db.column("SELECT x FROM a EXCEPT SELECT x FROM b ORDER BY 1") == ["1"])
        #expect(try db.column("SELECT x FROM a EXCEPT ALL SELECT x FROM b ORDER BY 1") == ["1", "2"])
        // INTERSECT binds tighter than UNION in PostgreSQL: 1,2,2,3,NULL ∪ ({2,3,4,NULL} ∩ {4}) = {1,2,3,4,NULL}
        #expect(try db.column("SELECT x FROM a UNION SELECT x FROM b INTERSECT SELECT 4 ORDER BY 1") == ["1", "2", "3", "4", "NULL"])
        #expect(try db.column("(SELECT x FROM a UNION SELECT x FROM b) INTERSECT SELECT 4") == ["4"])
        // Column count mismatch: 42601 each UNION query must have the same number of columns.
        expectSQLError("42601", db, "SELECT 1, 2 UNION SELECT 3")
        try db.close()
    }

    // MARK: Subqueries and CTEs

    @Test func scalarInExistsAndCorrelatedSubqueries() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp)") == ["ann"])
        #expect(try db.column("SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE name = 'ops') ORDER BY name") == ["cid", "dan"])
        #expect(try db.column("SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id)") == ["empty"])
        #expect(try db.column("SELECT name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id) ORDER BY name") == ["eng", "ops"])
        // Correlated: earners above their department's average.
        #expect(try db.column("SELECT name FROM emp e WHERE salary > (SELECT avg(salary) FROM emp x WHERE x.dept = e.dept) ORDER BY name") == ["ann"])
        // Scalar subquery in the select list, empty → NULL.
        #expect(try db.rows("SELECT d.name, (SELECT count(*) FROM emp e WHERE e.dept = d.id), (SELECT max(name) FROM emp e WHERE e.dept = d.id) FROM dept d ORDER BY d.id")
            == [["eng", "3", "fay"], ["ops", "2", "dan"], ["empty", "0", "NULL"]])
        #expect(try db.scalar("SELECT (SELECT id FROM emp WHERE id > 100)") == "NULL")
        // NOT IN over a subquery containing NULL is never true.
        #expect(try db.column("SELECT id FROM dept WHERE id NOT IN (SELECT dept FROM emp)").isEmpty)
        #expect(try db.column("SELECT id FROM dept WHERE id NOT IN (SELECT dept FROM emp WHERE dept IS NOT NULL)") == ["3"])
        #expect(try db.column("SELECT name FROM emp WHERE salary = ANY (SELECT 80) ORDER BY name") == ["bob", "fay"])
        try db.close()
    }

    @Test
    func allAndAnySubqueriesWithOrderingOperators() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept = 2 AND salary IS NOT NULL) ORDER BY name") == ["ann"])
        #expect(try db.column("SELECT name FROM emp WHERE salary < ANY (SELECT 75) ORDER BY name") == ["eve"])
        try db.close()
    }

    @Test func derivedTables() throws {
        let db = try Self.company()
        #expect(try db.rows("SELECT s.dept, s.total FROM (SELECT dept, sum(salary) AS total FROM emp GROUP BY dept) AS s WHERE s.total > 80 ORDER BY s.total")
            == [["2", "90"], ["1", "260"]])
        #expect(try db.scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM emp GROUP BY dept) t") == "3")
        #expect(try db.rows("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) ORDER BY n DESC") == [["2", "b"], ["1", "a"]])
        try db.close()
    }

    @Test func withAndWithRecursive() throws {
        let db = try Self.company()
        #expect(try db.column("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10) SELECT n FROM c")
            == (1...10).map(String.init))
        #expect(try db.scalar("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10) SELECT sum(n) FROM c") == "55")
        // Tree walk: everyone under ann, with depth.
        let tree = try db.rows("""
            WITH RECURSIVE under(id, name, depth) AS (
                SELECT id, name, 0 FROM emp WHERE boss IS NULL
                UNION ALL
                SELECT e.id, e.name, u.depth + 1 FROM emp e JOIN under u ON e.boss = u.id
            )
            SELECT name, depth FROM under ORDER BY depth, name
            """)
        #expect(tree == [["ann", "0"], ["bob", "1"], ["cid", "1"], ["dan", "2"], ["eve", "2"], ["fay", "2"]])
        // Non-recursive WITH, referenced twice.
        #expect(try db.rows("WITH hi AS (SELECT id FROM emp WHERE salary >= 90) SELECT (SELECT count(*) FROM hi), (SELECT min(id) FROM hi)") == [["2", "1"]])
        // UNION (not ALL) stops a cycle.
        #expect(try db.scalar("WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT (n % 3) + 1 FROM r) SELECT count(*) FROM r") == "3")
        try db.close()
    }

    // MARK: Expressions

    @Test func caseCastCoalesceNullif() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT CASE WHEN salary >= 90 THEN 'high' WHEN salary < 80 THEN 'low' ELSE 'mid' END FROM emp ORDER BY id")
            == ["high", "mid", "high", "mid", "low", "mid"])
        #expect(try db.column("SELECT CASE dept WHEN 1 THEN 'eng' WHEN 2 THEN 'ops' END FROM emp ORDER BY id")
            == ["eng", "eng", "ops", "ops", "NULL", "eng"])
        #expect(try db.query("SELECT CAST('42' AS INTEGER), '3.5'::numeric, 7::text, CAST(1 AS BOOLEAN), '2024-01-02'::date, 3.7::int, -2.5::int, 'true'::boolean").tagged()
            == [["i:42", "n:3.5", "t:7", "B:t", "D:2024-01-02", "i:4", "i:-3", "B:t"]])
        expectSQLError("22P02", db, "SELECT 'abc'::integer")
        #expect(try db.query("SELECT COALESCE(NULL, NULL, 3, 4), COALESCE(salary, -1), NULLIF(1, 1), NULLIF(1, 2) FROM emp WHERE id = 4").tagged()
            == [["i:3", "i:-1", "NULL", "i:1"]])
        try db.close()
    }

    @Test func likeAndIlikeWithEscapes() throws {
        let db = try SQLTest.open()
        try db.execute("CREATE TABLE t (s TEXT)")
        try db.execute("INSERT INTO t VALUES ('abc'), ('ABC'), ('a_c'), ('a%c'), ('abbc'), ('ac'), (NULL)")
        #expect(try db.column("SELECT s FROM t WHERE s LIKE 'a_c' ORDER BY s") == ["a%c", "a_c", "abc"])
        #expect(try db.column("SELECT s FROM t WHERE s LIKE 'a%c' ORDER BY s") == ["a%c", "a_c", "abbc", "abc", "ac"])
        #expect(try db.column("SELECT s FROM t WHERE s ILIKE 'abc' ORDER BY s") == ["ABC", "abc"])
        #expect(try db.column("SELECT s FROM t WHERE s LIKE 'a\\_c'") == ["a_c"])
        #expect(try db.column("SELECT s FROM t WHERE s LIKE 'a#%c' ESCAPE '#'") == ["a%c"])
        #expect(try db.column("SELECT s FROM t WHERE s NOT LIKE 'a%' ORDER BY s") == ["ABC"])
        #expect(try db.column("SELECT s FROM t WHERE s NOT ILIKE 'A%' ORDER BY s").isEmpty)
        #expect(try db.query("SELECT 'x' LIKE NULL, NULL LIKE 'x'").tagged() == [["NULL", "NULL"]])
        try db.close()
    }

    @Test func betweenInListAndIsDistinctFrom() throws {
        let db = try Self.company()
        #expect(try db.column("SELECT id FROM emp WHERE salary BETWEEN 80 AND 90 ORDER BY id") == ["2", "3", "6"])
        #expect(try db.column("SELECT id FROM emp WHERE salary NOT BETWEEN 80 AND 90 ORDER BY id") == ["1", "5"])
        #expect(try db.column("SELECT id FROM emp WHERE salary BETWEEN SYMMETRIC 90 AND 80 ORDER BY id") == ["2", "3", "6"])
        #expect(try db.column("SELECT id FROM emp WHERE name IN ('ann', 'eve', 'zed') ORDER BY id") == ["1", "5"])
        #expect(try db.column("SELECT id FROM emp WHERE dept NOT IN (1) ORDER BY id") == ["3", "4"])
        #expect(try db.column("SELECT id FROM emp WHERE dept IS DISTINCT FROM 1 ORDER BY id") == ["3", "4", "5"])
        #expect(try db.column("SELECT id FROM emp WHERE dept IS NOT DISTINCT FROM NULL") == ["5"])
        #expect(try db.query("SELECT NULL IS DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, 1 IS NOT DISTINCT FROM 1").tagged() == [["B:f", "B:t", "B:t"]])
        try db.close()
    }

    @Test func scalarFunctions() throws {
        let db = try SQLTest.open()
        #expect(try db.query("SELECT abs(-5), abs(-2.5), round(2.5), round(-2.5), round(3.14159, 2), round(2.5::double precision)").tagged()
            == [["i:5", "n:2.5", "n:3", "n:-3", "n:3.14", "d:2"]])
        #expect(try db.query("SELECT length('héllo'), lower('AbC'), upper('abc'), substr('hello', 2, 3), substr('hello', 3)").tagged()
            == [["i:5", "t:abc", "t:ABC", "t:ell", "t:llo"]])
        #expect(try db.query("SELECT trim('  x  '), ltrim('xxyxx', 'x'), rtrim('ab  '), btrim('xxaxx', 'x'), replace('banana', 'an', 'AN'), concat('a', NULL, 1, true)").tagged()
            == [["t:x", "t:yxx", "t:ab", "t:a", "t:bANANa", "t:a1t"]])
        #expect(try db.query("SELECT length(NULL), upper(NULL), 'a' || NULL").tagged() == [["NULL", "NULL", "NULL"]])
        let now = try db.query("SELECT now(), now() = current_timestamp").allValues()
        #expect(now.count == 1)
        if case .timestamp(let micros) = now[0][0] {
            #expect(abs(Double(micros) / 1e6 - Date().timeIntervalSince1970) < 60)
        } else {
            Issue.record("now() returned \(now[0][0].tagged)")
        }
        #expect(now[0][1] == .boolean(true))
        expectSQLError("42883", db, "SELECT no_such_function(1)")
        try db.close()
    }

    @Test(.disabled("not implemented: the SQL-standard forms substring(s FROM i FOR n) and trim(BOTH c FROM s)"))
    func sqlStandardSubstringAndTrimSyntax() throws {
        let db = try SQLTest.open()
        #expect(try db.rows("SELECT substring('hello' from 2 for 2), trim(both 'x' from 'xxaxx'), trim(leading from '  a')") == [["el", "a", "a"]])
        try db.close()
    }

    @Test func nowIsStableWithinATransaction() throws {
        let db = try SQLTest.open()
        let session = db.session()
        try session.execute("BEGIN")
        let first = try session.rows("SELECT now()")
        Thread.sleep(forTimeInterval: 0.01)
        let second = try session.rows("SELECT now()")
        try session.execute("COMMIT")
        #expect(first == second)
        try db.close()
    }

    // MARK: Errors

    @Test func unknownColumnIs42703() throws {
        let db = try Self.company()
        let error = expectSQLError("42703", db, "SELECT nope FROM emp")
        #expect(error?.message.contains("nope") == true)
        expectSQLError("42703", db, "SELECT e.nope FROM emp e")
        expectSQLError("42703", db, "SELECT id FROM emp WHERE nope = 1")
        expectSQLError("42703", db, "SELECT id FROM emp ORDER BY nope")
        try db.close()
    }

    @Test func ambiguousColumnIs42702() throws {
        let db = try Self.company()
        let error = expectSQLError("42702", db, "SELECT id FROM emp JOIN dept ON dept.id = emp.dept")
        #expect(error?.message.contains("id") == true)
        expectSQLError("42702", db, "SELECT name FROM emp, dept")
        try db.close()
    }

    @Test func unknownTableIs42P01() throws {
        let db = try Self.company()
        let error = expectSQLError("42P01", db, "SELECT * FROM nope")
        #expect(error?.message.contains("nope") == true)
        expectSQLError("42P01", db, "SELECT * FROM emp JOIN nope ON true")
        expectSQLError("42P01", db, "SELECT nope.id FROM emp")
        try db.close()
    }

    @Test func syntaxErrorIs42601WithLineAndColumn() throws {
        let db = try Self.company()
        let error = expectSQLError("42601", db, "SELECT id\nFROM emp\nWHERE id = = 1")
        #expect(error?.context["line"] == "3", "\(String(describing: error))")
        #expect(error?.context["column"] == "12", "\(String(describing: error))")
        let other = expectSQLError("42601", db, "SELEC 1")
        #expect(other?.context["line"] == "1")
        #expect(other?.context["column"] == "1")
        expectSQLError("42601", db, "SELECT (1")
        expectSQLError("42601", db, "SELECT 'unterminated")
        try db.close()
    }

    @Test func divisionByZeroIs22012() throws {
        let db = try Self.company()
        expectSQLError("22012", db, "SELECT 1 / 0")
        expectSQLError("22012", db, "SELECT 1 % 0")
        expectSQLError("22012", db, "SELECT 1.0 / 0")
        expectSQLError("22012", db, "SELECT salary / (id - 3) FROM emp")
        // PostgreSQL: float division by zero is an error too (not Infinity).
        expectSQLError("22012", db, "SELECT 1.0::double precision / 0")
        try db.close()
    }

    @Test func bigintOverflowIs22003() throws {
        let db = try SQLTest.open()
        expectSQLError("22003", db, "SELECT 9223372036854775807 + 1")
        expectSQLError("22003", db, "SELECT -9223372036854775807 - 2")
        expectSQLError("22003", db, "SELECT 4611686018427387904 * 2")
        expectSQLError("22003", db, "SELECT abs(-9223372036854775807 - 1)")
        expectSQLError("22003", db, "SELECT 70000::smallint")
        try db.execute("CREATE TABLE t (v BIGINT)")
        try db.execute("INSERT INTO t VALUES (9223372036854775807), (1)")
        expectSQLError("22003", db, "SELECT sum(v) FROM t")
        try db.close()
    }

    @Test(.disabled("documented difference: integer arithmetic is 64-bit; the range is checked on assignment (docs/sql-conformance.md)"))
    func integerArithmeticOverflowIs22003() throws {
        let db = try SQLTest.open()
        expectSQLError("22003", db, "SELECT 2147483647::int + 1::int")
        expectSQLError("22003", db, "SELECT 32767::smallint + 1::smallint")
        try db.execute("CREATE TABLE t (i INT)")
        try db.execute("INSERT INTO t VALUES (2147483647)")
        expectSQLError("22003", db, "SELECT i * 2 FROM t")
        try db.close()
    }

    @Test func scalarSubqueryWithMoreThanOneRowIs21000() throws {
        let db = try Self.company()
        expectSQLError("21000", db, "SELECT (SELECT id FROM emp)")
        expectSQLError("21000", db, "SELECT name FROM dept WHERE id = (SELECT dept FROM emp WHERE dept IS NOT NULL)")
        // One row is fine.
        #expect(try db.scalar("SELECT (SELECT id FROM emp WHERE name = 'bob')") == "2")
        try db.close()
    }

    @Test func lazyRowsReportLateErrorsAndStopAfterThem() throws {
        let db = try Self.company()
        // Without ORDER BY the rows stream: the error may surface on query() or while reading.
        var rows: Rows?
        do {
            rows = try db.query("SELECT 10 / (3 - id) FROM emp")
            while try rows!.next() != nil {}
            Issue.record("division by zero went unnoticed")
        } catch let error as BasaltError {
            #expect(error.code.rawValue == "22012")
        }
        if let rows { #expect(try rows.next() == nil) }
        // The database stays usable.
        #expect(try db.count("emp") == 6)
        try db.close()
    }
}
