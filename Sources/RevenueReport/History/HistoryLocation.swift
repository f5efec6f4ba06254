import Foundation
import Logging

/// Where `--history` points, and the one place a history is opened: every command, and the
/// settings (`--range since-last-run`), go through `open`/`openForReading`/`lastCoveredDay`, so
/// that a new store is one more case here and one more folder beside `SQLite/`.
public enum HistoryLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (`History/SQLite/`).
    case sqliteFile(URL)

    /// Reads the `--history` value: a file path. (A `postgresql://` URL is the next store.)
    public init(_ value: String) throws {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            throw ReportError.usage("--history \(Self.withoutPassword(value)): a PostgreSQL history is not supported by this version; give a file path")
        }
        guard !value.isEmpty else { throw ReportError.usage("--history: empty; give a file path") }
        self = .sqliteFile(URL(fileURLWithPath: value))
    }

    /// As messages and the manifest show it (never a password).
    public var description: String {
        switch self {
        case .sqliteFile(let file): return file.relativePath
        }
    }

    /// In full, for the plan `--dry-run` prints (an absolute path; never a password).
    public var planDescription: String {
        switch self {
        case .sqliteFile(let file): return file.path
        }
    }

    /// Opens (or makes) the history for a run and takes it (waiting up to `lockWait` seconds
    /// for another run): the run is recorded as `running` until it records how it ended.
    public func open(for start: RunStart, lockWait: TimeInterval = 60, logger: Logger) throws -> any HistoryStore {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.open(file, for: start, lockWait: lockWait, logger: logger)
        }
    }

    /// Opens (or makes) the history for `upload`, which records each file it sends; no run lock.
    public func openSentUploads() throws -> any SentUploadsLog {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.openSentUploads(file)
        }
    }

    /// Opens the history only to read it (`cg-revenue history`): nothing is written, no lock taken.
    public func openForReading() throws -> any HistoryReader {
        switch self {
        case .sqliteFile(let file): return try SQLiteHistory.openForReading(file)
        }
    }

    /// The last day a successful run covered (`--range since-last-run`), nil when there is no
    /// history yet or no run succeeded; nothing is written.
    public func lastCoveredDay() throws -> CivilDate? {
        switch self {
        case .sqliteFile(let file):
            guard try HistoryFileCheck.check(file) == .history else { return nil }
            return try SQLiteHistory.openForReading(file).latestSuccessfulTo()
        }
    }

    /// A URL's `user:password@` shown as `user:********@`.
    static func withoutPassword(_ value: String) -> String {
        guard let scheme = value.range(of: "://"), let at = value[scheme.upperBound...].firstIndex(of: "@"),
              let colon = value[scheme.upperBound ..< at].firstIndex(of: ":") else { return value }
        return String(value[..<value.index(after: colon)]) + "********" + String(value[at...])
    }
}
