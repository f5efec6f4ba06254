/// How one member's value lies in a page's text, as a record scanner found it: strings and
/// numbers as byte ranges (nothing decoded, nothing allocated), anything else read as a value.
///
/// The ranges point into the text the scanner hands over with its records (`ScannedRecords`):
/// the page's own bytes for JSON, the texts libxml2 gave for XML.
enum FieldValue {
    /// A string whose bytes are its text: valid UTF-8, nothing to unescape.
    case text(Range<Int>)
    /// A number, as written.
    case number(Range<Int>)
    /// Anything else: null, true or false, a list, an object, a string with escapes.
    case value(JSONValue)

    /// The member as a value, the way the general parser reads it (for the typer's general way).
    func jsonValue(in text: Span<UInt8>) -> JSONValue {
        switch self {
        case .text(let range): .string(Self.string(text.extracting(range)))
        case .number(let range): .number(Self.string(text.extracting(range)))
        case .value(let value): value
        }
    }

    /// The bytes as a String: copied once when they are valid UTF-8 (as scanners promise for
    /// `.text`), otherwise decoded with replacement characters, as `String(decoding:)` does.
    static func string(_ bytes: Span<UInt8>) -> String {
        if let valid = try? UTF8Span(validating: bytes) { return String(copying: valid) }
        var copy: [UInt8] = []
        copy.reserveCapacity(bytes.count)
        for index in bytes.indices { copy.append(bytes[index]) }
        return String(decoding: copy, as: UTF8.self)
    }
}

/// A record's eight members (nil: the member is absent), in one form or another: as a record
/// scanner found them (`RecordFields`), or as values the typer's general way reads (`RecordValues`).
struct RecordMembers<Value> {
    var id: Value?
    var status: Value?
    var sourceFilename: Value?
    var dateUpload: Value?
    var totalRecords: Value?
    var successfulRecords: Value?
    var unsuccessfulRecords: Value?
    var logs: Value?
    /// The logs list's bytes as received, when they are what writing `logs` again would give
    /// (`JSONValue.isWrittenAsReceived`): the page scanner sets it, and the upload keeps them
    /// instead of writing the list again.
    var logsAsReceived: [UInt8]?

    init() {}

    /// The same members, each in another form.
    func map<Other>(_ transform: (Value) -> Other) -> RecordMembers<Other> {
        var other = RecordMembers<Other>()
        other.id = id.map(transform)
        other.status = status.map(transform)
        other.sourceFilename = sourceFilename.map(transform)
        other.dateUpload = dateUpload.map(transform)
        other.totalRecords = totalRecords.map(transform)
        other.successfulRecords = successfulRecords.map(transform)
        other.unsuccessfulRecords = unsuccessfulRecords.map(transform)
        other.logs = logs.map(transform)
        other.logsAsReceived = logsAsReceived
        return other
    }
}

/// A record's members as a record scanner found them.
typealias RecordFields = RecordMembers<FieldValue>

/// A record's members as values, looked up once: what the typer's general way reads.
typealias RecordValues = RecordMembers<JSONValue>

extension RecordMembers<FieldValue> {
    /// Every member as a value, the way the general parser reads it.
    func values(in text: Span<UInt8>) -> RecordValues {
        map { $0.jsonValue(in: text) }
    }
}

extension RecordMembers<JSONValue> {
    /// From a record object; the first member of each name counts.
    init(_ object: JSONValue) {
        self.init()
        id = object["id"]
        status = object["status"]
        sourceFilename = object["source_filename"]
        dateUpload = object["date_upload"]
        totalRecords = object["total_records"]
        successfulRecords = object["successful_records"]
        unsuccessfulRecords = object["unsuccessful_records"]
        logs = object["logs"]
    }
}

/// A page's records as a record scanner found them, and the text their ranges point into.
struct ScannedRecords {
    var records: [RecordFields]
    /// The text the scanner gathered (XML's field texts); nil when the ranges point into the
    /// page's own bytes (JSON).
    var gatheredText: [UInt8]?

    /// Calls `body` with the text of `page` that the records' ranges point into.
    func withText<Result>(of page: RawPage, _ body: (Span<UInt8>) -> Result) -> Result {
        if let gatheredText { body(gatheredText.span) } else { body(page.bytes.span) }
    }
}
