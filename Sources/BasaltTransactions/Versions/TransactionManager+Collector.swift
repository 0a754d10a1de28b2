import BasaltStorage

/// The version collector: removes versions no snapshot can read any more, returning their space.
///
/// A history version that was current during [start, end) is needed by a snapshot `s` only when
/// start ≤ s < end. The collector's horizon H is the oldest time still readable by new snapshots:
/// `historyRetention` ago (never past what is visible). Every expiry-queue entry with end ≤ H goes,
/// except versions an open snapshot lies inside — so a long-running reader keeps exactly the versions it
/// can see, and everything else ages out around it. A deletion marker (tombstone) goes once no open
/// snapshot is older than it: an older snapshot needs it to know to look in history for the key. A
/// dropped range (`DroppedRange`) goes the same way, once no open snapshot is older than the drop, a
/// batch of its keys per atomic write.
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
        /// Keys of dropped ranges deleted (`DroppedRange`).
        package var droppedKeysRemoved = 0
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
        // The queue key to resume from (inclusive); nil: the start.
        var from: [UInt8]?
        while true {
            let done = try withEngine { engine -> Bool in
                var entries: [(key: [UInt8], value: [UInt8])] = []
                var reachedEnd = true
                try withOptionalBytes(from) { lo in
                    try upper.withUnsafeBytes { hi in
                        _ = try engine.scan(.versionQueue, lower: lo, upper: hi) { key, value in
                            entries.append((Array(key), Array(value)))
                            if entries.count < batch { return true }
                            reachedEnd = false
                            return false
                        }
                    }
                }
                guard let first = entries.first else { return true }
                // A dropped range is purged on its own, a batch of keys per atomic write.
                if VersionFormat.isRangeDrop(first.key) {
                    let finished = try purgeDroppedRange(engine, first.key, upperBound: first.value, pins: pins,
                                                         horizon: horizon, batch: batch, report: &report)
                    from = finished ? first.key + [0] : first.key
                    return false
                }
                let run = entries.prefix { !VersionFormat.isRangeDrop($0.key) }
                if run.count < entries.count { reachedEnd = false }
                from = run.last!.key + [0]
                var removedVersions = 0, removedTombstones = 0
                _ = try engine.atomically { writer in
                    for entry in run {
                        try entry.key.withUnsafeBytes { raw in
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
                                case .rangeDrop:
                                    return   // not in a run (see above)
                                }
                                try writer.delete(.versionQueue, raw)
                            }
                        }
                    }
                    try Self.recordCollectedThrough(writer, horizon)
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
            state.statistics.droppedKeysRemoved += report.droppedKeysRemoved
        }
        return report
    }

    /// One step of purging the dropped range of queue entry `queueKey` (engine lock held): once no open
    /// snapshot is older than the drop, deletes up to `batch` of its keys in one atomic write, and the
    /// entry with the last of them. Returns whether the pass is done with the entry (purged, or still
    /// needed by a snapshot); false: call again for the next batch.
    func purgeDroppedRange(_ engine: StorageEngine, _ queueKey: [UInt8], upperBound: [UInt8], pins: [Timestamp],
                           horizon: Timestamp, batch: Int, report: inout CollectionReport) throws -> Bool {
        guard let parsed = queueKey.withUnsafeBytes({ VersionFormat.parseQueueKey($0) }),
              let tree = RootSlot(rawValue: Int(parsed.tree)) else {
            throw StorageError.corruption(page: 0, detail: "malformed version queue entry of \(queueKey.count) bytes")
        }
        // A snapshot older than the drop still reads the range.
        guard pins.first.map({ $0 >= parsed.start }) ?? true else { return true }
        var keys: [[UInt8]] = []
        try parsed.key.withUnsafeBytes { lo in
            try upperBound.withUnsafeBytes { hi in
                _ = try engine.scan(tree, lower: lo, upper: hi) { key, _ in
                    keys.append(Array(key))
                    return keys.count < batch
                }
            }
        }
        let finished = keys.count < batch
        _ = try engine.atomically { writer in
            for key in keys { _ = try key.withUnsafeBytes { try writer.delete(tree, $0) } }
            if finished { _ = try queueKey.withUnsafeBytes { try writer.delete(.versionQueue, $0) } }
            try Self.recordCollectedThrough(writer, horizon)
        }
        report.droppedKeysRemoved += keys.count
        return finished
    }

    /// Persists `horizon` as the oldest readable time after a restart, in a collector batch.
    static func recordCollectedThrough(_ writer: StorageEngine.AtomicWriter, _ horizon: Timestamp) throws {
        try collectedThroughKey.withUnsafeBytes { k in
            try metaValue(horizon).withUnsafeBytes { v in try writer.put(.meta, k, v) }
        }
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
