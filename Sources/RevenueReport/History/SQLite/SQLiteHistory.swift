import Foundation
import GRDB
import Logging

/// The history as a SQLite file, through GRDB: a `DatabasePool` in WAL mode (so `history runs`
/// reads while a run writes), the schema by `HistorySchema.migrator`, one writer at a time by
/// `HistoryLock`. Every write is one transaction: a run killed at any moment leaves the file as
/// it was before that transaction, and the next run marks it `interrupted`.
public final class SQLiteHistory: HistoryStore, @unchecked Sendable {
    public let location: String
    public let run: Int64
    public let previousRun: Int64?
    private let pool: DatabasePool
    private let lock: HistoryLock

    private init(location: String, run: Int64, previousRun: Int64?, pool: DatabasePool, lock: HistoryLock) {
        self.location = location
        self.run = run
        self.previousRun = previousRun
        self.pool = pool
        self.lock = lock
    }

    /// Opens (or makes) the history for a run: checks it is one, takes it for this run (waiting
    /// up to `lockWait` seconds for another), brings its schema up to date, marks runs that never
    /// finished `interrupted`, and records this one as `running`.
    public static func open(_ file: URL, for start: RunStart, lockWait: TimeInterval = 60, logger: Logger) throws -> SQLiteHistory {
        if try HistoryFileCheck.check(file) == .missing {
            do {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ReportError.usage("--history \(file.relativePath): cannot make its folder: \(FileProblem.describeFolder(path: file.deletingLastPathComponent().path))")
            }
        }
        let lock = try HistoryLock.acquire(for: file, wait: lockWait, logger: logger)
        do {
            // Checked again now that no other run can be changing it.
            _ = try HistoryFileCheck.check(file)
            let pool = try openPool(file, readOnly: false)
            let (run, previous) = try pool.write { db -> (Int64, Int64?) in
                let interrupted = try RunRow.filter(Column("status") == "running").fetchAll(db)
                for row in interrupted {
                    logger.warning("--history \(file.relativePath): run \(row.run ?? 0) (pid \(row.pid), started \(row.startedAt)) never finished: marked interrupted")
                }
                try db.execute(sql: "UPDATE run SET status = 'interrupted' WHERE status = 'running'")
                let previous = try Int64.fetchOne(db, sql: "SELECT max(run) FROM run WHERE status = 'ok'")
                var row = RunRow(run: nil, startedAt: Timestamp.rfc3339(Date()), status: "running", pid: Int(getpid()),
                                 rangeFrom: start.from?.description, rangeTo: start.to?.description, source: start.source)
                try row.insert(db)
                return (row.run!, previous)
            }
            return SQLiteHistory(location: file.relativePath, run: run, previousRun: previous, pool: pool, lock: lock)
        } catch {
            lock.release()
            throw translate(error, file: file, doing: "cannot be opened")
        }
    }

    /// Opens the history only to read it (`cg-revenue history`, `--range since-last-run`): nothing is
    /// written, and no lock is taken (WAL lets it read beside a run that writes).
    public static func openForReading(_ file: URL) throws -> any HistoryReader {
        guard try HistoryFileCheck.check(file) == .history else {
            throw ReportError.usage("--history \(file.relativePath): no such history yet (it is made by the first `cg-revenue report --history` run)")
        }
        do {
            return SQLiteHistoryReader(file: file, pool: try openPool(file, readOnly: true))
        } catch {
            throw translate(error, file: file, doing: "cannot be read")
        }
    }

