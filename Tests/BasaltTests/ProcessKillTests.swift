import Basalt
import Foundation
import Testing

/// A real process, real files, a real `kill -9`: the `basalt stress commit` child commits numbered
/// two-key transactions and prints each number once its commit returned; it is SIGKILLed at a random
/// moment, and every number it printed must be present after reopening — complete, in a gap-free prefix.
@Suite struct ProcessKillTests {
    /// The `basalt` executable next to this test binary (SwiftPM builds both into the same folder).
    static let executable: String? = {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = binary.deletingLastPathComponent()
        // Linux runs `<folder>/BasaltPackageTests.xctest`; macOS a bundle deeper inside the folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("basalt").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static func key(_ n: Int, _ part: String) -> [UInt8] {
        let digits = String(n)
        return Array((String(repeating: "0", count: max(0, 12 - digits.count)) + digits + "/" + part).utf8)
    }

    @Test(.enabled(if: executable != nil, "needs the basalt executable, built by `swift build`"))
    func sigkilledCommitterLosesNoAcknowledgedCommit() throws {
        let path = DatabaseTests.temporaryPath("killed.db")
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var rng = SeededRandom(seed: seed)
        var acknowledged = 0
        var kills = 0
        for round in 0..<24 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable!)
            process.arguments = ["stress", "commit", path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...400_000, using: &rng))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let numbers = printed.split(separator: "\n").compactMap { Int($0) }
            if let last = numbers.last { acknowledged = max(acknowledged, last + 1) }

            let db = try Database.open(path: path)
            var parts: [Int: Int] = [:]
            for pair in try db.scanPairs() {
                let n = Int(String(decoding: pair.key.prefix(12), as: UTF8.self))!
                #expect(pair.value == Array(String(n).utf8), "seed \(seed) round \(round): transaction \(n) has a wrong value")
                parts[n, default: 0] += 1
            }
            #expect(parts.values.allSatisfy { $0 == 2 }, "seed \(seed) round \(round): a transaction is partly present")
            #expect(parts.count >= acknowledged, "seed \(seed) round \(round): \(parts.count) transactions present, \(acknowledged) acknowledged")
            #expect((0..<parts.count).allSatisfy { parts[$0] != nil }, "seed \(seed) round \(round): the transactions present have a gap")
            #expect(try db.checkIntegrity().isClean, "seed \(seed) round \(round)")
            try db.close()
        }
        print("process kill test: \(kills) SIGKILLs, \(acknowledged) acknowledged commits, all present")
        #expect(kills >= 20)
    }
}
