import GRDB

/// A row of `run`, as a Codable record (columns in snake_case).
struct RunRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "run"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var run: Int64?
    var startedAt: String
    var finishedAt: String?
    var status: String
    var exitCode: Int?
    var error: String?
    var pid: Int
    var rangeFrom: String?
    var rangeTo: String?
    var source: String
    var uploads: Int?
    var new: Int?
    var changed: Int?
    var revisited: Int?

    mutating func didInsert(_ inserted: InsertionSuccess) { run = inserted.rowID }

    var entry: HistoryRunEntry {
        HistoryRunEntry(run: run ?? 0, startedAt: startedAt, finishedAt: finishedAt, status: HistoryRunEntry.Status(rawValue: status) ?? .failed,
                        exitCode: exitCode, error: error, pid: pid, from: rangeFrom, to: rangeTo, source: source, uploads: uploads,
                        new: new, changed: changed, revisited: revisited)
    }
}
