import Foundation
import Testing
@testable import BasaltSLT

@Suite("Runner")
struct SLTRunnerTests {
    let runner = SLTRunner()

    func run(_ script: String, _ engine: FakeEngine, options: SLTOptions = SLTOptions()) -> SLTFileResult {
        SLTRunner(options: options).run(script: script, name: "t.test", engine: engine)
    }

    @Test func statementOkAndStatementError() {
        let engine = FakeEngine()
        engine.failing = ["CREATE TABLE bad(", "DROP TABLE t9"]
        let result = run("""
            statement ok
            CREATE TABLE t1(a)

            statement ok
            CREATE TABLE bad(

            statement error
            DROP TABLE t9

            statement error no such table
            CREATE TABLE t2(a)

            statement ok
            CREATE TABLE t3(a)
            """, engine)
        #expect(result.passed == 3)
        #expect(result.failed == 2)
        #expect(result.skipped == 0)
        #expect(result.mismatches.map(\.kind) == [.statementFailed, .statementSucceeded])
        #expect(result.mismatches.map(\.line) == [4, 10])
        #expect(result.mismatches[0].actual == "error: cannot run: CREATE TABLE bad(")
        #expect(result.mismatches[1].expected == "error no such table")
        #expect(engine.executed.last == "CREATE TABLE t3(a)", "execution continues after a failure")
    }

    @Test func multiLineSQLReachesTheEngineAsOneStringWithoutComments() {
        let engine = FakeEngine()
        _ = run("""
            statement ok
            CREATE TRIGGER r1 AFTER INSERT ON t1 BEGIN
            # a comment
              INSERT INTO t2 VALUES(1); DELETE FROM t3;
            END;
            """, engine)
        #expect(engine.executed == ["CREATE TRIGGER r1 AFTER INSERT ON t1 BEGIN\n  INSERT INTO t2 VALUES(1); DELETE FROM t3;\nEND;"])
    }

    @Test func queryWithoutDashesOnlyHasToRun() {
        let engine = FakeEngine()
        engine.queries["SELECT 1"] = [[i(1)], [i(2)]]
        let result = run("query I nosort\nSELECT 1\n\nquery I nosort\nSELECT missing\n", engine)
        #expect(result.passed == 1)
        #expect(result.failed == 1)
        #expect(result.mismatches.first?.kind == .queryError)
        #expect(result.mismatches.first?.actual.hasPrefix("error: ") == true)
    }

    @Test func valuesArePrintedByTypeLetterOnePerLine() {
        let engine = FakeEngine()
        engine.queries["SELECT *"] = [[i(1), r(2.5), t("x y"), .null], [.null, i(3), t(""), r(0.5)]]
        let result = run("""
            query IRTI nosort
            SELECT *
            ----
            1
            2.500
            x y
            NULL
            NULL
            3.000
            (empty)
            0
            """, engine)
        #expect(result.passed == 1, "\(result.mismatches)")
    }

    @Test func sortModesUseByteOrder() {
        let engine = FakeEngine()
        engine.queries["SELECT a, b"] = [[i(9), t("b")], [i(10), t("z")], [i(9), t("a")], [.null, t("B")]]
        let result = run("""
            query IT nosort
            SELECT a, b
            ----
            9
            b
            10
            z
            9
            a
            NULL
            B

            query IT rowsort
            SELECT a, b
            ----
            10
            z
            9
            a
            9
            b
            NULL
            B

            query IT valuesort
            SELECT a, b
            ----
            10
            9
            9
            B
            NULL
            a
            b
            z
            """, engine)
        #expect(result.passed == 3, "\(result.mismatches)")
    }

    @Test func resultsAboveTheThresholdAreComparedByHash() {
        let engine = FakeEngine()
        engine.queries["SELECT x"] = (1...10).reversed().map { [i(Int64($0))] }
        let sorted = (1...10).map(String.init).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let result = run("""
            hash-threshold 8

            query I rowsort
            SELECT x
            ----
            \(hashLine(sorted))

            query I nosort
            SELECT x
            ----
            \(hashLine(sorted))
            """, engine)
        #expect(result.passed == 1)
        #expect(result.failed == 1)
        let mismatch = result.mismatches[0]
        #expect(mismatch.kind == .wrongResult)
        #expect(mismatch.expected == hashLine(sorted))
        #expect(mismatch.actual == hashLine((1...10).reversed().map(String.init)), "the actual side is a hash line too")
    }

