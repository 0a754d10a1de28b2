import Foundation
import Testing
@testable import BasaltSLT

@Test func tmpBench() throws {
    let clock = ContinuousClock()
    var datas: [[UInt8]] = []
    for f in SLTCorpus.files() { datas.append([UInt8](FileManager.default.contents(atPath: SLTCorpus.root + "/" + f)!)) }
    let t0 = clock.now
    var n = 0
    for d in datas { for _ in SLTScriptParser(bytes: d) { n += 1 } }
    print("BENCH parse: \(n) records in \(clock.now - t0)")
    let t1 = clock.now
    var md5 = MD5()
    for d in datas { md5.update(d) }
    _ = md5.finalizeHex()
    print("BENCH md5 37MB: \(clock.now - t1)")
    let t2 = clock.now
    var k = 0
    for v in 0..<200_000 { k &+= SLTValueFormatter.format(.real(Double(v) / 7), as: .real).utf8.count; k &+= SLTValueFormatter.format(.integer(Int64(v)), as: .integer).utf8.count }
    print("BENCH format 200k R + 200k I: \(clock.now - t2) \(k)")
}
