import Foundation
import Logging
import PostgresNIO

/// What the `history` commands read from a PostgreSQL history; nothing is written, no lock taken.
final class PostgresHistoryReader: HistoryReader, @unchecked Sendable {
    let session: PostgresSession

    /// A history not made yet reads as empty (as SQLite's "no such history yet" would stop it,
    /// here the database exists: there is simply nothing in it).
    static func open(_ target: PostgresTarget, logger: Logger) throws -> PostgresHistoryReader {
        let session = try PostgresSession.connect(target, logger: logger)
        do {
            guard try PostgresSchema.currentVersion(session) > 0 else {
                throw ReportError.usage("--history \(target): no such history yet (it is made by the first `cg-revenue report --history` run)")
            }
        } catch {
            session.close()
            throw error
        }
        return PostgresHistoryReader(session: session)
    }

    init(session: PostgresSession) {
        self.session = session
    }

    deinit { session.close() }

    func runs(last: Int?) throws -> [HistoryRunEntry] {
        // A run still marked running while nobody holds the run lock was killed: say so now.
        let held = try session.rows("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = \(PostgresHistory.runLockKey)::bigint::oid AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """).first?.decode(Int.self) ?? 0 > 0
        return try session.rows(PostgresQuery(unsafeSQL: """
            SELECT run, \(PostgresHistory.text("started_at")), \(PostgresHistory.text("finished_at")), status, exit_code, error, pid,
                   range_from::text, range_to::text, source, uploads, new, changed, revisited
            FROM cg_revenue.run ORDER BY run DESC \(last.map { "LIMIT \($0)" } ?? "")
            """)).map { row in
            let cells = try row.decode((Int64, String, String?, String, Int?, String?, Int, String?, String?, String, Int?, Int?, Int?, Int?).self)
            var entry = HistoryRunEntry(run: cells.0, startedAt: cells.1, finishedAt: cells.2, status: HistoryRunEntry.Status(rawValue: cells.3) ?? .failed,
                                        exitCode: cells.4, error: cells.5, pid: cells.6, from: cells.7, to: cells.8, source: cells.9,
                                        uploads: cells.10, new: cells.11, changed: cells.12, revisited: cells.13)
            if entry.status == .running, !held { entry.status = .interrupted }
            return entry
        }
    }

    func observations(of id: Int64) throws -> [UploadObservation]? {
        let first = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT u.first_run, \(PostgresHistory.text("r.finished_at")), u.first_status, u.first_total_records, u.first_successful_records, u.first_unsuccessful_records
            FROM cg_revenue.upload u JOIN cg_revenue.run r ON r.run = u.first_run WHERE u.id = $1
            """, binds: Self.binds(id)))
        guard !first.isEmpty else { return nil }
        let changes = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT o.run, \(PostgresHistory.text("r.finished_at")), o.status, o.total_records, o.successful_records, o.unsuccessful_records
            FROM cg_revenue.observation o JOIN cg_revenue.run r ON r.run = o.run WHERE o.upload_id = $1 ORDER BY o.run
            """, binds: Self.binds(id)))
        return try (first + changes).map { row in
            let (run, seenAt, status, total, successful, unsuccessful) = try row.decode((Int64, String?, String?, Int?, Int?, Int?).self)
            return UploadObservation(run: run, seenAt: seenAt ?? "", values: UploadValues(status: status, totalRecords: total, successfulRecords: successful,
                                                                                          unsuccessfulRecords: unsuccessful))
        }
    }

    func latestSuccessfulTo() throws -> CivilDate? {
        try session.rows("SELECT max(range_to)::text FROM cg_revenue.run WHERE status = 'ok'").first?.decode(String?.self).flatMap(CivilDate.init)
    }

    func sent(uploadID: Int64) throws -> SentUpload? {
        try PostgresSentUploads.latest(session, where: "upload_id = $1", binds: Self.binds(uploadID))
    }

    func takenBefore(sha256: String) throws -> SentUpload? {
        try PostgresSentUploads.takenBefore(session, sha256: sha256)
    }

    static func binds(_ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}

/// The files `upload` sent, in `cg_revenue.sent_upload`.
final class PostgresSentUploads: SentUploadsLog, @unchecked Sendable {
    let session: PostgresSession

    init(session: PostgresSession) {
        self.session = session
    }

    static func open(_ target: PostgresTarget, logger: Logger) throws -> PostgresSentUploads {
        let session = try PostgresSession.connect(target, logger: logger)
        do {
            try PostgresSchema.prepare(session)
        } catch {
            session.close()
            throw error
        }
        return PostgresSentUploads(session: session)
    }

    func takenBefore(sha256: String) throws -> SentUpload? {
        try Self.takenBefore(session, sha256: sha256)
    }

    /// The latest upload of these bytes that was taken: `upload` asks before sending, `upload --dry-run` through the reader.
    static func takenBefore(_ session: PostgresSession, sha256: String) throws -> SentUpload? {
        var binds = PostgresBindings()
        binds.append(sha256)
        return try latest(session, where: "sha256 = $1 AND \(SentUpload.notTakenSQL)", binds: binds)
    }

    func recordSending(_ sent: SentUpload) throws -> Int64 {
        try session.rows("""
            INSERT INTO cg_revenue.sent_upload (file, sent_as, sha256, sent_at, upload_id, outcome)
            VALUES (\(sent.file), \(sent.sentAs), \(sent.sha256), \(sent.sentAt)::timestamptz, \(sent.uploadID), \(sent.outcome)) RETURNING key
            """).first!.decode(Int64.self)
    }

    func recordOutcome(key: Int64, uploadID: Int64?, outcome: String) throws {
        try session.rows("UPDATE cg_revenue.sent_upload SET upload_id = coalesce(\(uploadID), upload_id), outcome = \(outcome) WHERE key = \(key)")
    }

    func close() {
        session.close()
    }

    static func latest(_ session: PostgresSession, where condition: String, binds: PostgresBindings) throws -> SentUpload? {
        try session.rows(PostgresQuery(unsafeSQL: """
            SELECT file, sent_as, sha256, \(PostgresHistory.text("sent_at")), upload_id, outcome FROM cg_revenue.sent_upload
            WHERE \(condition) ORDER BY key DESC LIMIT 1
            """, binds: binds)).first.map { row in
            let (file, sentAs, sha256, sentAt, uploadID, outcome) = try row.decode((String, String, String, String, Int64?, String).self)
            return SentUpload(file: file, sentAs: sentAs, sha256: sha256, sentAt: sentAt, uploadID: uploadID, outcome: outcome)
        }
    }
}
