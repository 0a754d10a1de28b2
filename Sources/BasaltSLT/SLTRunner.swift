import Foundation

/// Runs sqllogictest scripts against an ``SLTEngine`` and counts what passes.
///
/// Give each file a fresh engine (an empty database): labels, the hash threshold and the
/// database state all belong to one file.
public struct SLTRunner: Sendable {
    /// How the runner behaves.
    public var options: SLTOptions

    /// Creates a runner.
    public init(options: SLTOptions = SLTOptions()) {
        self.options = options
    }

    /// Runs a test file. Throws ``SLTError/cannotReadFile(_:)`` if the file cannot be read;
    /// engine errors never throw, they are counted in the result.
    public func run(file path: String, engine: SLTEngine) throws -> SLTFileResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SLTError.cannotReadFile(path)
        }
        return run(bytes: [UInt8](data), name: path, engine: engine)
    }

    /// Runs a script held in a string; `name` stands for the path in the result and reports.
    public func run(script: String, name: String, engine: SLTEngine) -> SLTFileResult {
        run(bytes: Array(script.utf8), name: name, engine: engine)
    }

    /// Runs a script given as bytes; `name` stands for the path in the result and reports.
    public func run(bytes: [UInt8], name: String, engine: SLTEngine) -> SLTFileResult {
        let clock = ContinuousClock()
        let start = clock.now
        var state = FileState(path: name, hashThreshold: options.hashThreshold)
        let engineNames = engine.names
        var parser = SLTScriptParser(bytes: bytes)

        records: while let record = parser.next() {
            let runs = SLTCondition.allRun(record.conditions, engineNames: engineNames)
            let outcome: Outcome
            switch record.kind {
            case .halt:
                if runs {
                    state.result.halted = true
                    state.result.haltLine = record.line
                    if options.verbose { log("\(name):\(record.line): halt") }
                    break records
                }
                continue
            case .hashThreshold(let value):
                if runs { state.hashThreshold = value }
                continue
            case .unknown:
                outcome = .skipped
            case .malformed(let reason):
                outcome = .failed(SLTMismatch(
                    path: name, line: record.line, sql: "", expected: "", actual: "",
                    kind: .malformedRecord, detail: reason))
            case .statement(let statement):
                outcome = runs ? timed(clock, name, record) { runStatement(statement, record, &state, engine) } : .skipped
            case .query(let query):
                outcome = runs ? timed(clock, name, record) { runQuery(query, record, &state, engine) } : .skipped
            }
            switch outcome {
            case .passed:
                state.result.passed += 1
            case .skipped:
                state.result.skipped += 1
            case .failed(let mismatch):
                state.result.failed += 1
                if state.result.mismatches.count < options.maxMismatchesReported {
                    state.result.mismatches.append(mismatch)
                }
                if options.verbose { log(mismatch.description) }
            }
            if case .failed = outcome, options.stopAtFirstFailure {
                state.result.stoppedEarly = true
                break
            }
        }
        let elapsed = clock.now - start
        state.result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return state.result
    }

    // MARK: - Records

    /// What happened to one record.
    private enum Outcome {
        case passed
        case failed(SLTMismatch)
        case skipped
    }

    /// Per-file state.
    private struct FileState {
        /// The counts and mismatches so far.
        var result: SLTFileResult
        /// The current hash threshold.
        var hashThreshold: Int
        /// Hash line and record line of the first query run with each label.
        var labels: [String: (hashLine: String, line: Int)] = [:]

        init(path: String, hashThreshold: Int) {
            self.result = SLTFileResult(path: path)
            self.hashThreshold = hashThreshold
        }
    }

    /// Runs a record's body and turns a pass into a ``SLTMismatchKind/timeout`` failure if it took
    /// longer than ``SLTOptions/recordTimeout``.
    private func timed(
        _ clock: ContinuousClock, _ path: String, _ record: SLTRecord, _ body: () -> Outcome) -> Outcome {
        guard let limit = options.recordTimeout else { return body() }
        let start = clock.now
        let outcome = body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if case .passed = outcome, seconds > limit {
            var sql = ""
            switch record.kind {
            case .statement(let s): sql = s.sql
            case .query(let q): sql = q.sql
            default: break
            }
            return .failed(SLTMismatch(
                path: path, line: record.line, sql: sql, expected: "at most \(limit) s",
                actual: String(format: "%.3f s", seconds), kind: .timeout,
                detail: "took \(String(format: "%.3f", seconds)) s, limit \(limit) s"))
        }
        return outcome
    }

    /// Runs a `statement ok|error` record.
    private func runStatement(
        _ statement: SLTStatement, _ record: SLTRecord, _ state: inout FileState, _ engine: SLTEngine
    ) -> Outcome {
        do {
            try engine.execute(statement.sql)
            if statement.expectsError {
                return .failed(SLTMismatch(
                    path: state.result.path, line: record.line, sql: statement.sql,
                    expected: "error" + (statement.errorPattern.map { " " + $0 } ?? ""), actual: "ok",
                    kind: .statementSucceeded))
            }
            return .passed
        } catch {
            if statement.expectsError { return .passed }
            return .failed(SLTMismatch(
                path: state.result.path, line: record.line, sql: statement.sql,
                expected: "ok", actual: "error: \(error)", kind: .statementFailed))
        }
    }

    /// Runs a `query` record: prints, sorts, compares, and checks the label.
    private func runQuery(
        _ query: SLTQuery, _ record: SLTRecord, _ state: inout FileState, _ engine: SLTEngine
    ) -> Outcome {
        let path = state.result.path
        let expectedText = query.expected?.joined(separator: "\n") ?? ""
        let rows: [[SLTValue]]
        do {
            rows = try engine.query(query.sql)
        } catch {
            return .failed(SLTMismatch(
                path: path, line: record.line, sql: query.sql, expected: expectedText,
                actual: "error: \(error)", kind: .queryError))
        }
        let printed = SLTPrintedResult(rows: rows, types: query.columnTypes, sortMode: query.sortMode)
        if let ragged = rows.first(where: { $0.count != printed.columns }) {
            return .failed(SLTMismatch(
                path: path, line: record.line, sql: query.sql, expected: expectedText,
                actual: printed.rendered(like: query.expected), kind: .wrongColumnCount,
                detail: "rows have different numbers of columns (\(printed.columns) and \(ragged.count))"))
        }
        let columnsAgree = rows.isEmpty || printed.columns == query.columnTypes.count
        if let expected = query.expected, !printed.matches(expected) {
            let kind: SLTMismatchKind = columnsAgree ? .wrongResult : .wrongColumnCount
            var detail = ""
            if !columnsAgree {
                detail = "expected \(query.columnTypes.count) columns (type string \"\(query.typeString)\") but the query returned \(printed.columns)"
            } else if expected.count == 1, let (count, _) = SLTPrintedResult.parseHashLine(expected[0]), count != printed.values.count {
                detail = "expected \(count) values, got \(printed.values.count)"
            } else if SLTPrintedResult.parseHashLine(expected.first ?? "") == nil, expected.count != printed.values.count {
                detail = "expected \(expected.count) values, got \(printed.values.count)"
            }
            return .failed(SLTMismatch(
                path: path, line: record.line, sql: query.sql, expected: expectedText,
                actual: printed.rendered(like: query.expected), kind: kind, detail: detail))
        }
        if query.expected == nil && !columnsAgree {
            return .failed(SLTMismatch(
                path: path, line: record.line, sql: query.sql, expected: "",
                actual: printed.rendered(like: nil), kind: .wrongColumnCount,
                detail: "expected \(query.columnTypes.count) columns (type string \"\(query.typeString)\") but the query returned \(printed.columns)"))
        }
        if let label = query.label {
            let hashLine = printed.hashLine
            if let previous = state.labels[label] {
                if previous.hashLine != hashLine {
                    return .failed(SLTMismatch(
                        path: path, line: record.line, sql: query.sql,
                        expected: previous.hashLine, actual: hashLine, kind: .labelMismatch,
                        detail: "label \(label) gave a different result at line \(previous.line)"))
                }
            } else {
                state.labels[label] = (hashLine, record.line)
            }
        }
        return .passed
    }

    /// Writes a line of verbose output.
    private func log(_ text: String) {
        if let sink = options.log {
            sink(text)
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

