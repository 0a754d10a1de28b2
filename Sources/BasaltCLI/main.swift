// Entry point of the `basalt` command; each subcommand lives in its own file.
BasaltCommand.main()
