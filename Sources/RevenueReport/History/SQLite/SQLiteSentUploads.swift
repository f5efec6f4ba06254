import Foundation
import GRDB

/// The files `upload` sent, in the table `sent_upload` of the SQLite history.
final class SQLiteSentUploads: SentUploadsLog, @unchecked Sendable {
    private let pool: DatabasePool
    private let file: URL

    init(pool: DatabasePool, file: URL) {
        self.pool = pool
        self.file = file
    }

    func takenBefore(sha256: String) throws -> SentUpload? {
        try guarded("cannot be read") {
            try pool.read { db in try Self.takenBefore(db, sha256: sha256) }
        }
    }

    func recordSending(_ sent: SentUpload) throws -> Int64 {
        defer { foldIntoFile() }
        return try guarded("cannot be written") {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO sent_upload (file, sent_as, sha256, sent_at, upload_id, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [sent.file, sent.sentAs, sent.sha256, sent.sentAt, sent.uploadID, sent.outcome])
                return db.lastInsertedRowID
            }
        }
    }

    func recordOutcome(key: Int64, uploadID: Int64?, outcome: String) throws {
        defer { foldIntoFile() }
        try guarded("cannot be written") {
            try pool.write { db in
                try db.execute(sql: "UPDATE sent_upload SET upload_id = coalesce(?, upload_id), outcome = ? WHERE key = ?",
                               arguments: [uploadID, outcome, key])
            }
        }
    }

    /// The WAL folded into the file at once: `history` (which looks at the file's header before
    /// it opens it) reads what was sent while the upload still waits.
    private func foldIntoFile() {
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
    }

    func close() {
        // As a report run does: the WAL folded back, so that the file alone is the whole history.
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try? pool.close()
    }

    /// The latest upload of these bytes that was taken: `upload` asks before sending, `upload --dry-run` through the reader.
    static func takenBefore(_ db: Database, sha256: String) throws -> SentUpload? {
        try fetchLatest(db, sql: "sha256 = ? AND \(SentUpload.notTakenSQL)", arguments: [sha256])
    }

    static func fetchLatest(_ db: Database, sql condition: String, arguments: StatementArguments) throws -> SentUpload? {
        try Row.fetchOne(db, sql: "SELECT file, sent_as, sha256, sent_at, upload_id, outcome FROM sent_upload WHERE \(condition) ORDER BY key DESC LIMIT 1",
                         arguments: arguments).map { row in
            SentUpload(file: row[0], sentAs: row[1], sha256: row[2], sentAt: row[3], uploadID: row[4], outcome: row[5])
        }
    }

    private func guarded<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw SQLiteHistory.translate(error, file: file, doing: doing)
        }
    }
}
