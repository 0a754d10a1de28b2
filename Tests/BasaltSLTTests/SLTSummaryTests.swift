import Testing
@testable import BasaltSLT

@Suite("Summary report")
struct SLTSummaryTests {
    @Test func reportListsFilesTotalsAndFirstMismatches() {
        let mismatch = SLTMismatch(
            path: "a.test", line: 12, sql: "SELECT x\nFROM t", expected: "1\n2", actual: "1\n3",
            kind: .wrongResult)
        var summary = SLTSummary()
        summary.add(SLTFileResult(path: "a.test", passed: 10, failed: 1, skipped: 2, mismatches: [mismatch], seconds: 0.5))
        summary.add(SLTFileResult(path: "b.test", passed: 3, failed: 0, skipped: 0, halted: true, haltLine: 7, seconds: 0.25))
        #expect(summary.passed == 13)
        #expect(summary.failed == 1)
        #expect(summary.skipped == 2)
        #expect(summary.haltedFiles == 1)
        #expect(!summary.allPassed)
        #expect(summary.fileLines == [
            "a.test: 10 passed, 1 failed, 2 skipped",
            "b.test: 3 passed, 0 failed, 0 skipped, halted at line 7",
        ])
        #expect(summary.totalLine == "total: 13 passed, 1 failed, 2 skipped in 2 files (1 halted), 0.75 s")
        let report = summary.report()
        #expect(report == """
            a.test: 10 passed, 1 failed, 2 skipped
            b.test: 3 passed, 0 failed, 0 skipped, halted at line 7
            total: 13 passed, 1 failed, 2 skipped in 2 files (1 halted), 0.75 s

            first 1 mismatch of 1 failure:
            a.test:12: wrong result
              sql:
                SELECT x
                FROM t
              expected:
                1
                2
              actual:
                1
                3

            """)
    }

    @Test func reportWithoutFailuresHasNoMismatchSection() {
        let summary = SLTSummary(files: [SLTFileResult(path: "x.test", passed: 1)])
        #expect(summary.allPassed)
        #expect(summary.report() == "x.test: 1 passed, 0 failed, 0 skipped\ntotal: 1 passed, 0 failed, 0 skipped in 1 file, 0.00 s\n")
    }

    @Test func mismatchDescriptionIncludesTheDetail() {
        let mismatch = SLTMismatch(
            path: "p", line: 3, sql: "SELECT 1", expected: "", actual: "error: boom", kind: .queryError,
            detail: "engine said no")
        #expect(mismatch.description.hasPrefix("p:3: query error (engine said no)\n"))
        #expect(mismatch.description.contains("    (nothing)"))
    }
}
