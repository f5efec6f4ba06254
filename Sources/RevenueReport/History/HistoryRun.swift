import Foundation

/// What a run does with its history (`--history`), as the pipeline is handed it: the store
/// (opened, locked and holding this run as `running`), `--alert-once`, and the clock that
/// decides which uploads are asked for again.
public struct HistoryRun: Sendable {
    public var store: any HistoryStore
    public var alertOnce: Bool
    /// `--now` or the clock: uploads dated up to `revisitDays` before it are asked for again.
    public var now: Date

    /// At most this many uploads are asked for again a run, oldest first...
    public static let revisitLimit = 100
    /// ...for this many days after their `date_upload`.
    public static let revisitDays = 30

    public init(store: any HistoryStore, alertOnce: Bool, now: Date) {
        self.store = store
        self.alertOnce = alertOnce
        self.now = now
    }

    /// Uploads dated before this are not asked for again.
    var revisitHorizon: Int64 { Int64(now.timeIntervalSince1970) - Int64(Self.revisitDays) * 86_400 }
}
