import Foundation
import Logging

/// Counts that say what happened to every record read: they go to the log, the report and the manifest.
public struct RecordCounts: Sendable, Equatable {
    public var pages = 0
    public var read = 0
    public var inRange = 0
    public var outOfRange = 0
    public var rejected = 0
    public var duplicates = 0
}

/// What the Transform stage made of the uploads: aggregates, the report's excerpt, counts.
public struct CollectedReport: Sendable {
    public var summary: Summary
    /// What the HTML, the email and `--fail-on` list of the uploads.
    public var excerpt: ReportExcerpt
    /// The period of equal length just before the range, when the data covers it.
    public var previous: Summary? = nil
    public var rejections: [RecordRejection]
    public var counts: RecordCounts
    /// With `--history`: what changed since the last run.
    public var sinceLastRun: SinceLastRun? = nil
    /// Why rows of the range's uploads were rejected, most rows first.
    public var causes = RejectionCauses()

    /// Every `--fail-on` match: the range's, then those of uploads asked for again.
    public var failMatches: [FailMatch] { excerpt.failMatches + (sinceLastRun?.revisitMatches ?? []) }
}

/// The Transform stage's result: the report, and the in-range uploads ready to be read out in
/// report order, once (`writeRows(into:)` consumes them).
public struct CollectedUploads: ~Copyable {
    /// The in-range uploads: those not yet in the row outputs.
    let sorted: ExternalSorter
    public let report: CollectedReport

    /// Puts every in-range upload's rows in `destination`, in report order.
    consuming func writeRows(into destination: any OrderedRowDestination) throws -> ExternalSorter.Outcome {
        try sorted.finish(into: destination)
    }
}

/// Takes typed pages one at a time, in order: drops repeated ids with a warning, stops a source
/// that repeats whole pages, counts, aggregates, gathers the report's excerpt, and hands the
/// in-range uploads to the sorter.
/// Memory stays flat: the ids seen go into a compact `IDSet`, the uploads into the sorter.
public struct UploadCollector: ~Copyable {
    private let logger: Logger
    private let summaryZone: SourceZone
    /// Where uploads stand against the range (for the report's comparison's coverage).
    private let range: RangePlacement
    private var summary: Summary
    private var excerpt: ReportExcerpt
    private var causes = RejectionCauses()
    private var previous: Summary
    private var earliestInstant: Int64?
    private var seenIDs = IDSet()
    private var sorter: ExternalSorter
    private var rejections: [RecordRejection] = []
    private var counts = RecordCounts()
    /// The page before, to stop a source that hands the same page again whatever `start` says.
    private var previousPage: (origin: String, sha256: String)?
    /// With `--history`: compares each upload with the last seen.
    private var changes: ChangeDetector?
    /// The uploads asked for again so far (each is taken once).
    private var askedIDs = IDSet()

    /// `sortDirectory`: where the sorter may spill runs (the output folder); `streamingTo`: where
    /// uploads go at once while they come in report order.
    /// `excerptLimits`: how many uploads of each list the report keeps (`ReportExcerpt.Limits.report`).
    init(filter: RecordFilter, zone: SourceZone, displayZone: SourceZone? = nil, failRules: [FailRule] = [],
         excerptLimits: ReportExcerpt.Limits, sortDirectory: URL,
         sortRunBytes: Int = ExternalSorter.defaultRunBytes, streamingTo: (any OrderedRowDestination)? = nil,
         changes: ChangeDetector? = nil, logger: Logger) {
        self.logger = logger
        self.summaryZone = displayZone ?? filter.zone ?? zone
        self.range = RangePlacement(filter, sourceZone: zone)
        self.summary = Summary(zone: summaryZone)
        self.excerpt = ReportExcerpt(failRules: failRules, limits: excerptLimits)
        self.previous = Summary(zone: summaryZone)
        self.sorter = ExternalSorter(directory: sortDirectory, runBytes: sortRunBytes, streamingTo: streamingTo)
        self.changes = changes
    }

    public var recordsRead: Int { counts.read }

    public mutating func add(_ page: TypedPage) throws {
        counts.pages += 1
        var tally = PageTally()
        // In-range records go to the sorter in stretches of the page's encoded bytes: all of
        // them at once unless a repeat or an out-of-range record sits between them.
        var stretch: Range<Int>?
        for (index, outcome) in page.outcomes.enumerated() {
            guard let bytes = try take(outcome, position: index + 1, of: page, tally: &tally) else { continue }
            if let current = stretch, current.upperBound == bytes.lowerBound {
                stretch = current.lowerBound ..< bytes.upperBound
            } else {
                if let current = stretch { try handOver(current, of: page) }
                stretch = bytes
            }
        }
        if let stretch { try handOver(stretch, of: page) }
        try checkNotRepeating(page, tally)
    }

