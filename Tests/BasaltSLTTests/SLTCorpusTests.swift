import Foundation
import Testing
@testable import BasaltSLT

/// Parses and runs every file of the shared sqllogictest corpus with an engine named "sqlite"
/// that fails every call, and checks the counts against numbers obtained independently
/// (grep/awk over the files): queries and statements per file, and the passed / failed /
/// skipped split that follows (only `statement error` records pass against such an engine).
@Suite("Real corpus parsing", .enabled(if: SLTCorpus.present, "the sqllogictest corpus is not at \(SLTCorpus.root)"))
struct SLTCorpusTests {
    static let root = SLTCorpus.root

    /// path: (query records, statement records, passed, failed, skipped)
    static let expected: [String: (queries: Int, statements: Int, passed: Int, failed: Int, skipped: Int)] = [
        "evidence/slt_lang_aggfunc.test": (67, 13, 2, 78, 0),
        "evidence/slt_lang_createtrigger.test": (0, 26, 1, 25, 0),
        "evidence/slt_lang_createview.test": (2, 23, 10, 13, 2),
        "evidence/slt_lang_dropindex.test": (0, 8, 2, 6, 0),
        "evidence/slt_lang_droptable.test": (0, 12, 3, 9, 0),
        "evidence/slt_lang_droptrigger.test": (0, 12, 3, 9, 0),
        "evidence/slt_lang_dropview.test": (2, 11, 2, 11, 0),
        "evidence/slt_lang_reindex.test": (0, 7, 1, 6, 0),
        "evidence/slt_lang_replace.test": (6, 8, 0, 14, 0),
        "evidence/slt_lang_update.test": (9, 18, 2, 25, 0),
        "index/between/1/slt_good_0.test": (10000, 22, 0, 10022, 0),
        "index/between/10/slt_good_1.test": (10000, 29, 0, 10029, 0),
        "index/between/10/slt_good_2.test": (10000, 32, 0, 10032, 0),
        "index/in/10/slt_good_3.test": (10005, 32, 0, 10037, 0),
        "random/aggregates/slt_good_0.test": (13910, 12, 0, 10012, 3910),
        "random/aggregates/slt_good_1.test": (14116, 12, 0, 10012, 4116),
        "random/aggregates/slt_good_2.test": (14038, 12, 0, 10012, 4038),
        "random/expr/slt_good_0.test": (15414, 12, 0, 10012, 5414),
        "random/expr/slt_good_1.test": (13871, 12, 0, 10012, 3871),
        "random/expr/slt_good_2.test": (14307, 12, 0, 10012, 4307),
        "random/groupby/slt_good_0.test": (10547, 12, 0, 10012, 547),
        "random/groupby/slt_good_1.test": (10706, 12, 0, 10012, 706),
        "random/groupby/slt_good_2.test": (10672, 12, 0, 10012, 672),
        "random/select/slt_good_0.test": (11072, 12, 0, 10012, 1072),
        "random/select/slt_good_1.test": (11307, 12, 0, 10012, 1307),
        "random/select/slt_good_2.test": (11372, 12, 0, 10012, 1372),
        "select1.test": (1000, 31, 0, 1031, 0),
        "select2.test": (1000, 31, 0, 1031, 0),
        "select3.test": (3320, 31, 0, 3351, 0),
        "select4.test": (2832, 1025, 0, 3857, 0),
        "select5.test": (732, 704, 0, 1436, 0),
    ]

    static func corpusFiles() -> [String] { SLTCorpus.files() }

    @Test func everyFileIsKnownAndParsesToTheExpectedRecords() throws {
        let files = SLTCorpusTests.corpusFiles()
        #expect(files.count == SLTCorpusTests.expected.count)
        for file in files {
            let want = try #require(SLTCorpusTests.expected[file], "unexpected corpus file \(file)")
            let data = try #require(FileManager.default.contents(atPath: "\(SLTCorpusTests.root)/\(file)"))
            var queries = 0, statements = 0
            for record in SLTScriptParser(bytes: [UInt8](data)) {
                switch record.kind {
                case .query(let q):
                    queries += 1
                    #expect(!q.sql.isEmpty && !q.sql.contains("\r"), "\(file):\(record.line)")
                    #expect(q.expected != nil, "\(file):\(record.line) has no ---- line")
                case .statement(let s):
                    statements += 1
                    #expect(!s.sql.isEmpty && !s.sql.contains("\r"), "\(file):\(record.line)")
                case .malformed(let why):
                    Issue.record("\(file):\(record.line): malformed: \(why)")
                case .unknown(let directive):
                    Issue.record("\(file):\(record.line): unknown directive \(directive)")
                case .halt, .hashThreshold:
                    break
                }
            }
            #expect(queries == want.queries, "\(file)")
            #expect(statements == want.statements, "\(file)")
        }
    }

    @Test func runningEveryFileWithAFailingEngineCountsEveryRecordOnce() throws {
        let clock = ContinuousClock()
        let start = clock.now
        var summary = SLTSummary()
        for file in SLTCorpusTests.corpusFiles() {
            let want = try #require(SLTCorpusTests.expected[file])
            let engine = FakeEngine(names: ["sqlite"])
            engine.failEverything = true
            let result = try SLTRunner(options: SLTOptions(maxMismatchesReported: 1))
                .run(file: "\(SLTCorpusTests.root)/\(file)", engine: engine)
            #expect(result.passed == want.passed, "\(file)")
            #expect(result.failed == want.failed, "\(file)")
            #expect(result.skipped == want.skipped, "\(file)")
            #expect(result.total == want.queries + want.statements, "\(file)")
            #expect(!result.halted, "\(file): no halt applies to sqlite")
            summary.add(result)
        }
        let elapsed = clock.now - start
        print("parsed and ran \(summary.files.count) corpus files (\(summary.passed + summary.failed + summary.skipped) records) in \(elapsed)")
    }

    @Test func select1HasOneThousandQueries() throws {
        // grep -c '^query' select1.test → 1000; grep -c '^statement' → 31
        let data = try #require(FileManager.default.contents(atPath: "\(SLTCorpusTests.root)/select1.test"))
        let records = Array(SLTScriptParser(bytes: [UInt8](data)))
        #expect(records.filter { if case .query = $0.kind { true } else { false } }.count == 1000)
        #expect(records.filter { if case .statement = $0.kind { true } else { false } }.count == 31)
    }

    @Test func haltsInTheEvidenceFilesApplyOnlyToTheirEngines() throws {
        let path = "\(SLTCorpusTests.root)/evidence/slt_lang_reindex.test"
        for (names, halts) in [(["sqlite"], false), (["mssql"], true), (["oracle"], true), (["mysql"], true)] {
            let engine = FakeEngine(names: names)
            let result = try SLTRunner().run(file: path, engine: engine)
            #expect(result.halted == halts, "\(names)")
        }
    }
}

/// Where the shared corpus lives.
enum SLTCorpus {
    static let root = "/work/shared/sqllogictest/test"
    static var present: Bool { FileManager.default.fileExists(atPath: root) }

    /// Every `.test` file under the corpus root, as paths relative to it.
    static func files() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".test") }.sorted()
    }
}
