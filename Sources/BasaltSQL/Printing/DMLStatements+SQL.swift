/// Printing INSERT, UPDATE and DELETE back to SQL.
extension InsertStatement: CustomStringConvertible {
    /// `[WITH …] INSERT [OR action] INTO …`.
    public var description: String {
        var text = with.map { $0.description + " " } ?? ""
        text += "INSERT " + (orAction.map { "OR " + $0.rawValue + " " } ?? "") + "INTO " + SQLQuoting.objectName(table)
        if let alias { text += " AS " + SQLQuoting.identifier(alias) }
        if let columns { text += " " + SQLQuoting.identifierList(columns) }
        switch source {
        case .values(let rows): text += " " + SetExpression.values(rows).description
        case .select(let query): text += " " + query.description
        case .defaultValues: text += " DEFAULT VALUES"
        }
        if let onConflict { text += " " + onConflict.description }
        if let returning { text += " RETURNING " + returning.map(\.description).joined(separator: ", ") }
        return text
    }
}

extension OnConflictClause: CustomStringConvertible {
    /// `ON CONFLICT [(cols) [WHERE …]] DO NOTHING | DO UPDATE SET … [WHERE …]`.
    public var description: String {
        var text = "ON CONFLICT"
        if let targetColumns { text += " " + SQLQuoting.identifierList(targetColumns) }
        if let targetWhere { text += " WHERE " + targetWhere.description }
        switch action {
        case .nothing:
            text += " DO NOTHING"
        case .update(let assignments, let whereClause):
            text += " DO UPDATE SET " + assignments.map(\.description).joined(separator: ", ")
            if let whereClause { text += " WHERE " + whereClause.description }
        }
        return text
    }
}

extension Assignment: CustomStringConvertible {
    /// `column = value`.
    public var description: String { SQLQuoting.identifier(column) + " = " + value.description }
}

extension UpdateStatement: CustomStringConvertible {
    /// `[WITH …] UPDATE [OR action] table [AS alias] SET … [FROM …] [WHERE …] [RETURNING …]`.
    public var description: String {
        var text = with.map { $0.description + " " } ?? ""
        text += "UPDATE " + (orAction.map { "OR " + $0.rawValue + " " } ?? "") + SQLQuoting.objectName(table)
        if let alias { text += " AS " + SQLQuoting.identifier(alias) }
        text += " SET " + assignments.map(\.description).joined(separator: ", ")
        if !from.isEmpty { text += " FROM " + from.map(\.description).joined(separator: ", ") }
        if let whereClause { text += " WHERE " + whereClause.description }
        if let returning { text += " RETURNING " + returning.map(\.description).joined(separator: ", ") }
        return text
    }
}

extension DeleteStatement: CustomStringConvertible {
    /// `[WITH …] DELETE FROM table [AS alias] [USING …] [WHERE …] [RETURNING …]`.
    public var description: String {
        var text = with.map { $0.description + " " } ?? ""
        text += "DELETE FROM " + SQLQuoting.objectName(table)
        if let alias { text += " AS " + SQLQuoting.identifier(alias) }
        if !using.isEmpty { text += " USING " + using.map(\.description).joined(separator: ", ") }
        if let whereClause { text += " WHERE " + whereClause.description }
        if let returning { text += " RETURNING " + returning.map(\.description).joined(separator: ", ") }
        return text
    }
}
