import RevenueReport

/// Renders uploads the ways the API may answer (the README's "What the API may send").
public enum PageRenderer {
    public enum JSONShape: String, Sendable, CaseIterable {
        /// `[ {record}, … ]`
        case array
        /// `{"Data": [ … ]}`
        case dataObject = "data-object"
        /// `{"data": [ … ]}`
        case lowercaseData = "lowercase-data"
        /// a page of one record is the bare object: `{record}`
        case singleObject = "single-object"
    }

    public enum XMLShape: String, Sendable, CaseIterable {
        /// `<Data><record>…</record>…</Data>`
        case records
        /// a page of one record is the record element as the root
        case singleRoot = "single-root"
    }

    /// JSON text of a page. `numbersAsStrings` follows the documentation ("3"); off, counts are numbers.
    public static func json(_ uploads: [GeneratedUpload], shape: JSONShape = .array, numbersAsStrings: Bool = true) -> String {
        let records = uploads.map { record($0, numbersAsStrings: numbersAsStrings).compactText }
        switch shape {
        case .array:
            return "[\n" + records.joined(separator: ",\n") + "\n]\n"
        case .dataObject:
            return "{\"Data\":[\n" + records.joined(separator: ",\n") + "\n]}\n"
        case .lowercaseData:
            return "{\"data\":[\n" + records.joined(separator: ",\n") + "\n]}\n"
        case .singleObject:
            return records.count == 1 ? records[0] + "\n" : "[\n" + records.joined(separator: ",\n") + "\n]\n"
        }
    }

    public static func record(_ upload: GeneratedUpload, numbersAsStrings: Bool) -> JSONValue {
        func count(_ value: Int?) -> JSONValue {
            guard let value else { return .null }
            return numbersAsStrings ? .string(String(value)) : .number(String(value))
        }
        return .object([
            JSONMember("id", numbersAsStrings ? .string(String(upload.id)) : .number(String(upload.id))),
            JSONMember("status", .string(upload.status)),
            JSONMember("source_filename", .string(upload.sourceFilename)),
            JSONMember("date_upload", .string(upload.dateUpload)),
            JSONMember("total_records", count(upload.totalRecords)),
            JSONMember("successful_records", count(upload.successfulRecords)),
            JSONMember("unsuccessful_records", count(upload.unsuccessfulRecords)),
            JSONMember("logs", .array(upload.logs)),
        ])
    }

    /// XML text of a page; an unknown count is an empty element.
    public static func xml(_ uploads: [GeneratedUpload], shape: XMLShape = .records) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        if shape == .singleRoot, uploads.count == 1 {
            appendRecord(uploads[0], element: "record", indent: "", to: &out)
            return out
        }
        if uploads.isEmpty { return out + "<Data/>\n" }
        out += "<Data>\n"
        for upload in uploads { appendRecord(upload, element: "record", indent: "  ", to: &out) }
        out += "</Data>\n"
        return out
    }

    private static func appendRecord(_ upload: GeneratedUpload, element: String, indent: String, to out: inout String) {
        func field(_ name: String, _ text: String?) {
            if let text {
                out += "\(indent)  <\(name)>\(escape(text))</\(name)>\n"
            } else {
                out += "\(indent)  <\(name)/>\n"
            }
        }
        out += "\(indent)<\(element)>\n"
        field("id", String(upload.id))
        field("status", upload.status)
        field("source_filename", upload.sourceFilename)
        field("date_upload", upload.dateUpload)
        field("total_records", upload.totalRecords.map(String.init))
        field("successful_records", upload.successfulRecords.map(String.init))
        field("unsuccessful_records", upload.unsuccessfulRecords.map(String.init))
        if upload.logs.isEmpty {
            out += "\(indent)  <logs/>\n"
        } else {
            out += "\(indent)  <logs>"
            for entry in upload.logs { out += "<log>" + xmlContent(entry) + "</log>" }
            out += "</logs>\n"
        }
        out += "\(indent)</\(element)>\n"
    }

    /// A log entry's content: text, or one child element per member.
    private static func xmlContent(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return escape(text)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .array(let items): return items.map { "<item>" + xmlContent($0) + "</item>" }.joined()
        case .object(let members): return members.map { "<\($0.key)>" + xmlContent($0.value) + "</\($0.key)>" }.joined()
        }
    }

    /// Escapes text content; CR is written as a reference because XML parsers turn a raw CR into LF.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The API's error envelope.
    public static func errorEnvelope(message: String, code: Int, format: WireFormat) -> String {
        switch format {
        case .json:
            var text = "{\"Error\":{\"Message\":"
            JSONValue.writeString(message, to: &text)
            return text + ",\"Code\":\(code)}}"
        case .xml:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Message>\(escape(message))</Message><Code>\(code)</Code></Error>\n"
        }
    }
}
