import HeapModule

/// What the HTML report, the email and `--fail-on` need of the uploads: the first rows of the
/// table, the first uploads that need attention (first in report order), the `--fail-on`
/// matches, and counts.
///
/// Uploads may come in any order: the first rows are kept with a bounded min-max heap (top-k
/// selection), so the excerpt is made while pages are collected, in bounded memory, and the
/// sorter's records need to carry nothing but their rows.
public struct ReportExcerpt: Sendable {
    /// How many of each list the report shows: Emit's choice, handed to Transform (`HTMLWriter.excerptLimits`).
    public struct Limits: Sendable {
        public var tableRows: Int
        public var attention: Int

        public init(tableRows: Int, attention: Int) {
            self.tableRows = tableRows
            self.attention = attention
        }
    }

    public private(set) var attentionCount = 0
    let limits: Limits
    public private(set) var uploadCount = 0
    let failRules: [FailRule]
    private var firstRows = Heap<Ranked>()
    private var firstNeedingAttention = Heap<Ranked>()
    private var matches: [(key: Ranked.Key, match: FailMatch)] = []

    /// An upload with its place in report order.
    private struct Ranked: Comparable, Sendable {
        typealias Key = (instant: Int64, id: Int64)
        var upload: RevenueUpload
        var key: Key { (upload.dateUpload.instant, upload.id) }

        static func < (a: Ranked, b: Ranked) -> Bool { a.key < b.key }
        static func == (a: Ranked, b: Ranked) -> Bool { a.key == b.key }
    }

    public init(failRules: [FailRule] = [], limits: Limits) {
        self.failRules = failRules
        self.limits = limits
    }

    /// Every upload of `uploads`.
    public init(uploads: [RevenueUpload], failRules: [FailRule] = [], limits: Limits = HTMLWriter.excerptLimits) {
        self.init(failRules: failRules, limits: limits)
        for upload in uploads { add(upload) }
    }

    /// The first rows of the table in report order (up to `limits.tableRows`).
    public var tableRows: [RevenueUpload] { firstRows.unordered.sorted().map(\.upload) }

    /// The first uploads that need attention, in report order (up to `limits.attention`).
    public var attention: [RevenueUpload] { firstNeedingAttention.unordered.sorted().map(\.upload) }

    /// The uploads that matched `--fail-on`, in report order.
    public var failMatches: [FailMatch] { matches.sorted { $0.key < $1.key }.map(\.match) }

    /// One upload in range; any order.
    public mutating func add(_ upload: RevenueUpload) {
        uploadCount += 1
        let ranked = Ranked(upload: upload)
        Self.keep(ranked, in: &firstRows, limit: limits.tableRows)
        if upload.needsAttention {
            attentionCount += 1
            Self.keep(ranked, in: &firstNeedingAttention, limit: limits.attention)
        }
        if !failRules.isEmpty {
            let matched = failRules.filter { $0.matches(upload) }
            if !matched.isEmpty { matches.append((ranked.key, FailMatch(upload: upload, rules: matched))) }
        }
    }

    /// Keeps the `limit` smallest: past it, an upload replaces the largest kept when smaller.
    private static func keep(_ ranked: Ranked, in heap: inout Heap<Ranked>, limit: Int) {
        if heap.count < limit {
            heap.insert(ranked)
        } else if let largest = heap.max, ranked < largest {
            heap.replaceMax(with: ranked)
        }
    }
}
