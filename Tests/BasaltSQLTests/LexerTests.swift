import Testing
@testable import BasaltSQL

@Suite struct LexerTests {
    private func kinds(_ sql: String) -> [TokenKind] {
        Lexer(sql).tokenize().map(\.kind)
    }

    @Test func identifiersAndKeywords() {
        #expect(kinds("SELECT Foo \"Bar\"\"x\" key") == [
            .keyword(.select), .identifier("foo"), .quotedIdentifier("Bar\"x"), .keyword(.key), .endOfInput,
        ])
        #expect(kinds("sElEcT") == [.keyword(.select), .endOfInput])
        #expect(kinds("café") == [.identifier("café"), .endOfInput])
    }

    @Test func literals() {
        #expect(kinds("'it''s' E'a\\nb' X'0aFF' $$x'y$$") == [
            .string("it's"), .string("a\nb"), .blob([0x0A, 0xFF]), .string("x'y"), .endOfInput,
        ])
        #expect(kinds("1 1.5 .5 1. 1e10 2.5E-3 99999999999999999999") == [
            .integer("1"), .decimal("1.5"), .decimal(".5"), .decimal("1."), .decimal("1e10"), .decimal("2.5E-3"),
            .integer("99999999999999999999"), .endOfInput,
        ])
        #expect(kinds("1e") == [.integer("1"), .identifier("e"), .endOfInput])
    }

    @Test func operatorsAndParameters() {
        #expect(kinds("+ - * / % || = <> != == < <= > >= :: ( ) , . ; ~ & | << >> ^ ? $12") == [
            .symbol(.plus), .symbol(.minus), .symbol(.star), .symbol(.slash), .symbol(.percent), .symbol(.concat),
            .symbol(.equal), .symbol(.notEqual), .symbol(.bangEqual), .symbol(.doubleEqual), .symbol(.less),
            .symbol(.lessEqual), .symbol(.greater), .symbol(.greaterEqual), .symbol(.doubleColon),
            .symbol(.leftParen), .symbol(.rightParen), .symbol(.comma), .symbol(.dot), .symbol(.semicolon),
            .symbol(.tilde), .symbol(.ampersand), .symbol(.pipe), .symbol(.shiftLeft), .symbol(.shiftRight),
            .symbol(.caret), .symbol(.question), .parameter(12), .endOfInput,
        ])
        #expect(kinds("a+-b") == [.identifier("a"), .symbol(.plus), .symbol(.minus), .identifier("b"), .endOfInput])
    }

    @Test func comments() {
        #expect(kinds("a -- comment\n b /* x /* nested */ y */ c") == [
            .identifier("a"), .identifier("b"), .identifier("c"), .endOfInput,
        ])
    }

    @Test func tokenRangesAreByteOffsets() {
        let tokens = Lexer("é  ab").tokenize()
        #expect(tokens[0].range == 0..<2)
        #expect(tokens[1].range == 4..<6)
        #expect(tokens[2].range == 6..<6)
    }

    @Test func lexicalErrorsBecomeInvalidTokens() {
        for sql in ["'abc", "\"abc", "/* abc", "X'ABC'", "X'zz'", "\"\"", "@", "$x", "$1234567890123"] {
            let tokens = Lexer(sql).tokenize()
            guard tokens.count >= 2, case .invalid = tokens[tokens.count - 2].kind else {
                Issue.record("expected an invalid token for \(sql): \(tokens)")
                continue
            }
            #expect(tokens.last?.kind == .endOfInput)
        }
    }
}
