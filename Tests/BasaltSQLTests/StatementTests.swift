import Testing
@testable import BasaltSQL

/// One or more checks per statement kind.
@Suite struct StatementTests {
    @Test func selectClauses() throws {
        guard case .select(let query) = try statement(
            "SELECT DISTINCT a, t.b AS x, c y, t.*, * FROM t1 AS t, t2 WHERE a > 1 GROUP BY a, 2 HAVING count(*) > 1 ORDER BY a DESC NULLS LAST, 2 LIMIT 10 OFFSET 5"),
              case .select(let core) = query.body else {
            Issue.record("not a select")
            return
        }
        #expect(core.distinct == .distinct)
        #expect(core.items.count == 5)
        #expect(core.items[1] == .expression(column("b", table: "t"), alias: "x"))
        #expect(core.items[2] == .expression(column("c"), alias: "y"))
        #expect(core.items[3] == .qualifiedWildcard(ObjectName(name: "t"), .unknown))
        #expect(core.from.count == 2)
        #expect(core.from[0].kind == .table(name: ObjectName(name: "t1"), alias: "t", columnAliases: []))
        #expect(core.groupBy.count == 2)
        #expect(core.having != nil)
        #expect(query.orderBy == [OrderItem(expression: column("a"), ascending: false, nullsFirst: false),
                                  OrderItem(expression: integer(2))])
        #expect(query.limit == integer(10))
        #expect(query.offset == integer(5))
    }

    @Test func limitForms() throws {
        guard case .select(let sqlite) = try statement("SELECT a FROM t LIMIT 5, 10") else { return }
        #expect(sqlite.offset == integer(5))
        #expect(sqlite.limit == integer(10))
        guard case .select(let fetch) = try statement("SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY") else { return }
        #expect(fetch.offset == integer(2))
        #expect(fetch.limit == integer(3))
        guard case .select(let all) = try statement("SELECT a FROM t LIMIT ALL OFFSET 1") else { return }
        #expect(all.limit == nil)
        #expect(all.offset == integer(1))
    }

    @Test func selectWithoutFromValuesAndTable() throws {
        #expect(try selectCore("SELECT 1")?.from.isEmpty == true)
        guard case .select(let values) = try statement("VALUES (1, 'a'), (2, 'b')"),
              case .values(let rows) = values.body else {
            Issue.record("VALUES")
            return
        }
        #expect(rows.count == 2)
        #expect(try statement("TABLE t") == statement("SELECT * FROM t"))
        #expect(syntaxError("VALUES (1, 2), (3)")?.message == "VALUES lists must all be the same length")
    }

    @Test func joins() throws {
        let core = try selectCore("""
            SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (x) CROSS JOIN d NATURAL JOIN e, (f RIGHT JOIN g ON TRUE) FULL JOIN h ON FALSE
            """)
        #expect(core?.from.count == 2)
        guard case .join(let left, _, .inner, .natural) = core?.from[0].kind,
              case .join(let left2, _, .cross, .none) = left.kind,
              case .join(_, _, .left, .using(["x"])) = left2.kind else {
            Issue.record("join shape: \(String(describing: core))")
            return
        }
        guard case .join(let parenthesized, _, .full, .on) = core?.from[1].kind,
              case .join(_, _, .right, .on) = parenthesized.kind else {
            Issue.record("parenthesized join")
            return
        }
    }

    @Test func derivedTablesAndSubqueries() throws {
        let core = try selectCore("SELECT * FROM (SELECT 1 AS a) AS s (x), ((SELECT 2)) q WHERE EXISTS (SELECT 1) AND a IN (SELECT 1) AND (SELECT 1) = 1 AND b IN ()")
        guard case .derived(_, "s", ["x"]) = core?.from[0].kind, case .derived(_, "q", []) = core?.from[1].kind else {
            Issue.record("derived tables")
            return
        }
        #expect(try printed("((SELECT 1) + 1)") == "(SELECT 1) + 1")
        #expect(try printed("x IN ((SELECT 1) UNION (SELECT 2))") == "x IN ((SELECT 1) UNION (SELECT 2))")
        #expect(try printed("((SELECT 1))") == "(SELECT 1)")
        #expect(try printed("(1, 2)") == "ROW(1, 2)")
    }

    @Test func withAndAsOf() throws {
        guard case .select(let query) = try statement("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r"),
              let with = query.with else {
            Issue.record("WITH")
            return
        }
        #expect(with.recursive)
        #expect(with.tables[0].columns == ["n"])
        let core = try selectCore("SELECT * FROM t AS OF SYSTEM TIME '-1h' WHERE a = 1")
        #expect(core?.asOf == Expression(.stringLiteral("-1h")))
        #expect(core?.from[0].kind == .table(name: ObjectName(name: "t"), alias: nil, columnAliases: []))
    }

    @Test func expressionsOfAllKinds() throws {
        let sql = """
            SELECT CAST(a AS varchar(30)), b::numeric(10,2), CASE a WHEN 1 THEN 'x' END, count(DISTINCT a), \
            min(ALL a), string_agg(s, ',' ORDER BY s) FILTER (WHERE s <> ''), coalesce(a, NULLIF(b, 0)), \
            CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP, DATE '2024-01-01', X'AB', 1.5, .5, 1e10, \
            99999999999999999999, TRUE, NULL, key, value, text, date, name, left('abc', 1), s.t.c, \
            greatest(1, 2), least(1, 2), a COLLATE "C", extract(year FROM d), ROW(1, 2)
            """
        let core = try #require(try selectCore(sql))
        #expect(core.items.count == 30)
        guard case .expression(let minAll, nil) = core.items[4], case .function(let call) = minAll.kind else {
            Issue.record("min(ALL a)")
            return
        }
        #expect(call == FunctionCall(name: ObjectName(name: "min"), arguments: [column("a")]))
        guard case .expression(let big, nil) = core.items[15] else { return }
        #expect(big.kind == .numericLiteral("99999999999999999999"))
        guard case .expression(let typeCast, nil) = core.items[1], case .cast(_, let type) = typeCast.kind else { return }
        #expect(type.name == "numeric" && type.modifiers == [10, 2])
    }

    @Test func typeNames() throws {
        func type(_ text: String) throws -> TypeName? {
            guard case .cast(_, let type) = try Parser.parseExpression("CAST(x AS \(text))").kind else { return nil }
            return type
        }
        #expect(try type("DOUBLE PRECISION")?.name == "double precision")
        #expect(try type("character varying(10)") == TypeName(name: "character varying", modifiers: [10]))
        #expect(try type("timestamp without time zone")?.name == "timestamp")
        #expect(try type("timestamp(3) with time zone") == TypeName(name: "timestamp with time zone", modifiers: [3]))
        #expect(try type("int[]")?.arrayDimensions == 1)
        #expect(try type("INTEGER")?.name == "integer")
        #expect(try type("widget")?.name == "widget")
    }

    @Test func insert() throws {
        guard case .insert(let insert) = try statement(
            "INSERT INTO t AS x (a, b) VALUES (1, DEFAULT), (2, 3) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b WHERE x.b < 5 RETURNING *") else {
            Issue.record("insert")
            return
        }
        #expect(insert.alias == "x")
        #expect(insert.columns == ["a", "b"])
        guard case .values(let rows) = insert.source else { return }
        #expect(rows[0][1].kind == .defaultValue)
        guard case .update(let assignments, let whereClause) = insert.onConflict?.action else { return }
        #expect(assignments == [Assignment(column: "b", value: column("b", table: "excluded"))])
        #expect(whereClause != nil)
        #expect(insert.returning == [.wildcard(.unknown)])

        guard case .insert(let replace) = try statement("REPLACE INTO t1 VALUES(2, 'replace')"),
              case .insert(let orReplace) = try statement("INSERT OR REPLACE INTO t1 VALUES(2, 'replace')"),
              case .insert(let ignore) = try statement("INSERT OR IGNORE INTO t1 SELECT * FROM t2"),
              case .insert(let defaults) = try statement("INSERT INTO t DEFAULT VALUES"),
              case .insert(let nothing) = try statement("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING") else { return }
        #expect(replace == orReplace)
        #expect(replace.orAction == .replace)
        #expect(ignore.orAction == .ignore)
        guard case .select = ignore.source else { Issue.record("INSERT … SELECT"); return }
        #expect(defaults.source == .defaultValues)
        #expect(nothing.onConflict == OnConflictClause(action: .nothing))
    }

    @Test func updateAndDelete() throws {
        guard case .update(let update) = try statement("UPDATE t1 AS u SET x = x + 1, (y, z) = (1, DEFAULT) FROM t2 WHERE u.a = t2.a RETURNING x") else {
            Issue.record("update")
            return
        }
        #expect(update.alias == "u")
        #expect(update.assignments.map(\.column) == ["x", "y", "z"])
        #expect(update.assignments[2].value.kind == .defaultValue)
        #expect(update.from.count == 1)
        guard case .update(let bare) = try statement("UPDATE t1 SET x=1") else { return }
        #expect(bare.alias == nil)
        guard case .delete(let delete) = try statement("DELETE FROM t1 d USING t2 WHERE d.a = t2.a RETURNING d.a") else {
            Issue.record("delete")
            return
        }
        #expect(delete.alias == "d")
        #expect(delete.using.count == 1)
        #expect(delete.returning?.count == 1)
    }

    @Test func createTable() throws {
        guard case .createTable(let create) = try statement("""
            CREATE TEMP TABLE IF NOT EXISTS s.t (
              id INTEGER PRIMARY KEY DESC AUTOINCREMENT,
              name VARCHAR(30) NOT NULL DEFAULT 'x' UNIQUE,
              price NUMERIC(10, 2) CONSTRAINT positive CHECK (price > 0) NULL,
              owner INT REFERENCES users (id) ON DELETE CASCADE ON UPDATE SET NULL,
              n INT DEFAULT -1 NOT NULL,
              CONSTRAINT pk PRIMARY KEY (id, name),
              UNIQUE (name),
              CHECK (price < 100),
              FOREIGN KEY (owner) REFERENCES users (id) ON DELETE NO ACTION
            )
            """) else {
            Issue.record("create table")
            return
        }
        #expect(create.name == ObjectName(schema: "s", name: "t"))
        #expect(create.temporary && create.ifNotExists)
        #expect(create.columns.map(\.name) == ["id", "name", "price", "owner", "n"])
        #expect(create.columns[0].constraints[0].kind == .primaryKey(ascending: false, autoincrement: true))
        #expect(create.columns[1].constraints.map(\.kind) == [.notNull, .defaultValue(Expression(.stringLiteral("x"))), .unique])
        #expect(create.columns[2].constraints[0].name == "positive")
        #expect(create.columns[3].constraints[0].kind == .references(ForeignKeyReference(
            table: ObjectName(name: "users"), columns: ["id"], onDelete: .cascade, onUpdate: .setNull)))
        #expect(create.columns[4].constraints.count == 2)
        #expect(create.constraints.count == 4)
        #expect(create.constraints[0] == TableConstraint(name: "pk", kind: .primaryKey(["id", "name"])))
        guard case .createTable(let asQuery) = try statement("CREATE TABLE t2 AS SELECT * FROM t") else { return }
        #expect(asQuery.asQuery != nil)
    }

    @Test func dropStatements() throws {
        #expect(try statement("DROP TABLE IF EXISTS a, b CASCADE") == .dropTable(DropStatement(
            names: [ObjectName(name: "a"), ObjectName(name: "b")], ifExists: true, behavior: .cascade)))
        #expect(try statement("DROP INDEX t1i1;") == .dropIndex(DropStatement(names: [ObjectName(name: "t1i1")])))
        #expect(try statement("DROP VIEW IF EXISTS v") == .dropView(DropStatement(names: [ObjectName(name: "v")], ifExists: true)))
        #expect(try statement("DROP TRIGGER t1r1") == .dropTrigger(DropStatement(names: [ObjectName(name: "t1r1")])))
    }

    @Test func createIndexAndView() throws {
        guard case .createIndex(let index) = try statement(
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON t USING btree (a DESC NULLS FIRST, lower(b)) WHERE a > 0") else {
            Issue.record("index")
            return
        }
        #expect(index.unique && index.ifNotExists && index.name == "i" && index.method == "btree")
        #expect(index.columns[0] == OrderItem(expression: column("a"), ascending: false, nullsFirst: true))
        #expect(index.whereClause != nil)
        guard case .createIndex(let unnamed) = try statement("CREATE INDEX ON t (a)") else { return }
        #expect(unnamed.name == nil)
        guard case .createView(let view) = try statement("CREATE TEMPORARY VIEW IF NOT EXISTS v (x) AS SELECT a FROM t") else { return }
        #expect(view.temporary && view.ifNotExists && view.columns == ["x"])
        guard case .createView(let replaced) = try statement("CREATE OR REPLACE VIEW v AS SELECT 1") else { return }
        #expect(replaced.orReplace)
    }

    @Test func alterTable() throws {
        guard case .alterTable(let alter) = try statement(
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT NOT NULL, DROP COLUMN IF EXISTS d CASCADE, ADD CONSTRAINT u UNIQUE (c)") else {
            Issue.record("alter")
            return
        }
        #expect(alter.actions.count == 3)
        #expect(try statement("ALTER TABLE t RENAME COLUMN a TO b") == .alterTable(AlterTableStatement(
            table: ObjectName(name: "t"), actions: [.renameColumn(from: "a", to: "b")])))
        #expect(try statement("ALTER TABLE t RENAME TO u") == .alterTable(AlterTableStatement(
            table: ObjectName(name: "t"), actions: [.renameTable(to: "u")])))
    }

    @Test func transactionsAndSession() throws {
        #expect(try statement("BEGIN") == .begin(TransactionModes()))
        #expect(try statement("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                == .begin(TransactionModes(isolation: .repeatableRead, readOnly: true)))
        #expect(try statement("START TRANSACTION READ WRITE") == .begin(TransactionModes(readOnly: false)))
        #expect(try statement("COMMIT WORK") == .commit)
        #expect(try statement("END") == .commit)
        #expect(try statement("ROLLBACK") == .rollback)
        #expect(try statement("SAVEPOINT s1") == .savepoint("s1"))
        #expect(try statement("RELEASE SAVEPOINT s1") == .releaseSavepoint("s1"))
        #expect(try statement("ROLLBACK TO s1") == .rollbackToSavepoint("s1"))
        #expect(try statement("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                == .setTransaction(TransactionModes(isolation: .serializable), session: false))
        #expect(try statement("SET search_path TO public, 'x'") == .set(SetStatement(
            name: "search_path", values: [Expression(.stringLiteral("public")), Expression(.stringLiteral("x"))])))
        #expect(try statement("SET LOCAL basalt.retention = 10") == .set(SetStatement(
            name: "basalt.retention", isLocal: true, values: [integer(10)])))
        #expect(try statement("SET x = DEFAULT") == .set(SetStatement(name: "x", values: nil)))
        #expect(try statement("SHOW ALL") == .show("all"))
        #expect(try statement("SHOW TRANSACTION ISOLATION LEVEL") == .show("transaction_isolation"))
        #expect(try statement("RESET x") == .reset("x"))
    }

    @Test func explainAndReindex() throws {
        guard case .explain(let explain) = try statement("EXPLAIN ANALYZE SELECT 1") else {
            Issue.record("explain")
            return
        }
        #expect(explain.analyze)
        guard case .explain(let options) = try statement("EXPLAIN (ANALYZE, VERBOSE true) SELECT 1") else { return }
        #expect(options.analyze && options.verbose)
        guard case .explain(let queryPlan) = try statement("EXPLAIN QUERY PLAN SELECT 1") else { return }
        #expect(!queryPlan.analyze)
        #expect(try statement("REINDEX t1i1") == .reindex(ObjectName(name: "t1i1")))
        #expect(try statement("REINDEX") == .reindex(nil))
    }

    @Test func triggers() throws {
        guard case .createTrigger(let trigger) = try statement(
            "CREATE TRIGGER t1r1 AFTER UPDATE OF x, y ON t1 FOR EACH ROW WHEN new.x > 0 BEGIN SELECT 1; DELETE FROM t2; END;") else {
            Issue.record("trigger")
            return
        }
        #expect(trigger.timing == .after)
        #expect(trigger.event == .update(columns: ["x", "y"]))
        #expect(trigger.body.count == 2)
        #expect(trigger.forEachRow)
    }

    @Test func scripts() throws {
        let script = try Parser.parseScript("SELECT 1; ;; SELECT $2 ; INSERT INTO t VALUES (?, ?)")
        #expect(script.count == 3)
        #expect(script[1].parameterCount == 2)
        #expect(script[2].parameterCount == 2)
        #expect(script[0].sourceRange == 0..<8)
        #expect(try Parser.parse("") == [])
        #expect(try Parser.parse(" ; -- nothing\n ;") == [])
    }

    @Test func nonReservedKeywordsAsNames() throws {
        let core = try selectCore("SELECT key, value, name, text, date, \"select\" FROM key AS value WHERE name = 1")
        #expect(core?.items.count == 6)
        #expect(core?.items[5] == .expression(column("select"), alias: nil))
    }
}
