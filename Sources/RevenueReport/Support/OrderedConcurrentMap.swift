/// Runs `transform` on up to `width` elements of `source` at once, on the cooperative pool's
/// threads, and hands the results to `consume` one at a time in the source's order.
///
/// A failed transform is reported when its turn comes, so the first error in source order is
/// the one thrown, as if the elements had been handled one after the other. At most `width`
/// elements are taken ahead of the one `consume` waits for, which bounds memory.
func forEachConcurrently<Source: AsyncSequence, Output: Sendable>(
    _ source: Source, width: Int, transform: @escaping @Sendable (Source.Element) throws -> Output,
    consume: (Output) throws -> Void
) async throws where Source.Element: Sendable {
    try await withThrowingTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
        var iterator = source.makeAsyncIterator()
        var launched = 0
        var delivered = 0
        var exhausted = false
        var finished: [Int: Result<Output, any Error>] = [:]
        while true {
            while !exhausted, launched - delivered < max(1, width) {
                let element: Source.Element?
                do {
                    element = try await iterator.next()
                } catch {
                    // The source failed: that too waits for its turn behind the pages before it.
                    finished[launched] = .failure(error)
                    exhausted = true
                    break
                }
                guard let element else {
                    exhausted = true
                    break
                }
                let index = launched
                group.addTask { (index, Result { try transform(element) }) }
                launched += 1
            }
            if let (index, result) = try await group.next() {
                finished[index] = result
            } else if finished.isEmpty {
                return
            }
            while let next = finished.removeValue(forKey: delivered) {
                delivered += 1
                try consume(next.get())
            }
        }
    }
}
