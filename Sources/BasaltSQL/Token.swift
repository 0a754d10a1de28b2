/// A punctuation or operator token. Raw values are the source spelling.
public enum Symbol: String, Sendable, CaseIterable {
    /// `(`
    case leftParen = "("
    /// `)`
    case rightParen = ")"
    /// `[`
    case leftBracket = "["
    /// `]`
    case rightBracket = "]"
    /// `,`
    case comma = ","
    /// `.`
    case dot = "."
    /// `;`
    case semicolon = ";"
    /// `+`
    case plus = "+"
    /// `-`
    case minus = "-"
    /// `*`
    case star = "*"
    /// `/`
    case slash = "/"
    /// `%`
    case percent = "%"
    /// `^` (exponentiation, as in PostgreSQL)
    case caret = "^"
    /// `||`
    case concat = "||"
    /// `=`
    case equal = "="
    /// `==` (SQLite spelling of `=`)
    case doubleEqual = "=="
    /// `<>`
    case notEqual = "<>"
    /// `!=`
    case bangEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterEqual = ">="
    /// `::` (PostgreSQL cast)
    case doubleColon = "::"
    /// `~` (bitwise not when prefix)
    case tilde = "~"
    /// `&`
    case ampersand = "&"
    /// `|`
    case pipe = "|"
    /// `#` (bitwise xor, as in PostgreSQL)
    case hash = "#"
    /// `<<`
    case shiftLeft = "<<"
    /// `>>`
    case shiftRight = ">>"
    /// `?` (positional parameter)
    case question = "?"
}

/// What a token is, with its decoded payload.
public enum TokenKind: Sendable, Equatable {
    /// A keyword (unquoted word found in ``Keyword``), case-insensitive.
    case keyword(Keyword)
    /// An unquoted identifier, folded to lower case (ASCII letters only, as PostgreSQL does).
    case identifier(String)
    /// A double-quoted identifier, kept exactly (`""` decoded to `"`); never a keyword.
    case quotedIdentifier(String)
    /// A string literal `'…'` (or `E'…'`, `$$…$$`) with quotes and escapes decoded.
    case string(String)
    /// A blob literal `X'ABCD'`, decoded to bytes.
    case blob([UInt8])
    /// An integer literal's digits (may exceed `Int64`).
    case integer(String)
    /// A decimal or exponent literal's text (`1.5`, `.5`, `1.`, `1e10`).
    case decimal(String)
    /// A numbered parameter `$n`.
    case parameter(Int)
    /// Punctuation or an operator, including `?`.
    case symbol(Symbol)
    /// A lexical error (unterminated string, stray character, …); the parser reports it when reached,
    /// so errors come out in source order.
    case invalid(message: String, sqlState: String)
    /// End of input; always the last token.
    case endOfInput
}

/// One lexical token and the UTF-8 byte range it came from.
public struct Token: Sendable, Equatable {
    /// The token's kind and payload.
    public var kind: TokenKind
    /// Byte range in the source (`start..<end`); empty at end of input.
    public var range: Range<Int>

    /// Creates a token.
    public init(kind: TokenKind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// Location of this token for AST nodes.
    public var location: SourceLocation { SourceLocation(offset: range.lowerBound, length: range.count) }
}
