/// One log entry of an upload, read for what finance wants to fix: the row it names, its cause
/// (the message less any leading row reference), and the message as written.
public struct LogEntryReading: Sendable, Equatable {
    /// The spreadsheet row the entry names (`row` member, or `Row 12` at the start of its text).
    public var row: Int?
    public var cause: String
    public var message: String

    /// A log entry's cause is its `message` member when it is an object (else its text), less a
    /// leading row reference (`Row 68, revenue start date: `, `Row 12 `): `cause(of:)`, the one
    /// rule, which the counts and the workbook's Rejected rows both use.
    public init(_ entry: JSONValue) {
        cause = Self.cause(of: entry)
        switch entry {
        case .string(let text): message = text
        case .object: message = Self.line(entry)
        default: message = entry.compactText
        }
        let member: JSONValue? = if case .object = entry { entry["row"] ?? entry["Row"] } else { nil }
        row = member.flatMap { RecordTyper.text(of: $0) }.flatMap { Int($0) } ?? Self.causeText(entry).flatMap { Self.withoutRowReference($0).row }
    }

    /// A log entry as a line: text as it is; an object with a `message` as
    /// `Row 38, revenue amount: message`; anything else as compact JSON.
    public static func line(_ entry: JSONValue) -> String {
        switch entry {
        case .string(let text):
            return text
        case .object(let members):
            guard case .string(let message)? = entry["message"] ?? entry["Message"] else { return entry.compactText }
            var place: [String] = []
            if let row = entry["row"] ?? entry["Row"] { place.append("Row " + (RecordTyper.text(of: row) ?? row.compactText)) }
            if case .string(let column)? = entry["column"] ?? entry["Column"] { place.append(column) }
            let known: Set<String> = ["message", "Message", "row", "Row", "column", "Column"]
            let rest = members.filter { !known.contains($0.key) }
            let extra = rest.isEmpty ? "" : " " + JSONValue.object(rest).compactText
            return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + message + extra
        default:
            return entry.compactText
        }
    }

    /// The text a cause is read from: the entry's text, or an object's `message` member.
    static func causeText(_ entry: JSONValue) -> String? {
        switch entry {
        case .string(let value): return value
        case .object: if case .string(let value)? = entry["message"] ?? entry["Message"] { return value } else { return nil }
        default: return nil
        }
    }

    /// Only the cause: what collecting needs of every log entry, without the rest of the reading.
    public static func cause(of entry: JSONValue) -> String {
        guard let text = causeText(entry) else { return entry.compactText }
        // Most entries name no row: no new string to make.
        guard text.hasPrefix("Row ") || text.hasPrefix("row ") else { return text.isEmpty ? "(empty log entry)" : text }
        let cause = withoutRowReference(text).cause
        return cause.isEmpty ? text : cause
    }

    /// `Row 68, revenue start date: Not a date` -> (68, `Not a date`); `Row 12 Bad` -> (12, `Bad`).
    static func withoutRowReference(_ text: String) -> (row: Int?, cause: String) {
        asciiWithoutRowReference(text) ?? charactersWithoutRowReference(text)
    }

    /// The rule on characters, for any text.
    static func charactersWithoutRowReference(_ text: String) -> (row: Int?, cause: String) {
        var rest = Substring(text)
        guard rest.hasPrefix("Row ") || rest.hasPrefix("row ") else { return (nil, text) }
        rest = rest.dropFirst(4)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let row = Int(digits) else { return (nil, text) }
        rest = rest.dropFirst(digits.count)
        if rest.first == "," {
            // `, revenue start date: ` — the column, up to the colon.
            guard let colon = rest.firstIndex(of: ":") else { return (nil, text) }
            rest = rest[rest.index(after: colon)...]
        } else if rest.first == ":" {
            rest = rest.dropFirst()
        }
        return (row, String(rest.drop { $0 == " " }))
    }

    /// The same on the bytes of an ASCII text (where each byte is a character, or CR LF one of
    /// two that the rule never matches), as the API writes its messages: no grapheme breaking for
    /// each log entry. Nil for any other text.
    static func asciiWithoutRowReference(_ text: String) -> (row: Int?, cause: String)? {
        var utf8 = text
        return utf8.withUTF8 { bytes -> (row: Int?, cause: String)? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard bytes.count >= 4, bytes[0] == UInt8(ascii: "R") || bytes[0] == UInt8(ascii: "r"),
                  bytes[1] == UInt8(ascii: "o"), bytes[2] == UInt8(ascii: "w"), bytes[3] == UInt8(ascii: " ")
            else { return (nil, text) }
            var index = 4
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > 4, let row = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[4 ..< index]), as: UTF8.self)) else { return (nil, text) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                // `, revenue start date: ` — the column, up to the colon.
                guard let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")) else { return (nil, text) }
                index = colon + 1
            } else if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
            }
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            return (row, String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self))
        }
    }
}

/// The causes of rejected rows, most rows first, with rows and uploads per cause and a few
/// example uploads: gathered while collecting, in bounded memory (past `maxCauses` distinct
/// causes, the rest are counted together as "other causes").
public struct RejectionCauses: Sendable {
    public struct Cause: Sendable, Equatable {
        public var cause: String
        /// Log entries with this cause.
        public var rows: Int
        /// Uploads with at least one.
        public var uploads: Int
        /// The first uploads with it, in report order (at most `examplesPerCause`).
        public var examples: [Int64]
    }