    @Test func knownHashOfASmallResult() {
        // MD5("1\n2\n3\n") computed independently.
        let engine = FakeEngine()
        engine.queries["SELECT x"] = [[i(3)], [i(1)], [i(2)]]
        let result = run("query I rowsort\nSELECT x\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n", engine)
        #expect(result.passed == 1, "\(result.mismatches)")
    }

    @Test func explicitValuesAboveTheThresholdAreComparedDirectly() {
        let engine = FakeEngine()
        engine.queries["SELECT x"] = (1...10).map { [i(Int64($0))] }
        let values = (1...10).map(String.init).joined(separator: "\n")
        let result = run("hash-threshold 8\n\nquery I nosort\nSELECT x\n----\n\(values)\n", engine)
        #expect(result.passed == 1, "\(result.mismatches)")
    }

    @Test func hashThresholdZeroStillAcceptsAHashLine() {
        let engine = FakeEngine()
        engine.queries["SELECT x"] = [[i(1)], [i(2)]]
        let result = run("hash-threshold 0\n\nquery I nosort\nSELECT x\n----\n\(hashLine(["1", "2"]))\n", engine)
        #expect(result.passed == 1)
    }

    @Test func wrongResultReportsExpectedAndActualLines() {
        let engine = FakeEngine()
        engine.queries["SELECT x"] = [[i(1)], [i(3)]]
        let result = run("query I nosort\nSELECT x\n----\n1\n2\n", engine)
        #expect(result.failed == 1)
        let mismatch = result.mismatches[0]
        #expect(mismatch.kind == .wrongResult)
        #expect(mismatch.line == 1)
        #expect(mismatch.sql == "SELECT x")
        #expect(mismatch.expected == "1\n2")
        #expect(mismatch.actual == "1\n3")
        #expect(mismatch.description.contains("t.test:1: wrong result"))
    }

    @Test func missingOrExtraValuesFail() {
        let engine = FakeEngine()
        engine.queries["SELECT x"] = [[i(1)], [i(2)]]
        let result = run("query I nosort\nSELECT x\n----\n1\n\nquery I nosort\nSELECT x\n----\n1\n2\n3\n\nquery I nosort\nSELECT x\n----\n", engine)
        #expect(result.failed == 3)
        #expect(result.mismatches[0].detail == "expected 1 values, got 2")
    }

    @Test func emptyResults() {
        let engine = FakeEngine()
        engine.queries["SELECT none"] = []
        let result = run("query IT rowsort\nSELECT none\n----\n\nquery IT rowsort\nSELECT none\n", engine)
        #expect(result.passed == 2)
    }

    @Test func labelsMustAgree() {
        let engine = FakeEngine()
        engine.queries["SELECT a"] = [[i(1)], [i(2)]]
        engine.queries["SELECT b"] = [[i(2)], [i(1)]]
        engine.queries["SELECT c"] = [[i(7)]]
        let result = run("""
            query I rowsort label-1
            SELECT a
            ----
            1
            2

            query I rowsort label-1
            SELECT b
            ----
            1
            2

            query I rowsort label-1
            SELECT c

            query I rowsort label-2
            SELECT c
            ----
            7

            skipif sqlite
            query I rowsort label-2
            SELECT a
            """, engine)
        #expect(result.passed == 3)
        #expect(result.failed == 1)
        #expect(result.skipped == 1)
        let mismatch = result.mismatches[0]
        #expect(mismatch.kind == .labelMismatch)
        #expect(mismatch.line == 13)
        #expect(mismatch.expected == hashLine(["1", "2"]))
        #expect(mismatch.actual == hashLine(["7"]))
        #expect(mismatch.detail.contains("line 1"))
    }

    @Test func labelsBelongToOneFile() {
        let runner = SLTRunner()
        let engine = FakeEngine()
        engine.queries["SELECT a"] = [[i(1)]]
        engine.queries["SELECT b"] = [[i(2)]]
        #expect(runner.run(script: "query I nosort label-x\nSELECT a\n", name: "a", engine: engine).passed == 1)
        #expect(runner.run(script: "query I nosort label-x\nSELECT b\n", name: "b", engine: engine).passed == 1)
    }

