import Foundation

/// The range: `--from`/`--to`, `--range` (relative, a month, or since the last run), `--id`.
extension SettingResolver {
    /// `--from`/`--to` on the source zone's clock, or `--range` on `--timezone`'s.
    mutating func rangeFilter(now: Date, displayZone: SourceZone, history: HistoryLocation?) -> RecordFilter {
        let from = text(.from).flatMap(CivilDate.init)
        let to = text(.to).flatMap(CivilDate.init)
        var filter = RecordFilter(from: from, to: to, id: given[.id]?.value.integer)
        if let rangeName = text(.range) {
            if given[.from] != nil || given[.to] != nil {
                problems.append("\(origin(.range)) \(rangeName): give either --range or --from/--to, not both")
                return filter
            }
            if rangeName == RelativeRange.sinceLastRun {
                return sinceLastRun(filter, now: now, zone: displayZone, history: history)
            }
            do {
                let days = try RelativeRange.resolve(rangeName, now: now, zone: displayZone)
                filter = RecordFilter(from: days.from, to: days.to, id: filter.id, zone: displayZone)
                derived[.from] = (.text(days.from.description), origin(.range))
                derived[.to] = (.text(days.to.description), origin(.range))
            } catch ReportError.usage(let message) {
                problems.append(message.replacingOccurrences(of: "--range", with: origin(.range).description))
            } catch {
                problems.append("\(origin(.range)) \(rangeName): \(error)")
            }
        }
        return filter  // a reversed range is one of `ReportConfiguration.validate`'s problems
    }

    /// `--range since-last-run`: reads the history (without changing it) for the last day a
    /// successful run covered.
    mutating func sinceLastRun(_ filter: RecordFilter, now: Date, zone: SourceZone, history: HistoryLocation?) -> RecordFilter {
        guard let history else {
            problems.append("\(origin(.range)) since-last-run: needs --history FILE (the runs it continues from are remembered there)")
            return filter
        }
        var lastCovered: CivilDate?
        do {
            lastCovered = try history.lastCoveredDay()
        } catch {
            problems.append("\(error)")
            return filter
        }
        guard let days = RelativeRange.sinceLastRun(lastCovered: lastCovered, now: now, zone: zone) else {
            nothingToCover = "--range since-last-run: nothing left to cover: the history's last successful run covered up to \(lastCovered!), and yesterday was \(zone.date(at: now).adding(days: -1)) (\(zone.identifier)); no output written"
            // A range nothing reads (the run stops before reading): yesterday, already covered.
            let yesterday = zone.date(at: now).adding(days: -1)
            return RecordFilter(from: yesterday, to: yesterday, id: filter.id, zone: zone)
        }
        derived[.from] = (.text(days.from.description), origin(.range))
        derived[.to] = (.text(days.to.description), origin(.range))
        return RecordFilter(from: days.from, to: days.to, id: filter.id, zone: zone)
    }
}
