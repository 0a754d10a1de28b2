/// Something a transaction can lock, in a three-level hierarchy: the whole database, one B+tree (a
/// table or an index, by its tree id), or one key of a tree (a row or index entry, by its encoded key);
/// beside the trees, one SQL object (a table, by catalog id) whose definition DML and DDL order on.
///
/// Locking follows the multiple-granularity protocol: before a mode is taken on a resource, the owner
/// holds that mode's `LockMode.parentIntention` on every ancestor (`LockManager.acquire` does this). A
/// lock on a resource therefore covers every descendant: S on a tree reads all its keys.
///
/// Privacy: the key bytes are row contents, and logs must never contain those. `description`,
/// `debugDescription` and the reflection mirror (`dump`) show a key's tree and length only.
package enum LockResource: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The whole database: the root of the hierarchy.
    case database
    /// One B+tree, by tree id; its parent is `.database`.
    case tree(UInt32)
    /// One key of a B+tree (the encoded key bytes); its parent is `.tree(tree)`.
    case key(tree: UInt32, key: [UInt8])
    /// One SQL object by catalog id (its rows share the tables tree with every other object's); its
    /// parent is `.database`. Statements writing the object's rows hold S, DDL changing it holds X.
    case object(UInt32)

    /// The resource one level up (key → tree → database), or nil for `.database`.
    @inlinable
    package var parent: LockResource? {
        switch self {
        case .database: return nil
        case .tree, .object: return .database
        case let .key(tree, _): return .tree(tree)
        }
    }

    /// Hashes a key's bytes as one block instead of one `combine` per byte (the synthesized `Array`
    /// hash), and the case and tree as one word: the lock manager hashes resources several times per
    /// lock. Consistent with the synthesized `==`: equal values feed the hasher the same input (the
    /// byte count is part of the block hash).
    package func hash(into hasher: inout Hasher) {
        switch self {
        case .database:
            hasher.combine(0 as UInt64)
        case let .tree(tree):
            hasher.combine(UInt64(tree) << 8 | 1)
        case let .key(tree, key):
            hasher.combine(UInt64(tree) << 8 | 2)
            key.withUnsafeBytes { hasher.combine(bytes: $0) }
        case let .object(id):
            hasher.combine(UInt64(id) << 8 | 3)
        }
    }

    /// "database", "tree 7" or "key in tree 7 (12 bytes)": never the key bytes.
    package var description: String {
        switch self {
        case .database: return "database"
        case let .tree(tree): return "tree \(tree)"
        case let .key(tree, key): return "key in tree \(tree) (\(key.count) bytes)"
        case let .object(id): return "object \(id)"
        }
    }

    /// The same as `description`, so `String(reflecting:)` and collection descriptions hide keys too.
    package var debugDescription: String { description }

    /// A mirror with the key's length in place of its bytes, so `dump` hides keys too.
    package var customMirror: Mirror {
        switch self {
        case .database: return Mirror(self, children: [], displayStyle: .enum)
        case let .tree(tree): return Mirror(self, children: ["tree": tree], displayStyle: .enum)
        case let .key(tree, key):
            return Mirror(self, children: ["tree": tree, "keyLength": key.count], displayStyle: .enum)
        case let .object(id): return Mirror(self, children: ["object": id], displayStyle: .enum)
        }
    }
}