    @Test func haltStopsTheFileAndLaterRecordsAreNotCounted() {
        let engine = FakeEngine()
        let result = run("statement ok\nSELECT 1\n\nhalt\n\nstatement ok\nSELECT 2\n\nquery I nosort\nSELECT 3\n", engine)
        #expect(result.passed == 1)
        #expect(result.total == 1)
        #expect(result.halted)
        #expect(result.haltLine == 4)
        #expect(engine.executed == ["SELECT 1"])
    }

    @Test func conditionalHalt() {
        let engine = FakeEngine(names: ["sqlite", "basalt"])
        let notForUs = run("onlyif mssql\nhalt\n\nskipif sqlite\nhalt\n\nstatement ok\nSELECT 1\n", engine)
        #expect(!notForUs.halted)
        #expect(notForUs.passed == 1)
        #expect(notForUs.skipped == 0, "control records are not counted")

        let forUs = run("skipif mssql\nhalt\n\nstatement ok\nSELECT 1\n", engine)
        #expect(forUs.halted)
        #expect(forUs.total == 0)

        let onlyBasalt = run("onlyif BASALT # we answer to this name too\nhalt\n\nstatement ok\nSELECT 1\n", engine)
        #expect(onlyBasalt.halted)
    }

    @Test func skipifAndOnlyif() {
        let engine = FakeEngine(names: ["sqlite", "basalt"])
        engine.queries["SELECT 1"] = [[i(1)]]
        let result = run("""
            skipif mysql # not compatible
            query I nosort
            SELECT 1
            ----
            1

            onlyif mysql # aggregate syntax:
            query I nosort
            SELECT 1 DIV 1
            ----
            1

            skipif SQLite
            statement ok
            SELECT 2

            skipif mysql
            onlyif Basalt
            skipif postgresql
            statement ok
            SELECT 3

            skipif mysql
            skipif basalt
            statement ok
            SELECT 4
            """, engine)
        #expect(result.passed == 2)
        #expect(result.skipped == 3)
        #expect(result.failed == 0)
        #expect(engine.executed == ["SELECT 3"])
        #expect(engine.queried == ["SELECT 1"])
    }

    @Test func unknownDirectivesAreSkippedAndCounted() {
        let engine = FakeEngine()
        let result = run("control resultmode valuewise\nSELECT nothing\n\nstatement ok\nSELECT 1\n", engine)
        #expect(result.skipped == 1)
        #expect(result.passed == 1)
        #expect(engine.executed == ["SELECT 1"])
    }

    @Test func malformedRecordsFail() {
        let engine = FakeEngine()
        let result = run("statement maybe\nSELECT 1\n\nquery\nSELECT 1\n", engine)
        #expect(result.failed == 2)
        #expect(result.mismatches.allSatisfy { $0.kind == .malformedRecord })
        #expect(engine.executed.isEmpty && engine.queried.isEmpty)
    }

