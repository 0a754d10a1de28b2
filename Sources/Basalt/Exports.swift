// The storage types that appear in Basalt's public API: file systems (POSIX, simulated for tests),
// eviction policies, integrity and statistics reports, key encoding.
@_exported import struct BasaltStorage.POSIXFileSystem
@_exported import class BasaltStorage.SimulatedFileSystem
@_exported import protocol BasaltStorage.FileSystem
@_exported import enum BasaltStorage.EvictionPolicyKind
@_exported import struct BasaltStorage.IntegrityReport
@_exported import struct BasaltStorage.TreeReport
@_exported import struct BasaltStorage.BufferPoolStatistics
@_exported import struct BasaltStorage.KeyEncoder
@_exported import struct BasaltStorage.KeyDecoder
@_exported import enum BasaltStorage.KeyComponent
@_exported import enum BasaltStorage.KeyDecodingError
@_exported import struct BasaltStorage.SeededRandom
@_exported import struct BasaltStorage.Fault
@_exported import enum BasaltStorage.FileOperation
@_exported import enum BasaltTransactions.IsolationLevel
// SQL values and types, as rows and parameters carry them.
@_exported import enum BasaltExecution.SQLValue
@_exported import enum BasaltExecution.SQLType
@_exported import struct BasaltExecution.SQLDecimal
