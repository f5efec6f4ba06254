import Foundation

/// A row that did not go in: left out by the check, or rejected by CustomerGauge, with its
/// values read back from the user's file.
public struct RejectedRow: Sendable, Equatable {
    public enum By: String, Sendable { case check, customergauge }
    /// The row of the user's file; nil for a log entry that names no row (shown as it came).
    public var row: Int?
    /// The six values as read; empty when the row is not known.
    public var values: [String]
    public var cause: String
    public var message: String
    public var by: By

    public init(row: Int?, values: [String], cause: String, message: String, by: By) {
        self.row = row
        self.values = values
        self.cause = cause
        self.message = message
        self.by = by
    }

    /// A problem the check found in a row of the user's file (its values when the row is a record).
    init(_ local: LocalRow, _ finding: Finding) {
        self.init(row: finding.row, values: finding.row == nil || local.cells.isEmpty ? [] : local.values, cause: finding.rule,
                  message: (finding.column.map { "\($0): " } ?? "") + finding.message, by: .check)
    }

    /// `row 44 (Acme Corp; 1200; …): Account name not found`
    public var line: String {
        guard let row else { return message }
        let shown = values.isEmpty ? "" : " (" + values.joined(separator: "; ") + ")"
        return "row \(row)\(shown): " + (by == .check ? "not sent: \(message)" : cause)
    }
}

/// Step 7: what became of one file (or part) sent, said per file.
public struct UploadOutcome: Sendable {
    /// The file the user gave.
    public var file: String
    /// The name sent; nil when nothing was sent.
    public var sentAs: String?
    public var sha256: String?
    public var upload: RevenueUpload?
    public var rejected: [RejectedRow] = []
    /// 0, 1 or 3, as the README's "The monthly upload" gives upload's exit codes.
    public var exitCode: Int32 = 0
    /// Why it ended as it did, when not plainly (refused, timed out, not sent).
    public var note: String?

    public init(file: String, sentAs: String?, sha256: String?) {
        self.file = file
        self.sentAs = sentAs
        self.sha256 = sha256
    }

    /// The rejections CustomerGauge logged for `upload`, mapped back to the user's rows.
    public static func rejections(of upload: RevenueUpload, sent: OutgoingFile, records: [Int: LocalRow]) -> [RejectedRow] {
        upload.logs.compactMap { entry -> RejectedRow? in
            let reading = LogEntryReading(entry)
            // "… and 13 more rows rejected" names no row and is not a cause of its own.
            if RejectionCauses.moreRowsCount(reading.message) != nil, reading.row == nil {
                return RejectedRow(row: nil, values: [], cause: RejectionCauses.notNamed, message: reading.message, by: .customergauge)
            }
            let row = reading.row.flatMap { sent.sourceRow(forSentRow: $0) }
            let values = row.flatMap { records[$0] }?.values ?? []
            return RejectedRow(row: row, values: values, cause: reading.cause, message: reading.message, by: .customergauge)
        }
    }

    /// The file's lines: what was sent and what became of it, then each rejected row.
    public var text: String {
        guard let sentAs else {
            // Not sent: the findings were said as `check` says them, on stderr.
            return "\(file): \(note ?? "not sent")\n"
        }
        var head = "\(file): "
        if sentAs != (file as NSString).lastPathComponent { head += "sent as \(sentAs): " }
        // Rows the check kept back are not CustomerGauge's to count: said apart, so that "1 record(s):
        // 1 successful" is not read as the whole file.
        let notSent = Set(rejected.filter { $0.by == .check }.compactMap(\.row)).count
        if let upload {
            head += "upload \(upload.id), \(upload.status ?? "no status")"
            if let total = upload.totalRecords {
                head += ", \(total) record(s)\(notSent > 0 ? " sent" : ""): \(upload.successfulRecords.map(String.init) ?? "?") successful, \(upload.unsuccessfulRecords.map(String.init) ?? "?") unsuccessful"
            }
        } else {
            head += exitCode == 1 ? "not taken" : "taken"
        }
        if notSent > 0 { head += "; \(notSent) row(s) not sent: the check found problems in them" }
        if let note { head += "; \(note)" }
        return ([head] + rejected.map { "  " + $0.line }).joined(separator: "\n") + "\n"
    }

    var json: JSONValue {
        func number(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        return .object([
            JSONMember("file", .string(file)),
            JSONMember("sent_as", sentAs.map(JSONValue.string) ?? .null),
            JSONMember("sha256", sha256.map(JSONValue.string) ?? .null),
            JSONMember("id", upload.map { .number(String($0.id)) } ?? .null),
            JSONMember("status", upload?.status.map(JSONValue.string) ?? .null),
            JSONMember("total_records", number(upload?.totalRecords)),
            JSONMember("successful_records", number(upload?.successfulRecords)),
            JSONMember("unsuccessful_records", number(upload?.unsuccessfulRecords)),
            JSONMember("rejected", .array(rejected.map { row in
                .object([
                    JSONMember("row", number(row.row)),
                    JSONMember("values", .array(row.values.map(JSONValue.string))),
                    JSONMember("cause", .string(row.cause)),
                    JSONMember("message", .string(row.message)),
                    JSONMember("by", .string(row.by.rawValue)),
                ])
            })),
        ])
    }

    /// `{"uploads": [...]}`
    public static func json(_ outcomes: [UploadOutcome]) -> String {
        JSONValue.object([JSONMember("uploads", .array(outcomes.map(\.json)))]).prettyText + "\n"
    }

    /// The worst of several: 1, then 3, then 0.
    public static func worst(_ codes: [Int32]) -> Int32 {
        codes.contains(1) ? 1 : codes.contains(3) ? 3 : 0
    }
}
