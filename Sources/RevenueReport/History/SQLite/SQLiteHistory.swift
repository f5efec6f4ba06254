import Foundation
import GRDB
import GRDBSQLite
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

    /// Opens (or makes) the history for `upload` to record what it sends: no run lock (an
    /// upload is not a report run), the schema brought up to date.
    public static func openSentUploads(_ file: URL) throws -> any SentUploadsLog {
        if try HistoryFileCheck.check(file) == .missing {
            do {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ReportError.usage("--history \(file.relativePath): cannot make its folder: \(FileProblem.describeFolder(path: file.deletingLastPathComponent().path))")
            }
        }
        do {
            return SQLiteSentUploads(pool: try openPool(file, readOnly: false), file: file)
        } catch {
            throw translate(error, file: file, doing: "cannot be opened")
        }
    }

    private static func openPool(_ file: URL, readOnly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "history"
        // A report run may be writing: wait for it rather than fail (its transactions are short).
        configuration.busyMode = .timeout(30)
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
                known.add(id: row[0], values: UploadValues(row, from: 1), alerted: row[5])
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
                values[row[0]] = UploadValues(row, from: 1)
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
                              values: UploadValues(row, from: 3),
                              alerted: row[7])
            }
        }
    }

    // MARK: written after Emit

    public func recordSuccess(_ outcome: RunOutcome, sightings: some Sightings) throws {
        let run = self.run
        do {
            try pool.write { db in
                let now = Timestamp.rfc3339(Date())
                try db.execute(sql: """
                    UPDATE run SET status = 'ok', finished_at = ?, exit_code = ?, uploads = ?, new = ?, changed = ?, revisited = ? WHERE run = ?
                    """, arguments: [now, outcome.exitCode, outcome.uploads, outcome.new, outcome.changed, outcome.revisited, run])
                // An upload first seen: one row, its first sighting in it. A change: the row's
                // latest values, and an observation.
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO upload (id, date_upload, date_upload_at, source_filename, status, total_records, successful_records,
                                        unsuccessful_records, final, alerted, last_run, first_run, first_status,
                                        first_total_records, first_successful_records, first_unsuccessful_records, logs)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?5, ?6, ?7, ?8, ?12)
                    ON CONFLICT (id) DO UPDATE SET date_upload = excluded.date_upload, date_upload_at = excluded.date_upload_at,
                        source_filename = excluded.source_filename, status = excluded.status, total_records = excluded.total_records,
                        successful_records = excluded.successful_records, unsuccessful_records = excluded.unsuccessful_records,
                        final = excluded.final, alerted = excluded.alerted, last_run = excluded.last_run, logs = excluded.logs
                    """)
                let observe = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO observation (upload_id, run, status, total_records, successful_records, unsuccessful_records)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                // A million rows go in here: bound straight to SQLite's statements (GRDB's
                // arguments box every value, which costs more than the insert itself).
                let inserting = BoundStatement(insert), observing = BoundStatement(observe)
                try sightings.forEach { sighting in
                    let values = sighting.values
                    inserting.bind(1, sighting.id)
                    inserting.bind(2, sighting.dateUpload)
                    inserting.bind(3, sighting.dateUploadInstant)
                    inserting.bind(4, sighting.sourceFilename)
                    inserting.bind(5, values.status)
                    inserting.bind(6, values.totalRecords)
                    inserting.bind(7, values.successfulRecords)
                    inserting.bind(8, values.unsuccessfulRecords)
                    inserting.bind(9, values.isFinal ? 1 : 0)
                    inserting.bind(10, sighting.matched ? 1 : 0)
                    inserting.bind(11, run)
                    inserting.bind(12, sighting.logs)
                    try inserting.step(db)
                    if sighting.change == .changed {
                        observing.bind(1, sighting.id)
                        observing.bind(2, run)
                        observing.bind(3, values.status)
                        observing.bind(4, values.totalRecords)
                        observing.bind(5, values.successfulRecords)
                        observing.bind(6, values.unsuccessfulRecords)
                        try observing.step(db)
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

extension UploadValues {
    /// The four values from columns `from` to `from + 3` of a row: status, total, successful, unsuccessful.
    init(_ row: Row, from column: Int) {
        self.init(status: row[column], totalRecords: row[column + 1], successfulRecords: row[column + 2], unsuccessfulRecords: row[column + 3])
    }
}

/// A prepared GRDB statement bound and stepped through SQLite's C API: the bulk inserts of a
/// recording, where GRDB's boxed arguments would cost more than SQLite's work.
struct BoundStatement {
    let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }
    /// SQLite copies the text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement) { self.statement = statement }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Int?) {
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }
    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(handle, index); return }
        value.withUTF8 { bytes in
            guard let start = bytes.baseAddress, bytes.count > 0 else { _ = sqlite3_bind_text(handle, index, "", 0, Self.transient); return }
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    /// Runs the statement once and makes it ready for the next row.
    func step(_ db: Database) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
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
            // The first sighting is kept in the upload's row; each change is an observation.
            let first = try Row.fetchAll(db, sql: """
                SELECT u.first_run, r.finished_at, u.first_status, u.first_total_records, u.first_successful_records, u.first_unsuccessful_records
                FROM upload u JOIN run r ON r.run = u.first_run WHERE u.id = ?
                """, arguments: [id])
            guard !first.isEmpty else { return nil }
            let changes = try Row.fetchAll(db, sql: """
                SELECT o.run, r.finished_at, o.status, o.total_records, o.successful_records, o.unsuccessful_records
                FROM observation o JOIN run r ON r.run = o.run WHERE o.upload_id = ? ORDER BY o.run
                """, arguments: [id])
            return (first + changes).map { row in
                UploadObservation(run: row[0], seenAt: row[1] ?? "", values: UploadValues(row, from: 2))
            }
        }
    }

    func sent(uploadID: Int64) throws -> SentUpload? {
        try read { db in
            // A history made before `upload` existed has no such table: nothing was sent.
            guard try db.tableExists("sent_upload") else { return nil }
            return try SQLiteSentUploads.fetchLatest(db, sql: "upload_id = ?", arguments: [uploadID])
        }
    }

    func takenBefore(sha256: String) throws -> SentUpload? {
        try read { db in
            guard try db.tableExists("sent_upload") else { return nil }
            return try SQLiteSentUploads.takenBefore(db, sha256: sha256)
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
