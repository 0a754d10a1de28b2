#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal output that bypasses C's global `FILE*` streams (not concurrency-safe to name in Swift 6).
enum Console {
    /// Writes `text` to standard error, unbuffered.
    static func error(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// Flushes buffered standard output (a prompt without a newline).
    static func flush() { fflush(nil) }
}
