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

    /// The days to ask the API for: the range and, when compared, the period before it.
    public func requestDays(sourceZone: SourceZone) -> (from: CivilDate?, to: CivilDate?) {
        let covered = previousPeriod.map { RecordFilter(from: $0.from, to: to, zone: zone) } ?? self
        return covered.sourceDays(sourceZone: sourceZone)
    }

    public static func == (a: RecordFilter, b: RecordFilter) -> Bool {
        a.from == b.from && a.to == b.to && a.id == b.id && a.zone?.identifier == b.zone?.identifier
            && a.comparesPreviousPeriod == b.comparesPreviousPeriod
    }
}

/// Where an upload stands against the range: the one place that decides it, once the source
/// zone is known (typing places each upload with it; the collector asks it about coverage).
public struct RangePlacement: Sendable {
    public enum Place: Sendable, Equatable {
        case inRange
        /// In the period of equal length before the range (the report compares against it).
        case previous
        case outside
    }

    public let filter: RecordFilter
    public let bounds: TimeBounds
    public let previousBounds: TimeBounds?

    public init(_ filter: RecordFilter, sourceZone: SourceZone) {
        self.filter = filter
        self.bounds = filter.bounds(sourceZone: sourceZone)
        self.previousBounds = filter.previousPeriod.map { $0.bounds(sourceZone: sourceZone) }
    }

    public func place(_ time: UploadTime, id: Int64) -> Place {
        if bounds.contains(time), filter.contains(id: id) { return .inRange }
        if let previousBounds, previousBounds.contains(time) { return .previous }
        return .outside
    }

    /// For an upload that could not be typed: is its date known and outside the range?
    public func isOutside(_ time: UploadTime?) -> Bool {
        time.map { !bounds.contains($0) } ?? false
    }

    /// Does data reaching back to `earliest` cover the period before the range (its first day)?
    public func coversPreviousPeriod(earliest: Int64?) -> Bool {
        guard let start = previousBounds?.start, let earliest else { return false }
        return earliest < start + 86_400
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
