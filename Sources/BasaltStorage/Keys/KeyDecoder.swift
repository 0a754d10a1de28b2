/// Why `KeyDecoder` rejected a key. `offset` is the byte position in the key where decoding failed.
///
/// A stored key that fails to decode means the page holding it is corrupt: callers that read keys from
/// pages wrap the error with `storageError(page:)`.
public enum KeyDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key ended inside a component, or before every expected component was read.
    case truncated(offset: Int)
    /// A byte where a type tag belongs is no tag in the given direction.
    case unknownTag(UInt8, offset: Int)
    /// A component's payload breaks the format (bad bool byte, bad escape, non-canonical NaN or -0.0,
    /// invalid UTF-8 in text).
    case malformed(offset: Int, detail: String)
    /// Bytes remain after the last expected component.
    case trailingBytes(offset: Int)

    public var description: String {
        switch self {
        case let .truncated(offset): return "key truncated at byte \(offset)"
        case let .unknownTag(tag, offset): return "unknown key type tag 0x\(String(tag, radix: 16)) at byte \(offset)"
        case let .malformed(offset, detail): return "malformed key component at byte \(offset): \(detail)"
        case let .trailingBytes(offset): return "unexpected bytes after the last key component at byte \(offset)"
        }
    }

    /// This error as the corruption of the page the key was read from.
    public func storageError(page: UInt32) -> StorageError {
        .corruption(page: page, detail: "index key: \(description)")
    }
}

/// Reads back the components `KeyEncoder` wrote, given the same directions. The format is described at
/// the top of KeyEncoder.swift.
///
/// ```swift
/// var decoder = KeyDecoder(key)
/// let id = try decoder.next()                    // ascending component
/// let name = try decoder.next(descending: true)
/// try decoder.finish()                           // no bytes left over
/// ```
public struct KeyDecoder: Sendable {
    public private(set) var bytes: [UInt8]
    /// The position of the next component.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Starts over on a copy of `key`, reusing this decoder's storage: a scan decoding one key per
    /// entry allocates nothing per entry.
    public mutating func reset(_ key: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        // As typed bytes: appending a raw buffer copies it byte by byte, a typed one with one memcpy.
        bytes.append(contentsOf: key.assumingMemoryBound(to: UInt8.self))
        offset = 0
    }

    public var isAtEnd: Bool { offset == bytes.count }

    /// Decodes the whole key: one component per entry of `descending`, and nothing after them.
    public static func decode(_ key: [UInt8], descending: [Bool]) throws(KeyDecodingError) -> [KeyComponent] {
        var decoder = KeyDecoder(key)
        var components: [KeyComponent] = []
        components.reserveCapacity(descending.count)
        for direction in descending {
            components.append(try decoder.next(descending: direction))
        }
        try decoder.finish()
        return components
    }

    /// Throws unless every byte has been decoded.
    public func finish() throws(KeyDecodingError) {
        if !isAtEnd { throw .trailingBytes(offset: offset) }
    }

    /// Decodes the next component, written in the given direction.
    public mutating func next(descending: Bool = false) throws(KeyDecodingError) -> KeyComponent {
        let mask: UInt8 = descending ? 0xFF : 0x00
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        let tagOffset = offset
        let tag = bytes[offset] ^ mask
        offset += 1
        switch tag {
        case KeyEncoder.Tag.null:
            return .null
        case KeyEncoder.Tag.bool:
            guard offset < bytes.count else { throw .truncated(offset: offset) }
            let b = bytes[offset] ^ mask
            guard b <= 1 else { throw .malformed(offset: offset, detail: "bool byte 0x\(String(b, radix: 16))") }
            offset += 1
            return .bool(b == 1)
        case KeyEncoder.Tag.negativeInt, KeyEncoder.Tag.nonNegativeInt...KeyEncoder.Tag.lastNonNegativeInt:
            var end = tagOffset
            let decoded: Result<Int64?, KeyDecodingError> = bytes.withUnsafeBytes { raw in
                Result { () throws(KeyDecodingError) in try Self.integer(in: raw, at: &end, descending: descending) }
            }
            offset = end
            return .int(try decoded.get()!)
        case KeyEncoder.Tag.double:
            let payloadOffset = offset
            let ordered = try readFixed(mask: mask)
            let bits = ordered & KeyEncoder.signBit != 0 ? ordered ^ KeyEncoder.signBit : ~ordered
            let value = Double(bitPattern: bits)
            if value.isNaN && bits != KeyEncoder.canonicalNaNBits {
                throw .malformed(offset: payloadOffset, detail: "non-canonical NaN")
            }
            if value == 0 && value.sign == .minus {
                throw .malformed(offset: payloadOffset, detail: "-0.0 is written as +0.0")
            }
            return .double(value)
        case KeyEncoder.Tag.text:
            let payloadOffset = offset
            let utf8 = try readEscaped(mask: mask)
            guard let text = String(validating: utf8, as: UTF8.self) else {
                throw .malformed(offset: payloadOffset, detail: "text is not valid UTF-8")
            }
            return .text(text)
        case KeyEncoder.Tag.blob:
            return .blob(try readEscaped(mask: mask))
        default:
            throw .unknownTag(bytes[tagOffset], offset: tagOffset)
        }
    }

