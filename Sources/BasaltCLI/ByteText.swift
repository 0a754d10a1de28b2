/// How the CLI turns command-line text into key/value bytes and back: UTF-8 by default, hexadecimal with
/// `--hex` (input `0a1b…`, output the same), and output of non-printable bytes as `0x…` hex.
enum ByteText {
    static func parse(_ text: String, hex: Bool) throws -> [UInt8] {
        guard hex else { return Array(text.utf8) }
        let digits = Array(text.hasPrefix("0x") ? text.dropFirst(2) : Substring(text))
        guard digits.count % 2 == 0 else { throw CLIError("hex text \"\(text)\" has an odd number of digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let byte = UInt8(String(digits[i...i + 1]), radix: 16) else {
                throw CLIError("\"\(text)\" is not hexadecimal")
            }
            bytes.append(byte)
            i += 2
        }
        return bytes
    }

    static func render(_ bytes: [UInt8], hex: Bool) -> String {
        let printable = bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }
            || (String(validating: bytes, as: UTF8.self).map { !$0.contains(where: \.isNewline) } ?? false)
        if !hex, printable { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// A usage error of the CLI, printed as `basalt: <message>`.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
