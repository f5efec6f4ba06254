import Foundation
import PostgresNIO

/// The history's tables in the schema `cg_revenue`, made and moved forward by the tool: each
/// version's statements run once, in one transaction, and `schema_version` says which ran. A
/// schema of a newer version, or tables in `cg_revenue` that are not ours, are refused (exit 2)
/// before anything changes. Times are `timestamptz` and flags `boolean`, for dashboards.
enum PostgresSchema {
    static let version = 1
    static let tables: Set<String> = ["schema_version", "run", "upload", "observation", "sent_upload"]

    static let migrations: [Int: String] = [
        1: """
            CREATE SCHEMA IF NOT EXISTS cg_revenue;
            CREATE TABLE cg_revenue.schema_version (
                version integer PRIMARY KEY,
                migrated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE cg_revenue.run (
                run bigserial PRIMARY KEY,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                status text NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
                exit_code integer,
                error text,
                pid integer NOT NULL,
                host text NOT NULL,
                range_from date,
                range_to date,
                source text NOT NULL,
                uploads bigint,
                new bigint,
                changed bigint,
                revisited bigint
            );
            CREATE TABLE cg_revenue.upload (
                id bigint PRIMARY KEY,
                date_upload text NOT NULL,
                date_upload_at timestamptz NOT NULL,
                source_filename text,
                status text,
                total_records bigint,
                successful_records bigint,
                unsuccessful_records bigint,
                final boolean NOT NULL,
                alerted boolean NOT NULL,
                last_run bigint NOT NULL REFERENCES cg_revenue.run(run),
                first_run bigint NOT NULL REFERENCES cg_revenue.run(run),
                first_status text,
                first_total_records bigint,
                first_successful_records bigint,
                first_unsuccessful_records bigint,
                logs jsonb
            );
            CREATE INDEX upload_by_date ON cg_revenue.upload (date_upload_at);
            CREATE INDEX upload_pending ON cg_revenue.upload (date_upload_at, id) WHERE NOT final;
            CREATE TABLE cg_revenue.observation (
                upload_id bigint NOT NULL REFERENCES cg_revenue.upload(id),
                run bigint NOT NULL REFERENCES cg_revenue.run(run),
                status text,
                total_records bigint,
                successful_records bigint,
                unsuccessful_records bigint,
                PRIMARY KEY (upload_id, run)
            );
            CREATE TABLE cg_revenue.sent_upload (
                key bigserial PRIMARY KEY,
                file text NOT NULL,
                sent_as text NOT NULL,
                sha256 text NOT NULL,
                sent_at timestamptz NOT NULL,
                upload_id bigint,
                outcome text NOT NULL
            );
            CREATE INDEX sent_upload_by_sha256 ON cg_revenue.sent_upload (sha256);
            CREATE INDEX sent_upload_by_upload ON cg_revenue.sent_upload (upload_id);
            INSERT INTO cg_revenue.schema_version (version) VALUES (1);
            """,
    ]

    /// The version the schema is at (0: not made yet), after checking that what is there is ours.
    static func currentVersion(_ session: PostgresSession) throws -> Int {
        let found = try session.rows("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'cg_revenue'")
            .map { try $0.decode(String.self) }
        let foreign = Set(found).subtracting(tables)
        guard foreign.isEmpty else {
            throw ReportError.usage("--history \(session.target): the schema cg_revenue holds tables that are not cg-revenue's (\(foreign.sorted().joined(separator: ", "))); nothing was changed: use another database, or move them")
        }
        guard found.contains("schema_version") else {
            if !found.isEmpty {
                throw ReportError.usage("--history \(session.target): the schema cg_revenue has tables but no schema_version: not made by cg-revenue, or damaged; nothing was changed")
            }
            return 0
        }
        let version = try session.rows("SELECT coalesce(max(version), 0)::bigint FROM cg_revenue.schema_version").first?.decode(Int.self) ?? 0
        if version > Self.version {
            throw ReportError.usage("--history \(session.target): written by a newer cg-revenue (history schema \(version); this one knows up to \(Self.version)); nothing was changed: use that version")
        }
        return version
    }

    /// Makes or migrates the schema, one version a transaction; a second process doing the
    /// same waits on a transaction-level advisory lock and then finds it done.
    static func prepare(_ session: PostgresSession) throws {
        guard try currentVersion(session) < version else { return }
        try session.transaction(doing: "cannot make its schema") {
            try session.execute("SELECT pg_advisory_xact_lock(\(PostgresHistory.migrationLockKey))", doing: "cannot make its schema")
            let now = try currentVersion(session)
            for step in (now + 1) ... max(now + 1, version) where step <= version {
                // One statement at a time: the extended protocol takes one a query.
                for statement in migrations[step]!.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try session.execute(statement.trimmingCharacters(in: CharacterSet(charactersIn: "; \n")), doing: "cannot make its schema")
                }
            }
        }
    }
}
