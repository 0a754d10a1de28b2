#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error, shown only when it is a terminal (so pipes and CI logs
/// stay clean). Redraws at most every 1% to keep the cost negligible.
final class TerminalProgress {
    private let label: String
    private let enabled = isatty(2) == 1
    private var lastPercent = -1

    init(label: String) { self.label = label }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastPercent else { return }
        lastPercent = percent
        Console.error("\r\(label): \(percent)%")
    }

    func finish() {
        guard enabled, lastPercent >= 0 else { return }
        Console.error("\r\u{1B}[K")
    }
}
