import Foundation
import Logging
import PostgresNIO

/// The history in a PostgreSQL database (`--history postgresql://…`), for a team: the same
/// behaviour as `SQLiteHistory`, point for point (the conformance suite runs on both). One run at
/// a time: a session-level advisory lock, which the server lets go of when the connection drops
/// (a run killed with `kill -9` included). Every write is one transaction.
public final class PostgresHistory: HistoryStore, @unchecked Sendable {
    /// The advisory lock a run holds ("CGRv"), and the one a schema migration holds.
    static let runLockKey: Int64 = 0x4347_5276
    static let migrationLockKey: Int64 = 0x4347_5277
    /// Uploads a statement of the first night's bulk write (12 parameters each, under 65,535).
    static let batch = 2_000

    public let location: String
    public let run: Int64
    public let previousRun: Int64?
    let session: PostgresSession

    private init(session: PostgresSession, run: Int64, previousRun: Int64?) {
        self.session = session
        self.location = session.target.description
        self.run = run
        self.previousRun = previousRun
    }

    /// Connects, makes or migrates the schema, takes the run lock (waiting up to `lockWait`
    /// seconds for another run, then naming it), marks runs that never finished `interrupted`,
    /// and records this one as `running`.
    static func open(_ target: PostgresTarget, for start: RunStart, lockWait: TimeInterval, logger: Logger) throws -> PostgresHistory {
        let session = try PostgresSession.connect(target, logger: logger)
        do {
            try PostgresSchema.prepare(session)
            try takeRunLock(session, wait: lockWait, logger: logger)
            let (run, previous) = try session.transaction { () -> (Int64, Int64?) in
                for row in try session.rows("SELECT run, pid, host, \(unescaped: PostgresHistory.text("started_at")) FROM cg_revenue.run WHERE status = 'running'") {
                    let (number, pid, host, started) = try row.decode((Int64, Int, String, String).self)
                    logger.warning("--history \(target): run \(number) (pid \(pid) on \(host), started \(started)) never finished: marked interrupted")
                }
                try session.execute("UPDATE cg_revenue.run SET status = 'interrupted' WHERE status = 'running'")
                let previous = try session.rows("SELECT max(run) FROM cg_revenue.run WHERE status = 'ok'").first?.decode(Int64?.self)
                let from = start.from?.description, to = start.to?.description
                let host = ProcessInfo.processInfo.hostName, pid = Int(getpid())
                let run = try session.rows("""
                    INSERT INTO cg_revenue.run (started_at, status, pid, host, range_from, range_to, source)
                    VALUES (\(Date()), 'running', \(pid), \(host), \(from)::date, \(to)::date, \(start.source)) RETURNING run
                    """).first!.decode(Int64.self)
                return (run, previous)
            }
            return PostgresHistory(session: session, run: run, previousRun: previous)
        } catch {
            session.close()
            throw error
        }
    }

    /// `pg_try_advisory_lock`, again every 100 ms until `wait` has passed; then exit 1 naming the
    /// holder by its `application_name` (host and pid).
    static func takeRunLock(_ session: PostgresSession, wait: TimeInterval, logger: Logger) throws {
        let deadline = Date().addingTimeInterval(wait)
        var saidSo = false
        while try !(session.rows("SELECT pg_try_advisory_lock(\(runLockKey))").first?.decode(Bool.self) ?? false) {
            let holder = try Self.holder(session) ?? "another run"
            if Date() >= deadline {
                throw ReportError.io("--history \(session.target): \(holder) still holds it after \(Int(wait)) s; not waiting longer")
            }
            if !saidSo {
                logger.notice("--history \(session.target): in use by another run (\(holder)); waiting up to \(Int(wait)) s")
                saidSo = true
            }
            usleep(100_000)
        }
    }

    /// Who holds the run lock: its `application_name` and the server's pid of its session.
    static func holder(_ session: PostgresSession) throws -> String? {
        try session.rows("""
            SELECT coalesce(a.application_name, ''), a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = \(runLockKey)::bigint::oid AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """).first.map { row in
            let (name, pid) = try row.decode((String, Int).self)
            return "\(name.isEmpty ? "a session" : name) (server pid \(pid))"
        }
    }

