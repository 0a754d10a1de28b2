import ArgumentParser

/// `basalt`: the command-line front end of a Basalt database file.
struct BasaltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basalt",
        abstract: "Basalt: an embedded, ACID database engine in Swift.",
        subcommands: [ShellCommand.self, SQLCommand.self, SLTCommand.self, KVCommand.self, CheckCommand.self, StressCommand.self],
        defaultSubcommand: ShellCommand.self
    )
}

/// The database file used when a command is given none.
let defaultDatabasePath = "basalt.db"
