import Foundation
import PostgresNIO

/// `history copy` from and into a PostgreSQL history.
final class PostgresTransfer: HistoryTransfer {
    let session: PostgresSession
    /// Rows a statement of the bulk insert.
    static let batch = 1_000

    private init(session: PostgresSession) {
        self.session = session
    }

    /// The source is read as `history runs` reads; the target's schema is made if missing and
    /// its run lock taken, as a run would.
    static func open(_ target: PostgresTarget, reading: Bool) throws -> PostgresTransfer {
        let session = try PostgresSession.connect(target, logger: HistoryLocation.quietLogger)
        do {
            if reading {
                guard try PostgresSchema.currentVersion(session) > 0 else { throw ReportError.usage("--from \(target): no such history") }
            } else {
                try PostgresSchema.prepare(session)
                try PostgresHistory.takeRunLock(session, wait: 60, logger: HistoryLocation.quietLogger)
            }
        } catch {
            session.close()
            throw error
        }
        return PostgresTransfer(session: session)
    }

    func counts() throws -> HistoryCounts {
        let row = try session.rows("""
            SELECT (SELECT count(*) FROM cg_revenue.run), (SELECT count(*) FROM cg_revenue.upload),
                   (SELECT count(*) FROM cg_revenue.observation), (SELECT count(*) FROM cg_revenue.sent_upload)
            """).first!
        let (runs, uploads, observations, sent) = try row.decode((Int, Int, Int, Int).self)
        return HistoryCounts(runs: runs, uploads: uploads, observations: observations, sent: sent)
    }