    /// A `timestamptz` column as the SQLite history writes times: RFC 3339 in UTC, milliseconds.
    static func text(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    // MARK: read before Transform

    public func knownUploads(in bounds: TimeBounds, id: Int64?) throws -> KnownUploads {
        var known = KnownUploads()
        for row in try session.rows("""
            SELECT id, status, total_records, successful_records, unsuccessful_records, alerted FROM cg_revenue.upload
            WHERE (\(bounds.start)::bigint IS NULL OR date_upload_at >= to_timestamp(\(bounds.start)))
              AND (\(bounds.end)::bigint IS NULL OR date_upload_at < to_timestamp(\(bounds.end)))
              AND (\(id)::bigint IS NULL OR id = \(id)) ORDER BY id
            """) {
            let (uploadID, status, total, successful, unsuccessful, alerted) = try row.decode((Int64, String?, Int?, Int?, Int?, Bool).self)
            known.add(id: uploadID, values: UploadValues(status: status, totalRecords: total, successfulRecords: successful, unsuccessfulRecords: unsuccessful),
                      alerted: alerted)
        }
        known.seal()
        return known
    }

    public func lastSeen(ids: [Int64]) throws -> [Int64: UploadValues] {
        guard !ids.isEmpty else { return [:] }
        var values: [Int64: UploadValues] = [:]
        for row in try session.rows("""
            SELECT id, status, total_records, successful_records, unsuccessful_records FROM cg_revenue.upload WHERE id = ANY(\(ids))
            """) {
            let (id, status, total, successful, unsuccessful) = try row.decode((Int64, String?, Int?, Int?, Int?).self)
            values[id] = UploadValues(status: status, totalRecords: total, successfulRecords: successful, unsuccessfulRecords: unsuccessful)
        }
        return values
    }

    public func pendingUploads(outside bounds: TimeBounds, id: Int64?, datedFrom earliest: Int64, limit: Int) throws -> [PendingUpload] {
        try session.rows("""
            SELECT id, date_upload, source_filename, status, total_records, successful_records, unsuccessful_records, alerted
            FROM cg_revenue.upload WHERE NOT final AND date_upload_at >= to_timestamp(\(earliest))
              AND NOT ((\(bounds.start)::bigint IS NULL OR date_upload_at >= to_timestamp(\(bounds.start)))
                   AND (\(bounds.end)::bigint IS NULL OR date_upload_at < to_timestamp(\(bounds.end)))
                   AND (\(id)::bigint IS NULL OR id = \(id)))
            ORDER BY date_upload_at, id LIMIT \(limit)
            """).map { row in
            let (id, date, name, status, total, successful, unsuccessful, alerted) = try row.decode((Int64, String, String?, String?, Int?, Int?, Int?, Bool).self)
            return PendingUpload(id: id, dateUpload: date, sourceFilename: name,
                                 values: UploadValues(status: status, totalRecords: total, successfulRecords: successful, unsuccessfulRecords: unsuccessful),
                                 alerted: alerted)
        }
    }

    // MARK: written after Emit

    public func recordSuccess(_ outcome: RunOutcome, sightings: some Sightings) throws {
        do {
            try session.transaction {
                try session.rows("""
                    UPDATE cg_revenue.run SET status = 'ok', finished_at = \(Date()), exit_code = \(Int(outcome.exitCode)), uploads = \(outcome.uploads),
                        new = \(outcome.new), changed = \(outcome.changed), revisited = \(outcome.revisited) WHERE run = \(run)
                    """)
                var uploads = UploadBatch(run: run), observations = ObservationBatch(run: run)
                try sightings.forEach { sighting in
                    if !uploads.add(sighting) {
                        try session.rows(uploads.take())
                        _ = uploads.add(sighting)
                    }
                    if sighting.change == .changed { observations.add(sighting) }
                    if uploads.count == Self.batch { try session.rows(uploads.take()) }
                    if observations.count == Self.batch { try session.rows(observations.take()) }
                }
                if uploads.count > 0 { try session.rows(uploads.take()) }
                if observations.count > 0 { try session.rows(observations.take()) }
            }
        } catch {
            throw ReportError.io("--history \(location): cannot record run \(run): \(withoutPrefix(error)); the history is as it was before this run (the outputs are written)")
        }
    }

    public func recordFailure(exitCode: Int32, error: String) -> String? {
        do {
            try session.rows("UPDATE cg_revenue.run SET status = 'failed', finished_at = \(Date()), exit_code = \(Int(exitCode)), error = \(error) WHERE run = \(run)",
                             doing: "cannot be written")
            return nil
        } catch {
            return "--history \(location): could not record that run \(run) failed: \(withoutPrefix(error))"
        }
    }

    /// A session's error without its own `--history URL: ` (the sentence it goes in names it).
    private func withoutPrefix(_ error: any Error) -> String {
        let text = "\(error)", prefix = "--history \(location): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    public func close() {
        // The lock is let go of by name first: closing the session would free it too, but a close
        // that the server is slow to answer (a loaded host) must not keep the next run waiting.
        _ = try? session.execute("SELECT pg_advisory_unlock_all()")
        session.close()
    }
}

/// Uploads of one multi-row upsert: a first sighting makes the row (its first values in it), a
/// later one updates the latest values.
struct UploadBatch {
    let run: Int64
    private var sql = ""
    private var binds = PostgresBindings()
    private var seen: Set<Int64> = []
    private(set) var count = 0

