import ArgumentParser
import Basalt
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `basalt shell [PATH]`: an interactive session on a database file. Until the SQL layer lands it
/// speaks the key-value commands; it reads commands from standard input when that is not a terminal.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open an interactive session on a database file (default: ./basalt.db)."
    )

    @Argument(help: "The database file (created when missing).")
    var path: String = defaultDatabasePath

    func run() throws {
        let db = try Database.open(path: path)
        defer { try? db.close() }
        let interactive = isatty(0) == 1
        if interactive {
            print("Basalt shell on \(path). Type .help for commands, .quit to leave.")
        }
        var failures = 0
        while true {
            if interactive {
                print("basalt> ", terminator: "")
                Console.flush()
            }
            guard let line = readLine() else { break }
            let words = ShellCommand.split(line)
            guard let command = words.first else { continue }
            do {
                if try !execute(command, Array(words.dropFirst()), on: db) { break }
            } catch {
                failures += 1
                Console.error("error: \(error)\n")
            }
        }
        try db.close()
        if !interactive && failures > 0 { throw ExitCode(1) }
    }

    /// Runs one command; false to end the session.
    private func execute(_ command: String, _ args: [String], on db: Database) throws -> Bool {
        switch command {
        case ".quit", ".exit":
            return false
        case ".help":
            print("""
                put KEY VALUE        store VALUE under KEY (a durable commit)
                get KEY              print the value of KEY
                delete KEY           remove KEY (a durable commit)
                scan [FROM [TO]]     list pairs in key order (at most 100)
                .stats               page, buffer pool and log figures
                .check               verify the whole file
                .checkpoint          write every change into the database file now
                .quit                leave
                Quote words with spaces: put "my key" "my value"
                """)
        case "put":
            guard args.count == 2 else { throw CLIError("usage: put KEY VALUE") }
            try db.put(Array(args[0].utf8), Array(args[1].utf8))
        case "get":
            guard args.count == 1 else { throw CLIError("usage: get KEY") }
            if let value = try db.get(Array(args[0].utf8)) {
                print(ByteText.render(value, hex: false))
            } else {
                print("(not found)")
            }
        case "delete":
            guard args.count == 1 else { throw CLIError("usage: delete KEY") }
            print(try db.delete(Array(args[0].utf8)) ? "deleted" : "(not found)")
        case "scan":
            let from = args.first.map { Array($0.utf8) }
            let to = args.count > 1 ? Array(args[1].utf8) : nil
            let count = try db.scan(from: from, to: to, limit: 100) { pair in
                print(ByteText.render(pair.key, hex: false) + "\t" + ByteText.render(pair.value, hex: false))
                return true
            }
            print("(\(count) pair\(count == 1 ? "" : "s"))")
        case ".stats":
            printStatistics(try db.statistics())
        case ".check":
            let report = try db.checkIntegrity()
            print(report.isClean ? "ok: \(report.pageCount) pages, \(report.freePages) free" :
                  report.problems.map { "problem: \($0)" }.joined(separator: "\n"))
        case ".sync", ".checkpoint":
            try db.checkpoint()
        default:
            throw CLIError("unknown command \"\(command)\" (SQL arrives in a later release); type .help")
        }
        return true
    }

    /// Splits a line into words; double quotes group words with spaces.
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for ch in line {
            if ch == "\"" {
                quoted.toggle()
                started = true
            } else if ch.isWhitespace && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(ch)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }
}
