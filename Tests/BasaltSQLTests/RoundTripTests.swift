import Testing
@testable import BasaltSQL

/// Printing a statement and parsing the text gives back an equal AST.
@Suite struct RoundTripTests {
    static let statements = [
        "SELECT 1",
        "SELECT ALL - 14 + 42 * 46 * + 6 + - - 1 - - 22 AS col1",
        "SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC NULLS FIRST LIMIT 3 OFFSET 1",
        "SELECT a AS \"Select\", \"weird \"\" name\" FROM \"T\" WHERE \"T\".a = 'it''s'",
        "SELECT * FROM a NATURAL LEFT JOIN b, c CROSS JOIN (d JOIN e ON d.x = e.x) FULL JOIN f USING (x)",
        "SELECT * FROM (SELECT 1) AS s (a), generate_series(1, 3) AS g (n)",
        "SELECT count(*), count(DISTINCT a), sum(b) FILTER (WHERE b > 0), string_agg(c, ',' ORDER BY c DESC) FROM t GROUP BY d HAVING count(*) > 1",
        "SELECT CASE WHEN a IS NULL THEN 0 WHEN a BETWEEN SYMMETRIC 1 AND 2 THEN 1 ELSE - a END FROM t",
        "SELECT a NOT IN (1, 2), b IN (), c IN (SELECT 1), NOT EXISTS (SELECT 1), d = ALL (SELECT 2)",
        "SELECT x::int, CAST(y AS double precision), DATE '2024-01-01', z::varchar(10)[]",
        "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL (SELECT 4 ORDER BY 1 LIMIT 1)",
        "(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1",
        "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
        "SELECT * FROM t AS OF SYSTEM TIME '-10s'",
        "SELECT current_date, current_timestamp, localtimestamp, current_timestamp(3)",
        "SELECT a || b, a & b | ~ c, a << 2 >> 1, 2 ^ 3, -(2 ^ 3), (NOT a) = b",
        "SELECT a LIKE b ESCAPE c, a NOT ILIKE 'x', a IS DISTINCT FROM b, a IS NOT UNKNOWN",
        "SELECT X'00FF', 1.5, .5, 1e10, 99999999999999999999, TRUE, FALSE, NULL, $1",
        "SELECT key, value, name FROM key",
        "SELECT ROW(1, 2), (1, 2) = (3, 4), a COLLATE \"C\"",
        "VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO t (a, b) VALUES (1, DEFAULT) ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE t.b IS NULL RETURNING a, b AS bb",
        "INSERT OR IGNORE INTO t SELECT * FROM u",
        "REPLACE INTO t VALUES (1)",
        "INSERT INTO t DEFAULT VALUES",
        "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING",
        "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c",
        "UPDATE t AS x SET a = a + 1, b = DEFAULT FROM u WHERE x.id = u.id RETURNING *",
        "DELETE FROM t USING u WHERE t.id = u.id RETURNING t.*",
        "CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY AUTOINCREMENT, name text NOT NULL DEFAULT 'x' UNIQUE, p numeric(10, 2) CHECK (p > 0), o int REFERENCES u (id) ON DELETE SET DEFAULT, d int DEFAULT (1 + 2), CONSTRAINT k UNIQUE (name), FOREIGN KEY (o) REFERENCES u (id) ON UPDATE RESTRICT)",
        "CREATE TEMPORARY TABLE t AS SELECT 1 AS a",
        "CREATE UNIQUE INDEX IF NOT EXISTS i ON t USING btree (a DESC, lower(b) NULLS LAST) WHERE a > 0",
        "CREATE INDEX ON t (a)",
        "CREATE OR REPLACE VIEW v (a) AS SELECT 1",
        "DROP TABLE IF EXISTS a, b CASCADE",
        "DROP INDEX i",
        "DROP VIEW v",
        "DROP TRIGGER tr",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int, DROP COLUMN d RESTRICT",
        "ALTER TABLE t RENAME COLUMN a TO b",
        "ALTER TABLE t RENAME TO u",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW WHEN new.a > 0 BEGIN SELECT 1; UPDATE u SET a = 1; END",
        "BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY",
        "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE SAVEPOINT s", "ROLLBACK TO SAVEPOINT s",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SET LOCAL search_path = 'public', 'x'", "SET x = DEFAULT", "SET TIME ZONE 'UTC'", "SET n = -5",
        "SHOW ALL", "SHOW x", "RESET ALL",
        "EXPLAIN ANALYZE VERBOSE SELECT 1",
        "REINDEX", "REINDEX t1i1",
    ]

    @Test(arguments: statements)
    func roundTrip(sql: String) throws {
        let parsed = try statement(sql)
        let printed = parsed.description
        let reparsed = try statement(printed)
        #expect(reparsed == parsed, "printed: \(printed)")
        // Printing is a fixed point after one round.
        #expect(reparsed.description == printed)
    }

    @Test func printedForms() throws {
        #expect(try statement("select a from t where b=1").description == "SELECT a FROM t WHERE b = 1")
        #expect(try statement("SELECT a FROM t LIMIT 1, 2").description == "SELECT a FROM t LIMIT 2 OFFSET 1")
        #expect(try statement("REPLACE INTO t VALUES(1)").description == "INSERT OR REPLACE INTO t VALUES (1)")
        #expect(try statement("SELECT ?").description == "SELECT $1")
        #expect(try statement("SELECT \"from\", \"Mixed\" AS \"end\"").description == "SELECT \"from\", \"Mixed\" AS \"end\"")
    }
}
