import Foundation

/// What a run with `--history` read of it before collecting: the last values of the uploads
/// dated in the range (compared as they come), where this run's sightings go, and the uploads
/// last seen not final, outside the range, to ask for again (API source only).
struct HistoryRecall {
    let history: HistoryRun
    let ledger: HistoryLedger
    let changes: ChangeDetector
    let pending: [Int64: PendingUpload]
    let askAgain: (any PageSource)?

    init(history: HistoryRun, configuration: ReportConfiguration, source: some PageSource) throws {
        self.history = history
        let bounds = RangePlacement(configuration.filter, sourceZone: configuration.sourceZone).bounds
        let known = try history.store.knownUploads(in: bounds, id: configuration.filter.id)
        ledger = try HistoryLedger(directory: configuration.outDirectory)
        changes = ChangeDetector(store: history.store, known: known, ledger: ledger, failRules: configuration.failOn, alertOnce: history.alertOnce)
        // Only a source that can ask by id (the API, not a replay) is handed the pending uploads.
        let canAskAgain = source.askingAgain(for: []) != nil
        let asked = canAskAgain ? try history.store.pendingUploads(outside: bounds, id: configuration.filter.id, datedFrom: history.revisitHorizon,
                                                                   limit: HistoryRun.revisitLimit) : []
        pending = Dictionary(uniqueKeysWithValues: asked.map { ($0.id, $0) })
        askAgain = asked.isEmpty ? nil : source.askingAgain(for: asked.map(\.id))
    }
}
