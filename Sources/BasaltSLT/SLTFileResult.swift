/// The outcome of running one test file.
///
/// Every statement and query record is counted exactly once: passed, failed or skipped
/// (a `skipif` that matched, an `onlyif` that did not, or an unknown directive). Control
/// records (`hash-threshold`, `halt`) are not tests and are not counted. Records after a
/// `halt` (or after the first failure with ``SLTOptions/stopAtFirstFailure``) are not counted
/// at all; ``halted`` / ``stoppedEarly`` say so.
public struct SLTFileResult: Sendable {
    /// The file's path (or the script's name).
    public var path: String
    /// Records that ran and matched.
    public var passed: Int
    /// Records that failed.
    public var failed: Int
    /// Records not run because of `skipif`/`onlyif`, and unknown directives.
    public var skipped: Int
    /// Details of the first failures (at most ``SLTOptions/maxMismatchesReported``).
    public var mismatches: [SLTMismatch]
    /// True if a `halt` record stopped the file.
    public var halted: Bool
    /// Line of the `halt` that stopped the file.
    public var haltLine: Int?
    /// True if the run stopped at the first failure (``SLTOptions/stopAtFirstFailure``).
    public var stoppedEarly: Bool
    /// Wall-clock time spent on the file.
    public var seconds: Double

    /// Creates a result.
    public init(
        path: String, passed: Int = 0, failed: Int = 0, skipped: Int = 0,
        mismatches: [SLTMismatch] = [], halted: Bool = false, haltLine: Int? = nil,
        stoppedEarly: Bool = false, seconds: Double = 0
    ) {
        self.path = path
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.mismatches = mismatches
        self.halted = halted
        self.haltLine = haltLine
        self.stoppedEarly = stoppedEarly
        self.seconds = seconds
    }

    /// passed + failed + skipped.
    public var total: Int { passed + failed + skipped }

    /// `path: N passed, N failed, N skipped`, plus `, halted at line N` or `, stopped early`.
    public var summaryLine: String {
        var line = "\(path): \(passed) passed, \(failed) failed, \(skipped) skipped"
        if halted { line += ", halted at line \(haltLine ?? 0)" }
        if stoppedEarly { line += ", stopped early" }
        return line
    }
}
