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

/// The Transform stage's result: the typed uploads in report order and what was made of them.
public struct TransformedUploads: Sendable {
    public var uploads: [RevenueUpload]
    public var summary: Summary
    /// The period of equal length just before the range, when the data covers it.
    public var previous: Summary? = nil
    public var rejections: [RecordRejection]
    public var counts: RecordCounts
}

/// Takes parsed pages one at a time: types each record, keeps the ones in range, drops repeated
/// ids with a warning, and stops a source that repeats whole pages.
public struct UploadCollector {
    public let filter: RecordFilter
    private let bounds: TimeBounds
    private let typer: RecordTyper
    private let logger: Logger
    private let summaryZone: SourceZone
    /// The period of equal length before the range, for the report's comparison.
    public let previousBounds: TimeBounds?
    private var previous: Summary
    private var earliestInstant: Int64?
    private var seenIDs = Set<Int64>()
    private var uploads: [RevenueUpload] = []
    private var rejections: [RecordRejection] = []
    private var counts = RecordCounts()

    public init(filter: RecordFilter, zone: SourceZone, displayZone: SourceZone? = nil, logger: Logger) {
        self.filter = filter
        self.bounds = filter.bounds(sourceZone: zone)
        self.typer = RecordTyper(zone: zone)
        self.logger = logger
        self.summaryZone = displayZone ?? filter.zone ?? zone
        self.previousBounds = filter.previousPeriod.map { $0.bounds(sourceZone: zone) }
        self.previous = Summary(zone: summaryZone)
    }

    public var recordsRead: Int { counts.read }

    public mutating func add(_ page: ParsedPage) throws {
        counts.pages += 1
        var newIDsOnPage = 0
        var firstRepeat: Int64?
        for record in page.records {
            counts.read += 1
            switch typer.type(record) {
            case .typed(let upload):
                guard seenIDs.insert(upload.id).inserted else {
                    counts.duplicates += 1
                    firstRepeat = firstRepeat ?? upload.id
                    logger.warning("repeated id \(upload.id) (\(record.page), record \(record.position)): kept the first one")
                    continue
                }
                newIDsOnPage += 1
                earliestInstant = min(earliestInstant ?? upload.dateUpload.instant, upload.dateUpload.instant)
                guard bounds.contains(upload.dateUpload), filter.contains(id: upload.id) else {
                    if let previousBounds, previousBounds.contains(upload.dateUpload) { previous.add(upload) }
                    counts.outOfRange += 1
                    continue
                }
                uploads.append(upload)
            case .rejected(let rejection, let dateUpload):
                // A record dated outside the range is not this report's concern, readable or not.
                if let dateUpload, !bounds.contains(dateUpload) {
                    counts.outOfRange += 1
                    continue
                }
                newIDsOnPage += 1
                counts.rejected += 1
                rejections.append(rejection)
            }
        }
        if let firstRepeat, newIDsOnPage == 0 {
            throw ReportError.repeatedPage(page: page.origin, firstID: firstRepeat)
        }
    }

    /// Sorts and aggregates; `skipInvalid` decides whether rejections fail the run.
    /// `sourceIsExhaustive`: the source was asked for the previous period too (the live API), so
    /// an empty previous period is a real zero; otherwise the data must reach back to its start.
    /// Consumes the collected uploads: they are sorted in place, not copied.
    public consuming func finish(skipInvalid: Bool, sourceIsExhaustive: Bool = false) throws -> TransformedUploads {
        if !rejections.isEmpty, !skipInvalid {
            throw ReportError.invalidRecords(rejections)
        }
        for rejection in rejections {
            logger.warning("skipped \(rejection)")
        }
        var sorted = uploads
        uploads = []
        sorted.sort(by: RevenueUpload.reportOrder)
        var counts = self.counts
        counts.inRange = sorted.count
        var result = TransformedUploads(uploads: sorted, summary: Summary(uploads: sorted, zone: summaryZone), rejections: rejections, counts: counts)
        if let start = previousBounds?.start {
            // Covered when the data reaches into the first day of the previous period.
            let covered = sourceIsExhaustive || (earliestInstant.map { $0 < start + 86_400 } ?? false)
            result.previous = covered ? previous : nil
        }
        return result
    }
}
