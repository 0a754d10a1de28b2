import BasaltSQL

/// Helpers for tools that handle SQL text: splitting a script into statements, and describing an
/// error the way psql does (message, then the line with a caret under the offending text).
public enum SQLScript {
    /// The statements of `sql`, each as its own text (comments between them dropped). Throws the
    /// script's first syntax error as `BasaltError` (42601).
    public static func split(_ sql: String) throws -> [String] {
        do {
            let parsed = try Parser.parseScript(sql)
            let bytes = Array(sql.utf8)
            return parsed.map { String(decoding: bytes[$0.sourceRange.clamped(to: 0..<bytes.count)], as: UTF8.self) }
        } catch {
            throw BasaltError(syntax: error, sql: sql)
        }
    }

    /// "ERROR:  message" with the caret display and the suggestion, for terminals.
    public static func describe(_ error: BasaltError) -> String {
        var text = "ERROR:  \(error.message) (SQLSTATE \(error.code.rawValue))"
        if let display = error.context["display"] {
            text = "ERROR:  " + display + " (SQLSTATE \(error.code.rawValue))"
        }
        if let detail = error.context["detail"] { text += "\nDETAIL:  \(detail)" }
        if let suggestion = error.suggestion { text += "\nHINT:  \(suggestion)" }
        return text
    }
}
