import Foundation

/// History: once every output is in place, the history records the run and what it saw (in one
/// transaction); then the run's result, with the figures the metrics file reports.
struct RecordStage {
    let run: RunContext

    init(_ run: RunContext) { self.run = run }

    func run(_ committed: CommittedRun) throws -> RunResult {
        let logger = run.logger, report = committed.report, counts = report.counts
        if let recall = committed.recall, let section = report.sinceLastRun {
            let outcome = RunOutcome(exitCode: report.failMatches.isEmpty ? 0 : 3, uploads: counts.inRange, new: section.new,
                                     changed: section.changed, revisited: section.revisited)
            try recall.history.store.recordSuccess(outcome, sightings: recall.ledger)
            logger.info("history \(section.location): run \(section.run) recorded: \(section.new) new, \(section.changed) changed, \(section.finished) finished, \(section.revisited) asked again")
            if section.alertsHeldBack > 0 {
                logger.info("--alert-once: \(section.alertsHeldBack) match(es) already alerted by an earlier run and unchanged since, not listed again")
            }
        }
        for output in committed.written {
            logger.info("wrote \(output.path) (\(output.size) bytes)")
        }
        let figures = ReportFigures(
            uploadsByStatus: Dictionary(uniqueKeysWithValues: report.summary.statuses.map { ($0.status, $0.uploads) }),
            successfulRecords: report.summary.successfulRecords, unsuccessfulRecords: report.summary.unsuccessfulRecords,
            attentionUploads: report.excerpt.attentionCount, pages: counts.pages)
        return RunResult(outputs: committed.written, pages: committed.pages, counts: counts, uploads: report.excerpt.uploadCount,
                         failMatches: report.failMatches, figures: figures)
    }
}
