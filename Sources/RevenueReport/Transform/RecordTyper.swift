/// Types a `SourceRecord` into a `RevenueUpload`, or says exactly why it cannot.
///
/// Values may come as strings (as documented) or numbers; a missing, `null` or empty value is
/// unknown. Anything else that does not fit its field is a rejection, never a guess.
public struct RecordTyper: Sendable {
    public let zone: SourceZone

    public init(zone: SourceZone) {
        self.zone = zone
    }

    public enum Outcome {
        case typed(RevenueUpload)
        case rejected(RecordRejection, dateUpload: UploadTime?)
    }

    /// `logs` is always a list: missing, null or empty text is none; one entry not wrapped in a list is one.
    static func logEntries(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let entries)?: return entries
        case .string(let text)? where text.isEmpty: return []
        case let single?: return [single]
        }
    }

    public func type(_ record: SourceRecord) -> Outcome {
        guard case .object = record.fields else {
            let rejection = RecordRejection(page: record.page, position: record.position, id: nil,
                                            reason: "expected a record object, found \(record.fields.compactText.prefix(60))")
            return .rejected(rejection, dateUpload: nil)
        }
        return type(RecordValues(record.fields), page: record.page, position: record.position)
    }

    /// Types the fields a record scanner found for the record at `position` on `page`; `text`
    /// is what their ranges point into. The common record is typed where it lies
    /// (`uploadInPlace`); any other, and every record with a problem, the general way, which
    /// words the problems: the two agree on every record (the scanners' parity tests and fuzz
    /// targets hold them to it).
    func type(_ fields: RecordFields, text: Span<UInt8>, page: String, position: Int) -> Outcome {
        if let upload = uploadInPlace(fields, text: text) { return .typed(upload) }
        return type(fields.values(in: text), page: page, position: position)
    }

    /// Types the values of the record at `position` on `page`.
    func type(_ fields: RecordValues, page: String, position: Int) -> Outcome {
        let rawID = Self.text(of: fields.id)
        var problems: [String] = []

        var id: Int64 = 0
        if let rawID, let parsed = Self.integer(rawID) {
            id = parsed
        } else {
            problems.append(rawID == nil ? "id is missing" : "id \(Self.quoted(rawID!)) is not a whole number")
        }

        var dateUpload: UploadTime?
        switch fields.dateUpload {
        case .string(let text)?:
            dateUpload = UploadTime.parse(text, zone: zone)
            if dateUpload == nil { problems.append("date_upload \(Self.quoted(text)) is not a date and time (YYYY-MM-DD HH:MM:SS)") }
        case nil, .null?:
            problems.append("date_upload is missing")
        case let other?:
            problems.append("date_upload \(other.compactText.prefix(40)) is not a date and time")
        }

        let status = stringField("status", fields.status, &problems)
        let sourceFilename = stringField("source_filename", fields.sourceFilename, &problems)
        let total = countField("total_records", fields.totalRecords, &problems)
        let successful = countField("successful_records", fields.successfulRecords, &problems)
        let unsuccessful = countField("unsuccessful_records", fields.unsuccessfulRecords, &problems)

        let logs = Self.logEntries(fields.logs)

        guard problems.isEmpty, let dateUpload else {
            let rejection = RecordRejection(page: page, position: position, id: rawID, reason: problems.joined(separator: "; "))
            return .rejected(rejection, dateUpload: dateUpload)
        }
        return .typed(RevenueUpload(id: id, status: status, sourceFilename: sourceFilename, dateUpload: dateUpload, totalRecords: total,
                                    successfulRecords: successful, unsuccessfulRecords: unsuccessful,
                                    logsJSON: fields.logsAsReceived ?? RevenueUpload.compactJSON(logs), logCount: logs.count))
    }

    private func stringField(_ name: String, _ value: JSONValue?, _ problems: inout [String]) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let text)?: return text
        case let other?:
            problems.append("\(name) \(other.compactText.prefix(40)) is not text")
            return nil
        }
    }

    private func countField(_ name: String, _ value: JSONValue?, _ problems: inout [String]) -> Int? {
        guard let text = Self.text(of: value), !text.isEmpty else {
            if case .bool? = value { problems.append("\(name) is true/false, not a count") }
            if case .object? = value { problems.append("\(name) is an object, not a count") }
            if case .array? = value { problems.append("\(name) is a list, not a count") }
            return nil
        }
        guard let value = Self.integer(text), value >= 0, value <= Int64(Int32.max) else {
            problems.append("\(name) \(Self.quoted(text)) is not a count (a whole number from 0)")
            return nil
        }
        return Int(value)
    }

    /// The text of a string or number value; nil for anything else.
    static func text(of value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .number(let n)?: return n
        default: return nil
        }
    }

    /// A whole number written plainly (`42`, `-3`, surrounding spaces allowed); nil otherwise.
    static func integer(_ text: String) -> Int64? {
        // Fast path: plain digits, as the API sends them.
        let digits = text.utf8.span
        if !digits.isEmpty, digits.count <= 18, let number = CivilDate.number(digits, 0 ..< digits.count) { return Int64(number) }
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty, !trimmed.hasPrefix("+") else { return nil }
        return Int64(trimmed)
    }

    static func quoted(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(String(text.prefix(60)), to: &out)
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
