/// Printing expressions back to SQL with exactly the parentheses that precedence requires.
extension Expression: CustomStringConvertible {
    /// SQL text that parses back to an equal expression.
    public var description: String { sql(minimum: 0) }

    /// The level at which this node binds (see ``OperatorPrecedence``).
    var precedence: Int {
        switch kind {
        case .binary(let op, _, _): return OperatorPrecedence.of(op)
        case .unary(.not, _): return OperatorPrecedence.not
        case .unary(.bitNot, _): return OperatorPrecedence.otherOperator
        case .unary: return OperatorPrecedence.unary
        case .isNull, .isDistinctFrom, .isTruth: return OperatorPrecedence.isTest
        case .between, .inList, .inSubquery, .like: return OperatorPrecedence.patternMatch
        case .quantified: return OperatorPrecedence.comparison
        case .exists(_, negated: true): return OperatorPrecedence.not
        default: return OperatorPrecedence.primary
        }
    }

    /// This expression's SQL, parenthesized when it binds more loosely than `minimum`.
    func sql(minimum: Int) -> String {
        let text = unparenthesizedSQL()
        return precedence < minimum ? "(" + text + ")" : text
    }

    private func unparenthesizedSQL() -> String {
        switch kind {
        case .integerLiteral(let value):
            return value < 0 ? "(\(value))" : String(value)
        case .numericLiteral(let text), .decimalLiteral(let text):
            return text
        case .stringLiteral(let text):
            return SQLQuoting.stringLiteral(text)
        case .blobLiteral(let bytes):
            let digits: [Character] = Array("0123456789ABCDEF")
            var hex = ""
            for byte in bytes {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0x0F)])
            }
            return "X'" + hex + "'"
        case .booleanLiteral(let value):
            return value ? "TRUE" : "FALSE"
        case .null:
            return "NULL"
        case .defaultValue:
            return "DEFAULT"
        case .parameter(let index):
            return "$\(index)"
        case .columnRef(let table, let column):
            if let table { return SQLQuoting.objectName(table) + "." + SQLQuoting.identifier(column) }
            return SQLQuoting.identifier(column)
        case .unary(let op, let operand):
            switch op {
            case .not:
                return "NOT " + operand.sql(minimum: OperatorPrecedence.not + 1)
            case .bitNot:
                return "~" + operand.sql(minimum: OperatorPrecedence.additive)
            case .plus, .minus:
                let inner = operand.sql(minimum: OperatorPrecedence.unary)
                // `-` followed by `-` would start a comment.
                let separator = inner.hasPrefix("-") || inner.hasPrefix("+") ? " " : ""
                return op.rawValue + separator + inner
            }
        case .binary(let op, let left, let right):
            let level = OperatorPrecedence.of(op)
            let leftMinimum = OperatorPrecedence.isNonAssociative(level) ? level + 1 : level
            return left.sql(minimum: leftMinimum) + " " + op.rawValue + " " + right.sql(minimum: level + 1)
        case .isNull(let operand, let negated):
            return operand.sql(minimum: OperatorPrecedence.isTest + 1) + (negated ? " IS NOT NULL" : " IS NULL")
        case .isDistinctFrom(let left, let right, let negated):
            return left.sql(minimum: OperatorPrecedence.isTest + 1) + (negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ")
                + right.sql(minimum: OperatorPrecedence.isTest + 1)
        case .isTruth(let operand, let value, let negated):
            return operand.sql(minimum: OperatorPrecedence.isTest + 1) + (negated ? " IS NOT " : " IS ") + value.rawValue
        case .between(let operand, let low, let high, let negated, let symmetric):
            let level = OperatorPrecedence.patternMatch + 1
            return operand.sql(minimum: level) + (negated ? " NOT BETWEEN " : " BETWEEN ") + (symmetric ? "SYMMETRIC " : "")
                + low.sql(minimum: level) + " AND " + high.sql(minimum: level)
        case .inList(let operand, let list, let negated):
            return operand.sql(minimum: OperatorPrecedence.patternMatch + 1) + (negated ? " NOT IN (" : " IN (")
                + list.map(\.description).joined(separator: ", ") + ")"
        case .inSubquery(let operand, let query, let negated):
            return operand.sql(minimum: OperatorPrecedence.patternMatch + 1) + (negated ? " NOT IN (" : " IN (")
                + query.description + ")"
        case .exists(let query, let negated):
            return (negated ? "NOT EXISTS (" : "EXISTS (") + query.description + ")"
        case .scalarSubquery(let query):
            return "(" + query.description + ")"
        case .quantified(let operand, let op, let quantifier, let query):
            return operand.sql(minimum: OperatorPrecedence.comparison + 1) + " " + op.rawValue + " "
                + quantifier.rawValue + " (" + query.description + ")"
        case .like(let operand, let pattern, let escape, let caseInsensitive, let negated):
            let level = OperatorPrecedence.patternMatch + 1
            var text = operand.sql(minimum: level) + (negated ? " NOT" : "") + (caseInsensitive ? " ILIKE " : " LIKE ")
                + pattern.sql(minimum: level)
            if let escape { text += " ESCAPE " + escape.sql(minimum: level) }
            return text
        case .caseWhen(let caseExpression):
            var text = "CASE"
            if let operand = caseExpression.operand { text += " " + operand.description }
            for arm in caseExpression.whenClauses {
                text += " WHEN " + arm.condition.description + " THEN " + arm.result.description
            }
            if let elseResult = caseExpression.elseResult { text += " ELSE " + elseResult.description }
            return text + " END"
        case .cast(let operand, let type):
            return "CAST(" + operand.description + " AS " + type.description + ")"
        case .function(let call):
            return call.description
        case .row(let items):
            return "ROW(" + items.map(\.description).joined(separator: ", ") + ")"
        case .collate(let operand, let collation):
            return operand.sql(minimum: OperatorPrecedence.primary) + " COLLATE " + SQLQuoting.identifier(collation)
        }
    }
}

