/// When a commit is durable (survives a crash or power loss) relative to when it returns.
public enum SyncMode: String, Sendable, CaseIterable, Codable {
    /// A commit returns after its log records are synced (`fdatasync`). Concurrent commits share one
    /// sync (group commit). The default.
    case full
    /// A commit returns once its records are in the log buffer; a background thread syncs the log every
    /// `Config.syncInterval`, so a crash loses at most the commits of the last interval (plus the sync in
    /// progress). The database is never corrupted and a transaction is never partly kept.
    case normal
    /// The log is synced only when pages must be written, at checkpoints and on close: a crash can lose
    /// any number of recent commits, never consistency.
    case off
}
