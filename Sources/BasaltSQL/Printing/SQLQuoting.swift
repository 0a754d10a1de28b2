/// Quoting rules used when printing an AST back to SQL, chosen so the printed text lexes back to the
/// same names and values.
enum SQLQuoting {
    /// Whether `name` lexes back to itself unquoted: lower-case ASCII identifier characters only.
    static func isSimpleWord(_ name: String) -> Bool {
        guard let first = name.utf8.first, (first >= 0x61 && first <= 0x7A) || first == 0x5F else { return false }
        for byte in name.utf8 {
            let ok = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x24
            if !ok { return false }
        }
        return true
    }

    /// A column, table or alias name: bare when it is a simple word that is not a keyword (unreserved
    /// keywords are fine), double-quoted otherwise.
    static func identifier(_ name: String) -> String {
        if isSimpleWord(name) {
            guard let keyword = Keyword(rawValue: name) else { return name }
            if keyword.category == .unreserved { return name }
        }
        return quoted(name)
    }

    /// A function name: bare also for column-name and type/function-name keywords (`coalesce`, `left`)
    /// except those with their own expression syntax.
    static func functionName(_ name: String) -> String {
        if isSimpleWord(name) {
            guard let keyword = Keyword(rawValue: name) else { return name }
            switch keyword.category {
            case .reserved: break
            default:
                if keyword != .exists && keyword != .row { return name }
            }
        }
        return quoted(name)
    }

    /// `"name"` with embedded quotes doubled.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'` with embedded quotes doubled (standard-conforming: backslashes are literal).
    static func stringLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `schema.name` with each part quoted as needed.
    static func objectName(_ name: ObjectName) -> String {
        if let schema = name.schema { return identifier(schema) + "." + identifier(name.name) }
        return identifier(name.name)
    }

    /// `(a, b, c)`.
    static func identifierList(_ names: [String]) -> String {
        "(" + names.map(identifier).joined(separator: ", ") + ")"
    }
}

extension String {
    /// Replaces every occurrence of `target` (a tiny Foundation-free stand-in for printing).
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count + 2)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
