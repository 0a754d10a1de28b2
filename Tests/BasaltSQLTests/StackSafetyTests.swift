import Foundation
import Synchronization
import Testing
@testable import BasaltSQL

/// The default depth bound must keep the parser within a modest thread stack even in debug builds,
/// whatever kind of nesting the input uses.
@Suite struct StackSafetyTests {
    static let nestedInputs: [String] = {
        let n = 400
        return [
            "SELECT " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n),
            "SELECT " + String(repeating: "- ", count: n) + "1",
            "SELECT " + String(repeating: "NOT ", count: n) + "TRUE",
            "SELECT " + String(repeating: "~ ", count: n) + "1",
            "SELECT " + String(repeating: "f(", count: n) + "1" + String(repeating: ")", count: n),
            "SELECT " + String(repeating: "CASE WHEN ", count: n) + "1",
            "SELECT " + String(repeating: "(SELECT ", count: n) + "1" + String(repeating: ")", count: n),
            String(repeating: "SELECT * FROM (", count: n) + "SELECT 1" + String(repeating: ")", count: n),
            "SELECT * FROM " + String(repeating: "(", count: n) + "t" + String(repeating: ")", count: n),
            "SELECT 1 IN " + String(repeating: "(1 IN ", count: n) + "(1)" + String(repeating: ")", count: n),
            "SELECT " + String(repeating: "CAST(", count: n) + "1" + String(repeating: " AS int)", count: n),
            "SELECT " + String(repeating: "EXISTS (SELECT ", count: n) + "1" + String(repeating: ")", count: n),
            String(repeating: "(", count: n) + "SELECT 1" + String(repeating: ")", count: n),
            "SELECT 1 " + String(repeating: "UNION (SELECT 1 ", count: n) + String(repeating: ")", count: n),
            "SELECT " + String(repeating: "ROW(", count: n) + "1" + String(repeating: ")", count: n),
            "SELECT " + String(repeating: "a = ANY (SELECT ", count: n) + "1" + String(repeating: ")", count: n),
        ]
    }()

    /// Debug builds keep every local of a function in its own stack slot, so frames are several times
    /// larger than in release: 4 MiB (half of the usual 8 MiB thread stack) in debug, 1 MiB in release.
    static var stackSize: Int {
        #if DEBUG
        return 4 << 20
        #else
        return 1 << 20
        #endif
    }

    @Test func deepInputsFailCleanlyOnASmallStack() throws {
        let results = Mutex<[String?]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var outcomes: [String?] = []
            for sql in StackSafetyTests.nestedInputs {
                do throws(SQLSyntaxError) {
                    _ = try Parser.parse(sql)
                    outcomes.append(nil)
                } catch {
                    outcomes.append(error.sqlState)
                }
            }
            results.withLock { $0 = outcomes }
            done.signal()
        }
        thread.stackSize = StackSafetyTests.stackSize
        thread.start()
        done.wait()
        let outcomes = results.withLock { $0 }
        #expect(outcomes.count == StackSafetyTests.nestedInputs.count)
        for (sql, state) in zip(StackSafetyTests.nestedInputs, outcomes) {
            #expect(state == "54001", "\(sql.prefix(40))")
        }
    }
}
