/// Errors the runner itself raises (engine errors are reported as mismatches instead).
public enum SLTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The test file could not be read.
    case cannotReadFile(String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .cannotReadFile(let path): return "cannot read sqllogictest file \(path)"
        }
    }
}
