import Foundation

/// One revenue-file upload, typed: the record every output is made from.
public struct RevenueUpload: Sendable, Equatable {
    public var id: Int64
    public var status: String?
    public var sourceFilename: String?
    public var dateUpload: UploadTime
    public var totalRecords: Int?
    public var successfulRecords: Int?
    public var unsuccessfulRecords: Int?
    /// The list as received (entries are undocumented), kept as its compact JSON text: what the
    /// CSV and NDJSON write, and a fraction of the memory of a tree of values.
    public let logsJSON: [UInt8]
    /// How many entries `logs` has.
    public let logCount: Int

    /// The log entries as values (the HTML reads them for the few uploads it lists).
    public var logs: [JSONValue] {
        guard logCount > 0, case .array(let entries)? = try? JSONParser.parse(Data(logsJSON)) else { return [] }
        return entries
    }

    public init(id: Int64, status: String?, sourceFilename: String?, dateUpload: UploadTime,
                totalRecords: Int?, successfulRecords: Int?, unsuccessfulRecords: Int?, logs: [JSONValue]) {
        self.init(id: id, status: status, sourceFilename: sourceFilename, dateUpload: dateUpload, totalRecords: totalRecords,
                  successfulRecords: successfulRecords, unsuccessfulRecords: unsuccessfulRecords,
                  logsJSON: Self.compactJSON(logs), logCount: logs.count)
    }

    /// The logs as the compact JSON text `logsJSON` holds.
    static func compactJSON(_ logs: [JSONValue]) -> [UInt8] {
        var text: [UInt8] = []
        JSONValue.array(logs).write(to: &text)
        return text
    }

    /// An upload whose logs are already compact JSON text (read back from a scratch file, or
    /// kept as the page sent them).
    init(id: Int64, status: String?, sourceFilename: String?, dateUpload: UploadTime, totalRecords: Int?,
         successfulRecords: Int?, unsuccessfulRecords: Int?, logsJSON: [UInt8], logCount: Int) {
        self.id = id
        self.status = status
        self.sourceFilename = sourceFilename
        self.dateUpload = dateUpload
        self.totalRecords = totalRecords
        self.successfulRecords = successfulRecords
        self.unsuccessfulRecords = unsuccessfulRecords
        self.logsJSON = logsJSON
        self.logCount = logCount
    }

    /// successful / total, in ten-thousandths rounded half up; nil when total is 0 or unknown.
    public var successRateBasisPoints: Int? {
        guard let total = totalRecords, total > 0, let successful = successfulRecords else { return nil }
        return (successful * 20_000 + total) / (2 * total)
    }

    /// The success rate with 4 decimals (`0.6667`), or nil.
    public var successRateText: String? {
        successRateBasisPoints.map(formatFourDecimals)
    }

    /// The records this upload adds to totals: known total and successful count; unsuccessful
    /// as given, else the rest. nil when the counts are unknown (so totals always add up).
    public var countedRecords: (total: Int, successful: Int, unsuccessful: Int)? {
        guard let total = totalRecords, let successful = successfulRecords else { return nil }
        return (total, successful, unsuccessfulRecords ?? max(0, total - successful))
    }

    /// Not fully processed, or with rows that failed: what a reader should look at.
    public var needsAttention: Bool {
        status != "Processed" || (unsuccessfulRecords ?? 0) > 0
    }

    /// Sort order of every output: by time of upload, then id.
    public static func reportOrder(_ a: RevenueUpload, _ b: RevenueUpload) -> Bool {
        if a.dateUpload.instant != b.dateUpload.instant { return a.dateUpload.instant < b.dateUpload.instant }
        return a.id < b.id
    }
}

/// `6667` -> `0.6667`, `10000` -> `1.0000`.
func formatFourDecimals(_ tenThousandths: Int) -> String {
    let whole = tenThousandths / 10_000
    let fraction = tenThousandths % 10_000
    return String(whole) + "." + pad(fraction, 4)
}
