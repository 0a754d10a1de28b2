/// Why a record failed.
public enum SLTMismatchKind: String, Sendable, Equatable, CaseIterable {
    /// `statement ok` whose SQL failed.
    case statementFailed = "statement expected ok but failed"
    /// `statement error` whose SQL succeeded.
    case statementSucceeded = "statement expected error but succeeded"
    /// A query whose SQL failed.
    case queryError = "query error"
    /// A query whose printed result differs from the expected lines or hash.
    case wrongResult = "wrong result"
    /// A query whose result differs from an earlier query with the same label.
    case labelMismatch = "label mismatch"
    /// A query whose result has a different number of columns than its type string, and whose
    /// values do not match the expected ones either.
    case wrongColumnCount = "wrong column count"
    /// A record the parser could not understand (e.g. `statement maybe`, `query` without types).
    case malformedRecord = "malformed record"
    /// A record whose engine call took longer than ``SLTOptions/recordTimeout``.
    case timeout = "timeout"
}
