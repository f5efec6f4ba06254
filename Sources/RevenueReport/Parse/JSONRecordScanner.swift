import Foundation

/// The common JSON page read without building a tree of values: a list of record objects, or
/// `{"Data": [...]}` / `{"data": [...]}` holding one, whose members are the documented fields.
///
/// It reads with `JSONParser`'s own primitives (strings, numbers, whitespace, depth), so it takes
/// and refuses exactly the same text; it declines (returns nil) whatever it does not handle
/// itself: another shape, a member it does not know, a repeated or escaped member name, anything
/// malformed. Such a page goes the general way (`PageParser`), which also words any error. The
/// fields go to the same `RecordTyper` either way, so a record is typed the same either way.
///
/// Strings and numbers are not decoded here: a member's value is noted as the range of the page
/// where it lies (`FieldValue`), and typed from there.
enum JSONRecordScanner {
    /// The records' fields in page order (their ranges point into `data`), or nil when the page
    /// is not the common case.
    static func records(in data: Data) -> ScannedRecords? {
        data.withUnsafeBytes { raw -> ScannedRecords? in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            return ((try? parser.scanRecordPage()) ?? nil).map { ScannedRecords(records: $0) }
        }
    }
}

extension JSONParser {
    private static let quote = UInt8(ascii: "\"")

    /// The page's records, or nil when it is not the common case; throws what the general parser
    /// would throw for malformed text (the caller then lets the general parser say it).
    mutating func scanRecordPage() throws(Failure) -> [RecordFields]? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        let records: [RecordFields]
        switch bytes[index] {
        case UInt8(ascii: "["):
            guard let list = try scanRecordList() else { return nil }
            records = list
        case UInt8(ascii: "{"):
            // {"Data": [...]} or {"data": [...]} and nothing more.
            try enterContainer()
            index += 1
            skipWhitespace()
            guard matches("\"Data\"") || matches("\"data\"") else { return nil }
            index += 6
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "["), let list = try scanRecordList() else { return nil }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            depth -= 1
            records = list
        default:
            return nil
        }
        skipWhitespace()
        return index == bytes.count ? records : nil
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        return index + count <= bytes.count && memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0
    }

    private mutating func scanRecordList() throws(Failure) -> [RecordFields]? {
        try enterContainer()
        index += 1
        var records: [RecordFields] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return records
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), let record = try scanRecord() else { return nil }
            records.append(record)
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            return nil
        }
        depth -= 1
        return records
    }

    /// A string where it lies when its bytes are its text (valid UTF-8, no escape); otherwise
    /// decoded by `parseString`, which also refuses what is not a string.
    private mutating func scanString() throws(Failure) -> FieldValue {
        let start = index + 1
        var end = start
        var ascii = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == Self.quote || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            end += 1
        }
        guard end < bytes.count, bytes[end] == Self.quote,
              ascii || isValidUTF8(start ..< end)
        else { return .value(.string(try parseString())) }
        index = end + 1
        return .text(start ..< end)
    }

    private mutating func scanRecord() throws(Failure) -> RecordFields? {
        try enterContainer()
        index += 1
        var fields = RecordFields()
        var seen: UInt8 = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return fields
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == Self.quote else { return nil }
            // The name: plain bytes up to the closing quote, one of the eight, not seen before.
            let start = index + 1
            var end = start
            while end < bytes.count, end - start <= 24, bytes[end] != Self.quote, bytes[end] != UInt8(ascii: "\\") { end += 1 }
            guard end < bytes.count, bytes[end] == Self.quote, let field = RecordField(UnsafeBufferPointer(rebasing: bytes[start ..< end])),
                  seen & field.bit == 0
            else { return nil }
            seen |= field.bit
            index = end + 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case Self.quote: fields[field] = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
                let start = index
                try skipNumber()
                fields[field] = .number(start ..< index)
            case UInt8(ascii: "[") where field == .logs:
                // Read as a tree (for the causes), and kept as text when that is how it would
                // be written again: then no upload writes its logs a second time.
                let start = index
                fields.logs = .value(try parseValue())
                let text = UnsafeBufferPointer(rebasing: bytes[start ..< index])
                if text.count == 2 {
                    // `[]`, a small array of its own for each upload: one shared by all of them
                    // had its reference count moved by every core for every record, which
                    // measured slower (paired runs, 100k uploads: 0.94x the user time this way).
                    fields.logsAsReceived = [0x5B, 0x5D]
                } else if JSONValue.isWrittenAsReceived(text) {
                    fields.logsAsReceived = Array(text)
                }
            default: fields[field] = .value(try parseValue())
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            return nil
        }
        depth -= 1
        return fields
    }
}