    @Test func crlfAndMixedFilesRunLikeLFFiles() {
        let lf = "hash-threshold 8\n\nstatement ok\nCREATE TABLE t(x)\n\nquery I rowsort\nSELECT x\n----\n1\n2\n\nstatement error\nBAD\n"
        let mixed = lf.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset % 3 == 0 ? $0.element + "\r" : String($0.element) }.joined(separator: "\n")
        for script in [lf, lf.replacingOccurrences(of: "\n", with: "\r\n"), mixed] {
            let engine = FakeEngine()
            engine.failing = ["BAD"]
            engine.queries["SELECT x"] = [[i(2)], [i(1)]]
            let result = run(script, engine)
            #expect(result.passed == 3, "\(result.mismatches)")
            #expect(engine.executed == ["CREATE TABLE t(x)", "BAD"])
        }
    }

    @Test func columnCountMismatchIsAFailureWithAClearMessage() {
        let engine = FakeEngine()
        engine.queries["SELECT a, b, c"] = [[i(1), i(2), i(3)]]
        let result = run("query II nosort\nSELECT a, b, c\n----\n1\n2\n", engine)
        #expect(result.failed == 1)
        let mismatch = result.mismatches[0]
        #expect(mismatch.kind == .wrongColumnCount)
        #expect(mismatch.detail == "expected 2 columns (type string \"II\") but the query returned 3")
        #expect(mismatch.actual == "1\n2\n3")
    }

    @Test func columnCountMismatchIsToleratedWhenTheValuesMatch() {
        let engine = FakeEngine()
        engine.queries["SELECT a, b"] = [[i(1), t("x")], [i(2), t("y")]]
        let result = run("query I nosort\nSELECT a, b\n----\n1\nx\n2\ny\n", engine)
        #expect(result.passed == 1, "\(result.mismatches)")
    }

    @Test func raggedRowsFail() {
        let engine = FakeEngine()
        engine.queries["SELECT ragged"] = [[i(1), i(2)], [i(3)]]
        let result = run("query II nosort\nSELECT ragged\n----\n1\n2\n3\n", engine)
        #expect(result.mismatches.first?.kind == .wrongColumnCount)
    }

    @Test func olderOneRowPerLineExpectedForm() {
        let engine = FakeEngine()
        engine.queries["SELECT a, b, c"] = [[i(3), i(4), t("x")], [i(1), i(2), .null]]
        let result = run("""
            query IIT rowsort
            SELECT a, b, c
            ----
            1 2 NULL
            3 4 x

            query IIT nosort
            SELECT a, b, c
            ----
            1 2 NULL
            3 4 x
            """, engine)
        #expect(result.passed == 1)
        #expect(result.failed == 1)
    }

    @Test func everyRecordIsCountedOnce() {
        let engine = FakeEngine()
        engine.queries["SELECT ok"] = [[i(1)]]
        engine.failing = ["FAIL"]
        let result = run("""
            statement ok
            CREATE

            statement ok
            FAIL

            skipif sqlite
            statement ok
            X

            query I nosort
            SELECT ok
            ----
            1

            query I nosort
            SELECT ok
            ----
            2

            onlyif mysql
            query I nosort
            SELECT ok

            mystery directive

            hash-threshold 8
            """, engine)
        #expect(result.passed == 2)
        #expect(result.failed == 2)
        #expect(result.skipped == 3)
        #expect(result.total == 7)
    }

    @Test func stopAtFirstFailure() {
        let engine = FakeEngine()
        engine.failing = ["A"]
        let result = run("statement ok\nA\n\nstatement ok\nB\n", engine, options: SLTOptions(stopAtFirstFailure: true))
        #expect(result.failed == 1)
        #expect(result.passed == 0)
        #expect(result.stoppedEarly)
        #expect(engine.executed == ["A"])
    }

    @Test func maxMismatchesReportedCapsTheDetailsNotTheCount() {
        let engine = FakeEngine()
        engine.failEverything = true
        let script = (1...10).map { "statement ok\nS\($0)\n" }.joined(separator: "\n")
        let result = run(script, engine, options: SLTOptions(maxMismatchesReported: 3))
        #expect(result.failed == 10)
        #expect(result.mismatches.count == 3)
    }

    @Test func verboseWritesFailuresToTheLog() {
        let sink = LogSink()
        let engine = FakeEngine()
        engine.failing = ["A"]
        _ = run("statement ok\nA\n\nstatement ok\nB\n\nhalt\n", engine,
                options: SLTOptions(verbose: true, log: { sink.append($0) }))
        #expect(sink.lines.count == 2)
        #expect(sink.lines[0].hasPrefix("t.test:1: statement expected ok but failed"))
        #expect(sink.lines[1] == "t.test:7: halt")
    }

    @Test func recordTimeout() {
        let engine = FakeEngine()
        engine.delay = 0.05
        let result = run("statement ok\nSLOW\n", engine, options: SLTOptions(recordTimeout: 0.001))
        #expect(result.failed == 1)
        #expect(result.mismatches.first?.kind == .timeout)
        #expect(result.mismatches.first?.path == "t.test")
    }

    @Test func missingFileThrows() {
        #expect(throws: SLTError.cannotReadFile("/nonexistent/x.test")) {
            try SLTRunner().run(file: "/nonexistent/x.test", engine: FakeEngine())
        }
    }

    @Test func runFileReadsFromDisk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slt-\(UUID().uuidString).test").path
        try "statement ok\r\nCREATE TABLE t(x)\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let engine = FakeEngine()
        let result = try SLTRunner().run(file: path, engine: engine)
        #expect(result.passed == 1)
        #expect(result.path == path)
        #expect(engine.executed == ["CREATE TABLE t(x)"])
    }
}
