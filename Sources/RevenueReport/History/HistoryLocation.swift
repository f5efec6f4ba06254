import Foundation
import Logging

/// Where `--history` points, and the one place a history is opened: every command, and the
/// settings (`--range since-last-run`), go through `open`/`openForReading`/`lastCoveredDay`, so
/// that a new store is one more case here and one more folder beside `SQLite/`.
public enum HistoryLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (`History/SQLite/`).
    case sqliteFile(URL)
    /// A PostgreSQL database (`History/PostgreSQL/`).
    case postgres(PostgresTarget)

    /// Reads the `--history` value: a file path, or a `postgresql://` (`postgres://`) URL whose
    /// password, if it needs one, is `password` (from `CG_HISTORY_PASSWORD` or `history-password-file:`).
    public init(_ value: String, password: Secret? = nil) throws {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            self = .postgres(try PostgresTarget(url: value, password: password))
            return
        }
        guard !value.isEmpty else { throw ReportError.usage("--history: empty; give a file path or a postgresql:// URL") }
        self = .sqliteFile(URL(fileURLWithPath: value))
    }

    /// As messages and the manifest show it (never a password).
    public var description: String {
        switch self {
        case .sqliteFile(let file): return file.relativePath
        case .postgres(let target): return target.description
        }
    }

    /// In full, for the plan `--dry-run` prints (an absolute path; never a password).
    public var planDescription: String {
        switch self {
        case .sqliteFile(let file): return file.path
        case .postgres(let target): return target.description + (target.password == nil ? " (no password given: ~/.pgpass or PGPASSFILE, if it names this server)" : " (password ********)")
        }
    }

    static let quietLogger = Logger(label: "cg-revenue.history", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens (or makes) the history for a run and takes it (waiting up to `lockWait` seconds
    /// for another run): the run is recorded as `running` until it records how it ended.
    public func open(for start: RunStart, lockWait: TimeInterval = 60, logger: Logger) throws -> any HistoryStore {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.open(file, for: start, lockWait: lockWait, logger: logger)
        case .postgres(let target): return try PostgresHistory.open(target, for: start, lockWait: lockWait, logger: logger)
        }
    }

    /// Opens (or makes) the history for `upload`, which records each file it sends; no run lock.
    public func openSentUploads() throws -> any SentUploadsLog {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.openSentUploads(file)
        case .postgres(let target): return try PostgresSentUploads.open(target, logger: Self.quietLogger)
        }
    }

    /// Opens the history only to read it (`cg-revenue history`): nothing is written, no lock taken.
    public func openForReading() throws -> any HistoryReader {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.openForReading(file)
        case .postgres(let target): return try PostgresHistoryReader.open(target, logger: Self.quietLogger)
        }
    }

    /// The last day a successful run covered (`--range since-last-run`), nil when there is no
    /// history yet or no run succeeded; nothing is written.
    public func lastCoveredDay() throws -> CivilDate? {
        switch self {
        case .sqliteFile(let file):
            guard try HistoryFileCheck.check(file) == .history else { return nil }
            return try SQLiteHistory.openForReading(file).latestSuccessfulTo()
        case .postgres(let target):
            // No history made yet reads as none (as a missing file does), not as an error.
            let session = try PostgresSession.connect(target, logger: Self.quietLogger)
            guard try PostgresSchema.currentVersion(session) > 0 else {
                session.close()
                return nil
            }
            return try PostgresHistoryReader(session: session).latestSuccessfulTo()
        }
    }

    /// A URL's `user:password@` shown as `user:********@`.
    static func withoutPassword(_ value: String) -> String {
        guard let scheme = value.range(of: "://"), let at = value[scheme.upperBound...].firstIndex(of: "@"),
              let colon = value[scheme.upperBound ..< at].firstIndex(of: ":") else { return value }
        return String(value[..<value.index(after: colon)]) + "********" + String(value[at...])
    }
}
