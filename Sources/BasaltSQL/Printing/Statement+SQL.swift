/// Printing statements back to SQL (used by EXPLAIN and by view definitions stored in the catalog).
extension Statement: CustomStringConvertible {
    /// SQL text that parses back to an equal statement.
    public var description: String {
        switch self {
        case .select(let query): return query.description
        case .insert(let insert): return insert.description
        case .update(let update): return update.description
        case .delete(let delete): return delete.description
        case .createTable(let create): return create.description
        case .dropTable(let drop): return "DROP TABLE " + drop.description
        case .createIndex(let create): return create.description
        case .dropIndex(let drop): return "DROP INDEX " + drop.description
        case .createView(let create): return create.description
        case .dropView(let drop): return "DROP VIEW " + drop.description
        case .alterTable(let alter): return alter.description
        case .createTrigger(let create): return create.description
        case .dropTrigger(let drop): return "DROP TRIGGER " + drop.description
        case .begin(let modes): return "BEGIN" + modes.description
        case .commit: return "COMMIT"
        case .rollback: return "ROLLBACK"
        case .savepoint(let name): return "SAVEPOINT " + SQLQuoting.identifier(name)
        case .releaseSavepoint(let name): return "RELEASE SAVEPOINT " + SQLQuoting.identifier(name)
        case .rollbackToSavepoint(let name): return "ROLLBACK TO SAVEPOINT " + SQLQuoting.identifier(name)
        case .setTransaction(let modes, let session):
            return (session ? "SET SESSION CHARACTERISTICS AS TRANSACTION" : "SET TRANSACTION") + modes.description
        case .set(let set): return set.description
        case .reset(let name): return "RESET " + Statement.settingName(name)
        case .show(let name): return "SHOW " + Statement.settingName(name)
        case .explain(let explain):
            return "EXPLAIN " + (explain.analyze ? "ANALYZE " : "") + (explain.verbose ? "VERBOSE " : "")
                + explain.statement.description
        case .reindex(let name): return name.map { "REINDEX " + SQLQuoting.objectName($0) } ?? "REINDEX"
        }
    }

    static func settingName(_ name: String) -> String {
        name == "all" ? "ALL" : name.split(separator: ".", omittingEmptySubsequences: false)
            .map { SQLQuoting.identifier(String($0)) }.joined(separator: ".")
    }
}

extension TransactionModes: CustomStringConvertible {
    /// ` ISOLATION LEVEL …, READ ONLY` with a leading space, or empty.
    public var description: String {
        var parts: [String] = []
        if let isolation { parts.append("ISOLATION LEVEL " + isolation.rawValue) }
        if let readOnly { parts.append(readOnly ? "READ ONLY" : "READ WRITE") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: ", ")
    }
}

extension SetStatement: CustomStringConvertible {
    /// `SET [LOCAL] name = value, …` or `… = DEFAULT`.
    public var description: String {
        let target = "SET " + (isLocal ? "LOCAL " : "") + Statement.settingName(name) + " = "
        guard let values else { return target + "DEFAULT" }
        return target + values.map(\.description).joined(separator: ", ")
    }
}

extension DropStatement: CustomStringConvertible {
    /// `[IF EXISTS] names [CASCADE|RESTRICT]` (after `DROP kind `).
    public var description: String {
        (ifExists ? "IF EXISTS " : "") + names.map(SQLQuoting.objectName).joined(separator: ", ")
            + (behavior.map { " " + $0.rawValue } ?? "")
    }
}
