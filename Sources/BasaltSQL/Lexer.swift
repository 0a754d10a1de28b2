/// Splits SQL text into ``Token``s, working directly on the UTF-8 bytes.
///
/// The lexer never throws: a lexical problem becomes a single ``TokenKind/invalid(message:sqlState:)``
/// token followed by end of input, and the parser reports it when it gets there. That keeps errors in
/// source order (a syntax error in statement 1 is reported before an unterminated string in statement 2)
/// and keeps this loop free of error plumbing.
///
/// Invariants: every byte position advances monotonically, so the lexer terminates on any input; token
/// ranges never overlap and lie within `0...bytes.count`.
public struct Lexer: Sendable {
    /// The source bytes being lexed.
    public let bytes: [UInt8]

    /// Creates a lexer over `source`'s UTF-8 bytes.
    public init(_ source: String) {
        self.bytes = Array(source.utf8)
    }

    /// Creates a lexer over UTF-8 bytes (assumed valid UTF-8; invalid sequences are decoded with
    /// replacement characters inside literals and identifiers).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lexes the whole input. The result always ends with exactly one ``TokenKind/endOfInput`` token.
    public func tokenize() -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3 + 1)
        var position = 0
        let count = bytes.count
        while true {
            position = skipTrivia(from: position)
            if let failure = pendingCommentError(at: position) {
                tokens.append(failure)
                break
            }
            if position >= count { break }
            let token = lexToken(at: position)
            tokens.append(token)
            if case .invalid = token.kind { break }
            position = token.range.upperBound
        }
        let end = tokens.last.map { token -> Int in
            if case .invalid = token.kind { return token.range.upperBound }
            return count
        } ?? count
        tokens.append(Token(kind: .endOfInput, range: max(end, count)..<max(end, count)))
        return tokens
    }

    // MARK: - Trivia

    /// Skips whitespace and comments. An unterminated block comment stops at its `/*` so that
    /// ``pendingCommentError(at:)`` can report it.
    private func skipTrivia(from start: Int) -> Int {
        var position = start
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                position += 1
            case UInt8(ascii: "-") where position + 1 < count && bytes[position + 1] == UInt8(ascii: "-"):
                position += 2
                while position < count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
            case UInt8(ascii: "/") where position + 1 < count && bytes[position + 1] == UInt8(ascii: "*"):
                guard let end = blockCommentEnd(from: position) else { return position }
                position = end
            default:
                return position
            }
        }
        return position
    }

    /// End (exclusive) of the block comment starting at `start`, honouring PostgreSQL's nesting;
    /// `nil` when unterminated.
    private func blockCommentEnd(from start: Int) -> Int? {
        var depth = 0
        var position = start
        let count = bytes.count
        while position + 1 < count {
            if bytes[position] == UInt8(ascii: "/") && bytes[position + 1] == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if bytes[position] == UInt8(ascii: "*") && bytes[position + 1] == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return position }
            } else {
                position += 1
            }
        }
        return nil
    }

    /// An error token when `position` is at an unterminated block comment.
    private func pendingCommentError(at position: Int) -> Token? {
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "/"),
              bytes[position + 1] == UInt8(ascii: "*") else { return nil }
        return Token(kind: .invalid(message: "unterminated /* comment", sqlState: SQLSyntaxError.syntaxErrorState),
                     range: position..<bytes.count)
    }

    // MARK: - Tokens

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte >= 0x80
    }

    private static func isIdentifierContinue(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Lexes one token starting at a non-trivia byte.
    private func lexToken(at start: Int) -> Token {
        let byte = bytes[start]
        let next: UInt8? = start + 1 < bytes.count ? bytes[start + 1] : nil
        if byte == UInt8(ascii: "'") {
            return lexString(openingQuote: start, contentStart: start + 1, tokenStart: start, escapes: false)
        }
        if (byte == UInt8(ascii: "x") || byte == UInt8(ascii: "X")) && next == UInt8(ascii: "'") {
            return lexBlob(at: start)
        }
        if (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) && next == UInt8(ascii: "'") {
            return lexString(openingQuote: start + 1, contentStart: start + 2, tokenStart: start, escapes: true)
        }
        if Lexer.isIdentifierStart(byte) { return lexWord(at: start) }
        if Lexer.isDigit(byte) || (byte == UInt8(ascii: ".") && next.map(Lexer.isDigit) == true) {
            return lexNumber(at: start)
        }
        if byte == UInt8(ascii: "\"") { return lexQuotedIdentifier(at: start) }
        if byte == UInt8(ascii: "$") { return lexDollar(at: start) }
        return lexSymbol(at: start)
    }

    private func lexWord(at start: Int) -> Token {
        var end = start + 1
        var hasUpper = bytes[start] >= 0x41 && bytes[start] <= 0x5A
        var isASCII = bytes[start] < 0x80
        while end < bytes.count && Lexer.isIdentifierContinue(bytes[end]) {
            let byte = bytes[end]
            if byte >= 0x41 && byte <= 0x5A { hasUpper = true }
            if byte >= 0x80 { isASCII = false }
            end += 1
        }
        let text: String
        if hasUpper {
            // Fold ASCII only, as PostgreSQL does; multibyte characters are kept.
            var lowered = Array(bytes[start..<end])
            for index in lowered.indices where lowered[index] >= 0x41 && lowered[index] <= 0x5A {
                lowered[index] |= 0x20
            }
            text = String(decoding: lowered, as: UTF8.self)
        } else {
            text = String(decoding: bytes[start..<end], as: UTF8.self)
        }
        if isASCII, end - start <= 17, let keyword = Keyword.byName[text] {
            return Token(kind: .keyword(keyword), range: start..<end)
        }
        return Token(kind: .identifier(text), range: start..<end)
    }

    private func lexNumber(at start: Int) -> Token {
        var end = start
        var isDecimal = false
        while end < bytes.count && Lexer.isDigit(bytes[end]) { end += 1 }
        if end < bytes.count && bytes[end] == UInt8(ascii: ".") {
            // `1..2` is not a number followed by `.2`; PostgreSQL lexes `1.` then `.2`, we do the same.
            isDecimal = true
            end += 1
            while end < bytes.count && Lexer.isDigit(bytes[end]) { end += 1 }
        }
        if end < bytes.count && (bytes[end] == UInt8(ascii: "e") || bytes[end] == UInt8(ascii: "E")) {
            var probe = end + 1
            if probe < bytes.count && (bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-")) {
                probe += 1
            }
            if probe < bytes.count && Lexer.isDigit(bytes[probe]) {
                isDecimal = true
                end = probe
                while end < bytes.count && Lexer.isDigit(bytes[end]) { end += 1 }
            }
        }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return Token(kind: isDecimal ? .decimal(text) : .integer(text), range: start..<end)
    }

    /// Lexes `'…'` with `''` doubling; with `escapes`, also PostgreSQL `E'…'` backslash escapes.
    private func lexString(openingQuote: Int, contentStart: Int, tokenStart: Int, escapes: Bool) -> Token {
        var decoded: [UInt8] = []
        var position = contentStart
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "'") {
                if position + 1 < count && bytes[position + 1] == UInt8(ascii: "'") {
                    decoded.append(byte)
                    position += 2
                    continue
                }
                return Token(kind: .string(String(decoding: decoded, as: UTF8.self)), range: tokenStart..<(position + 1))
            }
            if escapes && byte == UInt8(ascii: "\\") && position + 1 < count {
                position = decodeEscape(at: position + 1, into: &decoded)
                continue
            }
            decoded.append(byte)
            position += 1
        }
        return Token(kind: .invalid(message: "unterminated quoted string", sqlState: SQLSyntaxError.syntaxErrorState),
                     range: tokenStart..<count)
    }

    /// Decodes one backslash escape whose first byte after `\` is at `position`; returns the next position.
    private func decodeEscape(at position: Int, into decoded: inout [UInt8]) -> Int {
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "x"):
            var value = 0
            var probe = position + 1
            while probe < bytes.count && probe < position + 3, let digit = Lexer.hexValue(bytes[probe]) {
                value = value * 16 + Int(digit)
                probe += 1
            }
            if probe == position + 1 {
                decoded.append(byte)
                return position + 1
            }
            decoded.append(UInt8(value))
            return probe
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = 0
            var probe = position
            while probe < bytes.count && probe < position + 3,
                  bytes[probe] >= UInt8(ascii: "0") && bytes[probe] <= UInt8(ascii: "7") {
                value = value * 8 + Int(bytes[probe] - UInt8(ascii: "0"))
                probe += 1
            }
            decoded.append(UInt8(truncatingIfNeeded: value))
            return probe
        default:
            decoded.append(byte)
        }
        return position + 1
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func lexBlob(at start: Int) -> Token {
        var position = start + 2
        var decoded: [UInt8] = []
        var high: UInt8? = nil
        while position < bytes.count && bytes[position] != UInt8(ascii: "'") {
            guard let digit = Lexer.hexValue(bytes[position]) else {
                return Token(kind: .invalid(message: "invalid hexadecimal digit in blob literal",
                                            sqlState: SQLSyntaxError.syntaxErrorState),
                             range: start..<(position + 1))
            }
            if let value = high {
                decoded.append(value << 4 | digit)
                high = nil
            } else {
                high = digit
            }
            position += 1
        }
        guard position < bytes.count else {
            return Token(kind: .invalid(message: "unterminated quoted string", sqlState: SQLSyntaxError.syntaxErrorState),
                         range: start..<bytes.count)
        }
        if high != nil {
            return Token(kind: .invalid(message: "blob literal has an odd number of hexadecimal digits",
                                        sqlState: SQLSyntaxError.syntaxErrorState),
                         range: start..<(position + 1))
        }
        return Token(kind: .blob(decoded), range: start..<(position + 1))
    }

    private func lexQuotedIdentifier(at start: Int) -> Token {
        var decoded: [UInt8] = []
        var position = start + 1
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "\"") {
                if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\"") {
                    decoded.append(UInt8(ascii: "\""))
                    position += 2
                    continue
                }
                if decoded.isEmpty {
                    return Token(kind: .invalid(message: "zero-length delimited identifier",
                                                sqlState: SQLSyntaxError.syntaxErrorState),
                                 range: start..<(position + 1))
                }
                return Token(kind: .quotedIdentifier(String(decoding: decoded, as: UTF8.self)),
                             range: start..<(position + 1))
            }
            decoded.append(bytes[position])
            position += 1
        }
        return Token(kind: .invalid(message: "unterminated quoted identifier", sqlState: SQLSyntaxError.syntaxErrorState),
                     range: start..<bytes.count)
    }

    /// `$n` parameters and `$tag$…$tag$` dollar-quoted strings.
    private func lexDollar(at start: Int) -> Token {
        var position = start + 1
        if position < bytes.count && Lexer.isDigit(bytes[position]) {
            var value = 0
            var overflow = false
            while position < bytes.count && Lexer.isDigit(bytes[position]) {
                if !overflow {
                    let (product, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = product.addingReportingOverflow(Int(bytes[position] - 0x30))
                    overflow = o1 || o2 || sum > Int(Int32.max)
                    value = sum
                }
                position += 1
            }
            if overflow {
                return Token(kind: .invalid(message: "parameter number too large", sqlState: SQLSyntaxError.syntaxErrorState),
                             range: start..<position)
            }
            return Token(kind: .parameter(value), range: start..<position)
        }
        // Dollar quoting: `$tag$` where tag is empty or an identifier without `$`.
        while position < bytes.count && bytes[position] != UInt8(ascii: "$") &&
                (Lexer.isIdentifierStart(bytes[position]) || (position > start + 1 && Lexer.isDigit(bytes[position]))) {
            position += 1
        }
        guard position < bytes.count && bytes[position] == UInt8(ascii: "$") else {
            return Token(kind: .invalid(message: "syntax error at or near \"$\"", sqlState: SQLSyntaxError.syntaxErrorState),
                         range: start..<(start + 1))
        }
        let delimiter = bytes[start...position]
        let contentStart = position + 1
        var probe = contentStart
        while probe + delimiter.count <= bytes.count {
            if bytes[probe] == UInt8(ascii: "$") && bytes[probe..<(probe + delimiter.count)].elementsEqual(delimiter) {
                let text = String(decoding: bytes[contentStart..<probe], as: UTF8.self)
                return Token(kind: .string(text), range: start..<(probe + delimiter.count))
            }
            probe += 1
        }
        return Token(kind: .invalid(message: "unterminated dollar-quoted string", sqlState: SQLSyntaxError.syntaxErrorState),
                     range: start..<bytes.count)
    }

    private func lexSymbol(at start: Int) -> Token {
        let byte = bytes[start]
        let next: UInt8 = start + 1 < bytes.count ? bytes[start + 1] : 0
        let twoByte: Symbol?
        switch (byte, next) {
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): twoByte = .concat
        case (UInt8(ascii: "="), UInt8(ascii: "=")): twoByte = .doubleEqual
        case (UInt8(ascii: "<"), UInt8(ascii: ">")): twoByte = .notEqual
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): twoByte = .bangEqual
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): twoByte = .lessEqual
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): twoByte = .greaterEqual
        case (UInt8(ascii: ":"), UInt8(ascii: ":")): twoByte = .doubleColon
        case (UInt8(ascii: "<"), UInt8(ascii: "<")): twoByte = .shiftLeft
        case (UInt8(ascii: ">"), UInt8(ascii: ">")): twoByte = .shiftRight
        default: twoByte = nil
        }
        if let symbol = twoByte { return Token(kind: .symbol(symbol), range: start..<(start + 2)) }
        let single: Symbol?
        switch byte {
        case UInt8(ascii: "("): single = .leftParen
        case UInt8(ascii: ")"): single = .rightParen
        case UInt8(ascii: "["): single = .leftBracket
        case UInt8(ascii: "]"): single = .rightBracket
        case UInt8(ascii: ","): single = .comma
        case UInt8(ascii: "."): single = .dot
        case UInt8(ascii: ";"): single = .semicolon
        case UInt8(ascii: "+"): single = .plus
        case UInt8(ascii: "-"): single = .minus
        case UInt8(ascii: "*"): single = .star
        case UInt8(ascii: "/"): single = .slash
        case UInt8(ascii: "%"): single = .percent
        case UInt8(ascii: "^"): single = .caret
        case UInt8(ascii: "="): single = .equal
        case UInt8(ascii: "<"): single = .less
        case UInt8(ascii: ">"): single = .greater
        case UInt8(ascii: "~"): single = .tilde
        case UInt8(ascii: "&"): single = .ampersand
        case UInt8(ascii: "|"): single = .pipe
        case UInt8(ascii: "#"): single = .hash
        case UInt8(ascii: "?"): single = .question
        default: single = nil
        }
        if let symbol = single { return Token(kind: .symbol(symbol), range: start..<(start + 1)) }
        // A stray byte: report the whole character it starts, so the message quotes a valid string.
        var end = start + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return Token(kind: .invalid(message: "syntax error at or near \"\(text)\"", sqlState: SQLSyntaxError.syntaxErrorState),
                     range: start..<end)
    }
}
