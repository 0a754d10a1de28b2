import ArgumentParser
import Basalt

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `basalt stress commit PATH`: commits numbered transactions until stopped, printing each number once
/// its commit has returned — the child of the kill-and-recover test, and a way to check durability on
/// real hardware (pull the plug, then `basalt stress verify PATH --acknowledged N`).
struct StressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Durability stress: commit numbered transactions until killed, or verify them after.",
        discussion: """
            commit   transaction n writes keys "n/a" and "n/b" (the value is n); after each commit returns,
                     n is printed on its own line. Starts after the highest n already present.
            verify   checks that transactions 0..<N (N from --acknowledged) are present, that every
                     transaction present is complete and that they form a gap-free prefix; prints the
                     number present. Exits 1 on any violation.
            """
    )

    @Argument(help: "commit or verify.")
    var action: String

    @Argument(help: "The database file.")
    var path: String

    @Option(help: "commit: stop after this many transactions (default: never).")
    var count: Int = .max

    @Option(help: "verify: transactions acknowledged before the crash.")
    var acknowledged: Int = 0

    static func key(_ n: Int, _ part: String) -> [UInt8] {
        let digits = String(n)
        return Array((String(repeating: "0", count: max(0, 12 - digits.count)) + digits + "/" + part).utf8)
    }

    /// The transactions present: their count when they form a complete prefix, or a description of
    /// what is wrong.
    static func presentPrefix(_ db: Database) throws -> Result<Int, ValidationError> {
        var numbers: [Int: Int] = [:]
        for pair in try db.scanPairs() {
            let text = String(decoding: pair.key, as: UTF8.self)
            guard let n = Int(text.prefix(12)) else { return .failure(ValidationError("foreign key \(text)")) }
            guard pair.value == Array(String(n).utf8) else { return .failure(ValidationError("transaction \(n) has a wrong value")) }
            numbers[n, default: 0] += 1
        }
        for (n, parts) in numbers where parts != 2 {
            return .failure(ValidationError("transaction \(n) is partly present (\(parts) of 2 keys)"))
        }
        let count = numbers.count
        for n in 0..<count where numbers[n] == nil {
            return .failure(ValidationError("transaction \(n) is missing although \(count) are present"))
        }
        return .success(count)
    }

    func run() throws {
        let db = try Database.open(path: path)
        defer { try? db.close() }
        switch action {
        case "commit":
            let start = try Self.presentPrefix(db).get()
            var n = start
            while n - start < count {
                try db.write { tx in
                    let value = Array(String(n).utf8)
                    try tx.put(Self.key(n, "a"), value)
                    try tx.put(Self.key(n, "b"), value)
                }
                var line = Array("\(n)\n".utf8)
                _ = line.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                n += 1
            }
        case "verify":
            let present = try Self.presentPrefix(db).get()
            print(present)
            guard present >= acknowledged else {
                throw ValidationError("only \(present) transactions are present, \(acknowledged) were acknowledged")
            }
        default:
            throw ValidationError("unknown action \(action): use commit or verify")
        }
    }
}