    public static let maxCauses = 200
    public static let examplesPerCause = 3
    public static let otherCauses = "other causes"
    /// The rows a log only counts (`… and 13 more rows rejected`): in the totals, under one line,
    /// never as a cause of their own.
    public static let notNamed = "not named in the logs"

    private struct Tally: Sendable {
        var cause: String
        var rows = 0
        var uploads = 0
        var examples = FirstInReportOrder<Int64>(limit: RejectionCauses.examplesPerCause)
        /// The last upload counted, so that an upload counts once per cause.
        var lastUpload: Int64?
    }

    /// Where each cause's tally is: one hash a log entry (this runs on the collector's thread,
    /// which every page waits for).
    private var positions: [String: Int] = [:]
    private var tallies: [Tally] = []
    /// Log entries counted, in all.
    public private(set) var rows = 0

    public init() {}

    /// One log entry's part in the causes: the cause it names and the rows it stands for
    /// (`… and 13 more rows rejected` names none and stands for 13).
    public struct Counted: Sendable, Equatable {
        public var cause: String
        public var rows: Int

        /// Read from the entry's cause (`LogEntryReading.cause(of:)`).
        public init(_ cause: String) {
            if let more = RejectionCauses.moreRowsCount(cause) {
                self.cause = RejectionCauses.notNamed
                rows = more
            } else {
                self.cause = cause
                rows = 1
            }
        }
    }

    public mutating func add(_ upload: RevenueUpload) {
        guard upload.logCount > 0 else { return }
        add(upload, counted: upload.logs.map { Counted(LogEntryReading.cause(of: $0)) })
    }

    /// `counted`: the upload's log entries, read already (`PageTyping`, on any core: what is
    /// left here, on the collector's thread, is counting).
    public mutating func add(_ upload: RevenueUpload, counted: [Counted]) {
        for entry in counted {
            let found = entry.cause
            let count = entry.rows
            let position: Int
            if let known = positions[found] {
                position = known
            } else if tallies.count < Self.maxCauses || found == Self.notNamed {
                position = tallies.count
                positions[found] = position
                tallies.append(Tally(cause: found))
            } else {
                position = positions[Self.otherCauses] ?? {
                    tallies.append(Tally(cause: Self.otherCauses))
                    positions[Self.otherCauses] = tallies.count - 1
                    return tallies.count - 1
                }()
            }
            rows += count
            tallies[position].rows += count
            if tallies[position].lastUpload != upload.id {
                tallies[position].lastUpload = upload.id
                tallies[position].uploads += 1
                tallies[position].examples.offer(upload.id, key: upload.reportKey)
            }
        }
    }

    /// How many rows a log entry that only counts them stands for: `… and 13 more rows rejected`
    /// (also `...`, no ellipsis, `row`, a closing full stop; any case) gives 13; a cause gives nil.
    public static func moreRowsCount(_ cause: String) -> Int? {
        // Most causes begin otherwise: decided on the first byte.
        guard let first = cause.utf8.first, first == 0xE2 || first == UInt8(ascii: ".") || first == UInt8(ascii: "a") || first == UInt8(ascii: "A") else { return nil }
        var rest = Substring(cause)
        if rest.hasPrefix("…") { rest = rest.dropFirst() } else if rest.hasPrefix("...") { rest = rest.dropFirst(3) }
        // "Account …" and the like end here, before anything is lower-cased or split.
        guard ASCIICase.hasPrefix(rest.drop(while: { $0 == " " }).utf8, "and ") else { return nil }
        let words = rest.lowercased().split(separator: " ")
        guard words.count == 5 || words.count == 4, words[0] == "and", let count = Int(words[1]), count > 0, words[2] == "more" else { return nil }
        var tail = words.dropFirst(3).joined(separator: " ")
        if tail.hasSuffix(".") { tail.removeLast() }
        return ["rows rejected", "row rejected", "rows"].contains(tail) ? count : nil
    }

    /// Most rows first, then most uploads, then by name; "other causes", then the rows not
    /// named in the logs, last.
    public var causes: [Cause] {
        func rank(_ cause: String) -> Int { cause == Self.notNamed ? 2 : cause == Self.otherCauses ? 1 : 0 }
        return tallies.map { Cause(cause: $0.cause, rows: $0.rows, uploads: $0.uploads, examples: $0.examples.elements) }
            .sorted { a, b in
                if rank(a.cause) != rank(b.cause) { return rank(a.cause) < rank(b.cause) }
                if a.rows != b.rows { return a.rows > b.rows }
                if a.uploads != b.uploads { return a.uploads > b.uploads }
                return a.cause < b.cause
            }
    }

    /// What a report lists: the first `limit` causes, then the line of rows not named in the logs
    /// (always shown when there are such rows); `rest`, the causes left out.
    public func listed(limit: Int) -> (shown: [Cause], rest: ArraySlice<Cause>) {
        let all = causes
        let named = all.filter { $0.cause != Self.notNamed }
        return (Array(named.prefix(limit)) + all.filter { $0.cause == Self.notNamed }, named.dropFirst(limit))
    }
}
