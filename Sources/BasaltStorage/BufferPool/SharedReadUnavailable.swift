/// Thrown by a read under the engine's shared lock when it cannot finish without the exclusive lock: a
/// page that is not resident (loading it changes the pool), a value in an overflow chain, a version
/// that only history holds. Nothing was changed and the caller's closure did not run; the caller reads
/// again under the exclusive lock.
package struct SharedReadUnavailable: Error {
    package init() {}
}
