import Foundation
import Logging

/// What Fetch, Parse and Transform gave: the uploads collected (the in-range ones held by the
/// sorter, or already in the row outputs), the pages read, and what the history recalled.
struct CollectedRun: ~Copyable {
    var uploads: CollectedUploads
    let pages: [PageRecord]
    let recall: HistoryRecall?
    /// The row outputs, which uploads coming in report order were streamed into while collecting.
    let rows: RowStream
    let readSeconds: TimeInterval
}

/// Fetch -> Parse -> Transform: pages read and typed several at once (two per core), collected
/// in order; with a history, its last values read first and the uploads it names asked for again.
///
/// Ahead of time, for speed: the row outputs' renderers run while pages are typed, and the
/// uploads that come in report order go straight into the row outputs (the `RowStream` the
/// output plan hands over), so that in the common case nothing is sorted.
struct CollectStage {
    /// Pages typed at once: two per core, so that no core waits while the in-order step (which
    /// shares them) catches up: faster than one per core plus one on 2 cores (`scripts/bench.sh`).
    static let typingWidth = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)

    let run: RunContext
    let history: HistoryRun?
    let progress: (any ProgressObserver)?
    let sortRunBytes: Int

    init(_ run: RunContext, history: HistoryRun?, progress: (any ProgressObserver)?, sortRunBytes: Int) {
        self.run = run
        self.history = history
        self.progress = progress
        self.sortRunBytes = sortRunBytes
    }

    func run(_ source: some PageSource) async throws -> CollectedRun {
        let configuration = run.configuration, logger = run.logger
        let rows = run.plan.rowStream(committer: run.committer)
        let typing = PageTyping(filter: configuration.filter, zone: configuration.sourceZone, formats: run.plan.rowFormats)
        // The history is read before Transform: the last values of the range's uploads, and
        // the uploads to ask for again.
        let recall = try history.map { try HistoryRecall(history: $0, configuration: configuration, source: source) }
        var collector = UploadCollector(filter: configuration.filter, zone: configuration.sourceZone, displayZone: configuration.displayZone,
                                        failRules: configuration.failOn, excerptLimits: ReportExcerpt.Limits.report,
                                        sortDirectory: configuration.outDirectory, sortRunBytes: sortRunBytes,
                                        streamingTo: run.plan.streamsRows ? rows : nil, changes: recall?.changes, logger: logger)
        var archive = try configuration.archiveDirectory.map(PageArchive.init)
        var pages: [PageRecord] = []
        logger.info("reading \(source.description)")
        defer { progress?.finish() }
        try await source.forEachPage(width: Self.typingWidth, read: typing.type) { page in
            pages.append(PageRecord(origin: page.raw.origin, bytes: page.raw.bytes.count, sha256: page.sha256))
            try archive?.save(page.raw, sha256: page.sha256)
            logger.debug("\(page.raw.origin): \(page.recordCount) record(s)\(page.isNoDataAnswer ? " (400184: no data)" : "")")
            try collector.add(page)
            progress?.update(pages: pages.count, records: collector.recordsRead)
        }
        if let recall, let again = recall.askAgain {
            logger.info("asking again for \(recall.pending.count) upload(s) last seen not final")
            let typingAgain = PageTyping(filter: RecordFilter(), zone: configuration.sourceZone, formats: [])
            try await again.forEachPage(width: Self.typingWidth, read: typingAgain.type) { page in
                pages.append(PageRecord(origin: page.raw.origin, bytes: page.raw.bytes.count, sha256: page.sha256))
                try archive?.save(page.raw, sha256: page.sha256)
                try collector.addAsked(page, pending: recall.pending)
            }
        }
        let collected = try collector.finish(skipInvalid: configuration.skipInvalid, sourceIsExhaustive: source.isExhaustive)
        let counts = collected.report.counts
        logger.info("\(counts.pages) page(s), \(counts.read) record(s) read, \(counts.inRange) in range, \(counts.outOfRange) outside, \(counts.duplicates) duplicate(s), \(counts.rejected) rejected")
        return CollectedRun(uploads: collected, pages: pages, recall: recall, rows: rows, readSeconds: Date().timeIntervalSince(run.startedAt))
    }
}