    private static func openPool(_ file: URL, readOnly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "history"
        // In WAL mode a commit survives a crash of the process with NORMAL; only power loss may
        // undo the latest run, never damage the file.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: file.path, configuration: configuration)
        let migrator = HistorySchema.migrator
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw ReportError.usage("--history \(file.relativePath): written by a newer cg-revenue (its schema has migrations this one does not know); the file was not changed")
        }
        if !readOnly { try migrator.migrate(pool) }
        return pool
    }

    /// SQLite's and GRDB's errors in our words, naming the file.
    static func translate(_ error: Error, file: URL, doing what: String) -> Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return ReportError.usage("--history \(file.relativePath): \(what): not a cg-revenue history, or damaged (\(sqliteSays(error)))")
        default:
            return ReportError.io("--history \(file.relativePath): \(what): \(sqliteSays(error))")
        }
    }

    /// SQLite's message, and what it most likely means for the disk.
    static func sqliteSays(_ error: DatabaseError) -> String {
        let message = "SQLite: \(error.message ?? "\(error.resultCode)")"
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR: return message + " (is the disk full, or the file larger than allowed?)"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: return message + " (can this user write the file and its folder?)"
        default: return message
        }
    }

    // MARK: read before Transform

    public func knownUploads(in bounds: TimeBounds, id: Int64?) throws -> KnownUploads {
        try pool.read { db in
            var known = KnownUploads()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, status, total_records, successful_records, unsuccessful_records, alerted FROM upload
                WHERE date_upload_at >= ? AND date_upload_at < ? AND (? IS NULL OR id = ?) ORDER BY id
                """, arguments: [bounds.start ?? Int64.min, bounds.end ?? Int64.max, id, id])
            while let row = try rows.next() {
                known.add(id: row[0], values: UploadValues(status: row[1], totalRecords: row[2], successfulRecords: row[3], unsuccessfulRecords: row[4]),
                          alerted: row[5])
            }
            known.seal()
            return known
        }
    }

    public func lastSeen(ids: [Int64]) throws -> [Int64: UploadValues] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var values: [Int64: UploadValues] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, status, total_records, successful_records, unsuccessful_records FROM upload WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                """, arguments: StatementArguments(ids))
            while let row = try rows.next() {
                values[row[0]] = UploadValues(status: row[1], totalRecords: row[2], successfulRecords: row[3], unsuccessfulRecords: row[4])
            }
            return values
        }
    }

    public func pendingUploads(outside bounds: TimeBounds, id: Int64?, datedFrom earliest: Int64, limit: Int) throws -> [PendingUpload] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, date_upload, source_filename, status, total_records, successful_records, unsuccessful_records, alerted
                FROM upload WHERE final = 0 AND date_upload_at >= ?
                    AND NOT (date_upload_at >= ? AND date_upload_at < ? AND (? IS NULL OR id = ?))
                ORDER BY date_upload_at, id LIMIT ?
                """, arguments: [earliest, bounds.start ?? Int64.min, bounds.end ?? Int64.max, id, id, limit]).map { row in
                PendingUpload(id: row[0], dateUpload: row[1], sourceFilename: row[2],
                              values: UploadValues(status: row[3], totalRecords: row[4], successfulRecords: row[5], unsuccessfulRecords: row[6]),
                              alerted: row[7])
            }
        }
    }

    // MARK: written after Emit

    public func recordSuccess(_ outcome: RunOutcome, sightings: HistoryLedger) throws {
        let run = self.run
        do {
            try pool.write { db in
                let now = Timestamp.rfc3339(Date())
                try db.execute(sql: """
                    UPDATE run SET status = 'ok', finished_at = ?, exit_code = ?, uploads = ?, new = ?, changed = ?, revisited = ? WHERE run = ?
                    """, arguments: [now, outcome.exitCode, outcome.uploads, outcome.new, outcome.changed, outcome.revisited, run])
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO upload (id, date_upload, date_upload_at, source_filename, status, total_records, successful_records,
                                        unsuccessful_records, final, alerted, first_run, last_run)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET date_upload = excluded.date_upload, date_upload_at = excluded.date_upload_at,
                        source_filename = excluded.source_filename, status = excluded.status, total_records = excluded.total_records,
                        successful_records = excluded.successful_records, unsuccessful_records = excluded.unsuccessful_records,
                        final = excluded.final, alerted = excluded.alerted, last_run = excluded.last_run
                    """)
                let observe = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO observation (upload_id, run, seen_at, status, total_records, successful_records, unsuccessful_records)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                try sightings.forEach { sighting in
                    let values = sighting.values
                    upsert.setUncheckedArguments([sighting.id, sighting.dateUpload, sighting.dateUploadInstant, sighting.sourceFilename,
                                                  values.status, values.totalRecords, values.successfulRecords, values.unsuccessfulRecords,
                                                  values.isFinal, sighting.matched, run, run])
                    try upsert.execute()
                    if sighting.change != .unchanged {
                        observe.setUncheckedArguments([sighting.id, run, now, values.status, values.totalRecords, values.successfulRecords,
                                                       values.unsuccessfulRecords])
                        try observe.execute()
                    }
                }
            }
        } catch {
            let reason = (error as? DatabaseError).map(Self.sqliteSays) ?? "\(error)"
            throw ReportError.io("--history \(location): cannot record run \(run): \(reason); the history is as it was before this run (the outputs are written)")
        }
    }

    public func recordFailure(exitCode: Int32, error: String) -> String? {
        do {
            try pool.write { db in
                try db.execute(sql: "UPDATE run SET status = 'failed', finished_at = ?, exit_code = ?, error = ? WHERE run = ?",
                               arguments: [Timestamp.rfc3339(Date()), exitCode, error, run])
            }
            return nil
        } catch {
            return "--history \(location): could not record that run \(run) failed: \(error)"
        }
    }

    public func close() {
        // Fold the WAL back into the file, so that the file alone is the whole history (to copy or
        // back up); the -wal beside it is left empty. A reader in the way only delays that to a later run.
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try? pool.close()
        lock.release()
    }
}

/// Reads a history for the `history` commands.
struct SQLiteHistoryReader: HistoryReader {
    let file: URL
    let pool: DatabasePool

    func runs(last: Int?) throws -> [HistoryRunEntry] {
        let held = HistoryLock.isHeld(for: file)
        return try read { db in
            var request = RunRow.order(Column("run").desc)
            if let last { request = request.limit(last) }
            return try request.fetchAll(db).map { row in
                var entry = row.entry
                // A run still marked running whose lock nobody holds was killed: say so now, the
                // next run records it.
                if entry.status == .running, !held { entry.status = .interrupted }
                return entry
            }
        }
    }

    func observations(of id: Int64) throws -> [UploadObservation]? {
        try read { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM upload WHERE id = ?", arguments: [id]) != nil else { return nil }
            return try ObservationRow.filter(Column("upload_id") == id).order(Column("run")).fetchAll(db).map(\.observation)
        }
    }

    func latestSuccessfulTo() throws -> CivilDate? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT max(range_to) FROM run WHERE status = 'ok'").flatMap(CivilDate.init)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw SQLiteHistory.translate(error, file: file, doing: "cannot be read")
        }
    }
}
