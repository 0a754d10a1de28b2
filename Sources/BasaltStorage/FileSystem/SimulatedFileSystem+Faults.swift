#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds of `SimulatedFileSystem` operations that are counted and can be made to fail.
public enum FileOperation: String, Sendable, Hashable, CaseIterable {
    /// `FileSystem.open`.
    case open
    /// `FileHandle.read`.
    case read
    /// `FileHandle.write`.
    case write
    /// `FileHandle.sync`.
    case sync
    /// `FileHandle.truncate`.
    case truncate
}

/// A scheduled failure for `SimulatedFileSystem.injectFault`. The failing call throws what the POSIX
/// file system would for the same errno: `diskFull` for ENOSPC/EDQUOT, otherwise `ioFailure`.
/// A failed write or truncate changes nothing; a failed sync dooms the file's unsynced changes (see
/// `SimulatedFileSystem`).
public struct Fault: Sendable, Equatable {
    enum Trigger: Sendable, Equatable {
        case call(Int, persistent: Bool)
        case probability(Double, seed: UInt64)
    }

    let kinds: Set<FileOperation>
    let errno: Int32
    let trigger: Trigger

    /// Fails the `n`th call (1-based, counted from injection) among operations of `kinds`. With
    /// `persistent`, every later call of those kinds fails too (SQLite's persistent I/O error mode);
    /// otherwise the fault is spent after firing once.
    /// Precondition: `n >= 1` and `kinds` is not empty.
    public static func failCall(
        _ n: Int, of kinds: Set<FileOperation>, errno: Int32 = EIO, persistent: Bool = false
    ) -> Fault {
        precondition(n >= 1, "calls are numbered from 1")
        precondition(!kinds.isEmpty, "a fault needs at least one operation kind")
        return Fault(kinds: kinds, errno: errno, trigger: .call(n, persistent: persistent))
    }

    /// Fails each call among operations of `kinds` independently with `probability`, drawn from a
    /// generator seeded with `seed`, so the same seed and call sequence fail the same calls.
    /// Precondition: `0 <= probability <= 1` and `kinds` is not empty.
    public static func failRandomly(
        probability: Double, of kinds: Set<FileOperation>, seed: UInt64, errno: Int32 = EIO
    ) -> Fault {
        precondition((0...1).contains(probability), "probability must be within 0...1")
        precondition(!kinds.isEmpty, "a fault needs at least one operation kind")
        return Fault(kinds: kinds, errno: errno, trigger: .probability(probability, seed: seed))
    }
}

/// An injected fault and how far it has counted.
struct ActiveFault: Sendable {
    let fault: Fault
    /// Calls of the fault's kinds seen since injection.
    var calls = 0
    var random: SeededRandom
    var spent = false

    init(_ fault: Fault) {
        self.fault = fault
        if case let .probability(_, seed) = fault.trigger {
            random = SeededRandom(seed: seed)
        } else {
            random = SeededRandom(seed: 0)
        }
    }

    /// Counts one call of `kind`; returns whether it must fail.
    mutating func fires(on kind: FileOperation) -> Bool {
        guard !spent, fault.kinds.contains(kind) else { return false }
        calls += 1
        switch fault.trigger {
        case let .call(n, persistent):
            guard calls >= n else { return false }
            if !persistent { spent = true }
            return true
        case let .probability(p, _):
            // Always draw, so the decision for call k depends only on the seed and k.
            return Double.random(in: 0..<1, using: &random) < p
        }
    }
}

extension SimulatedFileSystem {
    /// Adds `fault` to the plan. Several faults may be active; each counts calls independently, and a
    /// call fails when any of them fires. A crash clears the plan.
    public func injectFault(_ fault: Fault) {
        state.withLock { $0.faults.append(ActiveFault(fault)) }
    }

    /// Schedules crash snapshots: just before the `n`th write, sync or truncate (counted from this file
    /// system's creation, see `changingOperationCount`) for each `n` in `points`, the state a power loss
    /// would leave there (unsynced writes kept, dropped or torn, seeded by `seed` and `n`) is captured
    /// without disturbing the running workload. Collect them with `takeCrashSnapshots`.
    public func scheduleCrashSnapshots(at points: [Int], seed: UInt64) {
        state.withLock { disk in
            disk.crashPoints = points.sorted(by: >)
            disk.crashSeed = seed
        }
    }

    /// The snapshots captured so far (each a fresh file system), oldest first; clears them.
    public func takeCrashSnapshots() -> [(operation: Int, fileSystem: SimulatedFileSystem)] {
        let taken = state.withLock { disk -> [(Int, SimulatedDisk)] in
            defer { disk.crashSnapshots.removeAll() }
            return disk.crashSnapshots.map { ($0.operation, $0.disk) }
        }
        return taken.map { (operation: $0.0, fileSystem: SimulatedFileSystem(disk: $0.1)) }
    }

    /// Writes, syncs and truncates attempted so far.
    public var changingOperationCount: Int { state.withLock { $0.changingOperations } }

    /// Clears the fault plan.
    public func removeAllFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// How many `kind` operations were attempted since this file system was made, including failed ones
    /// (but not calls on closed or crash-invalidated handles). Crashes do not reset the counters.
    public func operationCount(of kind: FileOperation) -> Int {
        state.withLock { $0.operationCounts[kind, default: 0] }
    }
}

extension SimulatedDisk {
    /// Counts one `kind` operation on `path` and throws the injected error if a fault fires.
    mutating func countOperation(_ kind: FileOperation, path: String) throws {
        operationCounts[kind, default: 0] += 1
        if kind == .write || kind == .sync || kind == .truncate {
            changingOperations += 1
            if let point = crashPoints.last, point <= changingOperations {
                crashPoints.removeLast()
                // The disk a power loss just before this call would leave.
                var random = SeededRandom(seed: crashSeed ^ UInt64(point) &* 0x9E37_79B9_7F4A_7C15)
                let disk = SimulatedDisk(directory: directory, inodes: survivingFiles { $0.crashOutcome(using: &random) },
                                         nextInode: nextInode)
                crashSnapshots.append((point, disk))
            }
        }
        var failure: Int32?
        // Every fault sees the call, even after one has fired, so their counts stay independent.
        for index in faults.indices where faults[index].fires(on: kind) {
            if failure == nil { failure = faults[index].fault.errno }
        }
        faults.removeAll { $0.spent }
        if let failure {
            throw storageError(errno: failure, operation: "\(kind.rawValue) (injected fault)", path: path)
        }
    }
}