extension FunctionCall: CustomStringConvertible {
    /// `name(args)`, `count(*)`, `f(DISTINCT x ORDER BY y) FILTER (WHERE c)`, or a bare niladic keyword.
    public var description: String {
        if name.schema == nil && arguments.isEmpty && !isStar && orderBy.isEmpty
            && FunctionCall.niladicNames.contains(name.name) {
            return filter.map { name.name + " FILTER (WHERE " + $0.description + ")" } ?? name.name
        }
        var text = (name.schema.map { SQLQuoting.identifier($0) + "." } ?? "") + SQLQuoting.functionName(name.name) + "("
        if isStar {
            text += "*"
        } else {
            if isDistinct { text += "DISTINCT " }
            text += arguments.map(\.description).joined(separator: ", ")
            if !orderBy.isEmpty { text += " ORDER BY " + orderBy.map(\.description).joined(separator: ", ") }
        }
        text += ")"
        if let filter { text += " FILTER (WHERE " + filter.description + ")" }
        return text
    }
}

extension OrderItem: CustomStringConvertible {
    /// `expression [DESC] [NULLS FIRST|LAST]`.
    public var description: String {
        var text = expression.description
        if !ascending { text += " DESC" }
        if let nullsFirst { text += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
        return text
    }
}

extension TypeName: CustomStringConvertible {
    /// `name[(modifiers)][[]…]`, with `with time zone` after the modifiers.
    public var description: String {
        var base = name
        var suffix = ""
        if name.hasSuffix(" with time zone") {
            base = String(name.dropLast(" with time zone".count))
            suffix = " with time zone"
        }
        if !base.contains(" ") && !base.contains(".") {
            if !SQLQuoting.isSimpleWord(base) || Keyword(rawValue: base)?.category == .reserved {
                base = SQLQuoting.quoted(base)
            }
        }
        var text = base
        if !modifiers.isEmpty { text += "(" + modifiers.map(String.init).joined(separator: ", ") + ")" }
        text += suffix
        text += String(repeating: "[]", count: arrayDimensions)
        return text
    }
}
