import Foundation
import GRDB

/// `history copy` from and into a SQLite history.
final class SQLiteTransfer: HistoryTransfer {
    private let pool: DatabasePool
    private let file: URL
    private let lock: HistoryLock?

    private init(pool: DatabasePool, file: URL, lock: HistoryLock?) {
        self.pool = pool
        self.file = file
        self.lock = lock
    }

    /// The source is read without a lock (as `history runs` reads); the target is made if
    /// missing and locked as a run would lock it.
    static func open(_ file: URL, reading: Bool) throws -> SQLiteTransfer {
        if reading {
            guard try HistoryFileCheck.check(file) == .history else {
                throw ReportError.usage("--from \(file.relativePath): no such history")
            }
        }
        let lock = reading ? nil : try HistoryLock.acquire(for: file, wait: 60, logger: HistoryLocation.quietLogger)
        do {
            if !reading, try HistoryFileCheck.check(file) == .missing {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            var configuration = Configuration()
            configuration.readonly = reading
            configuration.busyMode = .timeout(30)
            let pool = try DatabasePool(path: file.path, configuration: configuration)
            if !reading { try HistorySchema.migrator.migrate(pool) }
            return SQLiteTransfer(pool: pool, file: file, lock: lock)
        } catch {
            lock?.release()
            throw SQLiteHistory.translate(error, file: file, doing: reading ? "cannot be read" : "cannot be written")
        }
    }

    func counts() throws -> HistoryCounts {
        try pool.read { db in
            let sent = try db.tableExists("sent_upload") ? Int.fetchOne(db, sql: "SELECT count(*) FROM sent_upload") ?? 0 : 0
            return HistoryCounts(runs: try Int.fetchOne(db, sql: "SELECT count(*) FROM run") ?? 0,
                                 uploads: try Int.fetchOne(db, sql: "SELECT count(*) FROM upload") ?? 0,
                                 observations: try Int.fetchOne(db, sql: "SELECT count(*) FROM observation") ?? 0, sent: sent)
        }
    }

    func export() throws -> HistoryContents {
        try pool.read { db in
            var contents = HistoryContents()
            contents.runs = try Row.fetchAll(db, sql: """
                SELECT run, started_at, finished_at, status, exit_code, error, pid, range_from, range_to, source, uploads, new, changed, revisited
                FROM run ORDER BY run
                """).map { row in
                HistoryContents.Run(run: row[0], startedAt: row[1], finishedAt: row[2], status: row[3], exitCode: row[4], error: row[5], pid: row[6],
                                    host: nil, rangeFrom: row[7], rangeTo: row[8], source: row[9], uploads: row[10], new: row[11], changed: row[12],
                                    revisited: row[13])
            }
            let uploads = try Row.fetchCursor(db, sql: """
                SELECT id, date_upload, date_upload_at, source_filename, status, total_records, successful_records, unsuccessful_records,
                       final, alerted, last_run, first_run, first_status, first_total_records, first_successful_records, first_unsuccessful_records, logs
                FROM upload ORDER BY id
                """)
            while let row = try uploads.next() {
                contents.uploads.append(HistoryContents.Upload(id: row[0], dateUpload: row[1], dateUploadAt: row[2], sourceFilename: row[3],
                                                               latest: UploadValues(row, from: 4), final: row[8], alerted: row[9], lastRun: row[10],
                                                               firstRun: row[11], first: UploadValues(row, from: 12), logs: row[16]))
            }
            contents.observations = try Row.fetchAll(db, sql: """
                SELECT upload_id, run, status, total_records, successful_records, unsuccessful_records FROM observation ORDER BY upload_id, run
                """).map { HistoryContents.Observation(uploadID: $0[0], run: $0[1], values: UploadValues($0, from: 2)) }
            if try db.tableExists("sent_upload") {
                contents.sent = try Row.fetchAll(db, sql: "SELECT key, file, sent_as, sha256, sent_at, upload_id, outcome FROM sent_upload ORDER BY key").map { row in
                    HistoryContents.Sent(key: row[0], sent: SentUpload(file: row[1], sentAs: row[2], sha256: row[3], sentAt: row[4], uploadID: row[5], outcome: row[6]))
                }
            }
            return contents
        }
    }

    func importAll(_ contents: HistoryContents) throws {
        do {
            try pool.write { db in
                for run in contents.runs {
                    try db.execute(sql: """
                        INSERT INTO run (run, started_at, finished_at, status, exit_code, error, pid, range_from, range_to, source, uploads, new, changed, revisited)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [run.run, run.startedAt, run.finishedAt, run.status, run.exitCode, run.error, run.pid, run.rangeFrom, run.rangeTo,
                                         run.source, run.uploads, run.new, run.changed, run.revisited])
                }
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO upload (id, date_upload, date_upload_at, source_filename, status, total_records, successful_records, unsuccessful_records,
                                        final, alerted, last_run, first_run, first_status, first_total_records, first_successful_records, first_unsuccessful_records, logs)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for upload in contents.uploads {
                    try insert.execute(arguments: [upload.id, upload.dateUpload, upload.dateUploadAt, upload.sourceFilename, upload.latest.status,
                                                   upload.latest.totalRecords, upload.latest.successfulRecords, upload.latest.unsuccessfulRecords,
                                                   upload.final, upload.alerted, upload.lastRun, upload.firstRun, upload.first.status,
                                                   upload.first.totalRecords, upload.first.successfulRecords, upload.first.unsuccessfulRecords, upload.logs])
                }
                for seen in contents.observations {
                    try db.execute(sql: "INSERT INTO observation (upload_id, run, status, total_records, successful_records, unsuccessful_records) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [seen.uploadID, seen.run, seen.values.status, seen.values.totalRecords, seen.values.successfulRecords,
                                               seen.values.unsuccessfulRecords])
                }
                for sent in contents.sent {
                    try db.execute(sql: "INSERT INTO sent_upload (key, file, sent_as, sha256, sent_at, upload_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [sent.key, sent.sent.file, sent.sent.sentAs, sent.sent.sha256, sent.sent.sentAt, sent.sent.uploadID, sent.sent.outcome])
                }
            }
        } catch {
            throw SQLiteHistory.translate(error, file: file, doing: "cannot be written")
        }
    }

    func close() {
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try? pool.close()
        lock?.release()
    }
}
