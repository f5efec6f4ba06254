import Foundation

/// Which uploads the report is about: an inclusive range of days and/or one id.
///
/// The days are read on the clock of `zone`: the source zone for `--from`/`--to`, the
/// `--timezone` for `--range`. The range is exact: `[from 00:00:00, to 23:59:59]` on that clock.
public struct RecordFilter: Sendable, Equatable {
    public var from: CivilDate?
    public var to: CivilDate?
    public var id: Int64?
    /// The zone whose days `from` and `to` are; nil: the source zone.
    public var zone: SourceZone?
    /// `--compare previous-period`: the period of equal length before the range is read too.
    public var comparesPreviousPeriod = true

    public init(from: CivilDate? = nil, to: CivilDate? = nil, id: Int64? = nil, zone: SourceZone? = nil) {
        self.from = from
        self.to = to
        self.id = id
        self.zone = zone
    }

    public func contains(id candidate: Int64) -> Bool {
        id == nil || id == candidate
    }

    /// The period of equal length just before this range, for comparisons; nil for an open
    /// range or a single id.
    public var previousPeriod: RecordFilter? {
        guard comparesPreviousPeriod, id == nil, let from, let to else { return nil }
        let length = to.daysSinceEpoch - from.daysSinceEpoch + 1
        return RecordFilter(from: from.adding(days: -length), to: from.adding(days: -1), zone: zone)
    }

    /// The range as instants, `[start, end)`, once the source zone is known.
    public func bounds(sourceZone: SourceZone) -> TimeBounds {
        let zone = self.zone ?? sourceZone
        return TimeBounds(start: from.map { zone.startOfDay($0) }, end: to.map { zone.startOfDay($0.adding(days: 1)) })
    }

    /// The days to ask the API for, on the source zone's clock, covering the range.
    public func sourceDays(sourceZone: SourceZone) -> (from: CivilDate?, to: CivilDate?) {
        guard let zone, zone.identifier != sourceZone.identifier else { return (from, to) }
        let bounds = bounds(sourceZone: sourceZone)
        func day(_ instant: Int64) -> CivilDate {
            sourceZone.date(at: Date(timeIntervalSince1970: TimeInterval(instant)))
        }
        return (bounds.start.map(day), bounds.end.map { day($0 - 1) })
    }

    public static func == (a: RecordFilter, b: RecordFilter) -> Bool {
        a.from == b.from && a.to == b.to && a.id == b.id && a.zone?.identifier == b.zone?.identifier
            && a.comparesPreviousPeriod == b.comparesPreviousPeriod
    }
}

/// `[start, end)` in seconds since 1970 UTC; nil ends are open.
public struct TimeBounds: Sendable, Equatable {
    public var start: Int64?
    public var end: Int64?

    public func contains(_ time: UploadTime) -> Bool {
        if let start, time.instant < start { return false }
        if let end, time.instant >= end { return false }
        return true
    }
}
