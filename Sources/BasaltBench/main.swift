// Entry point of basalt-bench; the commands are in BasaltBench.swift and one <Suite>.swift per suite.
BasaltBenchCommand.main()
