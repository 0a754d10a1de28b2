import ArgumentParser
import Basalt

extension ResultFormat: ExpressibleByArgument {}

/// `basalt sql PATH "SQL"`: runs SQL statements on a database file and prints each result.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL statements on a database file and print their results."
    )

    @Argument(help: "The database file (created when missing).")
    var path: String

    @Argument(help: "One or more ;-separated SQL statements.")
    var sql: String

    @Option(help: "Output format: table, csv or json (json: one array of row arrays per result).")
    var format: ResultFormat = .table

    func run() throws {
        let db = try Database.open(path: path)
        defer { try? db.close() }
        let session = db.session()
        do {
            for statement in try SQLScript.split(sql) {
                let rows = try session.query(statement)
                if !rows.columns.isEmpty {
                    print(ResultPrinter.render(format, columns: rows.columns, rows: try rows.allValues()))
                }
            }
        } catch let error as BasaltError {
            Console.error(SQLScript.describe(error) + "\n")
            throw ExitCode(1)
        }
        try db.close()
    }
}
