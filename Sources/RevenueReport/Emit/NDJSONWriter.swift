/// One JSON object a line (`\n`), the CSV's keys minus `log_count`, typed: integers as numbers,
/// `success_rate` a number or null, `logs` the list as received.
public struct NDJSONWriter: RowFormat {
    public var kind: OutputKind { .ndjson }

    public init() {}

    /// One object, keys in the CSV's order, written straight into bytes.
    public func appendRow(_ upload: RevenueUpload, to out: inout [UInt8]) {
        func key(_ name: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        func text(_ value: String?) {
            if let value { JSONValue.writeString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        func count(_ value: Int?) {
            if let value { out.appendDecimal(value) } else { key("null") }
        }
        key("{\"id\":")
        out.appendDecimal(upload.id)
        key(",\"status\":")
        text(upload.status)
        key(",\"source_filename\":")
        text(upload.sourceFilename)
        key(",\"date_upload\":\"")
        upload.dateUpload.appendRFC3339(to: &out)
        key("\",\"total_records\":")
        count(upload.totalRecords)
        key(",\"successful_records\":")
        count(upload.successfulRecords)
        key(",\"unsuccessful_records\":")
        count(upload.unsuccessfulRecords)
        key(",\"success_rate\":")
        if let rate = upload.successRateBasisPoints { out.appendFourDecimals(rate) } else { key("null") }
        key(",\"logs\":")
        out.append(contentsOf: upload.logsJSON)
        key("}\n")
    }
}
