/// Transaction control (BEGIN, COMMIT, ROLLBACK, savepoints) and session statements (SET, RESET, SHOW).
extension Parser {
    /// BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK [TO SAVEPOINT] / ABORT / SAVEPOINT / RELEASE.
    mutating func parseTransactionStatement() throws(SQLSyntaxError) -> Statement {
        let token = current
        advance()
        switch token.kind {
        case .keyword(.begin):
            if !consume(.transaction) { _ = consume(.work) }
            return .begin(try parseTransactionModes())
        case .keyword(.start):
            try expect(.transaction)
            return .begin(try parseTransactionModes())
        case .keyword(.commit), .keyword(.end):
            if !consume(.transaction) { _ = consume(.work) }
            return .commit
        case .keyword(.rollback), .keyword(.abort):
            if !consume(.transaction) { _ = consume(.work) }
            if token.kind == .keyword(.rollback) && consume(.to) {
                _ = consume(.savepoint)
                return .rollbackToSavepoint(try parseIdentifier(expected: "savepoint name"))
            }
            return .rollback
        case .keyword(.savepoint):
            return .savepoint(try parseIdentifier(expected: "savepoint name"))
        default: // RELEASE
            _ = consume(.savepoint)
            return .releaseSavepoint(try parseIdentifier(expected: "savepoint name"))
        }
    }

    /// `ISOLATION LEVEL …`, `READ ONLY`, `READ WRITE`, `[NOT] DEFERRABLE`, optionally comma-separated.
    mutating func parseTransactionModes() throws(SQLSyntaxError) -> TransactionModes {
        var modes = TransactionModes()
        var first = true
        while true {
            if !first { _ = consume(.comma) }
            first = false
            if consume(.isolation) {
                try expect(.level)
                if consume(.serializable) {
                    modes.isolation = .serializable
                } else if consume(.repeatable) {
                    try expect(.read)
                    modes.isolation = .repeatableRead
                } else if consume(.read) {
                    if consume(.committed) {
                        modes.isolation = .readCommitted
                    } else if consume(.uncommitted) {
                        modes.isolation = .readUncommitted
                    } else {
                        throw syntaxError(expected: ["COMMITTED", "UNCOMMITTED"])
                    }
                } else {
                    throw syntaxError(expected: ["SERIALIZABLE", "REPEATABLE READ", "READ COMMITTED", "READ UNCOMMITTED"])
                }
            } else if check(.read) && (peekIs(.only) || peekIs(.write)) {
                advance()
                modes.readOnly = consume(.only)
                if modes.readOnly == false { advance() }
            } else {
                return modes
            }
        }
    }

    /// SET / RESET / SHOW.
    mutating func parseSessionStatement() throws(SQLSyntaxError) -> Statement {
        let token = current
        advance()
        switch token.kind {
        case .keyword(.set):
            if consume(.transaction) {
                return .setTransaction(try parseTransactionModes(), session: false)
            }
            if check(.session) && peekIs(.characteristics) {
                advance()
                advance()
                try expect(.as)
                try expect(.transaction)
                return .setTransaction(try parseTransactionModes(), session: true)
            }
            var isLocal = false
            if consume(.local) {
                isLocal = true
            } else {
                _ = consume(.session)
            }
            if check(.time) && peekIs(.zone) {
                advance()
                advance()
                let value = try parseSettingValue()
                return .set(SetStatement(name: "timezone", isLocal: isLocal, values: value.map { [$0] }))
            }
            let name = try parseSettingName()
            guard consume(.to) || consume(.equal) else { throw syntaxError(expected: ["TO", "="]) }
            if check(.default) {
                advance()
                return .set(SetStatement(name: name, isLocal: isLocal, values: nil))
            }
            var values: [Expression] = []
            repeat {
                guard let value = try parseSettingValue() else { throw syntaxError(expected: ["value"]) }
                values.append(value)
            } while consume(.comma)
            return .set(SetStatement(name: name, isLocal: isLocal, values: values))
        case .keyword(.reset):
            if consume(.all) { return .reset("all") }
            return .reset(try parseSettingName())
        default: // SHOW
            if consume(.all) { return .show("all") }
            if check(.transaction) && peekIs(.isolation) && peekIs(.level, 2) {
                advance(); advance(); advance()
                return .show("transaction_isolation")
            }
            if check(.time) && peekIs(.zone) {
                advance(); advance()
                return .show("timezone")
            }
            return .show(try parseSettingName())
        }
    }

    /// A setting name, possibly dotted (`basalt.retention`), lower-cased.
    mutating func parseSettingName() throws(SQLSyntaxError) -> String {
        var name = try parseIdentifier(expected: "setting name")
        while consume(.dot) {
            name += "." + (try parseLabel(expected: "setting name"))
        }
        return name
    }

    /// A setting value: string, signed number, TRUE/FALSE/ON, or a bare word (as a string); `nil` for DEFAULT/LOCAL.
    mutating func parseSettingValue() throws(SQLSyntaxError) -> Expression? {
        let token = current
        switch token.kind {
        case .string(let text):
            advance()
            return Expression(.stringLiteral(text), location: token.location)
        case .integer, .decimal, .symbol(.minus), .symbol(.plus):
            return try parseExpression(minPrecedence: OperatorPrecedence.unary)
        case .keyword(.true), .keyword(.false):
            advance()
            return Expression(.booleanLiteral(token.kind == .keyword(.true)), location: token.location)
        case .keyword(.on):
            advance()
            return Expression(.stringLiteral("on"), location: token.location)
        case .keyword(.default), .keyword(.local):
            advance()
            return nil
        default:
            let word = try parseIdentifier(expected: "value")
            return Expression(.stringLiteral(word), location: token.location)
        }
    }
}
