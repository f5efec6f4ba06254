/// One JSON object a line (`\n`), the CSV's keys minus `log_count`, typed: integers as numbers,
/// `success_rate` a number or null, `logs` the list as received.
public struct NDJSONWriter: RowFormat {
    public var kind: OutputKind { .ndjson }

    public init() {}

    /// At most: the keys and numbers, each text escaped at its longest, the logs as they are.
    public func maximumRowSize(_ upload: RevenueUpload) -> Int {
        let text = (upload.status?.utf8.count ?? 0) + (upload.sourceFilename?.utf8.count ?? 0)
        return 512 + JSONValue.jsonStringMaximumSize(text) + upload.logsJSON.count
    }

    /// One object into reserved output, keys in the CSV's order.
    public func write(_ upload: RevenueUpload, into out: inout OutputSpan<UInt8>) {
        func text(_ value: String?) {
            if let value { out.appendJSONString(value.utf8.span) } else { out.append(literal: "null") }
        }
        func count(_ value: Int?) {
            if let value { out.appendDecimal(value) } else { out.append(literal: "null") }
        }
        out.append(literal: "{\"id\":")
        out.appendDecimal(upload.id)
        out.append(literal: ",\"status\":")
        text(upload.status)
        out.append(literal: ",\"source_filename\":")
        text(upload.sourceFilename)
        out.append(literal: ",\"date_upload\":\"")
        upload.dateUpload.write(into: &out)
        out.append(literal: "\",\"total_records\":")
        count(upload.totalRecords)
        out.append(literal: ",\"successful_records\":")
        count(upload.successfulRecords)
        out.append(literal: ",\"unsuccessful_records\":")
        count(upload.unsuccessfulRecords)
        out.append(literal: ",\"success_rate\":")
        if let rate = upload.successRateBasisPoints { out.appendFourDecimals(rate) } else { out.append(literal: "null") }
        out.append(literal: ",\"logs\":")
        out.append(copying: upload.logsJSON.span)
        out.append(literal: "}\n")
    }
}
