/// The HTML report's timeline: successful against unsuccessful records per day (ranges up to 62
/// days), per week (Monday to Sunday, up to a year) or per month (beyond), drawn as inline SVG
/// by the template from the numbers here. The drawing scales with the page, so its labels (the
/// peak, the first and last bucket) are HTML text beside it, readable at any width.
struct Timeline {
    enum Granularity: String { case day, week, month }

    struct Bucket {
        var start: CivilDate
        var label: String
        var successful = 0
        var unsuccessful = 0
        var uploads = 0
    }

    static let width = 640
    static let height = 142
    static let chartBottom = 140

    let granularity: Granularity
    let buckets: [Bucket]

    /// Buckets from `from` to `to` (the data's first and last day when open), empty ones included.
    init(days: [Summary.Day], from: CivilDate?, to: CivilDate?) {
        let first = from ?? days.first?.date
        let last = to ?? days.last?.date
        guard let first, let last, first <= last else {
            granularity = .day
            buckets = []
            return
        }
        let span = last.daysSinceEpoch - first.daysSinceEpoch + 1
        granularity = span <= 62 ? .day : (span <= 366 ? .week : .month)
        var buckets: [Bucket] = []
        var start = Self.bucketStart(first, granularity)
        while start <= last {
            let next = Self.nextStart(start, granularity)
            buckets.append(Bucket(start: start, label: Self.label(start, granularity)))
            start = next
        }
        var index = 0
        for day in days where day.date >= first && day.date <= last {
            while index + 1 < buckets.count, buckets[index + 1].start <= day.date { index += 1 }
            buckets[index].successful += day.successfulRecords
            buckets[index].unsuccessful += day.unsuccessfulRecords
            buckets[index].uploads += day.uploads
        }
        self.buckets = buckets
    }

    static func bucketStart(_ date: CivilDate, _ granularity: Granularity) -> CivilDate {
        switch granularity {
        case .day: return date
        case .week:
            // 1970-01-01 was a Thursday: days since epoch + 3, modulo 7, counts from Monday.
            let weekday = ((date.daysSinceEpoch + 3) % 7 + 7) % 7
            return date.adding(days: -weekday)
        case .month: return CivilDate(year: date.year, month: date.month, day: 1)!
        }
    }

    static func nextStart(_ start: CivilDate, _ granularity: Granularity) -> CivilDate {
        switch granularity {
        case .day: return start.adding(days: 1)
        case .week: return start.adding(days: 7)
        case .month: return start.adding(days: CivilDate.daysIn(month: start.month, year: start.year))
        }
    }

    static func label(_ start: CivilDate, _ granularity: Granularity) -> String {
        switch granularity {
        case .day: return start.description
        case .week: return "week of \(start)"
        case .month: return String(start.description.prefix(7))
        }
    }

    /// What the template draws: one entry per bucket with its two stacked rectangles.
    var context: [String: Any] {
        let peak = max(1, buckets.map { $0.successful + $0.unsuccessful }.max() ?? 0)
        let slot = Double(Self.width) / Double(max(1, buckets.count))
        let barWidth = max(1, slot * 0.8)
        let usable = Double(Self.chartBottom - 10)
        let bars: [[String: Any]] = buckets.enumerated().map { index, bucket in
            let successHeight = Double(bucket.successful) / Double(peak) * usable
            let failHeight = Double(bucket.unsuccessful) / Double(peak) * usable
            let x = Double(index) * slot + (slot - barWidth) / 2
            return [
                "x": Self.format(x), "width": Self.format(barWidth),
                "successY": Self.format(Double(Self.chartBottom) - successHeight), "successHeight": Self.format(successHeight),
                "failY": Self.format(Double(Self.chartBottom) - successHeight - failHeight), "failHeight": Self.format(failHeight),
                "label": bucket.label, "successful": bucket.successful, "unsuccessful": bucket.unsuccessful, "uploads": bucket.uploads,
            ]
        }
        return [
            "width": Self.width, "height": Self.height, "axisY": Self.chartBottom,
            "granularity": granularity.rawValue, "bars": bars, "hasBars": !bars.isEmpty,
            "firstLabel": buckets.first?.label ?? "", "lastLabel": buckets.last?.label ?? "",
            "peak": HTMLWriter.grouped(peak), "rightX": Self.width,
        ]
    }

    /// One decimal, no locale: SVG coordinates.
    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
