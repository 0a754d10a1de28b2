/// How the runner behaves.
public struct SLTOptions: Sendable {
    /// How many mismatches each ``SLTFileResult`` keeps in detail (failures beyond this are
    /// still counted).
    public var maxMismatchesReported: Int
    /// Stop a file at its first failing record (the rest is neither run nor counted).
    public var stopAtFirstFailure: Bool
    /// Write every failure to ``log`` (standard error by default) as it happens.
    public var verbose: Bool
    /// If set, a record whose engine call takes longer than this many seconds fails with
    /// ``SLTMismatchKind/timeout``. The engine is synchronous and is not interrupted: the check is
    /// made when the call returns.
    public var recordTimeout: Double?
    /// The hash threshold in force before the file's first `hash-threshold` record.
    /// It only affects reports: expected results are compared in whichever form the file uses.
    public var hashThreshold: Int
    /// Where verbose output goes; nil means standard error.
    public var log: (@Sendable (String) -> Void)?

    /// Creates options; every parameter has the usual default.
    public init(
        maxMismatchesReported: Int = 5,
        stopAtFirstFailure: Bool = false,
        verbose: Bool = false,
        recordTimeout: Double? = nil,
        hashThreshold: Int = 0,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.maxMismatchesReported = maxMismatchesReported
        self.stopAtFirstFailure = stopAtFirstFailure
        self.verbose = verbose
        self.recordTimeout = recordTimeout
        self.hashThreshold = hashThreshold
        self.log = log
    }
}
