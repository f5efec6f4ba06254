import Foundation

/// `--range NAME`: a date range relative to now, computed on the clock of a time zone.
///
/// Ranges are whole days and end before today, except `today` and `month-to-date`:
/// `yesterday`; `last-7-days` and `last-30-days` (the 7 or 30 days before today);
/// `last-month` (the previous calendar month); `YYYY-MM` (that month).
public enum RelativeRange {
    public static let names = ["yesterday", "today", "last-7-days", "last-30-days", "month-to-date", "last-month", "YYYY-MM", sinceLastRun]

    /// Needs the history: the days after the latest `to` of a successful run, up to yesterday.
    public static let sinceLastRun = "since-last-run"

    /// `since-last-run`: from the day after `lastCovered` (none: yesterday) to yesterday; nil when
    /// nothing is left to cover.
    public static func sinceLastRun(lastCovered: CivilDate?, now: Date, zone: SourceZone) -> (from: CivilDate, to: CivilDate)? {
        let yesterday = zone.date(at: now).adding(days: -1)
        let from = lastCovered?.adding(days: 1) ?? yesterday
        return from <= yesterday ? (from, yesterday) : nil
    }

    public static func resolve(_ name: String, now: Date, zone: SourceZone) throws -> (from: CivilDate, to: CivilDate) {
        let today = zone.date(at: now)
        switch name {
        case "today":
            return (today, today)
        case "yesterday":
            let day = today.adding(days: -1)
            return (day, day)
        case "last-7-days":
            return (today.adding(days: -7), today.adding(days: -1))
        case "last-30-days":
            return (today.adding(days: -30), today.adding(days: -1))
        case "month-to-date":
            return (CivilDate(year: today.year, month: today.month, day: 1)!, today)
        case "last-month":
            let year = today.month == 1 ? today.year - 1 : today.year
            return month(year: year, month: today.month == 1 ? 12 : today.month - 1)
        default:
            let parts = name.split(separator: "-")
            if name.utf8.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2,
               let year = Int(parts[0]), let monthNumber = Int(parts[1]), CivilDate(year: year, month: monthNumber, day: 1) != nil {
                return Self.month(year: year, month: monthNumber)
            }
            throw ReportError.usage("--range \(name): choose yesterday, today, last-7-days, last-30-days, month-to-date, last-month, a month as YYYY-MM, or since-last-run")
        }
    }

    private static func month(year: Int, month: Int) -> (from: CivilDate, to: CivilDate) {
        (CivilDate(year: year, month: month, day: 1)!, CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))!)
    }
}

extension SourceZone {
    /// The calendar date on this zone's clock at `instant`.
    public func date(at instant: Date) -> CivilDate {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        let local = seconds + Int64(offset(atInstant: seconds))
        return CivilDate(daysSinceEpoch: Int((local - floorMod(local, 86_400)) / 86_400))
    }

    /// `2026-03-01 10:00` on this zone's clock: how the HTML shows a time.
    public func displayTime(_ instant: Int64) -> String {
        let local = instant + Int64(offset(atInstant: instant))
        let secondOfDay = Int(floorMod(local, 86_400))
        let day = CivilDate(daysSinceEpoch: Int((local - Int64(secondOfDay)) / 86_400))
        return "\(day) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2))"
    }

    /// The instant this zone's clock reads 00:00:00 on `date` (in a DST gap, the first instant after it).
    public func startOfDay(_ date: CivilDate) -> Int64 {
        let local = Int64(date.daysSinceEpoch) * 86_400
        return local - Int64(offset(atLocalSeconds: local))
    }
}
