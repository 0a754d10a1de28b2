import BasaltStorage

/// The version collector: removes versions no snapshot can read any more, returning their space.
///
/// A history version ending at `e` is needed only by snapshots below `e`. The collector's horizon is the
/// oldest time still readable: `historyRetention` ago, held back by the oldest open snapshot (so a
/// long-running reader keeps exactly what it can see) and never past what is visible. Expiry-queue
/// entries up to the horizon are removed oldest first, in small atomic batches, each also recording
/// the new horizon (`collectedThrough`), so a crash mid-pass loses nothing and the next pass resumes.
extension TransactionManager {
    /// What one collector pass did.
    package struct CollectionReport: Sendable, Equatable {
        package var horizon: Timestamp
        package var versionsRemoved = 0
        package var tombstonesRemoved = 0
    }

    /// The horizon a pass may collect through now (see the type's doc).
    func collectionHorizon() -> Timestamp {
        shared.withLock { state in
            var horizon = min(state.visible, Timestamp.wallClock().subtracting(state.options.historyRetention))
            for summary in state.active.values {
                if let snapshot = summary.snapshot { horizon = min(horizon, snapshot) }
                // A transaction that has not read yet will take a snapshot >= visible: no constraint.
            }
            for snapshot in state.transientSnapshots.values { horizon = min(horizon, snapshot) }
            return max(horizon, state.collectedThrough)
        }
    }

    /// Runs one collector pass: removes every expired version and collected tombstone. Safe to call
    /// at any time from any thread (tests call it directly; the background thread calls it every
    /// `collectionInterval`).
    @discardableResult
    package func collectVersions() throws(TransactionError) -> CollectionReport {
        let horizon = collectionHorizon()
        var report = CollectionReport(horizon: horizon)
        let batch = max(1, atomicWriteLimit / 2)
        // Publish the horizon before removing anything: from now on no snapshot below it may start.
        shared.withLock { $0.collectedThrough = max($0.collectedThrough, horizon) }
        let upper = VersionFormat.bigEndianBytes(horizon.rawValue &+ 1)
        while true {
            let done = try withEngine { engine -> Bool in
                var entries: [[UInt8]] = []
                try upper.withUnsafeBytes { hi in
                    _ = try engine.scan(.versionQueue, lower: nil, upper: hi) { key, _ in
                        entries.append(Array(key))
                        return entries.count < batch
                    }
                }
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
                                    let historyKey = VersionFormat.historyKey(tree: parsed.tree, key: k, start: parsed.start)
                                    if try historyKey.withUnsafeBytes({ try writer.delete(.history, $0) }) { removedVersions += 1 }
                                case .tombstone:
                                    // Only if the key still holds that very tombstone (not a newer version).
                                    let same = try writer.withValue(tree, k) { stored in
                                        let header = try VersionFormat.header(stored)
                                        return header.tombstone && header.timestamp == parsed.start
                                    } ?? false
                                    if same, try writer.delete(tree, k) { removedTombstones += 1 }
                                }
                            }
                            try writer.delete(.versionQueue, raw)
                        }
                    }
                    try Self.collectedThroughKey.withUnsafeBytes { k in
                        try Self.metaValue(horizon).withUnsafeBytes { v in try writer.put(.meta, k, v) }
                    }
                }
                report.versionsRemoved += removedVersions
                report.tombstonesRemoved += removedTombstones
                return entries.count < batch
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
