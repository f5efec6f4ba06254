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

/// The Transform stage's result: the uploads in range, ready to be read in report order, and
/// what was made of them.
public struct CollectedUploads {
    /// The in-range uploads: those not yet in the row outputs (`writeRows(into:)`).
    let sorted: ExternalSorter
    public var summary: Summary
    /// What the HTML, the email and `--fail-on` list of the uploads.
    public var excerpt: ReportExcerpt
    /// The period of equal length just before the range, when the data covers it.
    public var previous: Summary? = nil
    public var rejections: [RecordRejection]
    public var counts: RecordCounts

    /// Sorted runs written to disk (0 when the uploads fitted in memory or came in order).
    public var spilledRuns: Int { sorted.spilledRuns }

    /// False when the uploads all came in report order and went to the outputs as they came.
    public var neededSorting: Bool { sorted.neededSorting }

    /// Puts every in-range upload's rows in `destination`, in report order. Runs once.
    func writeRows(into destination: any OrderedRowDestination) throws {
        try sorted.finish(into: destination)
    }
}

/// Takes typed pages one at a time, in order: drops repeated ids with a warning, stops a source
/// that repeats whole pages, counts, aggregates, gathers the report's excerpt, and hands the
/// in-range uploads to the sorter.
/// Memory stays flat: the ids seen go into a compact `IDSet`, the uploads into the sorter.
public struct UploadCollector {
    public let filter: RecordFilter
    private let logger: Logger
    private let summaryZone: SourceZone
    /// The period of equal length before the range, for the report's comparison.
    public let previousBounds: TimeBounds?
    private var summary: Summary
    private var excerpt: ReportExcerpt
    private var previous: Summary
    private var earliestInstant: Int64?
    private var seenIDs = IDSet()
    private let sorter: ExternalSorter
    private var rejections: [RecordRejection] = []
    private var counts = RecordCounts()
    /// The page before, to stop a source that hands the same page again whatever `start` says.
    private var previousPage: (origin: String, sha256: String)?

    /// `sortDirectory`: where the sorter may spill runs (the output folder); `streamingTo`: where
    /// uploads go at once while they come in report order.
    init(filter: RecordFilter, zone: SourceZone, displayZone: SourceZone? = nil, failRules: [FailRule] = [], sortDirectory: URL,
         sortRunBytes: Int = ExternalSorter.defaultRunBytes, streamingTo: (any OrderedRowDestination)? = nil, logger: Logger) {
        self.filter = filter
        self.logger = logger
        self.summaryZone = displayZone ?? filter.zone ?? zone
        self.previousBounds = filter.previousPeriod.map { $0.bounds(sourceZone: zone) }
        self.summary = Summary(zone: summaryZone)
        self.excerpt = ReportExcerpt(failRules: failRules)
        self.previous = Summary(zone: summaryZone)
        self.sorter = ExternalSorter(directory: sortDirectory, runBytes: sortRunBytes, streamingTo: streamingTo)
    }

    public var recordsRead: Int { counts.read }

    public mutating func add(_ page: TypedPage) throws {
        counts.pages += 1
        var newIDsOnPage = 0
        var firstRepeat: Int64?
        // In-range records go to the sorter in stretches: all of them at once unless a repeat
        // sits between them.
        var stretch = 0 ..< 0
        func handOver() throws {
            guard !stretch.isEmpty else { return }
            try page.encoded.withUnsafeBytes { try sorter.add(UnsafeRawBufferPointer(rebasing: $0[stretch])) }
        }
        for (index, outcome) in page.outcomes.enumerated() {
            counts.read += 1
            switch outcome {
            case .typed(let upload, let placement):
                guard seenIDs.insert(upload.id) else {
                    counts.duplicates += 1
                    firstRepeat = firstRepeat ?? upload.id
                    logger.warning("repeated id \(upload.id) (\(page.raw.origin), record \(index + 1)): kept the first one")
                    continue
                }
                newIDsOnPage += 1
                earliestInstant = min(earliestInstant ?? upload.dateUpload.instant, upload.dateUpload.instant)
                switch placement {
                case .inRange(let bytes):
                    summary.add(upload)
                    excerpt.add(upload)
                    if stretch.upperBound == bytes.lowerBound, !stretch.isEmpty {
                        stretch = stretch.lowerBound ..< bytes.upperBound
                    } else {
                        try handOver()
                        stretch = bytes
                    }
                case .previous:
                    previous.add(upload)
                    counts.outOfRange += 1
                case .outside:
                    counts.outOfRange += 1
                }
            case .rejected(let rejection, let outsideRange):
                if outsideRange {
                    counts.outOfRange += 1
                    continue
                }
                newIDsOnPage += 1
                counts.rejected += 1
                rejections.append(rejection)
            }
        }
        try handOver()
        if let firstRepeat, newIDsOnPage == 0 {
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
        var result = CollectedUploads(sorted: sorter, summary: summary, excerpt: excerpt, rejections: rejections, counts: counts)
        if let start = previousBounds?.start {
            // Covered when the data reaches into the first day of the previous period.
            let covered = sourceIsExhaustive || (earliestInstant.map { $0 < start + 86_400 } ?? false)
            result.previous = covered ? previous : nil
        }
        return result
    }
}
