import Foundation

/// A whole history, store-neutral, as `history copy` moves it: every run, upload (its latest and
/// first values), observation and file sent, with their numbers kept. Times are RFC 3339 text
/// (UTC, milliseconds), `date_upload_at` seconds since 1970.
public struct HistoryContents: Sendable, Equatable {
    public struct Run: Sendable, Equatable {
        public var run: Int64
        public var startedAt: String
        public var finishedAt: String?
        public var status: String
        public var exitCode: Int?
        public var error: String?
        public var pid: Int
        /// The host a run ran on (PostgreSQL keeps it; a SQLite history, on one machine, does not).
        public var host: String?
        public var rangeFrom: String?
        public var rangeTo: String?
        public var source: String
        public var uploads: Int?
        public var new: Int?
        public var changed: Int?
        public var revisited: Int?
    }

    public struct Upload: Sendable, Equatable {
        public var id: Int64
        public var dateUpload: String
        public var dateUploadAt: Int64
        public var sourceFilename: String?
        public var latest: UploadValues
        public var final: Bool
        public var alerted: Bool
        public var lastRun: Int64
        public var firstRun: Int64
        public var first: UploadValues
        /// Compact JSON, or nil.
        public var logs: String?
    }

    public struct Observation: Sendable, Equatable {
        public var uploadID: Int64
        public var run: Int64
        public var values: UploadValues
    }

    public struct Sent: Sendable, Equatable {
        public var key: Int64
        public var sent: SentUpload
    }

    public var runs: [Run] = []
    public var uploads: [Upload] = []
    public var observations: [Observation] = []
    public var sent: [Sent] = []

    public init() {}

    /// Rows per table, as `history copy` verifies them.
    public var counts: HistoryCounts {
        HistoryCounts(runs: runs.count, uploads: uploads.count, observations: observations.count, sent: sent.count)
    }
}

/// Rows per table of a history.
public struct HistoryCounts: Sendable, Equatable, CustomStringConvertible {
    public var runs: Int
    public var uploads: Int
    public var observations: Int
    public var sent: Int

    public var isEmpty: Bool { runs + uploads + observations + sent == 0 }

    public var description: String {
        "\(runs) run(s), \(uploads) upload(s), \(observations) observation(s), \(sent) file(s) sent by upload"
    }
}

/// What `history copy` needs of a store: all of it out, all of it in (into an empty one), and
/// its counts. Each store implements it beside its `HistoryStore`.
protocol HistoryTransfer {
    func counts() throws -> HistoryCounts
    func export() throws -> HistoryContents
    /// Writes everything in one transaction, numbers kept; refuses a store that is not empty.
    func importAll(_ contents: HistoryContents) throws
    func close()
}

extension HistoryLocation {
    /// `cg-revenue history copy --from self --to target`: the whole history into an empty store,
    /// in one transaction, then verified by counts. Returns the counts.
    public func copy(to target: HistoryLocation) throws -> HistoryCounts {
        guard target != self else { throw ReportError.usage("history copy: --from and --to are the same history (\(self))") }
        let source = try transfer(reading: true)
        defer { source.close() }
        let contents = try source.export()
        let destination = try target.transfer(reading: false)
        defer { destination.close() }
        let before = try destination.counts()
        guard before.isEmpty else {
            throw ReportError.usage("history copy: --to \(target) is not empty (\(before)); a copy goes into an empty history only; nothing was changed")
        }
        try destination.importAll(contents)
        let after = try destination.counts()
        guard after == contents.counts else {
            throw ReportError.io("history copy: --to \(target) holds \(after) after the copy, where \(self) holds \(contents.counts)")
        }
        return after
    }

    /// The store as `history copy` uses it: the source only read, the target made if missing.
    func transfer(reading: Bool) throws -> any HistoryTransfer {
        switch self {
        case .sqliteFile(let file): return try SQLiteTransfer.open(file, reading: reading)
        case .postgres(let target): return try PostgresTransfer.open(target, reading: reading)
        }
    }
}
