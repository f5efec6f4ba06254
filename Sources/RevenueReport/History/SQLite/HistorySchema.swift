import GRDB

/// The history's tables, made and moved forward by GRDB's `DatabaseMigrator`: a migration is
/// never edited once released, a change is a new one (and `version` moves with it, so an older
/// cg-revenue refuses the file before opening it: `HistoryFileCheck`).
enum HistorySchema {
    /// `PRAGMA user_version` of a file at the latest migration.
    static let version: UInt32 = 3

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, uploads, observations") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    run INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
                    exit_code INTEGER,
                    error TEXT,
                    pid INTEGER NOT NULL,
                    range_from TEXT,
                    range_to TEXT,
                    source TEXT NOT NULL,
                    uploads INTEGER,
                    new INTEGER,
                    changed INTEGER,
                    revisited INTEGER
                );
                -- Each upload as last seen, whether it matched --fail-on then (for --alert-once),
                -- and its first sighting (one row per upload, however many it has: a first night of
                -- a million uploads writes a million rows, not two).
                CREATE TABLE upload (
                    id INTEGER PRIMARY KEY,
                    date_upload TEXT NOT NULL,
                    date_upload_at INTEGER NOT NULL,
                    source_filename TEXT,
                    status TEXT,
                    total_records INTEGER,
                    successful_records INTEGER,
                    unsuccessful_records INTEGER,
                    final INTEGER NOT NULL,
                    alerted INTEGER NOT NULL,
                    last_run INTEGER NOT NULL REFERENCES run(run),
                    first_run INTEGER NOT NULL REFERENCES run(run),
                    first_status TEXT,
                    first_total_records INTEGER,
                    first_successful_records INTEGER,
                    first_unsuccessful_records INTEGER
                );
                CREATE INDEX upload_by_date ON upload(date_upload_at);
                CREATE INDEX upload_pending ON upload(date_upload_at, id) WHERE final = 0;
                -- Each change of an upload's status or counts after its first sighting (when it
                -- was seen is its run's finished_at).
                CREATE TABLE observation (
                    upload_id INTEGER NOT NULL REFERENCES upload(id),
                    run INTEGER NOT NULL REFERENCES run(run),
                    status TEXT,
                    total_records INTEGER,
                    successful_records INTEGER,
                    unsuccessful_records INTEGER,
                    PRIMARY KEY (upload_id, run)
                ) WITHOUT ROWID;
                PRAGMA application_id = \(HistoryFileCheck.applicationID);
                PRAGMA user_version = 1;
                """)
        }
        migrator.registerMigration("v2: files sent by upload") { db in
            try db.execute(sql: """
                -- Each file `upload` sent: its name sent, the sha256 of its bytes, when, the
                -- upload it became once known, and the outcome. Not tied to a run: upload runs are
                -- not report runs.
                CREATE TABLE sent_upload (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    file TEXT NOT NULL,
                    sent_as TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    sent_at TEXT NOT NULL,
                    upload_id INTEGER,
                    outcome TEXT NOT NULL
                );
                CREATE INDEX sent_upload_by_sha256 ON sent_upload(sha256);
                CREATE INDEX sent_upload_by_upload ON sent_upload(upload_id);
                PRAGMA user_version = 2;
                """)
        }
        migrator.registerMigration("v3: each upload's logs") { db in
            try db.execute(sql: """
                -- The upload's logs as last seen (compact JSON; NULL when none): the causes of what
                -- failed, for whoever reads the history.
                ALTER TABLE upload ADD COLUMN logs TEXT;
                PRAGMA user_version = 3;
                """)
        }
        return migrator
    }
}
