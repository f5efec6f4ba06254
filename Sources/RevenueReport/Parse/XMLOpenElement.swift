import CLibXML2
import Foundation

/// One open element while an XML page is read, and the mapping of the README's "What the API may
/// send" from it to `JSONValue`: an element with only text becomes a string, an element with child
/// elements an object, repeated child names a list; every child of a `<logs>` element is one entry
/// of a list, and inside `logs` a canonical integer text becomes a number.
///
/// Both readers of XML pages build values with it (`XMLParser`'s tree builder for every page,
/// `XMLRecordScanner` inside `logs`), so they map the same text to the same values.
struct XMLOpenElement {
    var name: String
    var isLogs: Bool
    var insideLogs: Bool
    var text = ""
    /// Each child name's first value, in first-seen order.
    var members: [JSONMember] = []
    /// Every value of a name seen more than once, by its place in `members`. Kept apart and
    /// grown in place, so a list of a thousand records is not copied at each append.
    var repeated: [Int: [JSONValue]] = [:]
    /// Places in `members` by name, once there are too many to look through.
    var positions: [String: Int] = [:]
    var entries: [JSONValue] = []
    var hasChildElements = false

    static let linearSearchLimit = 16

    init(name: String, isLogs: Bool, insideLogs: Bool) {
        self.name = name
        self.isLogs = isLogs
        self.insideLogs = insideLogs
    }

    /// Most elements have one text node: it becomes the text, not a copy appended to "".
    mutating func append(text value: UnsafePointer<xmlChar>) {
        if text.isEmpty { text = String(cString: value) } else { text += String(cString: value) }
    }

    /// Text as the SAX parser hands it: a run of UTF-8 bytes, not terminated.
    mutating func append(text bytes: UnsafeBufferPointer<UInt8>) {
        if text.isEmpty { text = String(decoding: bytes, as: UTF8.self) } else { text += String(decoding: bytes, as: UTF8.self) }
    }

    mutating func add(child name: String, value: JSONValue) {
        hasChildElements = true
        if isLogs {
            entries.append(value)
            return
        }
        guard let position = position(of: name) else {
            if !positions.isEmpty { positions[name] = members.count }  // once built, kept up to date
            // A record has eight fields: room for them at once, not grown 1, 2, 4, 8.
            if members.isEmpty { members.reserveCapacity(8) }
            members.append(JSONMember(name, value))
            return
        }
        repeated[position, default: [members[position].value]].append(value)
    }

    private mutating func position(of name: String) -> Int? {
        if members.count <= Self.linearSearchLimit {
            return members.firstIndex { $0.key == name }
        }
        if positions.isEmpty {  // built once, from every member so far
            for (index, member) in members.enumerated() where positions[member.key] == nil { positions[member.key] = index }
        }
        return positions[name]
    }

    mutating func value() -> JSONValue {
        if isLogs {
            if !hasChildElements {
                return Self.isBlank(text) ? .array([]) : .array([Self.scalar(text, insideLogs: true)])
            }
            return .array(entries)
        }
        if hasChildElements {
            for (position, values) in repeated { members[position].value = .array(values) }
            return .object(members)
        }
        return Self.scalar(text, insideLogs: insideLogs)
    }

    /// Only white space (Foundation's `whitespacesAndNewlines`). Most `<logs/>` are empty, and most
    /// texts are ASCII: those are settled on their bytes, the rest by Foundation.
    static func isBlank(_ text: String) -> Bool {
        var asciiOnly = true
        for byte in text.utf8 {
            switch byte {
            case 0x09 ... 0x0D, 0x20: continue
            case 0x80...: asciiOnly = false
            default: return false  // an ASCII character that is not white space
            }
        }
        return asciiOnly || text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    static func scalar(_ text: String, insideLogs: Bool) -> JSONValue {
        insideLogs && isCanonicalInteger(text) ? .number(text) : .string(text)
    }

    /// `0`, `42`, `-7`: no sign other than minus, no leading zeros, no spaces.
    static func isCanonicalInteger(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        if first == 0x30 { return digits.count == 1 && digits.startIndex == text.utf8.startIndex }
        return true
    }
}
