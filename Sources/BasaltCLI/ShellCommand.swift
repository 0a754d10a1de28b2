import ArgumentParser
import Basalt
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `basalt shell [PATH]`: an interactive SQL session on a database file: statements end with `;` and
/// may span lines; meta-commands start with `.`. Reads statements from standard input when that is
/// not a terminal (then any failed statement makes the exit status 1).
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open an interactive SQL session on a database file (default: ./basalt.db)."
    )

    @Argument(help: "The database file (created when missing).")
    var path: String = defaultDatabasePath

    func run() throws {
        let db = try Database.open(path: path)
        defer { try? db.close() }
        let interactive = isatty(0) == 1
        var shell = Shell(db: db, interactive: interactive)
        if interactive {
            print("Basalt shell on \(path). End statements with ; — .help for commands, .quit to leave.")
        }
        let editor = interactive ? LineEditor(historyFile: LineEditor.defaultHistoryFile) : nil
        var buffer = ""
        while true {
            let prompt = buffer.isEmpty ? "basalt> " : "   ...> "
            let line: String?
            if let editor { line = editor.readLine(prompt: prompt) } else { line = Swift.readLine() }
            guard let line else { break }
            if buffer.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                editor?.remember(line)
                if try !shell.meta(line.trimmingCharacters(in: .whitespaces)) { break }
                continue
            }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            guard SQLScriptEnd.isComplete(buffer) else { continue }
            editor?.remember(buffer.replacingOccurrences(of: "\n", with: " "))
            shell.run(buffer)
            buffer = ""
        }
        if !buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { shell.run(buffer) }
        editor?.save()
        try db.close()
        if !interactive && shell.failures > 0 { throw ExitCode(1) }
    }
}

/// Whether SQL text ends with a statement terminator outside quotes and comments.
enum SQLScriptEnd {
    static func isComplete(_ text: String) -> Bool {
        var inSingle = false, inDouble = false, inLineComment = false, blockDepth = 0
        var lastSignificant: Character?
        var previous: Character?
        for c in text {
            defer { previous = c }
            if inLineComment { if c == "\n" { inLineComment = false }; continue }
            if blockDepth > 0 {
                if previous == "*" && c == "/" { blockDepth -= 1 } else if previous == "/" && c == "*" { blockDepth += 1 }
                continue
            }
            if inSingle { if c == "'" { inSingle = false }; continue }
            if inDouble { if c == "\"" { inDouble = false }; continue }
            switch c {
            case "'": inSingle = true
            case "\"": inDouble = true
            case "-" where previous == "-": inLineComment = true; lastSignificant = nil
            case "*" where previous == "/": blockDepth = 1
            default: break
            }
            if !c.isWhitespace && !inLineComment { lastSignificant = c }
        }
        return !inSingle && !inDouble && blockDepth == 0 && lastSignificant == ";"
    }
}

/// The shell's session state: output mode, timer, failure count.
struct Shell {
    let db: Database
    let session: SQLSession
    let interactive: Bool
    var mode: ResultFormat = .table
    var timer = false
    var failures = 0

    init(db: Database, interactive: Bool) {
        self.db = db
        self.session = db.session()
        self.interactive = interactive
    }

    /// Runs the statements of `text`, printing each result or error.
    mutating func run(_ text: String) {
        let statements: [String]
        do {
            statements = try SQLScript.split(text)
        } catch let error as BasaltError {
            failures += 1
            Console.error(SQLScript.describe(error) + "\n")
            return
        } catch {
            failures += 1
            Console.error("error: \(error)\n")
            return
        }
        for statement in statements {
            let start = DispatchTime.now()
            do {
                let rows = try session.query(statement)
                let values = try rows.allValues()
                if !rows.columns.isEmpty {
                    print(ResultPrinter.render(mode, columns: rows.columns, rows: values))
                }
            } catch let error as BasaltError {
                failures += 1
                Console.error(SQLScript.describe(error) + "\n")
            } catch {
                failures += 1
                Console.error("error: \(error)\n")
            }
            if timer {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
                print(String(format: "Time: %.3f ms", ms))
            }
        }
    }

    /// Runs a meta-command; false to end the session.
    mutating func meta(_ line: String) throws -> Bool {
        let words = line.split(separator: " ").map(String.init)
        switch words[0] {
        case ".quit", ".exit", ".q":
            return false
        case ".help":
            print("""
                SQL statements end with ; and may span lines.
                .tables              list tables and views
                .schema [NAME]       show the CREATE statements (of NAME, or of everything)
                .mode table|csv|json how results are printed
                .timer on|off        print each statement's time
                .stats               page, buffer pool, log and transaction figures
                .check               verify the whole file
                .quit                leave
                """)
        case ".tables":
            for name in try db.tableNames() + db.viewNames() { print(name) }
        case ".schema":
            let names = words.count > 1 ? [words[1]] : try db.tableNames() + db.viewNames()
            for name in names {
                if let sql = try db.schemaSQL(of: name) { print(sql) } else { Console.error("no table or view named \(name)\n") }
            }
        case ".mode":
            guard words.count == 2, let m = ResultFormat(rawValue: words[1]) else {
                Console.error("usage: .mode table|csv|json\n")
                break
            }
            mode = m
        case ".timer":
            guard words.count == 2, words[1] == "on" || words[1] == "off" else {
                Console.error("usage: .timer on|off\n")
                break
            }
            timer = words[1] == "on"
        case ".stats":
            let s = try db.statistics()
            print("pages \(s.pageCount) (\(s.freePages) free), page size \(s.pageSize), log \(s.logBytes) bytes")
            print("buffer pool: \(s.bufferPool)")
            print("transactions: \(s.transactions)")
        case ".check":
            let report = try db.checkIntegrity()
            print(report.problems.isEmpty ? "ok" : report.problems.joined(separator: "\n"))
        default:
            failures += 1
            Console.error("unknown command \(words[0]); .help lists them\n")
        }
        return true
    }
}