    init(run: Int64) { self.run = run }

    /// False when the upload is in this batch already: ON CONFLICT cannot touch a row twice in
    /// one statement, so the batch goes first and the repeat in the next.
    mutating func add(_ sighting: Sighting) -> Bool {
        guard seen.insert(sighting.id).inserted else { return false }
        let base = count * 12
        func p(_ n: Int) -> String { "$\(base + n)" }
        sql += count == 0 ? "" : ","
        sql += "(\(p(1)),\(p(2)),to_timestamp(\(p(3))),\(p(4)),\(p(5)),\(p(6)),\(p(7)),\(p(8)),\(p(9)),\(p(10)),\(p(11)),\(p(11)),\(p(5)),\(p(6)),\(p(7)),\(p(8)),\(p(12))::jsonb)"
        let values = sighting.values
        binds.append(sighting.id)
        binds.append(sighting.dateUpload)
        binds.append(sighting.dateUploadInstant)
        binds.append(sighting.sourceFilename)
        binds.append(values.status)
        binds.append(values.totalRecords)
        binds.append(values.successfulRecords)
        binds.append(values.unsuccessfulRecords)
        binds.append(values.isFinal)
        binds.append(sighting.matched)
        binds.append(run)
        binds.append(sighting.logs)
        count += 1
        return true
    }

    mutating func take() -> PostgresQuery {
        let query = PostgresQuery(unsafeSQL: """
            INSERT INTO cg_revenue.upload (id, date_upload, date_upload_at, source_filename, status, total_records, successful_records,
                                           unsuccessful_records, final, alerted, last_run, first_run, first_status,
                                           first_total_records, first_successful_records, first_unsuccessful_records, logs)
            VALUES \(sql)
            ON CONFLICT (id) DO UPDATE SET date_upload = excluded.date_upload, date_upload_at = excluded.date_upload_at,
                source_filename = excluded.source_filename, status = excluded.status, total_records = excluded.total_records,
                successful_records = excluded.successful_records, unsuccessful_records = excluded.unsuccessful_records,
                final = excluded.final, alerted = excluded.alerted, last_run = excluded.last_run, logs = excluded.logs
            """, binds: binds)
        sql = ""
        binds = PostgresBindings()
        seen = []
        count = 0
        return query
    }
}

/// Changes of one multi-row insert into `observation`.
struct ObservationBatch {
    let run: Int64
    private var sql = ""
    private var binds = PostgresBindings()
    private(set) var count = 0

    init(run: Int64) { self.run = run }

    mutating func add(_ sighting: Sighting) {
        let base = count * 6
        sql += (count == 0 ? "" : ",") + "($\(base + 1),$\(base + 2),$\(base + 3),$\(base + 4),$\(base + 5),$\(base + 6))"
        binds.append(sighting.id)
        binds.append(run)
        binds.append(sighting.values.status)
        binds.append(sighting.values.totalRecords)
        binds.append(sighting.values.successfulRecords)
        binds.append(sighting.values.unsuccessfulRecords)
        count += 1
    }

    mutating func take() -> PostgresQuery {
        let query = PostgresQuery(unsafeSQL: """
            INSERT INTO cg_revenue.observation (upload_id, run, status, total_records, successful_records, unsuccessful_records)
            VALUES \(sql)
            ON CONFLICT (upload_id, run) DO UPDATE SET status = excluded.status, total_records = excluded.total_records,
                successful_records = excluded.successful_records, unsuccessful_records = excluded.unsuccessful_records
            """, binds: binds)
        sql = ""
        binds = PostgresBindings()
        count = 0
        return query
    }
}
