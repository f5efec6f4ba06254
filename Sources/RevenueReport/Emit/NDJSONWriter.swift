/// One JSON object a line (`\n`), the CSV's keys minus `log_count`, typed: integers as numbers,
/// `success_rate` a number or null, `logs` the list as received.
public struct NDJSONWriter: ReportWriter {
    public var kind: OutputKind { .ndjson }

    public init() {}

    public func render(_ document: ReportDocument) throws -> [UInt8] {
        var out = ""
        out.reserveCapacity(256 * document.uploads.count)
        for upload in document.uploads {
            line(for: upload).write(to: &out)
            out += "\n"
        }
        return Array(out.utf8)
    }

    func line(for upload: RevenueUpload) -> JSONValue {
        func optionalText(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        func optionalCount(_ count: Int?) -> JSONValue { count.map { .number(String($0)) } ?? .null }
        return .object([
            JSONMember("id", .number(String(upload.id))),
            JSONMember("status", optionalText(upload.status)),
            JSONMember("source_filename", optionalText(upload.sourceFilename)),
            JSONMember("date_upload", .string(upload.dateUpload.rfc3339)),
            JSONMember("total_records", optionalCount(upload.totalRecords)),
            JSONMember("successful_records", optionalCount(upload.successfulRecords)),
            JSONMember("unsuccessful_records", optionalCount(upload.unsuccessfulRecords)),
            JSONMember("success_rate", upload.successRateText.map(JSONValue.number) ?? .null),
            JSONMember("logs", .array(upload.logs)),
        ])
    }
}
