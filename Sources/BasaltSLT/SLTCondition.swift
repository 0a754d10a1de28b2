/// A `skipif <engine>` or `onlyif <engine>` line in front of a record.
public enum SLTCondition: Sendable, Equatable {
    /// `skipif X`: the record is skipped when the engine answers to `X`.
    case skipIf(String)
    /// `onlyif X`: the record is skipped unless the engine answers to `X`.
    case onlyIf(String)

    /// Whether this condition lets the record run on an engine with these names
    /// (compared case-insensitively).
    public func allows(engineNames: [String]) -> Bool {
        switch self {
        case .skipIf(let name):
            return !SLTCondition.matches(name, engineNames)
        case .onlyIf(let name):
            return SLTCondition.matches(name, engineNames)
        }
    }

    /// Whether a record with these conditions runs on an engine with these names: every condition must allow it.
    public static func allRun(_ conditions: [SLTCondition], engineNames: [String]) -> Bool {
        conditions.allSatisfy { $0.allows(engineNames: engineNames) }
    }

    /// Case-insensitive name match.
    private static func matches(_ name: String, _ engineNames: [String]) -> Bool {
        let lowered = name.lowercased()
        return engineNames.contains { $0.lowercased() == lowered }
    }
}