    /// Moves past the next component without building it (a caller that needs a later component
    /// only). Checks only what finding the component's end needs: the tag, the payload's length, and a
    /// text or blob's escapes up to its terminator.
    public mutating func skip(descending: Bool = false) throws(KeyDecodingError) {
        let mask: UInt8 = descending ? 0xFF : 0x00
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        let tag = bytes[offset] ^ mask
        let width: Int
        switch tag {
        case KeyEncoder.Tag.null: width = 0
        case KeyEncoder.Tag.bool: width = 1
        case KeyEncoder.Tag.negativeInt, KeyEncoder.Tag.double: width = 8
        case KeyEncoder.Tag.nonNegativeInt...KeyEncoder.Tag.lastNonNegativeInt:
            width = Int(tag - KeyEncoder.Tag.nonNegativeInt) + 1
        case KeyEncoder.Tag.text, KeyEncoder.Tag.blob:
            var i = offset + 1
            let end = bytes.count
            while i < end {
                guard bytes[i] ^ mask == KeyEncoder.escape else { i += 1; continue }
                guard i + 1 < end else { throw .truncated(offset: end) }
                switch bytes[i + 1] ^ mask {
                case KeyEncoder.escapedZero: i += 2
                case KeyEncoder.terminator:
                    offset = i + 2
                    return
                case let other:
                    throw .malformed(offset: i + 1, detail: "byte 0x\(String(other, radix: 16)) after an escape")
                }
            }
            throw .truncated(offset: end)
        default:
            throw .unknownTag(bytes[offset], offset: offset)
        }
        guard bytes.count - offset - 1 >= width else { throw .truncated(offset: bytes.count) }
        offset += 1 + width
    }

    /// Decodes the integer component (nil: NULL) that starts at `offset` of `key`, written in the given
    /// direction, and moves `offset` past it; the checks of `next`, without copying the key into a
    /// decoder (an index scan decodes integer columns straight from the page). Any other component
    /// is `malformed`.
    public static func integer(in key: UnsafeRawBufferPointer, at offset: inout Int,
                               descending: Bool) throws(KeyDecodingError) -> Int64? {
        let mask: UInt8 = descending ? 0xFF : 0x00
        guard offset < key.count else { throw .truncated(offset: offset) }
        let tag = key[offset] ^ mask
        let payload = offset + 1
        switch tag {
        case KeyEncoder.Tag.null:
            offset = payload
            return nil
        case KeyEncoder.Tag.negativeInt:
            guard key.count - payload >= 8 else { throw .truncated(offset: key.count) }
            var bits: UInt64 = 0
            for i in payload..<payload + 8 { bits = bits << 8 | UInt64(key[i] ^ mask) }
            let value = Int64(bitPattern: bits ^ KeyEncoder.signBit)
            guard value < 0 else { throw .malformed(offset: payload, detail: "non-negative integer under the negative tag") }
            offset = payload + 8
            return value
        case KeyEncoder.Tag.nonNegativeInt...KeyEncoder.Tag.lastNonNegativeInt:
            let width = Int(tag - KeyEncoder.Tag.nonNegativeInt) + 1
            guard key.count - payload >= width else { throw .truncated(offset: key.count) }
            guard key[payload] ^ mask != 0 || width == 1 else {
                throw .malformed(offset: payload, detail: "integer is not in its shortest form")
            }
            var bits: UInt64 = 0
            for i in payload..<payload + width { bits = bits << 8 | UInt64(key[i] ^ mask) }
            guard bits <= UInt64(Int64.max) else { throw .malformed(offset: payload, detail: "integer out of range") }
            offset = payload + width
            return Int64(bits)
        default:
            throw .malformed(offset: offset, detail: "expected an integer, found tag 0x\(String(key[offset], radix: 16))")
        }
    }

    private mutating func readFixed(mask: UInt8) throws(KeyDecodingError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw .truncated(offset: bytes.count) }
        var bits: UInt64 = 0
        for i in offset..<offset + 8 {
            bits = bits << 8 | UInt64(bytes[i] ^ mask)
        }
        offset += 8
        return bits
    }

    private mutating func readEscaped(mask: UInt8) throws(KeyDecodingError) -> [UInt8] {
        var out: [UInt8] = []
        var i = offset
        let end = bytes.count
        while i < end {
            let b = bytes[i] ^ mask
            if b != KeyEncoder.escape {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < end else { throw .truncated(offset: end) }
            switch bytes[i + 1] ^ mask {
            case KeyEncoder.escapedZero:
                out.append(0)
                i += 2
            case KeyEncoder.terminator:
                offset = i + 2
                return out
            case let other:
                throw .malformed(offset: i + 1, detail: "byte 0x\(String(other, radix: 16)) after an escape")
            }
        }
        throw .truncated(offset: end)
    }
}
