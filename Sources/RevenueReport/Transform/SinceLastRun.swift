/// The report's "Since the last run" (`--history`): what this run saw that the history did not
/// hold yet, or held with other values. Counts are exact; the lists hold the first ones in
/// report order.
public struct SinceLastRun: Sendable {
    /// Where the history is, and this run's number in it.
    public var location: String
    public var run: Int64
    /// The latest successful run before this one (nil: this is the first).
    public var previousRun: Int64?
    /// Uploads of the range never seen before.
    public var new = 0
    /// Uploads of the range whose status or counts differ from the last seen.
    public var changed = 0
    /// Uploads (of the range or asked for again) whose status became final.
    public var finished = 0
    /// Uploads asked for again by id (last seen not final, outside the range).
    public var revisited = 0
    /// `--fail-on` matches held back by `--alert-once`.
    public var alertsHeldBack = 0
    public var newUploads: [RevenueUpload] = []
    public var changes: [UploadChange] = []
    public var finishedUploads: [UploadChange] = []
    /// `--fail-on` matches among the uploads asked for again.
    public var revisitMatches: [FailMatch] = []

    /// How many of each list the report shows.
    public static let listLimit = 25
}

/// An upload whose values moved: as seen now, and as last seen before.
public struct UploadChange: Sendable {
    public var upload: RevenueUpload
    /// nil only when the history no longer holds the earlier values.
    public var before: UploadValues?
    /// Asked for again by id, outside the range.
    public var revisited: Bool
}

/// Compares each upload of the run with what the history last saw of it (`KnownUploads`, read
/// before collection), counts and lists the differences for the report, and puts what must be
/// recorded in the run's `HistoryLedger`. Also decides `--alert-once`: an upload that matched in
/// an earlier successful run is alerted again only when it changed.
struct ChangeDetector {
    let store: any HistoryStore
    let known: KnownUploads
    let ledger: HistoryLedger
    let failRules: [FailRule]
    let alertOnce: Bool
    private var section: SinceLastRun
    private var firstNew = FirstInReportOrder<RevenueUpload>(limit: SinceLastRun.listLimit)
    private var firstChanged = FirstInReportOrder<UploadChange>(limit: SinceLastRun.listLimit)
    private var firstFinished = FirstInReportOrder<UploadChange>(limit: SinceLastRun.listLimit)

    init(store: any HistoryStore, known: KnownUploads, ledger: HistoryLedger, failRules: [FailRule], alertOnce: Bool) {
        self.store = store
        self.known = known
        self.ledger = ledger
        self.failRules = failRules
        self.alertOnce = alertOnce
        section = SinceLastRun(location: store.location, run: store.run, previousRun: store.previousRun)
    }

    /// An upload of the range; returns whether its `--fail-on` match, if any, is to be alerted.
    mutating func see(_ upload: RevenueUpload) throws -> Bool {
        let values = UploadValues(upload)
        let earlier = known.lookup(upload.id)
        let change: Sighting.Change
        switch earlier {
        case nil:
            change = .new
            section.new += 1
            firstNew.offer(upload, key: upload.reportKey)
        case let earlier? where earlier.fingerprint != KnownUploads.mark(values.fingerprint):
            change = .changed
            section.changed += 1
            let moved = UploadChange(upload: upload, before: nil, revisited: false)
            firstChanged.offer(moved, key: upload.reportKey)
            if !earlier.wasFinal, values.isFinal {
                section.finished += 1
                firstFinished.offer(moved, key: upload.reportKey)
            }
        default:
            change = .unchanged
        }
        let matched = failRules.contains { $0.matches(upload) }
        return try decide(upload, change: change, matched: matched, alertedBefore: earlier?.alerted ?? false, revisited: false)
    }

    /// An upload asked for again by id, with what was last seen of it.
    mutating func seeAgain(_ upload: RevenueUpload, pending: PendingUpload) throws {
        section.revisited += 1
        let values = UploadValues(upload)
        let change: Sighting.Change = values == pending.values ? .unchanged : .changed
        if change == .changed {
            let moved = UploadChange(upload: upload, before: pending.values, revisited: true)
            firstChanged.offer(moved, key: upload.reportKey)
            if values.isFinal {
                section.finished += 1
                firstFinished.offer(moved, key: upload.reportKey)
            }
        }
        let rules = failRules.filter { $0.matches(upload) }
        if try decide(upload, change: change, matched: !rules.isEmpty, alertedBefore: pending.alerted, revisited: true), !rules.isEmpty {
            section.revisitMatches.append(FailMatch(upload: upload, rules: rules, revisited: true))
        }
    }

    /// Records what changed (and whether it matched) and says whether a match is alerted.
    private mutating func decide(_ upload: RevenueUpload, change: Sighting.Change, matched: Bool, alertedBefore: Bool, revisited: Bool) throws -> Bool {
        if change != .unchanged || matched != alertedBefore {
            try ledger.append(Sighting(upload, change: change, revisited: revisited, matched: matched))
        }
        let alert = !(alertOnce && change == .unchanged && alertedBefore)
        if matched, !alert { section.alertsHeldBack += 1 }
        return alert
    }

    /// The section, with the earlier values of the listed changes read from the history.
    consuming func finish() throws -> SinceLastRun {
        var section = self.section
        let changes = firstChanged.elements, finished = firstFinished.elements
        let before = try store.lastSeen(ids: (changes + finished).filter { !$0.revisited }.map(\.upload.id))
        func completed(_ change: UploadChange) -> UploadChange {
            var change = change
            if change.before == nil { change.before = before[change.upload.id] }
            return change
        }
        section.newUploads = firstNew.elements
        section.changes = changes.map(completed)
        section.finishedUploads = finished.map(completed)
        return section
    }
}