    /// What one page showed of repeats.
    private struct PageTally {
        var newIDs = 0
        var firstRepeat: Int64?
    }

    /// Counts one record; for an upload in range, returns where its sorter record is on the page.
    private mutating func take(_ outcome: TypedPage.Outcome, position: Int, of page: TypedPage, tally: inout PageTally) throws -> Range<Int>? {
        counts.read += 1
        switch outcome {
        case .typed(let upload, let placement):
            guard seenIDs.insert(upload.id) else {
                counts.duplicates += 1
                tally.firstRepeat = tally.firstRepeat ?? upload.id
                logger.warning("repeated id \(upload.id) (\(page.raw.origin), record \(position)): kept the first one")
                return nil
            }
            tally.newIDs += 1
            earliestInstant = min(earliestInstant ?? upload.dateUpload.instant, upload.dateUpload.instant)
            switch placement {
            case .inRange(let bytes):
                let alert = try changes?.see(upload) ?? true
                summary.add(upload)
                excerpt.add(upload, alert: alert)
                if let found = page.causes[position - 1] { causes.add(upload, counted: found) }
                return bytes
            case .previous:
                previous.add(upload)
                counts.outOfRange += 1
            case .outside:
                counts.outOfRange += 1
            }
        case .rejected(_, outsideRange: true):
            counts.outOfRange += 1
        case .rejected(let rejection, outsideRange: false):
            tally.newIDs += 1
            counts.rejected += 1
            rejections.append(rejection)
        }
        return nil
    }

    /// A page asked for again by id (`--history`): its uploads are compared with what was last
    /// seen of them, not added to the report's rows or totals (the listing may have held them
    /// too, in the period compared against: that does not make them rows either).
    public mutating func addAsked(_ page: TypedPage, pending: [Int64: PendingUpload]) throws {
        for outcome in page.outcomes {
            switch outcome {
            case .typed(let upload, _):
                guard let earlier = pending[upload.id], askedIDs.insert(upload.id) else { continue }
                try changes?.seeAgain(upload, pending: earlier)
            case .rejected(let rejection, _):
                logger.warning("asked again: \(rejection)")
            }
        }
    }

    private mutating func handOver(_ stretch: Range<Int>, of page: TypedPage) throws {
        try page.encoded.withUnsafeBytes { try sorter.add(UnsafeRawBufferPointer(rebasing: $0[stretch])) }
    }

    /// A page of nothing but ids already seen, or the same bytes as the page before, is a source
    /// repeating itself (ignoring `start`): stop rather than loop.
    private mutating func checkNotRepeating(_ page: TypedPage, _ tally: PageTally) throws {
        if let firstRepeat = tally.firstRepeat, tally.newIDs == 0 {
            throw ReportError.repeatedPage(page: page.raw.origin, firstID: firstRepeat)
        }
        // Records without ids (all rejected) escape the check above; the same bytes again do not.
        if page.recordCount > 0, let previousPage, previousPage.sha256 == page.sha256 {
            throw ReportError.identicalPage(page: page.raw.origin, previous: previousPage.origin)
        }
        previousPage = (page.raw.origin, page.sha256)
    }

    /// Ends the collection; `skipInvalid` decides whether rejections fail the run.
    /// `sourceIsExhaustive`: the source was asked for the previous period too (the live API), so
    /// an empty previous period is a real zero; otherwise the data must reach back to its start.
    public consuming func finish(skipInvalid: Bool, sourceIsExhaustive: Bool = false) throws -> CollectedUploads {
        if !rejections.isEmpty, !skipInvalid {
            throw ReportError.invalidRecords(rejections)
        }
        for rejection in rejections {
            logger.warning("skipped \(rejection)")
        }
        var counts = self.counts
        counts.inRange = sorter.count
        var report = CollectedReport(summary: summary, excerpt: excerpt, rejections: rejections, counts: counts)
        report.sinceLastRun = try changes.take()?.finish()
        report.causes = causes
        if range.previousBounds != nil {
            // Covered when the data reaches into the first day of the previous period.
            let covered = sourceIsExhaustive || range.coversPreviousPeriod(earliest: earliestInstant)
            report.previous = covered ? previous : nil
        }
        let result = CollectedUploads(sorted: sorter, report: report)
        return result
    }
}
