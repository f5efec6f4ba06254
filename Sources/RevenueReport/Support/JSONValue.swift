/// A generic JSON value, also the target that XML is mapped onto.
///
/// Numbers keep their text (`12`, `1e400`) so nothing is lost or reformatted on the way
/// through, and object members keep their order so output matches the input.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of the first member named `key`, when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let length = key.utf8.count  // names of other lengths need no comparing
        return members.first(where: { $0.key.utf8.count == length && $0.key == key })?.value
    }
}

public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    /// Compact JSON text: no spaces, members in their order, non-ASCII left as UTF-8.
    public var compactText: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented JSON for files people read (the manifest): two spaces a level.
    public var prettyText: String {
        var out = ""
        writePretty(to: &out, indent: "")
        return out + "\n"
    }

    private func writePretty(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.writePretty(to: &out, indent: inner)
                out += i < items.count - 1 ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (i, member) in members.enumerated() {
                out += inner
                JSONValue.writeString(member.key, to: &out)
                out += ": "
                member.value.writePretty(to: &out, indent: inner)
                out += i < members.count - 1 ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            out += compactText
        }
    }

    public func write(to out: inout String) {
        out += compactText
    }

    /// Compact JSON as UTF-8 bytes: what the CSV and NDJSON writers append, with no String in between.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// True when `write` would give back exactly these bytes of a value `JSONParser` read
    /// (which keeps member order and numbers' text, and refuses invalid UTF-8 and repeated
    /// names): no whitespace between tokens, no escape in a string, no U+2028 or U+2029 (which
    /// `write` escapes). Then the bytes as received can stand for the value written again.
    static func isWrittenAsReceived(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var inString = false
        var index = 0
        while index < text.count {
            let byte = text[index]
            if inString {
                switch byte {
                case UInt8(ascii: "\\"): return false
                case UInt8(ascii: "\""): inString = false
                case 0xE2 where index + 2 < text.count && text[index + 1] == 0x80 && (text[index + 2] == 0xA8 || text[index + 2] == 0xA9):
                    return false
                default: break
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case 0x20, 0x09, 0x0A, 0x0D: return false
                default: break
                }
            }
            index += 1
        }
        return true
    }

    /// Writes `s` as a JSON string literal (RFC 8259 escaping).
    public static func writeString(_ s: String, to out: inout String) {
        var bytes: [UInt8] = []
        writeString(s, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `s` as a JSON string literal (`OutputSpan.appendJSONString`).
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        let text = s.utf8.span
        out.append(addingCapacity: jsonStringMaximumSize(text.count)) { $0.appendJSONString(text) }
    }

    /// At most how many bytes the literal of a text of `count` bytes takes: every byte may
    /// become `\u00XX`.
    static func jsonStringMaximumSize(_ count: Int) -> Int { 2 + 6 * count }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension OutputSpan<UInt8> {
    /// `text` (UTF-8) as a JSON string literal: quotes, backslashes and control characters
    /// escaped, U+2028 and U+2029 too (legal JSON, but they break JavaScript consumers); the rest
    /// as it is. Room for `JSONValue.jsonStringMaximumSize(text.count)` bytes must be reserved.
    mutating func appendJSONString(_ text: Span<UInt8>) {
        append(UInt8(ascii: "\""))
        var index = 0
        while index < text.count {
            let byte = text[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): append(literal: "\\\"")
            case UInt8(ascii: "\\"): append(literal: "\\\\")
            case 0x0A: append(literal: "\\n")
            case 0x0D: append(literal: "\\r")
            case 0x09: append(literal: "\\t")
            case 0x08: append(literal: "\\b")
            case 0x0C: append(literal: "\\f")
            case 0xE2 where index + 1 < text.count && text[index] == 0x80 && (text[index + 1] == 0xA8 || text[index + 1] == 0xA9):
                append(literal: text[index + 1] == 0xA8 ? "\\u2028" : "\\u2029")
                index += 2
            case 0x00 ..< 0x20:
                append(literal: "\\u00")
                append(JSONValue.hexDigits[Int(byte >> 4)])
                append(JSONValue.hexDigits[Int(byte & 0xF)])
            default:
                append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }
}
