import HeapModule

/// The first `limit` elements in report order (time of upload, then id), offered in any order:
/// a bounded max-heap (top-k selection), so lists of the report are made while pages are
/// collected, in bounded memory.
struct FirstInReportOrder<Element: Sendable>: Sendable {
    typealias Key = (instant: Int64, id: Int64)

    private struct Ranked: Comparable, Sendable {
        var key: Key
        var element: Element
        static func < (a: Ranked, b: Ranked) -> Bool { a.key < b.key }
        static func == (a: Ranked, b: Ranked) -> Bool { a.key == b.key }
    }

    let limit: Int
    private var heap = Heap<Ranked>()
    /// The key of the last element kept, once `limit` are: kept apart, so that refusing an
    /// offer (most offers of a long run) reads no element of the heap (`heap.max` copies one).
    private var lastKept: Key?

    init(limit: Int) { self.limit = limit }

    /// Keeps the `limit` first: past it, an element replaces the last kept when it comes before it.
    mutating func offer(_ element: Element, key: Key) {
        if heap.count < limit {
            heap.insert(Ranked(key: key, element: element))
            if heap.count == limit { lastKept = heap.max?.key }
        } else if let last = lastKept, key < last {
            heap.replaceMax(with: Ranked(key: key, element: element))
            lastKept = heap.max?.key
        }
    }

    /// What is kept, in report order.
    var elements: [Element] { heap.unordered.sorted().map(\.element) }
}

extension RevenueUpload {
    /// Its place in report order.
    var reportKey: FirstInReportOrder<RevenueUpload>.Key { (dateUpload.instant, id) }
}