    func export() throws -> HistoryContents {
        var contents = HistoryContents()
        let text = PostgresHistory.text
        contents.runs = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT run, \(text("started_at")), \(text("finished_at")), status, exit_code, error, pid, host, range_from::text, range_to::text,
                   source, uploads, new, changed, revisited FROM cg_revenue.run ORDER BY run
            """)).map { row in
            let c = try row.decode((Int64, String, String?, String, Int?, String?, Int, String, String?, String?, String, Int?, Int?, Int?, Int?).self)
            return HistoryContents.Run(run: c.0, startedAt: c.1, finishedAt: c.2, status: c.3, exitCode: c.4, error: c.5, pid: c.6, host: c.7,
                                       rangeFrom: c.8, rangeTo: c.9, source: c.10, uploads: c.11, new: c.12, changed: c.13, revisited: c.14)
        }
        contents.uploads = try session.rows("""
            SELECT id, date_upload, extract(epoch FROM date_upload_at)::bigint, source_filename, status, total_records, successful_records,
                   unsuccessful_records, final, alerted, last_run, first_run, first_status, first_total_records, first_successful_records,
                   first_unsuccessful_records, logs::text FROM cg_revenue.upload ORDER BY id
            """).map { row in
            let c = try row.decode((Int64, String, Int64, String?, String?, Int?, Int?, Int?, Bool, Bool, Int64, Int64, String?, Int?, Int?, Int?, String?).self)
            return HistoryContents.Upload(id: c.0, dateUpload: c.1, dateUploadAt: c.2, sourceFilename: c.3,
                                          latest: UploadValues(status: c.4, totalRecords: c.5, successfulRecords: c.6, unsuccessfulRecords: c.7),
                                          final: c.8, alerted: c.9, lastRun: c.10, firstRun: c.11,
                                          first: UploadValues(status: c.12, totalRecords: c.13, successfulRecords: c.14, unsuccessfulRecords: c.15),
                                          logs: c.16)
        }
        contents.observations = try session.rows("""
            SELECT upload_id, run, status, total_records, successful_records, unsuccessful_records FROM cg_revenue.observation ORDER BY upload_id, run
            """).map { row in
            let c = try row.decode((Int64, Int64, String?, Int?, Int?, Int?).self)
            return HistoryContents.Observation(uploadID: c.0, run: c.1, values: UploadValues(status: c.2, totalRecords: c.3, successfulRecords: c.4,
                                                                                             unsuccessfulRecords: c.5))
        }
        contents.sent = try session.rows(PostgresQuery(unsafeSQL: """
            SELECT key, file, sent_as, sha256, \(text("sent_at")), upload_id, outcome FROM cg_revenue.sent_upload ORDER BY key
            """)).map { row in
            let c = try row.decode((Int64, String, String, String, String, Int64?, String).self)
            return HistoryContents.Sent(key: c.0, sent: SentUpload(file: c.1, sentAs: c.2, sha256: c.3, sentAt: c.4, uploadID: c.5, outcome: c.6))
        }
        return contents
    }

    func importAll(_ contents: HistoryContents) throws {
        let host = ProcessInfo.processInfo.hostName
        try session.transaction {
            try insert("cg_revenue.run (run, started_at, finished_at, status, exit_code, error, pid, host, range_from, range_to, source, uploads, new, changed, revisited)",
                       casts: ["", "::timestamptz", "::timestamptz", "", "", "", "", "", "::date", "::date", "", "", "", "", ""], contents.runs) { run, binds in
                binds.append(run.run); binds.append(run.startedAt); binds.append(run.finishedAt); binds.append(run.status)
                binds.append(run.exitCode); binds.append(run.error); binds.append(run.pid); binds.append(run.host ?? host)
                binds.append(run.rangeFrom); binds.append(run.rangeTo); binds.append(run.source); binds.append(run.uploads)
                binds.append(run.new); binds.append(run.changed); binds.append(run.revisited)
            }
            try insert("""
                cg_revenue.upload (id, date_upload, date_upload_at, source_filename, status, total_records, successful_records, unsuccessful_records,
                                   final, alerted, last_run, first_run, first_status, first_total_records, first_successful_records, first_unsuccessful_records, logs)
                """, casts: ["", "", "to_timestamp", "", "", "", "", "", "", "", "", "", "", "", "", "", "::jsonb"], contents.uploads) { upload, binds in
                binds.append(upload.id); binds.append(upload.dateUpload); binds.append(upload.dateUploadAt); binds.append(upload.sourceFilename)
                binds.append(upload.latest.status); binds.append(upload.latest.totalRecords); binds.append(upload.latest.successfulRecords)
                binds.append(upload.latest.unsuccessfulRecords); binds.append(upload.final); binds.append(upload.alerted)
                binds.append(upload.lastRun); binds.append(upload.firstRun); binds.append(upload.first.status)
                binds.append(upload.first.totalRecords); binds.append(upload.first.successfulRecords); binds.append(upload.first.unsuccessfulRecords)
                binds.append(upload.logs)
            }
            try insert("cg_revenue.observation (upload_id, run, status, total_records, successful_records, unsuccessful_records)",
                       casts: Array(repeating: "", count: 6), contents.observations) { seen, binds in
                binds.append(seen.uploadID); binds.append(seen.run); binds.append(seen.values.status)
                binds.append(seen.values.totalRecords); binds.append(seen.values.successfulRecords); binds.append(seen.values.unsuccessfulRecords)
            }
            try insert("cg_revenue.sent_upload (key, file, sent_as, sha256, sent_at, upload_id, outcome)",
                       casts: ["", "", "", "", "::timestamptz", "", ""], contents.sent) { sent, binds in
                binds.append(sent.key); binds.append(sent.sent.file); binds.append(sent.sent.sentAs); binds.append(sent.sent.sha256)
                binds.append(sent.sent.sentAt); binds.append(sent.sent.uploadID); binds.append(sent.sent.outcome)
            }
            // The numbers were kept: the next run and the next file sent count on from them.
            try session.execute("SELECT setval(pg_get_serial_sequence('cg_revenue.run', 'run'), coalesce((SELECT max(run) FROM cg_revenue.run), 0) + 1, false)")
            try session.execute("SELECT setval(pg_get_serial_sequence('cg_revenue.sent_upload', 'key'), coalesce((SELECT max(key) FROM cg_revenue.sent_upload), 0) + 1, false)")
        }
    }

    /// Multi-row inserts of `rows`, `batch` a statement; `casts[i]` is `::type` after the i-th
    /// parameter, or a function name around it (`to_timestamp`).
    private func insert<Row>(_ table: String, casts: [String], _ rows: [Row], bind: (Row, inout PostgresBindings) -> Void) throws {
        var start = 0
        while start < rows.count {
            let slice = rows[start ..< min(rows.count, start + Self.batch)]
            var binds = PostgresBindings()
            var values: [String] = []
            for (offset, row) in slice.enumerated() {
                bind(row, &binds)
                let base = offset * casts.count
                values.append("(" + casts.enumerated().map { index, cast in
                    cast.hasPrefix("::") || cast.isEmpty ? "$\(base + index + 1)\(cast)" : "\(cast)($\(base + index + 1))"
                }.joined(separator: ",") + ")")
            }
            try session.rows(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES \(values.joined(separator: ","))", binds: binds))
            start += Self.batch
        }
    }

    func close() {
        session.close()
    }
}
