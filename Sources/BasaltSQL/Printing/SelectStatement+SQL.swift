/// Printing queries back to SQL.
extension SelectStatement: CustomStringConvertible {
    /// SQL text that parses back to an equal query (with PostgreSQL set-operator precedence).
    public var description: String {
        var text = ""
        if let with { text += with.description + " " }
        text += body.description
        if !orderBy.isEmpty { text += " ORDER BY " + orderBy.map(\.description).joined(separator: ", ") }
        if let limit { text += " LIMIT " + limit.description }
        if let offset { text += " OFFSET " + offset.description }
        return text
    }
}

extension WithClause: CustomStringConvertible {
    /// `WITH [RECURSIVE] name [(cols)] AS (query), …`.
    public var description: String {
        "WITH " + (recursive ? "RECURSIVE " : "") + tables.map { table in
            var text = SQLQuoting.identifier(table.name)
            if !table.columns.isEmpty { text += " " + SQLQuoting.identifierList(table.columns) }
            text += " AS "
            if let materialized = table.materialized { text += materialized ? "MATERIALIZED " : "NOT MATERIALIZED " }
            return text + "(" + table.query.description + ")"
        }.joined(separator: ", ")
    }
}

extension SetExpression: CustomStringConvertible {
    /// The body; operands of set operations are parenthesized where PostgreSQL precedence requires it.
    public var description: String {
        switch self {
        case .select(let core):
            return core.description
        case .values(let rows):
            return "VALUES " + rows.map { "(" + $0.map(\.description).joined(separator: ", ") + ")" }
                .joined(separator: ", ")
        case .setOperation(let op, let all, let left, let right):
            let level = SetExpression.level(of: op)
            let leftText = left.operandLevel < level ? left.wrapped : left.description
            let rightText = right.operandLevel <= level ? right.wrapped : right.description
            return leftText + " " + op.rawValue + (all ? " ALL " : " ") + rightText
        case .parenthesized(let query):
            return "(" + query.description + ")"
        }
    }

    private static func level(of op: SetOperator) -> Int { op == .intersect ? 2 : 1 }

    private var operandLevel: Int {
        if case .setOperation(let op, _, _, _) = self { return SetExpression.level(of: op) }
        return 3
    }

    private var wrapped: String { "(" + description + ")" }
}

extension SelectCore: CustomStringConvertible {
    /// `SELECT … [FROM …] [AS OF SYSTEM TIME …] [WHERE …] [GROUP BY …] [HAVING …]`.
    public var description: String {
        var text = "SELECT "
        switch distinct {
        case .none: break
        case .all: text += "ALL "
        case .distinct: text += "DISTINCT "
        case .distinctOn(let keys): text += "DISTINCT ON (" + keys.map(\.description).joined(separator: ", ") + ") "
        }
        text += items.map(\.description).joined(separator: ", ")
        if !from.isEmpty { text += " FROM " + from.map(\.description).joined(separator: ", ") }
        if let asOf { text += " AS OF SYSTEM TIME " + asOf.description }
        if let whereClause { text += " WHERE " + whereClause.description }
        if !groupBy.isEmpty { text += " GROUP BY " + groupBy.map(\.description).joined(separator: ", ") }
        if let having { text += " HAVING " + having.description }
        return text
    }
}

extension SelectItem: CustomStringConvertible {
    /// `*`, `t.*`, or `expression [AS alias]`.
    public var description: String {
        switch self {
        case .wildcard: return "*"
        case .qualifiedWildcard(let name, _): return SQLQuoting.objectName(name) + ".*"
        case .expression(let expression, let alias):
            guard let alias else { return expression.description }
            return expression.description + " AS " + SQLQuoting.identifier(alias)
        }
    }
}

extension TableReference: CustomStringConvertible {
    /// The FROM item; the right operand of a join is parenthesized when it is itself a join.
    public var description: String {
        switch kind {
        case .table(let name, let alias, let columns):
            return SQLQuoting.objectName(name) + TableReference.aliasText(alias, columns)
        case .derived(let query, let alias, let columns):
            return "(" + query.description + ")" + TableReference.aliasText(alias, columns)
        case .function(let call, let alias, let columns):
            return call.description + TableReference.aliasText(alias, columns)
        case .join(let left, let right, let joinKind, let condition):
            var rightText = right.description
            if case .join = right.kind { rightText = "(" + rightText + ")" }
            var joinText = joinKind.rawValue
            if case .natural = condition { joinText = "NATURAL " + joinText }
            var text = left.description + " " + joinText + " " + rightText
            switch condition {
            case .on(let expression): text += " ON " + expression.description
            case .using(let columns): text += " USING " + SQLQuoting.identifierList(columns)
            case .natural, .none: break
            }
            return text
        }
    }

    private static func aliasText(_ alias: String?, _ columns: [String]) -> String {
        guard let alias else { return "" }
        var text = " AS " + SQLQuoting.identifier(alias)
        if !columns.isEmpty { text += " " + SQLQuoting.identifierList(columns) }
        return text
    }
}
