import Foundation

/// One SQL record of a sqllogictest file, with the engines it is restricted to.
struct CorpusRecord: Sendable {
    /// File path relative to the corpus root.
    var file: String
    /// 1-based line of the record's first SQL line.
    var line: Int
    /// The SQL text.
    var sql: String
    /// `true` when an `onlyif X` with X other than sqlite guards the record (it may fail to parse).
    var guardedForOtherEngine: Bool
}

/// Reads the sqllogictest corpus shipped in /work/shared (or `BASALT_SLT_DIR`).
enum SQLLogicTestCorpus {
    static var root: String {
        ProcessInfo.processInfo.environment["BASALT_SLT_DIR"] ?? "/work/shared/sqllogictest/test"
    }

    /// All `.test` files under the root, sorted, or `nil` when the folder is absent.
    static func files() -> [String]? {
        let manager = FileManager.default
        guard manager.fileExists(atPath: root),
              let enumerator = manager.enumerator(atPath: root) else { return nil }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".test") { files.append(path) }
        }
        return files.sorted()
    }

    /// Splits a file into lines on `\n`, dropping a trailing `\r` (the corpus mixes line endings).
    static func lines(of data: Data) -> [String] {
        var lines: [String] = []
        var current: [UInt8] = []
        for byte in data {
            if byte == 0x0A {
                if current.last == 0x0D { current.removeLast() }
                lines.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { lines.append(String(decoding: current, as: UTF8.self)) }
        return lines
    }

    /// The records of one file, honouring unconditional `halt`.
    static func records(inFile relativePath: String) -> [CorpusRecord] {
        guard let data = FileManager.default.contents(atPath: root + "/" + relativePath) else { return [] }
        let lines = SQLLogicTestCorpus.lines(of: data)
        var records: [CorpusRecord] = []
        var index = 0
        var guarded = false
        func isBlank(_ line: String) -> Bool { line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        while index < lines.count {
            let line = lines[index]
            index += 1
            if isBlank(line) {
                guarded = false
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("onlyif ") {
                let engine = line.dropFirst(7).split(separator: " ").first.map(String.init) ?? ""
                if engine != "sqlite" { guarded = true }
                continue
            }
            if line.hasPrefix("skipif ") { continue }
            if line.hasPrefix("halt") {
                if !guarded { break }
                guarded = false
                continue
            }
            guard line.hasPrefix("statement") || line.hasPrefix("query") else { continue }
            let start = index + 1
            var sqlLines: [String] = []
            while index < lines.count {
                let sqlLine = lines[index]
                if isBlank(sqlLine) || sqlLine.hasPrefix("----") { break }
                sqlLines.append(sqlLine)
                index += 1
            }
            // Skip the expected results of a query.
            if index < lines.count && lines[index].hasPrefix("----") {
                while index < lines.count && !isBlank(lines[index]) { index += 1 }
            }
            records.append(CorpusRecord(file: relativePath, line: start, sql: sqlLines.joined(separator: "\n"),
                                        guardedForOtherEngine: guarded))
            guarded = false
        }
        return records
    }
}
