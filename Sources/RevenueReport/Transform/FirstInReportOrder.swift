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

    init(limit: Int) { self.limit = limit }

    /// Keeps the `limit` first: past it, an element replaces the last kept when it comes before it.
    /// The key is compared first: most offers of a long run are refused, and making the
    /// element's copy for the heap costs more than the comparison.
    mutating func offer(_ element: Element, key: Key) {
        if heap.count < limit {
            heap.insert(Ranked(key: key, element: element))
        } else if let last = heap.max?.key, key < last {
            heap.replaceMax(with: Ranked(key: key, element: element))
        }
    }

    /// What is kept, in report order.
    var elements: [Element] { heap.unordered.sorted().map(\.element) }
}

extension RevenueUpload {
    /// Its place in report order.
    var reportKey: FirstInReportOrder<RevenueUpload>.Key { (dateUpload.instant, id) }
}
