/// What the HTML report, the email and `--fail-on` need of the uploads: the first rows of the
/// table, the first uploads that need attention (first in report order), the `--fail-on`
/// matches, and counts.
///
/// Uploads may come in any order: the first rows are kept by `FirstInReportOrder`, so the
/// excerpt is made while pages are collected, in bounded memory, and the sorter's records need
/// to carry nothing but their rows.
public struct ReportExcerpt: Sendable {
    /// How many of each list the report keeps: the table's first rows (above this the table is
    /// cut short with a note, keeping the report of 100,000 uploads small enough to email; the
    /// CSV holds every row) and the uploads that need attention.
    public struct Limits: Sendable {
        public var tableRows: Int
        public var attention: Int

        /// What the report and the email show.
        public static let report = Limits(tableRows: 1_000, attention: 200)

        public init(tableRows: Int, attention: Int) {
            self.tableRows = tableRows
            self.attention = attention
        }
    }

    public private(set) var attentionCount = 0
    let limits: Limits
    public private(set) var uploadCount = 0
    let failRules: [FailRule]
    /// `--fail-on` matches left out by `--alert-once` (alerted before, unchanged since).
    public private(set) var matchesHeldBack = 0
    private var firstRows: FirstInReportOrder<RevenueUpload>
    private var firstNeedingAttention: FirstInReportOrder<RevenueUpload>
    private var matches: [(key: FirstInReportOrder<RevenueUpload>.Key, match: FailMatch)] = []

    public init(failRules: [FailRule] = [], limits: Limits) {
        self.failRules = failRules
        self.limits = limits
        firstRows = FirstInReportOrder(limit: limits.tableRows)
        firstNeedingAttention = FirstInReportOrder(limit: limits.attention)
    }

    /// Every upload of `uploads`.
    public init(uploads: [RevenueUpload], failRules: [FailRule] = [], limits: Limits = .report) {
        self.init(failRules: failRules, limits: limits)
        for upload in uploads { add(upload) }
    }

    /// The first rows of the table in report order (up to `limits.tableRows`).
    public var tableRows: [RevenueUpload] { firstRows.elements }

    /// The first uploads that need attention, in report order (up to `limits.attention`).
    public var attention: [RevenueUpload] { firstNeedingAttention.elements }

    /// The uploads that matched `--fail-on`, in report order.
    public var failMatches: [FailMatch] { matches.sorted { $0.key < $1.key }.map(\.match) }

    /// One upload in range; any order. `alert`: false when `--alert-once` holds back its match.
    public mutating func add(_ upload: RevenueUpload, alert: Bool = true) {
        uploadCount += 1
        let key = upload.reportKey
        firstRows.offer(upload, key: key)
        if upload.needsAttention {
            attentionCount += 1
            firstNeedingAttention.offer(upload, key: key)
        }
        if !failRules.isEmpty {
            let matched = failRules.filter { $0.matches(upload) }
            if !matched.isEmpty {
                if alert { matches.append((key, FailMatch(upload: upload, rules: matched))) } else { matchesHeldBack += 1 }
            }
        }
    }
}
