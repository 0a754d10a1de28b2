import BasaltStorage

/// The version collector: removes versions no snapshot can read any more, returning their space.
///
/// A history version that was current during [start, end) is needed by a snapshot `s` only when
/// start ≤ s < end. The collector's horizon H is the oldest time still readable by new snapshots:
/// `historyRetention` ago (never past what is visible). Every expiry-queue entry with end ≤ H goes,
/// except versions an open snapshot lies inside — so a long-running reader keeps exactly the versions it
/// can see, and everything else ages out around it. A deletion marker (tombstone) goes once no open
/// snapshot is older than it: an older snapshot needs it to know to look in history for the key.
///
/// Entries are removed oldest first in small atomic batches, each also recording H as
/// `collectedThrough` (the oldest readable time after a restart), so a crash mid-pass loses nothing
/// and the next pass resumes.
extension TransactionManager {
    /// What one collector pass did.
    package struct CollectionReport: Sendable, Equatable {
        package var horizon: Timestamp
        package var versionsRemoved = 0
        package var tombstonesRemoved = 0
    }

    /// The horizon of a pass and the open snapshots (ascending); publishes the horizon, so no snapshot
    /// below it can start from now on.
    func collectionHorizon() -> (horizon: Timestamp, pins: [Timestamp]) {
        shared.withLock { state in
            let retained = min(state.visible, Timestamp.wallClock().subtracting(state.options.historyRetention))
            let horizon = max(retained, state.collectedThrough)
            state.collectedThrough = horizon
            // A transaction that has not read yet will take a snapshot >= visible >= horizon: no pin.
            var pins = state.active.values.compactMap(\.snapshot) + state.transientSnapshots.values
            pins.sort()
            return (horizon, pins)
        }
    }

    /// Whether an open snapshot lies in [start, end).
    static func isPinned(_ pins: [Timestamp], start: Timestamp, end: Timestamp) -> Bool {
        var low = 0, high = pins.count
        while low < high {
            let mid = (low + high) / 2
            if pins[mid] < start { low = mid + 1 } else { high = mid }
        }
        return low < pins.count && pins[low] < end
    }

    /// Runs one collector pass (see the type's doc). Safe to call at any time from any thread (tests call
    /// it directly; the background thread every `collectionInterval`).
    @discardableResult
    package func collectVersions() throws(TransactionError) -> CollectionReport {
        let (horizon, pins) = collectionHorizon()
        var report = CollectionReport(horizon: horizon)
        let batch = max(1, atomicWriteLimit / 2)
        let upper = VersionFormat.bigEndianBytes(horizon.rawValue &+ 1)
        var resume: [UInt8]?
        while true {
            let done = try withEngine { engine -> Bool in
                var entries: [[UInt8]] = []
                var reachedEnd = true
                try withOptionalBytes(resume.map { $0 + [0] }) { lo in
                    try upper.withUnsafeBytes { hi in
                        _ = try engine.scan(.versionQueue, lower: lo, upper: hi) { key, _ in
                            entries.append(Array(key))
                            if entries.count < batch { return true }
                            reachedEnd = false
                            return false
                        }
                    }
                }
                guard !entries.isEmpty else { return true }
                resume = entries.last
                var removedVersions = 0, removedTombstones = 0
                _ = try engine.atomically { writer in
                    for entry in entries {
                        try entry.withUnsafeBytes { raw in
                            guard let parsed = VersionFormat.parseQueueKey(raw),
                                  let tree = RootSlot(rawValue: Int(parsed.tree)) else {
                                throw StorageError.corruption(page: 0, detail: "malformed version queue entry of \(raw.count) bytes")
                            }
                            try parsed.key.withUnsafeBytes { k in
                                switch parsed.kind {
                                case .history:
                                    guard !Self.isPinned(pins, start: parsed.start, end: parsed.end) else { return }
                                    let historyKey = VersionFormat.historyKey(tree: parsed.tree, key: k, start: parsed.start)
                                    if try historyKey.withUnsafeBytes({ try writer.delete(.history, $0) }) { removedVersions += 1 }
                                case .tombstone:
                                    guard pins.first.map({ $0 >= parsed.start }) ?? true else { return }
                                    // Only if the key still holds that very tombstone (not a newer version).
                                    let same = try writer.withValue(tree, k) { stored in
                                        let header = try VersionFormat.header(stored)
                                        return header.tombstone && header.timestamp == parsed.start
                                    } ?? false
                                    if same, try writer.delete(tree, k) { removedTombstones += 1 }
                                }
                                try writer.delete(.versionQueue, raw)
                            }
                        }
                    }
                    try Self.collectedThroughKey.withUnsafeBytes { k in
                        try Self.metaValue(horizon).withUnsafeBytes { v in try writer.put(.meta, k, v) }
                    }
                }
                report.versionsRemoved += removedVersions
                report.tombstonesRemoved += removedTombstones
                return reachedEnd
            }
            if done { break }
        }
        shared.withLock { state in
            state.statistics.collectorPasses += 1
            state.statistics.versionsRemoved += report.versionsRemoved
            state.statistics.tombstonesRemoved += report.tombstonesRemoved
        }
        return report
    }

    /// The background thread's tick: a pass, with failures logged (the next tick tries again).
    func backgroundCollect() {
        do {
            try collectVersions()
        } catch {
            logger.error("version collection failed", metadata: ["code": "\(error.sqlState)"])
        }
    }
}
