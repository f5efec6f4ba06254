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

/// A record's eight members as a record scanner found them (nil: the member is absent).
struct RecordFields {
    var id: FieldValue?
    var status: FieldValue?
    var sourceFilename: FieldValue?
    var dateUpload: FieldValue?
    var totalRecords: FieldValue?
    var successfulRecords: FieldValue?
    var unsuccessfulRecords: FieldValue?
    var logs: FieldValue?
    /// The logs list's bytes as received, when they are what writing `logs` again would give
    /// (`JSONValue.isWrittenAsReceived`): the page scanner sets it, and the upload keeps them
    /// instead of writing the list again.
    var logsAsReceived: [UInt8]?

    init() {}

    /// Every member as a value: what the typer's general way reads.
    func values(in text: Span<UInt8>) -> RecordValues {
        var values = RecordValues()
        values.id = id?.jsonValue(in: text)
        values.status = status?.jsonValue(in: text)
        values.sourceFilename = sourceFilename?.jsonValue(in: text)
        values.dateUpload = dateUpload?.jsonValue(in: text)
        values.totalRecords = totalRecords?.jsonValue(in: text)
        values.successfulRecords = successfulRecords?.jsonValue(in: text)
        values.unsuccessfulRecords = unsuccessfulRecords?.jsonValue(in: text)
        values.logs = logs?.jsonValue(in: text)
        values.logsAsReceived = logsAsReceived
        return values
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
